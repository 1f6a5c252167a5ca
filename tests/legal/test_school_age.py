"""Compulsory school age (Education Act 1996 s8; SI 1998/1607 prescribed days 31 March, 31 August, 31 December;
SI 1997/1970 school leaving date, the last Friday in June) worked by hand, and the legal steps it limits."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from legal import services
from legal.models import Letter, LetterTemplate, PenaltyNotice
from schools.school_age import compulsory_school_age
from tests.factories import EnrolmentFactory, PupilFactory

D = datetime.date


@pytest.mark.parametrize("born, starts, ends", [
    # Fifth birthday 15 Oct 2025 -> next prescribed day 31 Dec 2025; 16 on 15 Oct 2036, in school year 2036/37 ->
    # last Friday of June 2037 (30 June 2037 is a Tuesday): 26 June 2037.
    (D(2020, 10, 15), D(2025, 12, 31), D(2037, 6, 26)),
    # Fifth birthday on a prescribed day (31 August 2025) starts that day; 16 on 31 Aug 2036, still school year
    # 2035/36 -> 27 June 2036 (30 June 2036 is a Monday).
    (D(2020, 8, 31), D(2025, 8, 31), D(2036, 6, 27)),
    # Born 1 September: 16 on the first day of school year 2036/37, so the oldest in the year -> June 2037.
    (D(2020, 9, 1), D(2025, 12, 31), D(2037, 6, 26)),
    # 1 January birthday: fifth birthday 1 Jan 2025 -> 31 March 2025.
    (D(2020, 1, 1), D(2025, 3, 31), D(2036, 6, 27)),
    # Summer-born: 16 on 15 July 2026, in school year 2025/26 -> leaves on Friday 26 June 2026, before the birthday.
    (D(2010, 7, 15), D(2015, 8, 31), D(2026, 6, 26)),
    # Leap-day birth: fifth birthday taken as 1 March 2013 -> 31 March 2013; 16 on 1 March 2024 -> 28 June 2024.
    (D(2008, 2, 29), D(2013, 3, 31), D(2024, 6, 28)),
])
def test_compulsory_school_age_from_the_date_of_birth(born, starts, ends):
    age = compulsory_school_age(born)
    assert (age.starts, age.ends) == (starts, ends)
    assert age.covers(starts) and age.covers(ends)
    assert not age.covers(starts - datetime.timedelta(days=1)) and not age.covers(ends + datetime.timedelta(days=1))


@pytest.fixture
def year_12(world, legal_world):
    """Born 10 January 2010: five on 10 January 2015, so of compulsory school age from the next prescribed day,
    31 March 2015; 16 in school year 2025/26, so past it since Friday 26 June 2026 (the suite's today is 23 November
    2026); in Year 12 at school B, in the same family as the legal fixtures."""
    pupil = PupilFactory(date_of_birth=D(2010, 1, 10), family=legal_world.parent.family, legal_first_name="Sixth",
                         legal_last_name="Former")
    EnrolmentFactory(pupil=pupil, school=world.school_b, nc_year=12)
    return pupil


@pytest.mark.django_db
def test_no_s444_warning_letter_or_notice_for_a_child_past_school_age(world, legal_world, year_12):
    warning = LetterTemplate.objects.get(kind="warning_letter")
    with pytest.raises(ValidationError) as error:
        services.letter_send(user=world.users["la_officer"], template=warning, pupil=year_12,
                             carer=legal_world.parent)
    message = " ".join(error.value.message_dict["template"])
    assert "compulsory school age from 31 March 2015 to 26 June 2026" in message
    assert "Attendance casework can continue" in message
    with pytest.raises(ValidationError) as error:
        services.notice_issue(user=world.users["la_officer"], pupil=year_12, carer=legal_world.parent,
                              notice_type="term_time_leave", period_start=D(2026, 10, 19),
                              period_end=D(2026, 10, 23), issued_on=D(2026, 10, 26))
    assert "compulsory school age" in " ".join(error.value.message_dict["period_start"])
    assert not Letter.objects.filter(pupil=year_12).exists()
    assert not PenaltyNotice.objects.filter(pupil=year_12).exists()
    # The same child's absence while of compulsory school age (June 2026, up to the leaving date) can be noticed.
    notice = services.notice_issue(user=world.users["la_officer"], pupil=year_12, carer=legal_world.parent,
                                   notice_type="term_time_leave", period_start=D(2026, 6, 15),
                                   period_end=D(2026, 6, 19), issued_on=D(2026, 6, 22))
    assert notice.pk
    # A period running past the leaving date is refused whole: the last days were no offence.
    with pytest.raises(ValidationError, match="for every day from 22 June 2026 to 3 July 2026"):
        services.notice_issue(user=world.users["la_officer"], pupil=year_12, carer=legal_world.parent,
                              notice_type="term_time_leave", period_start=D(2026, 6, 22),
                              period_end=D(2026, 7, 3), issued_on=D(2026, 7, 6))


@pytest.mark.django_db
def test_a_contract_and_the_pupil_record_stay_open_to_every_age(world, legal_world, year_12, client):
    contract = services.contract_create(user=world.users["la_officer"], kind="attendance", pupil=year_12,
                                        carer=legal_world.parent, agreed_on=D(2026, 11, 2),
                                        parent_requirements="Sixth Former attends every day.",
                                        support_offered="Weekly mentoring.")
    assert contract.pk
    client.force_login(world.users["la_officer"])
    from django.urls import reverse

    page = client.get(reverse("pupil_detail", args=[year_12.pk])).content.decode()
    assert "Past compulsory school age: it ended on 26 June 2026" in page and "(age 16)" in page
