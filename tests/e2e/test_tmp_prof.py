import time, functools
import pytest
from tests.e2e import support
from tests.e2e.test_journeys import test_manager_sees_record_views_in_the_audit_log as inner  # noqa

pytestmark = pytest.mark.e2e

@pytest.fixture(autouse=True)
def _timing(monkeypatch):
    t0 = time.perf_counter()
    for name in ("goto", "follow", "check", "sign_in"):
        orig = getattr(support.Visit, name)
        def wrap(self, *a, _orig=orig, _name=name, **k):
            t = time.perf_counter()
            r = _orig(self, *a, **k)
            print(f"{time.perf_counter()-t0:6.2f} {_name} {a[:1]} took {time.perf_counter()-t:.2f}")
            return r
        monkeypatch.setattr(support.Visit, name, wrap)
    orig_axe = support.assert_accessible
