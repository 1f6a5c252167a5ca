from tests.traded.fixtures import traded  # noqa: F401  (fixtures for this package)
from tests.traded.matrix import traded_targets  # noqa: F401
