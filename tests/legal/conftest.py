from tests.cases.fixtures import case_targets, cases_world  # noqa: F401  (fixtures for this package)
from tests.legal.fixtures import legal_world  # noqa: F401
from tests.notify_fake import notify, notify_server  # noqa: F401  (the fake GOV.UK Notify)
