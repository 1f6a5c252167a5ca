"""Bookings through the services: request (price frozen), confirm against officer capacity, decline, deliver and
cancel under the notice rule; every bad input in the issue answered with a clear message and nothing saved.

The clock is Monday 23 November 2026 (tests/conftest.py); the autumn term runs 1 September to 18 December with half
term 26-30 October: 74 school days."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import TargetingSupportMeeting
from interventions.models import Booking, BookingDate, OfficerCommitment, Rate, TradedService
from interventions.traded import selectors, services
from schools.models import AuditEvent
from tests.factories import EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db

DEC = {n: datetime.date(2026, 12, n) for n in range(1, 32)}


def request(world, traded, name="Register audit", units="2", dates=(DEC[1],), funding="payg", user="school_b",
            school=None, **kwargs) -> Booking:
    return services.booking_request(user=world.users[user], school=school or world.school_b,
                                    service=traded.service(name), units=units, preferred_dates=list(dates),
                                    funding=funding, **kwargs)


def confirm(world, traded, booking, dates, officer=None, user="la_manager"):
    return services.booking_confirm(user=world.users[user], booking=booking, expected_version=booking.version,
                                    officer=officer or traded.officer, dates=dates)


def test_request_freezes_the_rate_and_vat(world, traded):
    booking = request(world, traded, units="2")
    assert booking.status == Booking.Status.REQUESTED and booking.reference.startswith("BK-")
    assert (booking.unit_price, booking.vat_rate, booking.rate.day_rate) == (D("125.00"), D("20.00"), D("225.00"))
    assert booking.quote.net == D("250.00") and booking.quote.vat == D("50.00") and booking.quote.total == D("300.00")
    assert AuditEvent.objects.filter(object_type="interventions.Booking", object_id=str(booking.pk),
                                     action=AuditEvent.Action.CREATE).exists()
    # A price change from tomorrow: the booking keeps its price, a new one gets the new price.
    services.rate_add(user=world.users["la_admin"], role="officer", effective_from=datetime.date(2026, 11, 23),
                      day_rate=D("240.00"), half_day_rate=D("135.00"))
    booking.refresh_from_db()
    assert booking.quote.net == D("250.00")
    later = request(world, traded, units="2", dates=(DEC[2],))
    assert later.quote.net == D("270.00")


def test_day_service_in_part_units(world, traded):
    booking = request(world, traded, name="Peer mentor training", units="1.5", dates=(DEC[3],))
    assert booking.quote.net == D("350.00")  # £225 + £125
    assert booking.days == D("1.5")


@pytest.mark.parametrize(("units", "message"), [
    ("0", "more than 0"),
    ("-1", "more than 0"),
    ("1.5", "whole number"),  # a half-day service is sold in whole half days
    ("abc", "as a number"),
    ("NaN", "as a number"),
    ("1e400", "200 units or fewer"),
])
def test_bad_units_are_refused(world, traded, units, message):
    with pytest.raises(ValidationError, match=message) as caught:
        request(world, traded, units=units)
    assert "units" in caught.value.message_dict
    assert not Booking.objects.exists()


@pytest.mark.parametrize(("day", "message"), [
    (datetime.date(2026, 12, 19), "not a school day"),  # a Saturday
    (datetime.date(2026, 12, 23), "not a school day"),  # Christmas holidays: outside term
    (datetime.date(2027, 2, 16), "not a school day"),  # spring half term
    (datetime.date(2028, 1, 10), "too far ahead"),
    (datetime.date(2026, 11, 20), "has passed"),
])
def test_dates_outside_term_are_refused(world, traded, day, message):
    with pytest.raises(ValidationError, match=message) as caught:
        request(world, traded, dates=(day,))
    assert "preferred_dates" in caught.value.message_dict
    assert not Booking.objects.exists()


def test_dates_follow_the_schools_own_calendar(world, traded):
    from schools.models import Closure

    Closure.objects.create(date=DEC[4], school=world.school_b, kind="inset", reason="INSET")
    with pytest.raises(ValidationError, match="not a school day at Beta Academy"):
        request(world, traded, dates=(DEC[4],))
    assert request(world, traded, dates=(DEC[4],), user="school_a", school=world.school_a).pk


def test_statutory_service_cannot_be_bought(world, traded):
    for name in ("Targeting support meeting", "Parental engagement and responsibility workshop",
                 "Attendance advice and consultation"):
        with pytest.raises(ValidationError, match="free to every school and cannot be bought") as caught:
            request(world, traded, name=name, units="1", funding="payg")
        assert "funding" in caught.value.message_dict
    assert not Booking.objects.exists()
    free = request(world, traded, name="Targeting support meeting", units="1", funding="free")
    assert free.unit_price == 0 and free.quote.total == 0 and free.charge is None


def test_traded_service_cannot_be_booked_free(world, traded):
    with pytest.raises(ValidationError, match="traded service"):
        request(world, traded, funding="free")


def test_pupils_only_from_the_schools_own_roll(world, traded):
    name = "Observation and assessment of an individual student"
    with pytest.raises(ValidationError, match="for named pupils"):
        request(world, traded, name=name, units="1")
    with pytest.raises(ValidationError, match="not on Beta Academy's roll"):
        request(world, traded, name=name, units="1", pupils=[world.pupil_a])
    # moved was at A until 2024 and is at B now: B may name them, A may not.
    with pytest.raises(ValidationError, match="not on Alpha Primary's roll"):
        request(world, traded, name=name, units="1", pupils=[world.moved], user="school_a", school=world.school_a)
    assert not Booking.objects.exists()
    booking = request(world, traded, name=name, units="1", pupils=[world.pupil_b, world.moved])
    assert set(booking.pupils.all()) == {world.pupil_b, world.moved}
    assert AuditEvent.objects.filter(object_type="interventions.BookingPupil", pupil_id=world.pupil_b.pk).exists()
    with pytest.raises(ValidationError, match="not for named pupils"):
        request(world, traded, pupils=[world.pupil_b])


def test_school_books_only_for_itself(world, traded):
    with pytest.raises(ValidationError, match="only for your own school"):
        request(world, traded, user="school_a", school=world.school_b)
    with pytest.raises(PermissionDenied):
        request(world, traded, user="la_officer")


def test_confirm_with_officer_and_dates(world, traded):
    booking = request(world, traded, units="3")  # three half days
    confirm(world, traded, booking, [(DEC[1], "0.5"), (DEC[2], "1.0")])
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.officer == traded.officer
    assert list(booking.dates.values_list("date", "days")) == [(DEC[1], D("0.5")), (DEC[2], D("1.0"))]
    row = selectors.officer_time_in_term(user=world.users["la_manager"], term=traded.autumn).get(user=traded.officer)
    assert (row.working, row.traded, row.statutory, row.available) == (D("74"), D("1.5"), D("0"), D("72.5"))


def test_confirm_needs_dates_that_add_up(world, traded):
    booking = request(world, traded, units="2")
    with pytest.raises(ValidationError, match=r"add up to 0.5 days; this booking needs 1 day \(2 half days\)"):
        confirm(world, traded, booking, [(DEC[1], "0.5")])
    with pytest.raises(ValidationError, match="not a school day"):
        confirm(world, traded, booking, [(datetime.date(2026, 12, 21), "1.0")])
    with pytest.raises(ValidationError, match="has passed"):
        confirm(world, traded, booking, [(datetime.date(2026, 11, 20), "1.0")])
    with pytest.raises(ValidationError, match="does not deliver"):
        confirm(world, traded, request(world, traded, name="Emotional literacy assessment", units="1",
                                       pupils=[world.pupil_b]), [(DEC[1], "1.0")], officer=traded.officer2)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED and not BookingDate.objects.exists()


def test_an_officers_day_cannot_be_double_booked(world, traded):
    first = request(world, traded, name="Peer mentor training", units="1")
    confirm(world, traded, first, [(DEC[1], "1.0")])
    second = request(world, traded, units="1")
    with pytest.raises(ValidationError, match="already has a full day of work on 1 December 2026"):
        confirm(world, traded, second, [(DEC[1], "0.5")])
    # Statutory work counts too: a recorded court day and a TSM (half a day by default).
    OfficerCommitment.objects.create(officer=traded.officer, date=DEC[2], days=D("1.0"), kind="legal",
                                     created_by=world.users["la_manager"])
    with pytest.raises(ValidationError, match="2 December 2026"):
        confirm(world, traded, second, [(DEC[2], "0.5")])
    TargetingSupportMeeting.objects.create(school=world.school_b, academic_year=traded.year, term="autumn",
                                           held_on=DEC[3], officer=traded.officer, attendees="Head",
                                           created_by=traded.officer)
    confirm(world, traded, second, [(DEC[3], "0.5")])  # half a day left beside the TSM
    third = request(world, traded, units="1", dates=(DEC[4],))
    with pytest.raises(ValidationError, match="already has a full day of work on 3 December 2026"):
        confirm(world, traded, third, [(DEC[3], "0.5")])


def test_officer_over_capacity_in_the_term(world, traded):
    """officer2 works half time: 37 of the autumn's 74 school days. With 35 days of statutory casework recorded,
    and a TSM, 1.5 days are left; a 2-day booking is refused and says why."""
    manager = world.users["la_manager"]
    days = [datetime.date(2026, 9, 1) + datetime.timedelta(n) for n in range(0, 84)]
    school_days = [d for d in days if d.weekday() < 5 and not (traded.autumn.half_term_start <= d
                                                                <= traded.autumn.half_term_end)][:35]
    OfficerCommitment.objects.bulk_create([OfficerCommitment(officer=traded.officer2, date=d, days=D("1.0"),
                                                             kind="casework", created_by=manager)
                                           for d in school_days])
    TargetingSupportMeeting.objects.create(school=world.school_a, academic_year=traded.year, term="autumn",
                                           held_on=DEC[7], officer=traded.officer2, attendees="Head",
                                           created_by=manager)
    booking = request(world, traded, name="Peer mentor training", units="2", dates=(DEC[8],))
    with pytest.raises(ValidationError) as caught:
        confirm(world, traded, booking, [(DEC[8], "1.0"), (DEC[9], "1.0")], officer=traded.officer2)
    message = caught.value.message_dict["officer"][0]
    assert message == ("Pat Parttime is over capacity in the autumn term 2026/27: 1.5 days free (37 days working, "
                       "35.5 days statutory, 0 days unavailable, 0 days traded) and this booking needs 2 days. "
                       "Choose another officer or dates in another term.")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED and not BookingDate.objects.exists()
    confirm(world, traded, booking, [(DEC[8], "1.0"), (datetime.date(2027, 1, 5), "1.0")], officer=traded.officer2)


def test_decline_needs_a_reason(world, traded):
    booking = request(world, traded)
    with pytest.raises(ValidationError, match="Say why"):
        services.booking_decline(user=world.users["la_officer"], booking=booking, expected_version=1, reason=" ")
    services.booking_decline(user=world.users["la_officer"], booking=booking, expected_version=1,
                             reason="No officer free before Christmas.")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED and booking.decline_reason.startswith("No officer")
    with pytest.raises(ValidationError, match="only a request can be confirmed"):
        confirm(world, traded, booking, [(DEC[1], "1.0")])


def test_stale_version_is_refused(world, traded):
    booking = request(world, traded)
    services.booking_decline(user=world.users["la_officer"], booking=booking, expected_version=1, reason="Full")
    stale = Booking.objects.get(pk=booking.pk)
    stale.status = Booking.Status.REQUESTED  # as a second manager's page still shows it
    with pytest.raises(ValidationError, match="Someone else saved changes"):
        services.booking_decline(user=world.users["la_manager"], booking=stale, expected_version=1, reason="Also")


def test_delivery_records_actual_units_and_releases_time(world, traded):
    booking = request(world, traded, name="Peer mentor training", units="2", dates=(DEC[1],))
    confirm(world, traded, booking, [(datetime.date(2026, 11, 23), "1.0"), (DEC[1], "1.0")])
    booking.refresh_from_db()
    with pytest.raises(ValidationError, match="at most that"):
        services.booking_deliver(user=traded.officer, booking=booking, expected_version=booking.version,
                                 delivered_units="3")
    services.booking_deliver(user=traded.officer, booking=booking, expected_version=booking.version,
                             delivered_units="1.5", notes="Second session cut short.")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DELIVERED and booking.delivered_units == D("1.5")
    assert list(booking.dates.values_list("date", "days")) == [(datetime.date(2026, 11, 23), D("1.0")),
                                                               (DEC[1], D("0.5"))]
    assert booking.delivered_on == DEC[1]
    assert booking.charge.net == D("350.00") and booking.charge.vat == D("70.00")


def test_delivery_waits_for_the_first_date_and_the_right_person(world, traded):
    booking = request(world, traded, units="1")
    confirm(world, traded, booking, [(DEC[1], "0.5")])
    booking.refresh_from_db()
    with pytest.raises(ValidationError, match="Record delivery from 1 December 2026"):
        services.booking_deliver(user=traded.officer, booking=booking, expected_version=booking.version,
                                 delivered_units="1")
    with pytest.raises(PermissionDenied):
        services.booking_deliver(user=traded.officer2, booking=booking, expected_version=booking.version,
                                 delivered_units="1")
    with pytest.raises(PermissionDenied):
        services.booking_deliver(user=world.users["school_b"], booking=booking, expected_version=booking.version,
                                 delivered_units="1")


def test_late_cancellation_is_chargeable(world, traded):
    """Policy: 10 school days' notice; 50% of the price after that. 1 December is 5 school days away."""
    booking = request(world, traded, name="Peer mentor training", units="1.5")
    confirm(world, traded, booking, [(DEC[1], "1.0"), (DEC[2], "0.5")])
    booking.refresh_from_db()
    terms = services.cancellation_terms(booking, by_school=True)
    assert (terms["late"], terms["notice"], terms["percent"]) == (True, 5, D("50.00"))
    assert terms["charge"].net == D("175.00") and terms["charge"].vat == D("35.00")
    services.booking_cancel(user=world.users["school_b"], booking=booking, expected_version=booking.version,
                            reason="Staff illness.")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.cancelled_late
    assert booking.charge.net == D("175.00") and not booking.dates.exists()


def test_cancellation_with_notice_or_by_the_la_is_free(world, traded):
    on_time = request(world, traded, units="1", dates=(DEC[14],))
    confirm(world, traded, on_time, [(DEC[14], "0.5")])
    on_time.refresh_from_db()
    assert services.cancellation_terms(on_time, by_school=True)["notice"] == 14
    services.booking_cancel(user=world.users["school_b"], booking=on_time, expected_version=on_time.version,
                            reason="Moved to spring.")
    on_time.refresh_from_db()
    assert not on_time.cancelled_late and on_time.charge is None
    by_la = request(world, traded, units="1", dates=(DEC[1],))
    confirm(world, traded, by_la, [(DEC[1], "0.5")])
    by_la.refresh_from_db()
    with pytest.raises(ValidationError, match="Say whether"):
        services.booking_cancel(user=world.users["la_manager"], booking=by_la, expected_version=by_la.version,
                                reason="Officer ill.")
    services.booking_cancel(user=world.users["la_manager"], booking=by_la, expected_version=by_la.version,
                            reason="Officer ill.", by_school=False)
    by_la.refresh_from_db()
    assert by_la.charge is None and not by_la.cancelled_late
    with pytest.raises(PermissionDenied):
        services.booking_cancel(user=world.users["school_a"], booking=on_time, expected_version=on_time.version,
                                reason="x")


def test_statutory_core_functions_cannot_be_priced(world, traded):
    admin = world.users["la_admin"]
    tsm = traded.service("Targeting support meeting")
    with pytest.raises(ValidationError, match="must not be traded") as caught:
        services.service_update(user=admin, service=tsm, expected_version=tsm.version, charging="charged")
    assert "charging" in caught.value.message_dict
    tsm.refresh_from_db()
    assert tsm.charging == TradedService.Charging.FREE and tsm.version == 1
    legal = traded.service("Parental engagement and responsibility workshop")
    with pytest.raises(ValidationError, match="legal intervention"):
        services.service_update(user=admin, service=legal, expected_version=legal.version, core_function="",
                                charging="charged")
    from interventions.models import Intervention

    prosecution = Intervention.objects.get(name="Prosecution")
    with pytest.raises(ValidationError, match="core function"):
        services.service_create(user=admin, intervention=prosecution, role="legal", unit="day", charging="charged",
                                core_function="", vat_treatment="standard", pupils="none", is_offered=True)
    # The database refuses it too, whatever writes the row.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        TradedService.objects.filter(pk=tsm.pk).update(charging="charged")


def test_rate_cannot_be_back_dated(world, traded):
    with pytest.raises(ValidationError, match="starts today or later"):
        services.rate_add(user=world.users["la_admin"], role="officer", effective_from=datetime.date(2026, 9, 1),
                          day_rate=D("230"), half_day_rate=D("130"))
    with pytest.raises(ValidationError, match="above £0"):
        services.rate_add(user=world.users["la_admin"], role="officer", effective_from=datetime.date(2027, 1, 1),
                          day_rate=D("-1"), half_day_rate=D("130"))
    with pytest.raises(PermissionDenied):
        services.rate_add(user=world.users["la_manager"], role="officer", effective_from=datetime.date(2027, 1, 1),
                          day_rate=D("230"), half_day_rate=D("130"))
    assert Rate.objects.count() == 3


def test_commitments_count_and_refuse_full_days(world, traded):
    manager = world.users["la_manager"]
    services.commitment_add(user=manager, officer=traded.officer, date=DEC[1], days="0.5", kind="casework")
    with pytest.raises(ValidationError, match="not a school day"):
        services.commitment_add(user=manager, officer=traded.officer, date=datetime.date(2026, 12, 25), days="1",
                                kind="casework")
    booking = request(world, traded, units="1")
    confirm(world, traded, booking, [(DEC[1], "0.5")])
    with pytest.raises(ValidationError, match="Move or cancel a booking first"):
        services.commitment_add(user=manager, officer=traded.officer, date=DEC[1], days="0.5", kind="legal")
    row = selectors.officer_time_in_term(user=manager, term=traded.autumn).get(user=traded.officer)
    assert (row.recorded_statutory, row.traded, row.available) == (D("0.5"), D("0.5"), D("73"))


def test_extra_pupil_on_another_roll_leaves_nothing_saved(world, traded):
    pupil = PupilFactory()
    EnrolmentFactory(pupil=pupil, school=world.school_a)
    with pytest.raises(ValidationError):
        request(world, traded, name="Social skills group work", units="1", pupils=[world.pupil_b, pupil])
    assert not Booking.objects.exists() and not AuditEvent.objects.filter(object_type__startswith="interventions.B")
