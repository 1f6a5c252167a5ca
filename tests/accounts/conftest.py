"""The council sign-in fixtures (a real OIDC provider in a second process) for this package's tests."""

from tests.oidc_provider.fixtures import council_sign_in, oidc_provider  # noqa: F401  (fixtures)
