import pytest

from schools.duplicates.selectors import forget_scan


@pytest.fixture(autouse=True)
def _no_cached_scan():
    """The LA-wide scan is cached between requests (in Redis too, where configured): each test starts without one
    and leaves none behind."""
    forget_scan()
    yield
    forget_scan()
