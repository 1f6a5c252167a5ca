"""The parental responsibility measures return, computed in SQL: every figure is a conditional COUNT over one scoped
queryset (one aggregate query per kind of record: six in all, however many records), and the rows behind a figure
are the same queryset filtered by the same condition, so the reconciliation page lists exactly what was counted.

Each field is one or more *parts*: a condition over one kind of record (most fields have one; "contracts offered"
adds the agreed contracts to the offer letters that led to none). Legal records are LA-only
(legal.models.LaOnlyQuerySet); the views refuse school users before they get here.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from cases.models import Case
from legal.models import (
    Contract,
    EducationSupervisionOrder,
    Letter,
    LetterKind,
    ParentingOrder,
    PenaltyNotice,
    Prosecution,
)
from legal.returns import rules
from legal.returns.rules import AcademicYear, ReturnField

NOTICES, CONTRACTS, OFFER_LETTERS, PARENTING_ORDERS, ESOS, CASES = (
    "notices", "contracts", "offer_letters", "parenting_orders", "esos", "cases")

#: Attendance case management counts the LA's attendance casework (cases.models.Case.CaseType).
ATTENDANCE_CASE_TYPES = (Case.CaseType.ATTENDANCE, Case.CaseType.BOTH)


def _in(field: str, year: AcademicYear) -> Q:
    return Q(**{f"{field}__gte": year.start, f"{field}__lte": year.end})


def _notices(user, year: AcademicYear) -> QuerySet:
    receipt = Coalesce("received_on", "issued_on")
    return (PenaltyNotice.objects.visible_to(user).filter(_in("issued_on", year))
            .annotate(pay_day=ExpressionWrapper(F("paid_on") - receipt, output_field=DurationField()),
                      prosecuted=Exists(Prosecution.objects.filter(penalty_notice=OuterRef("pk"),
                                                                   information_laid_on__isnull=False))))


def _contracts(user, year: AcademicYear) -> QuerySet:
    return Contract.objects.visible_to(user).filter(_in("agreed_on", year))


def _offer_letters(user, year: AcademicYear) -> QuerySet:
    same_parent = {"pupil": OuterRef("pupil"), "carer": OuterRef("carer")}
    return (Letter.objects.visible_to(user).filter(_in("sent_on", year), kind=LetterKind.ATTENDANCE_CONTRACT)
            .annotate(agreed=Exists(Contract.objects.filter(_in("agreed_on", year), **same_parent)),
                      earlier=Exists(Letter.objects.filter(_in("sent_on", year), kind=LetterKind.ATTENDANCE_CONTRACT,
                                                           pk__lt=OuterRef("pk"), **same_parent))))


def _parenting_orders(user, year: AcademicYear) -> QuerySet:
    return ParentingOrder.objects.visible_to(user).filter(_in("made_on", year))


def _esos(user, year: AcademicYear) -> QuerySet:
    return EducationSupervisionOrder.objects.visible_to(user).filter(_in("applied_on", year) | _in("made_on", year))


def _cases(user, year: AcademicYear) -> QuerySet:
    return Case.objects.visible_to(user).filter(_in("opened_on", year))


SOURCES: dict[str, Callable[..., QuerySet]] = {
    NOTICES: _notices, CONTRACTS: _contracts, OFFER_LETTERS: _offer_letters, PARENTING_ORDERS: _parenting_orders,
    ESOS: _esos, CASES: _cases}


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    source: str
    condition: Q


def definitions(year: AcademicYear) -> dict[str, list[Part]]:
    """Field name -> its parts. The penalty-notice outcomes are exclusive and add up to ``pn_issued``: paid (by the
    day paid), else withdrawn, else prosecuted (information laid), else unresolved."""
    paid = Q(status__in=list(PenaltyNotice.PAID))
    withdrawn = Q(status=PenaltyNotice.Status.WITHDRAWN) & ~paid
    prosecuted = Q(prosecuted=True) & ~paid & ~withdrawn
    reduced, full = datetime.timedelta(days=rules.PAID_REDUCED_DAYS), datetime.timedelta(days=rules.PAID_FULL_DAYS)
    every = Q(pk__isnull=False)

    def notices(condition: Q, label: str = "Penalty notices") -> list[Part]:
        return [Part("notices", label, NOTICES, condition)]

    result: dict[str, list[Part]] = {
        "pn_issued": notices(every),
        "pn_paid_within_21_days": notices(paid & Q(pay_day__lte=reduced)),
        "pn_paid_within_22_28_days": notices(paid & Q(pay_day__gt=reduced, pay_day__lte=full)),
        "pn_paid_after_28_days": notices(paid & Q(pay_day__gt=full)),
        "pn_withdrawn": notices(withdrawn),
        "pn_prosecuted_non_payment": notices(prosecuted),
        "pn_unresolved": notices(~paid & ~withdrawn & ~Q(prosecuted=True)),
    }
    for kind, name in rules.REASON_FIELDS.items():
        result[name] = notices(Q(notice_type=kind))
    result[rules.OTHER_REASON_FIELD] = notices(~Q(notice_type__in=list(rules.REASON_FIELDS)))
    agreed = [Part("contracts", "Contracts agreed", CONTRACTS, every)]
    result["parenting_contracts_offered"] = [
        *agreed, Part("offers", "Offer letters that led to no contract in the year", OFFER_LETTERS,
                      Q(agreed=False, earlier=False))]
    result["parenting_contracts_accepted"] = agreed
    result["parenting_orders"] = [Part("orders", "Parenting orders", PARENTING_ORDERS, every)]
    result["eso_applications"] = [Part("orders", "Applications", ESOS, _in("applied_on", year))]
    result["education_supervision_orders"] = [Part("orders", "Orders made", ESOS, _in("made_on", year))]
    result["attendance_case_management"] = [
        Part("cases", "Cases opened", CASES, Q(case_type__in=ATTENDANCE_CASE_TYPES) & ~Q(status=Case.Status.REFERRED))]
    missing = set(rules.FIELD_NAMES) ^ set(result)
    assert not missing, f"return fields without a definition (or defined but not listed): {sorted(missing)}"
    return result


@dataclass(frozen=True)
class PartCount:
    part: Part
    count: int


@dataclass(frozen=True)
class Figure:
    field: ReturnField
    parts: tuple[PartCount, ...]

    @property
    def value(self) -> int:
        return sum(p.count for p in self.parts)


def return_figures(*, user, year: AcademicYear) -> list[Figure]:
    """Every field of the return for ``year``, in the return's order: one aggregate query per kind of record."""
    parts = definitions(year)
    aggregates: dict[str, dict[str, Count]] = defaultdict(dict)
    aliases: dict[tuple[str, str], str] = {}
    for name, field_parts in parts.items():
        for part in field_parts:
            alias = f"f{len(aliases)}"
            aliases[(name, part.key)] = alias
            aggregates[part.source][alias] = Count("pk", filter=part.condition)
    counts: dict[str, int] = {}
    for source, wanted in aggregates.items():
        counts.update(SOURCES[source](user, year).order_by().aggregate(**wanted))
    return [Figure(field, tuple(PartCount(p, counts[aliases[(field.name, p.key)]] or 0) for p in parts[field.name]))
            for field in rules.FIELDS]


def figure_values(*, user, year: AcademicYear) -> dict[str, int]:
    return {figure.field.name: figure.value for figure in return_figures(user=user, year=year)}


_RELATED = {
    NOTICES: ("pupil", "carer", "school"), CONTRACTS: ("pupil", "carer"), OFFER_LETTERS: ("pupil", "carer"),
    PARENTING_ORDERS: ("pupil", "carer"), ESOS: ("pupil",), CASES: ("pupil", "school")}
_ORDER = {NOTICES: ("issued_on", "pk"), CONTRACTS: ("agreed_on", "pk"), OFFER_LETTERS: ("sent_on", "pk"),
          PARENTING_ORDERS: ("made_on", "pk"), ESOS: ("applied_on", "pk"), CASES: ("opened_on", "pk")}


def figure_part(*, year: AcademicYear, name: str, part_key: str | None) -> tuple[ReturnField, Part, list[Part]]:
    """The field and the part asked for (its first when none is); 404 for a field or part the return has not."""
    field = rules.BY_NAME.get(name)
    if field is None:
        raise Http404
    parts = definitions(year)[name]
    part = next((p for p in parts if p.key == part_key), None) if part_key else parts[0]
    if part is None:
        raise Http404
    return field, part, parts


def figure_rows(*, user, year: AcademicYear, part: Part) -> QuerySet:
    """The records one part of a figure counted: the figure's own queryset and condition."""
    return (SOURCES[part.source](user, year).filter(part.condition).select_related(*_RELATED[part.source])
            .order_by(*_ORDER[part.source]))
