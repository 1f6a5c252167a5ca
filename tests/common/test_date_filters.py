"""List filters take dates as the GOV.UK date input (day, month and year boxes under a legend), as the forms do: an
empty date does not filter, a full date does, a part missing or a date that does not exist is a GOV.UK message on the
filter (never a server error), and links that put an ISO date in one parameter (?start_from=2026-11-30) still work.
"Today" is Monday 23 November 2026 (tests/conftest.py)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from schools.common.filters import DateFilterField
from schools.exclusions import services as exclusion_services
from schools.models import RollNotification, Term
from schools.roll import services as roll_services
from tests.exclusions.fixtures import build_calendar
from tests.factories import EnrolmentFactory, PupilFactory, spare_upn

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(world):
    if not Term.objects.exists():
        build_calendar(world)
    return world


def _count(page: str) -> int:
    """The list's result count ("2 records", "1 notice")."""
    match = re.search(r'data-testid="result-count">([0-9,]+) ', page)
    assert match, "no result count on the page"
    return int(match.group(1).replace(",", ""))


def _boxes(prefix: str, day: str, month: str, year: str) -> dict:
    return {f"{prefix}_0": day, f"{prefix}_1": month, f"{prefix}_2": year}


def _date_group(page: str, name: str) -> str:
    """The filter's form group, from its fieldset to the end of its boxes."""
    start = page.index(f'aria-describedby="id_{name}-hint')
    start = page.rindex('<div class="govuk-form-group', 0, start)
    return page[start:page.index("</fieldset>", start)]


# --- Exclusions -------------------------------------------------------------------------------------------------

@pytest.fixture
def exclusions(calendar):
    """Two suspensions at Alpha Primary: Amy's from 2 November 2026, Eve's from 16 November 2026."""
    eve = PupilFactory(legal_first_name="Eve", legal_last_name="Early")
    EnrolmentFactory(pupil=eve, school=calendar.school_a, start_date=D(2025, 9, 1))
    lead = calendar.users["school_a"]
    for pupil, start in [(calendar.pupil_a, D(2026, 11, 16)), (eve, D(2026, 11, 2))]:
        exclusion_services.exclusion_record(user=lead, pupil=pupil, school=calendar.school_a, kind="suspension",
                                            start_date=start, start_session="am", length_sessions=2,
                                            reasons=["PA"])
    return calendar


def _exclusions_page(client, params=None):
    response = client.get(reverse("exclusion_list"), params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_exclusion_list_filter_has_day_month_and_year_boxes_under_a_legend(client_for, exclusions):
    page = _exclusions_page(client_for(exclusions.users["la_officer"]))
    assert 'type="date"' not in page
    for name, legend in [("start_from", "Starting from"), ("start_to", "Starting up to")]:
        group = _date_group(page, name)
        assert '<fieldset class="govuk-fieldset" role="group"' in group
        assert f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>' in group
        assert "For example, 27 3 2026" in group
        for index, part in enumerate(["Day", "Month", "Year"]):
            assert f'<label class="govuk-label govuk-date-input__label" for="id_{name}_{index}">{part}</label>' \
                in group
            assert f'name="{name}_{index}"' in group
        assert "govuk-input--width-2" in group and "govuk-input--width-4" in group
        assert f'for="id_{name}"' not in page  # no <label> for the group: the legend names it


def test_exclusion_list_filters_by_the_date_in_the_boxes(client_for, exclusions):
    client = client_for(exclusions.users["la_officer"])
    everything = _exclusions_page(client)
    assert _count(everything) == 2
    empty = _exclusions_page(client, {**_boxes("start_from", "", "", ""), **_boxes("start_to", "", "", "")})
    assert _count(empty) == 2 and "govuk-error-message" not in empty
    later = _exclusions_page(client, _boxes("start_from", "9", "11", "2026"))
    assert _count(later) == 1 and "Able, Amy" in later and "Early, Eve" not in later
    earlier = _exclusions_page(client, _boxes("start_to", "09", "11", "2026"))
    assert _count(earlier) == 1 and "Early, Eve" in earlier and "Able, Amy" not in earlier
    assert 'name="start_to_0" value="09"' in earlier  # the boxes keep what was typed
    between = _exclusions_page(client, {**_boxes("start_from", "2", "11", "2026"),
                                        **_boxes("start_to", "16", "11", "2026")})
    assert _count(between) == 2  # both ends included


def test_exclusion_list_still_takes_an_iso_date_from_a_link(client_for, exclusions):
    client = client_for(exclusions.users["la_officer"])
    page = _exclusions_page(client, {"start_from": "2026-11-09"})
    assert _count(page) == 1 and "Able, Amy" in page
    assert 'name="start_from_0" value="9"' in page and 'name="start_from_1" value="11"' in page
    page = _exclusions_page(client, {"start_from": "2026-11-01", "start_to": "2026-11-09"})
    assert _count(page) == 1 and "Early, Eve" in page
    # The old one-box filter also took the UK form.
    page = _exclusions_page(client, {"start_to": "09/11/2026"})
    assert _count(page) == 1 and 'name="start_to_0" value="9"' in page
    # The reports' "Show more" link (reporting.presentation) puts the period in ISO dates.
    response = client.get(reverse("exclusion_list") + "?status=active&start_from=2026-09-01&start_to=2026-12-31")
    assert response.status_code == 200 and _count(response.content.decode()) == 2


@pytest.mark.parametrize(("day", "month", "year", "message", "outlined"), [
    ("31", "", "2026", "Starting from must include a month", [1]),
    ("", "", "2026", "Starting from must include a day and month", [0, 1]),
    ("31", "2", "2026", "Starting from must be a real date", [0]),
    ("1", "13", "2026", "Starting from must be a real date", [1]),
    ("1", "11", "26", "Starting from must include a 4-digit year, like 2026", [2]),
    ("x", "11", "2026", "Starting from must be a real date", [0]),
])
def test_exclusion_list_a_partial_or_impossible_date_is_a_gds_error_not_a_500(
        client_for, exclusions, day, month, year, message, outlined):
    page = _exclusions_page(client_for(exclusions.users["la_officer"]), _boxes("start_from", day, month, year))
    group = _date_group(page, "start_from")
    assert 'govuk-form-group govuk-form-group--error' in group
    assert (f'<p class="govuk-error-message" id="id_start_from-error"><span class="govuk-visually-hidden">Error:'
            f'</span> {message}</p>') in group
    assert 'aria-describedby="id_start_from-hint id_start_from-error"' in group
    for index in range(3):
        box = re.search(rf'<input [^>]*name="start_from_{index}"[^>]*>', group).group(0)
        assert ("govuk-input--error" in box) == (index in outlined), box
    assert _count(page) == 2  # the date is not applied; the list is shown without it
    assert "This field is required" not in page and "Enter a valid date" not in page


def test_exclusion_list_a_bad_date_in_a_link_is_an_error_too(client_for, exclusions):
    page = _exclusions_page(client_for(exclusions.users["la_officer"]), {"start_from": "2026-02-31"})
    assert "Starting from must be a real date" in page and _count(page) == 2


def test_exclusions_api_takes_the_iso_date_and_refuses_a_bad_one(client_for, exclusions):
    client = client_for(exclusions.users["la_officer"])
    rows = client.get("/api/exclusions/", {"start_from": "2026-11-09"}).json()["results"]
    assert len(rows) == 1
    response = client.get("/api/exclusions/", {"start_from": "2026-02-31"})
    assert response.status_code == 400 and response.json() == {"start_from": ["Starting from must be a real date"]}


# --- Roll notifications -----------------------------------------------------------------------------------------

@pytest.fixture
def notices(calendar):
    """Two deletion notices from Beta Academy, received on 10 and 20 November 2026."""
    made = {}
    for first, received in [("Early", D(2026, 11, 10)), ("Late", D(2026, 11, 20))]:
        notice = roll_services.notification_submit(
            user=calendar.users["school_b"], kind="deletion", school=calendar.school_b, upn=spare_upn(900 + len(made)),
            first_name=first, last_name="Notice", date_of_birth=D(2014, 3, 1), event_date=D(2026, 11, 30),
            ground="f")
        RollNotification.objects.filter(pk=notice.pk).update(received_on=received)
        made[first] = notice
    return calendar


def _roll_page(client, params=None):
    response = client.get(reverse("roll:list"), params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_roll_list_filter_has_day_month_and_year_boxes_under_a_legend(client_for, notices):
    page = _roll_page(client_for(notices.users["school_b"]))
    assert 'type="date"' not in page
    for name, legend in [("received_from", "Received from"), ("received_to", "Received to")]:
        group = _date_group(page, name)
        assert f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>' in group
        for index, part in enumerate(["Day", "Month", "Year"]):
            assert f'for="id_{name}_{index}">{part}</label>' in group and f'name="{name}_{index}"' in group


def test_roll_list_filters_by_the_date_and_names_it_in_the_selected_filters(client_for, notices):
    client = client_for(notices.users["school_b"])
    assert _count(_roll_page(client)) == 2
    page = _roll_page(client, {**_boxes("received_from", "15", "11", "2026"), "sort": "name"})
    assert _count(page) == 1 and "Notice, Late" in page and "Notice, Early" not in page
    tag = re.search(r'<a class="moj-filter__tag" href="([^"]*)"><span class="govuk-visually-hidden">Remove this '
                    r'filter: </span>Received from: ([^<]*)</a>', page)
    assert tag and tag.group(2) == "15 November 2026"
    assert "received_from" not in tag.group(1) and "sort=name" in tag.group(1)  # removing it drops all three boxes
    page = _roll_page(client, _boxes("received_to", "15", "11", "2026"))
    assert _count(page) == 1 and "Notice, Early" in page
    assert "Received to: 15 November 2026" in page


def test_roll_list_still_takes_an_iso_date_from_a_link(client_for, notices):
    client = client_for(notices.users["school_b"])
    page = _roll_page(client, {"received_from": "2026-11-15"})
    assert _count(page) == 1 and "Notice, Late" in page
    assert "Received from: 15 November 2026" in page
    assert _count(_roll_page(client, {"received_to": "2026-11-10"})) == 1


@pytest.mark.parametrize(("parts", "message"), [
    (("31", "", "2026"), "Received from must include a month"),
    (("", "", "2026"), "Received from must include a day and month"),
    (("31", "2", "2026"), "Received from must be a real date"),
])
def test_roll_list_a_partial_or_impossible_date_is_a_gds_error_not_a_500(client_for, notices, parts, message):
    page = _roll_page(client_for(notices.users["school_b"]), _boxes("received_from", *parts))
    group = _date_group(page, "received_from")
    assert "govuk-form-group--error" in group and message in group
    assert _count(page) == 2


def test_roll_csv_export_takes_the_iso_date(client_for, notices):
    response = client_for(notices.users["school_b"]).get(reverse("roll:list"),
                                                         {"received_from": "2026-11-15", "format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    assert ",Late,Notice," in text and ",Early,Notice," not in text


# --- The field on its own ---------------------------------------------------------------------------------------

def test_the_field_reads_boxes_or_one_value():
    field = DateFilterField(label="Received from", required=False)
    assert field.clean(["30", "11", "2026"]) == D(2026, 11, 30)
    assert field.clean(["", "", ""]) is None
    assert field.clean("2026-11-30") == D(2026, 11, 30)
    assert field.clean("30/11/2026") == D(2026, 11, 30)
    assert field.clean("  ") is None
    widget = field.widget
    assert widget.value_from_datadict({"d_0": "30", "d_1": "11", "d_2": "2026"}, {}, "d") == ["30", "11", "2026"]
    assert widget.value_from_datadict({"d": "2026-11-30"}, {}, "d") == "2026-11-30"
    assert widget.value_from_datadict({"d": "2026-11-30", "d_0": "1", "d_1": "", "d_2": ""}, {}, "d") == ["1", "", ""]
    assert widget.value_omitted_from_data({}, {}, "d")
    assert not widget.value_omitted_from_data({"d": "2026-11-30"}, {}, "d")
