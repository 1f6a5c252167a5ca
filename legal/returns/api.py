"""The parental responsibility measures return over the API, from the same selectors as the page and its CSV:
GET /api/legal/returns/?year=2025-26 is the year's figures keyed by the CSV's column names (with each field's
label, what it counts and its parts); GET /api/legal/returns/{field}/rows/?year=2025-26 lists the records behind one
figure (``part`` for a figure of several parts), paginated. LA staff only (VIEW_LEGAL): school users get 403."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from legal.returns import rules, selectors
from legal.returns.rules import AcademicYear
from schools.audit import record_export
from schools.models import LocalAuthority
from schools.roles import Capability

#: What each kind of record shows in a figure's rows (views are not imported here; the page's columns are these, as
#: text): (key, value) with dates as ISO dates and choices as their codes.
_ROW_FIELDS = {
    selectors.NOTICES: [("notice_type", lambda n: n.notice_type), ("issued_on", lambda n: n.issued_on),
                        ("received_on", lambda n: n.received_on), ("paid_on", lambda n: n.paid_on),
                        ("pay_day", lambda n: n.pay_day.days if n.pay_day is not None else None),
                        ("status", lambda n: n.status), ("prosecuted", lambda n: n.prosecuted)],
    selectors.CONTRACTS: [("kind", lambda c: c.kind), ("agreed_on", lambda c: c.agreed_on),
                          ("status", lambda c: c.status)],
    selectors.OFFER_LETTERS: [("sent_on", lambda m: m.sent_on), ("subject", lambda m: m.subject)],
    selectors.PARENTING_ORDERS: [("basis", lambda o: o.basis), ("made_on", lambda o: o.made_on),
                                 ("court", lambda o: o.court)],
    selectors.ESOS: [("applied_on", lambda o: o.applied_on), ("made_on", lambda o: o.made_on),
                     ("status", lambda o: o.status)],
    selectors.CASES: [("case_type", lambda c: c.case_type), ("opened_on", lambda c: c.opened_on),
                      ("school", lambda c: c.school.urn if c.school_id else None), ("status", lambda c: c.status)],
}


def _row(source: str, row) -> dict:
    carer = getattr(row, "carer", None) if source != selectors.ESOS and source != selectors.CASES else None
    return {"kind": source, "id": row.pk, "reference": row.reference if source != selectors.CASES else f"Case {row.pk}",
            "pupil": row.pupil_id, "pupil_name": row.pupil.display_name, "parent": carer.full_name if carer else None,
            "values": {key: get(row) for key, get in _ROW_FIELDS[source]}}


class ViewLegal(permissions.BasePermission):
    message = "The parental responsibility measures return is for LA staff."

    def has_permission(self, request, view):
        return request.user.can(Capability.VIEW_LEGAL)


def _year(request) -> AcademicYear:
    """?year=2025-26 (or 2025/26); the current academic year when none is given; 400 for anything else."""
    text = request.query_params.get("year")
    if not text:
        return rules.year_containing(timezone.localdate())
    year = rules.parse_year(text)
    if year is None:
        raise ValidationError({"year": ["Give an academic year like 2025-26."]})
    return year


class ReturnPartSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class ReturnFieldSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The CSV column (DfE field) name.")
    label = serializers.CharField()
    group = serializers.CharField()
    counts = serializers.CharField(help_text="What is counted, in words.")
    value = serializers.IntegerField()
    parts = ReturnPartSerializer(many=True)


@extend_schema_serializer(many=False)  # one return, not a page of them, though the action is "list"
class ParentalResponsibilityReturnSerializer(serializers.Serializer):
    year = serializers.CharField(help_text="2025-26")
    label = serializers.CharField(help_text="2025/26")
    start = serializers.DateField()
    end = serializers.DateField()
    figures = serializers.DictField(help_text="The CSV's one row: its identifying columns, then every field "
                                              "(numbers), by the CSV's column names.")
    fields = ReturnFieldSerializer(many=True)


class ReturnRowSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="notices, contracts, offer_letters, parenting_orders, esos or cases.")
    id = serializers.IntegerField()
    reference = serializers.CharField()
    pupil = serializers.IntegerField()
    pupil_name = serializers.CharField()
    parent = serializers.CharField(allow_null=True)
    values = serializers.DictField(help_text="The reconciliation page's columns for this kind of record: dates "
                                             "(ISO), codes and, for notices, pay_day (days from deemed receipt).")


_YEAR = OpenApiParameter("year", str, description="The academic year, like 2025-26 (default: the current one).")


class ParentalResponsibilityReturnViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, ViewLegal]
    serializer_class = ReturnRowSerializer
    lookup_field = "name"
    lookup_value_regex = "[a-z0-9_]{1,60}"

    @extend_schema(parameters=[_YEAR], responses=ParentalResponsibilityReturnSerializer, filters=False)
    def list(self, request, *args, **kwargs):
        """The year's figures, in the return's order and the CSV's column names."""
        year = _year(request)
        figures = selectors.return_figures(user=request.user, year=year)
        la = LocalAuthority.current()
        ids = [year.time_period, rules.TIME_IDENTIFIER, rules.GEOGRAPHIC_LEVEL, rules.COUNTRY_CODE,
               rules.COUNTRY_NAME, la.la_code if la else "", la.name if la else ""]
        return Response({
            "year": year.slug, "label": year.label, "start": year.start, "end": year.end,
            "figures": {**dict(zip(rules.ID_COLUMNS, ids, strict=True)), **{f.field.name: f.value for f in figures}},
            "fields": [{"name": f.field.name, "label": f.field.label, "group": f.field.group,
                        "counts": f.field.counts, "value": f.value,
                        "parts": [{"key": p.part.key, "label": p.part.label, "count": p.count} for p in f.parts]}
                       for f in figures],
        })

    @extend_schema(parameters=[_YEAR, OpenApiParameter("part", str, description="One part of a figure of several "
                                                                                 "(its key); default the first.")],
                   responses=ReturnRowSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def rows(self, request, name=None, **kwargs):
        """The records one figure (or one part of it) counted: exactly the rows behind the number."""
        year = _year(request)
        field, part, _ = selectors.figure_part(year=year, name=name, part_key=request.query_params.get("part"))
        page = self.paginate_queryset(selectors.figure_rows(user=request.user, year=year, part=part))
        # As the page's download: a list naming pupils is recorded with every pupil on it.
        record_export(user=request.user, object_type=f"legal.return.{field.name}", rows=len(page), fmt="api",
                      path=request.get_full_path(), pupils=[row.pupil_id for row in page])
        return self.get_paginated_response([_row(part.source, row) for row in page])
