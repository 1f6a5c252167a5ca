"""Many notices from one CSV: all saved, or (with any bad row) none, each problem naming file, row and column."""

from __future__ import annotations

import pytest

from schools.models import RollNotification
from schools.roll import csv_import

pytestmark = pytest.mark.django_db

HEADER = "kind,school_urn,upn,first_name,last_name,date_of_birth,sex,nc_year,date,ground,new_school_urn,new_address\n"


def _run(user, text: str, name="returns.csv"):
    return csv_import.import_csv(user=user, name=name, content=text.encode("utf-8"))


def test_a_good_file_saves_every_notice(calendar, new_upn):
    a, b = new_upn(), new_upn()
    text = HEADER + (f"admission,,{a},Ann,Ames,2015-03-01,F,R,16/11/2026,,,\n"
                     f"Deletion,,{b},Bob,Bell,2014-05-06,M,Y3,2026-11-30,reg 9(1)(g),"
                     f"{calendar.school_a.urn},\"1 High St, Lewes\"\n")
    saved, issues = _run(calendar.users["school_b"], text)
    assert issues == [] and len(saved) == 2
    admission, deletion = RollNotification.objects.order_by("kind")
    assert (admission.upn, admission.nc_year, admission.source, admission.school) == (a, 0, "csv", calendar.school_b)
    assert (deletion.ground, deletion.nc_year, deletion.new_school, deletion.new_address) == (
        "g", 3, calendar.school_a, "1 High St, Lewes")


def test_one_bad_row_saves_nothing_and_names_row_and_column(calendar, new_upn):
    text = HEADER + (f"admission,,{new_upn()},Ann,Ames,2015-03-01,F,R,16/11/2026,,,\n"
                     f"deletion,,{new_upn()},Bob,Bell,2014-05-06,M,3,31/02/2026,z,,\n"
                     f"leaving,,{new_upn()},Cy,Cole,2014-05-06,M,3,2026-11-30,f,,\n"
                     f"deletion,,{new_upn()},,Dee,2014-05-06,M,3,2026-11-30,,,\n")
    saved, issues = _run(calendar.users["school_b"], text)
    assert saved == [] and not RollNotification.objects.exists()
    found = {(i.line, i.field): i.reason for i in issues}
    assert found[(3, "date")] == "Enter a real date as 2026-11-23 or 23/11/2026."
    assert found[(4, "kind")] == "Enter admission or deletion."
    assert found[(5, "first_name")] == "Enter the pupil's first name."
    assert found[(5, "ground")] == "Choose the ground for deleting the pupil from the admission register."
    assert all(i.file == "returns.csv" for i in issues)


def test_another_schools_urn_and_duplicates_are_refused(calendar, new_upn):
    upn = new_upn()
    text = HEADER + (f"admission,{calendar.school_a.urn},{new_upn()},Ann,Ames,2015-03-01,F,R,16/11/2026,,,\n"
                     f"admission,,{upn},Ann,Ames,2015-03-01,F,R,16/11/2026,,,\n"
                     f"admission,,{upn},Ann,Ames,2015-03-01,F,R,16/11/2026,,,\n")
    saved, issues = _run(calendar.users["school_b"], text)
    assert saved == []
    assert [(i.line, i.field) for i in issues] == [(2, "school_urn"), (4, "upn")]
    assert issues[1].reason == "Row 3 has the same notice."


def test_la_staff_name_the_school_and_whole_file_problems_are_reported(calendar, new_upn):
    officer = calendar.users["la_officer"]
    saved, issues = _run(officer, HEADER + f"admission,,{new_upn()},Ann,Ames,2015-03-01,F,R,16/11/2026,,,\n")
    assert issues[0].field == "school_urn" and issues[0].line == 2
    saved, issues = _run(officer, HEADER + f"admission,{calendar.school_a.urn},{new_upn()},Ann,Ames,2015-03-01,F,R,"
                                           "16/11/2026,,,\n")
    assert issues == [] and saved[0].school == calendar.school_a
    assert _run(officer, "name,dob\nx,y\n")[1][0].reason.startswith("The header row lacks these columns")
    assert "not UTF-8" in csv_import.import_csv(user=officer, name="x.csv", content=b"\xff\xfe\x00k")[1][0].reason
    assert "no notices" in _run(officer, HEADER)[1][0].reason
