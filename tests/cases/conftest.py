from tests.cases.fixtures import case_targets, cases_world  # noqa: F401  (fixtures for this package)
