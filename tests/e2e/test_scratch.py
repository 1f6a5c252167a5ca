import pytest
from tests.e2e.support import AXE_PATH

pytestmark = pytest.mark.e2e

def test_scratch(new_visit):
    v = new_visit()
    v.page.goto(v.url("/sign-in/"))
    try:
        v.page.add_script_tag(path=str(AXE_PATH))
        print("add_script_tag ok; axe defined:", v.page.evaluate("typeof axe"))
    except Exception as e:
        print("add_script_tag failed:", str(e)[:300])
    print("problems", v.problems)
    v.problems.clear()
    v.unchecked_loads.clear()
