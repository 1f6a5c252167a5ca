"""Reporting API: the dashboards' figures (the same selectors and tables, the same period and scope parameters and
the same suppression), the termly reports (list, follow, ask for one) and the national comparator figures."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from reporting import definitions, presentation, services
from reporting import selectors as s
from reporting.filters import ReportRunFilterSet
from reporting.models import NationalFigure, ReportRun
from schools.common.drf import as_drf_error
from schools.models import Partnership, School, Term
from schools.roles import Capability

SCOPE_PARAMETERS = [
    OpenApiParameter("period", str, description="term-<id> or year-<id>, as the dashboards offer; default: the "
                                                "current LA term (to date)."),
    OpenApiParameter("school", str, description="One school's figures (its URN)."),
    OpenApiParameter("partnership", int, description="One partnership's figures (LA roles)."),
    OpenApiParameter("schools", str, enum=["mine", "all"], description="An LA officer's own schools (their "
                                                                        "default) or every school."),
    OpenApiParameter("sections", str, description="Comma-separated sections; default all the user may read: "
                                                  + ", ".join(s.SECTION_KEYS)),
    OpenApiParameter("suppress", bool, description="Show counts 1-4 (and rates from them) as \"x\"."),
]


class CanReadReports(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.can(Capability.VIEW_REPORTS)


def api_value(value, suppress: bool):
    """A cell for a program: counts as numbers, rates with what they were worked out from, "x" when suppressed."""
    raw = value.value if isinstance(value, presentation.Cell) else value
    if presentation.is_hidden(value, suppress):
        return presentation.SUPPRESSED
    if isinstance(raw, s.Rate):
        return {"percent": None if raw.value is None else str(raw.value), "numerator": raw.numerator,
                "denominator": raw.denominator}
    if isinstance(raw, s.Average):
        return {"average": None if raw.value is None else str(raw.value), "count": raw.count}
    if isinstance(raw, presentation.Money):
        return str(raw.amount)
    if isinstance(raw, s.Comparator):
        return {"value": str(raw.value), "label": raw.label, "source": raw.source, "source_url": raw.source_url}
    if isinstance(raw, int | str | bool) or raw is None:
        return raw
    return str(raw)


class ReportMetricsView(APIView):
    """Every dashboard table as data: for the period and the scope asked for (scoped to the user exactly as the
    pages are), each section's tables with their headers and rows, each table's definition key, and the
    definitions themselves (the glossary)."""

    permission_classes = [permissions.IsAuthenticated, CanReadReports]

    @extend_schema(parameters=SCOPE_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        scope = s.scope_from_request(request)
        try:
            period = s.report_period_for(request.query_params.get("period"))
        except s.NoTermDates:
            raise ValidationError({"period": "No term dates are set up yet, so there is nothing to report."}) from None
        readable = [key for key in s.SECTION_KEYS if key != "traded" or request.user.can(Capability.INVOICE_TRADED)]
        asked = [part.strip() for part in request.query_params.get("sections", "").split(",") if part.strip()]
        unknown = [part for part in asked if part not in s.SECTION_KEYS]
        if unknown:
            raise ValidationError({"sections": f"Unknown section(s): {', '.join(unknown)}. Choose from "
                                               f"{', '.join(s.SECTION_KEYS)}."})
        if "traded" in asked and "traded" not in readable:
            raise PermissionDenied("Traded income is for LA managers and admins.")
        sections = asked or readable
        suppress = request.query_params.get("suppress") in ("1", "true", "on")
        report = s.report_figures(scope, period, sections=sections)
        body = {
            "period": {"key": period.key, "label": period.label, "start": period.start, "end": period.end,
                       "compared_with": period.previous.label if period.previous else None},
            "scope": {"label": scope.label, "kind": scope.kind, "schools": list(scope.school_ids)
                      if scope.school_ids is not None else None},
            "suppressed": suppress,
            "sections": {},
            "definitions": [{"key": d.key, "section": d.section, "title": d.title, "meaning": d.meaning,
                             "source": d.source} for d in definitions.DEFINITIONS],
        }
        for key in sections:
            body["sections"][key] = [
                {"key": table.key, "title": table.title, "definition": table.definition, "headers": table.headers,
                 "rows": [[api_value(cell, suppress) for cell in row] for row in table.rows]}
                for table in presentation.tables_for(report, key, None)]
        return Response(body)


class ReportRunSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    scope = serializers.CharField(source="scope_label", read_only=True)
    status = serializers.CharField(source="job.status", read_only=True)
    progress = serializers.IntegerField(source="job.percent", read_only=True)
    message = serializers.CharField(source="job.message", read_only=True)
    download = serializers.SerializerMethodField()
    term = serializers.PrimaryKeyRelatedField(queryset=Term.objects.filter(school__isnull=True))
    school = serializers.SlugRelatedField(slug_field="urn", queryset=School.objects.none(), required=False,
                                          allow_null=True)
    partnership = serializers.PrimaryKeyRelatedField(queryset=Partnership.objects.all(), required=False,
                                                     allow_null=True)

    class Meta:
        model = ReportRun
        fields = ["id", "title", "term", "school", "partnership", "scope", "suppress_small_numbers", "internal",
                  "trigger",
                  "figures_to", "created_at", "status", "progress", "message", "pages", "download"]
        read_only_fields = ["trigger", "figures_to", "created_at", "pages"]
        # The model's constraints (one scope per report, one end-of-term report per term) are the service's to
        # check: DRF's own reading of the conditional constraint would make school and partnership required.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and getattr(request, "user", None) and request.user.is_authenticated:
            fields["school"].queryset = School.objects.visible_to(request.user)
        return fields

    def get_download(self, run) -> str | None:
        return reverse("reporting:report_download", args=[run.pk]) if run.file else None


class ReportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """Termly reports the user may read (a school user: its own school's). POST asks for one: ``term`` (an LA term
    id), ``school`` (URN) or ``partnership`` (id) or neither for the whole authority, ``suppress_small_numbers``,
    ``internal`` (name the officers; marked "Not for publication");
    then follow ``status`` and ``progress`` at its URL and fetch ``download`` when it has succeeded."""

    serializer_class = ReportRunSerializer
    filterset_class = ReportRunFilterSet
    permission_classes = [permissions.IsAuthenticated, CanReadReports]
    queryset = ReportRun.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportRun.objects.none()
        return ReportRun.objects.visible_to(self.request.user).select_related(
            "job", "term__academic_year", "school", "partnership")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            run = services.report_request(user=request.user, term=data["term"], school=data.get("school"),
                                          partnership=data.get("partnership"),
                                          suppress_small_numbers=data.get("suppress_small_numbers", False),
                                          internal=data.get("internal", False))
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        run = self.get_queryset().get(pk=run.pk)
        return Response(self.get_serializer(run).data, status=status.HTTP_201_CREATED)


class NationalFigureSerializer(serializers.ModelSerializer):
    measure_label = serializers.CharField(source="get_measure_display", read_only=True)

    class Meta:
        model = NationalFigure
        fields = ["id", "measure", "measure_label", "phase", "academic_year", "term", "value", "source",
                  "source_url", "notes"]


class NationalFigureViewSet(viewsets.ReadOnlyModelViewSet):
    """The national comparator figures (edited by LA admins in the admin site)."""

    serializer_class = NationalFigureSerializer
    permission_classes = [permissions.IsAuthenticated, CanReadReports]
    queryset = NationalFigure.objects.order_by("measure", "phase", "-academic_year", "term")
    filterset_fields = ["measure", "phase", "academic_year", "term"]
