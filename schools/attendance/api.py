"""REST API for the attendance lists, register imports and the CTF review queue: the same scoped selectors and
FilterSets as the pages, the period taken as the pages take it (``?period=<key>`` from the period picker, or
``?start=YYYY-MM-DD&end=YYYY-MM-DD``; the year to date otherwise) and named in every response."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import mixins, parsers, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from schools.attendance import selectors as figures
from schools.attendance import stages
from schools.attendance.codes import as_percent
from schools.attendance.exports import session_label
from schools.attendance.filters import (
    GROUP_CHOICES,
    AttendanceImportFilterSet,
    AttendanceOverviewFilterSet,
    AttendancePupilFilterSet,
    CtfReviewFilterSet,
    PnThresholdFilterSet,
)
from schools.attendance.forms import ImportForm
from schools.attendance.lists import (
    import_outcome_text,
    ordered_by_pupil,
    overview_data,
    pn_rows,
    request_period,
)
from schools.attendance.review import selectors as review_selectors
from schools.attendance.review import services as review_services
from schools.attendance.review.services import nc_year_from_file
from schools.attendance.selectors import import_list_for, visible_import
from schools.attendance.services import attendance_import_start
from schools.audit import record_view
from schools.common.drf import as_drf_error
from schools.common.filters import record_number_or_404
from schools.models import AttendanceImport, CtfReviewItem, Enrolment, Pupil, StagePolicy
from schools.roles import Capability

PERIOD_PARAMETERS = [
    OpenApiParameter("period", str, description="A period key as the pages offer: term-<id>, year-<id>, rolling-4, "
                                                "rolling-10. Default: the year to date."),
    OpenApiParameter("start", OpenApiTypes.DATE, description="Custom period start (with end)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Custom period end (with start)."),
]


def period_data(period) -> dict:
    return {"key": period.key, "label": period.label, "start": period.start, "end": period.end}


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class PeriodListMixin:
    """Lists whose figures cover a period: the paginated response says which, beside count/next/previous/results."""

    def get_period(self):
        if not hasattr(self, "_period"):
            self._period = request_period(self.request)
        return self._period

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data = {"period": period_data(self.get_period()), **response.data}
        return response


# --- Pupils behind the figures ----------------------------------------------------------------------------------------


class AttendancePupilSerializer(serializers.ModelSerializer):
    enrolment = serializers.IntegerField(source="pk")
    upn = serializers.CharField(source="pupil.upn")
    surname = serializers.CharField(source="pupil.legal_last_name")
    forename = serializers.CharField(source="pupil.legal_first_name")
    school_urn = serializers.CharField(source="school.urn")
    school_name = serializers.CharField(source="school.name")
    possible = serializers.IntegerField()
    present = serializers.IntegerField()
    aea = serializers.IntegerField(help_text="Approved educational activity (counts as attendance).")
    authorised = serializers.IntegerField()
    unauthorised = serializers.IntegerField()
    late = serializers.IntegerField()
    attendance_rate = serializers.SerializerMethodField()
    absence_rate = serializers.SerializerMethodField()
    suggested_stage = serializers.IntegerField(allow_null=True, help_text="1, 2 or 3 from the LA's thresholds.")
    case_stage = serializers.CharField(allow_null=True, help_text="Stage of the pupil's open attendance case.")
    case_id = serializers.IntegerField(allow_null=True)
    stage_check = serializers.CharField(help_text="agrees, disagrees, no_case or no_sessions.")

    class Meta:
        model = Enrolment
        fields = ["enrolment", "pupil", "upn", "surname", "forename", "school_urn", "school_name", "possible",
                  "present", "aea", "authorised", "unauthorised", "late", "attendance_rate", "absence_rate",
                  "suggested_stage", "case_stage", "case_id", "stage_check"]

    def _rate(self, part, row) -> str | None:
        return None if not row.possible else str(as_percent(part, row.possible))

    def get_attendance_rate(self, row) -> str | None:
        return self._rate(row.present + row.aea, row)

    def get_absence_rate(self, row) -> str | None:
        return self._rate(row.authorised + row.unauthorised, row)


@extend_schema_view(list=extend_schema(parameters=PERIOD_PARAMETERS))
class AttendancePupilViewSet(PeriodListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The pupils behind a figure (a school's persistent/severe absence list, the LA drill-down): per enrolment, the
    period's counts, the suggested stage and the open case's stage. ``show`` is pa (default), sa or all; filter by
    ``school`` (URN), ``phase``, ``partnership``, ``q``, ``suggested_stage`` and ``stage_check`` (e.g. disagrees)."""

    serializer_class = AttendancePupilSerializer
    filterset_class = AttendancePupilFilterSet
    queryset = Enrolment.objects.none()  # for the schema; get_queryset scopes every request

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrolment.objects.none()
        rows = stages.attendance_pupil_list(self.request.user, self.get_period(),
                                             figures.visible_enrolments(self.request.user), self.policy)
        return ordered_by_pupil(rows)

    @property
    def policy(self) -> StagePolicy:
        if not hasattr(self, "_policy"):
            self._policy = StagePolicy.current()
        return self._policy

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data = {"period": response.data.pop("period"), "stage_thresholds": stage_policy_data(self.policy),
                         **response.data}
        return response


# --- LA overview ------------------------------------------------------------------------------------------------------


class OverviewRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    urn = serializers.CharField(allow_null=True)
    drill_down = serializers.DictField(source="drill", help_text="Filters for /api/attendance/pupils/.")
    possible = serializers.IntegerField(source="total.possible")
    attended = serializers.IntegerField(source="total.attended")
    authorised = serializers.IntegerField(source="total.authorised")
    unauthorised = serializers.IntegerField(source="total.unauthorised")
    persistent_pupils = serializers.IntegerField(source="pa")
    severe_pupils = serializers.IntegerField(source="sa")


@extend_schema_serializer(many=False)  # the list action answers one object, not an array of them
class OverviewSerializer(serializers.Serializer):
    """The overview's answer as the schema describes it (the view builds the dict)."""

    period = PeriodSerializer()
    group = serializers.CharField()
    totals = OverviewRowSerializer()
    results = OverviewRowSerializer(many=True)


@extend_schema_view(list=extend_schema(parameters=[*PERIOD_PARAMETERS, OpenApiParameter(
    "group", str, enum=[key for key, _ in GROUP_CHOICES], description="Rows by school (default), phase or "
                                                                     "partnership.")], responses=OverviewSerializer))
class AttendanceOverviewViewSet(PeriodListMixin, viewsets.GenericViewSet):
    """The LA overview: rows by school, phase or partnership, and the totals; ``phase`` and ``partnership`` narrow
    which schools are added up. Not paginated (one row per group)."""

    serializer_class = OverviewRowSerializer
    filterset_class = AttendanceOverviewFilterSet
    pagination_class = None
    queryset = Enrolment.objects.none()

    def list(self, request, format=None):  # DRF passes a .json suffix as "format"
        period = self.get_period()
        table, overall, pa, sa, filterset, group = overview_data(request, period)
        if filterset.is_bound and not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response({
            "period": period_data(period), "group": group,
            "totals": OverviewRowSerializer({"label": "All", "urn": None, "drill": {}, "total": overall, "pa": pa,
                                             "sa": sa}).data,
            "results": OverviewRowSerializer(table, many=True).data,
        })


# --- Penalty-notice threshold -----------------------------------------------------------------------------------------


class PnSessionSerializer(serializers.Serializer):
    date = serializers.DateField()
    session = serializers.SerializerMethodField(help_text="AM or PM.")
    code = serializers.CharField()

    def get_session(self, mark) -> str:
        return session_label(mark)


class PnRowSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField(source="window.enrolment_id")
    pupil = serializers.IntegerField(source="enrolment.pupil_id")
    upn = serializers.CharField(source="enrolment.pupil.upn")
    surname = serializers.CharField(source="enrolment.pupil.legal_last_name")
    forename = serializers.CharField(source="enrolment.pupil.legal_first_name")
    school_urn = serializers.CharField(source="enrolment.school.urn")
    school_name = serializers.CharField(source="enrolment.school.name")
    window_start = serializers.DateField(source="window.window_start", help_text="Monday of the window's first week.")
    window_end = serializers.DateField(source="window.window_end", help_text="Monday of the week that met it.")
    sessions_in_window = serializers.IntegerField(source="window.sessions")


class PnDetailSerializer(PnRowSerializer):
    sessions = PnSessionSerializer(many=True, help_text="The G/N/O/U sessions that met the threshold.")


@extend_schema_serializer(many=False)  # the list action answers one object, not an array of them
class PnListSerializer(serializers.Serializer):
    """The threshold list's answer as the schema describes it (not paginated: the view builds the dict)."""

    period = PeriodSerializer()
    count = serializers.IntegerField()
    results = PnRowSerializer(many=True)


@extend_schema_view(list=extend_schema(parameters=PERIOD_PARAMETERS, responses=PnListSerializer),
                    retrieve=extend_schema(parameters=PERIOD_PARAMETERS))
class PnThresholdViewSet(PeriodListMixin, viewsets.GenericViewSet):
    """Pupils (per enrolment) with 10 or more G/N/O/U sessions within a rolling 10 school weeks in the period, with
    the first window that met it and its sessions; filter by ``school`` (URN), ``phase``, ``partnership``, ``q``.
    Retrieve by enrolment id."""

    serializer_class = PnRowSerializer
    filterset_class = PnThresholdFilterSet
    pagination_class = None
    queryset = Enrolment.objects.none()

    def list(self, request, format=None):  # DRF passes a .json suffix as "format"
        period = self.get_period()
        rows, filterset = pn_rows(request, period)
        if filterset.is_bound and not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response({"period": period_data(period), "count": len(rows),
                         "results": PnRowSerializer(rows, many=True).data})

    @extend_schema(responses=PnDetailSerializer)
    def retrieve(self, request, pk=None, format=None):
        period = self.get_period()
        rows, _ = pn_rows(request, period)
        row = next((r for r in rows if str(r["window"].enrolment_id) == str(pk)), None)
        if row is None:
            raise Http404("This enrolment did not meet the threshold in the period, or is not yours to see.")
        row = {**row, "sessions": figures.pn_sessions_in_window(request.user, row["window"])}
        return Response({"period": period_data(period), **PnDetailSerializer(row).data})


# --- Register imports -------------------------------------------------------------------------------------------------


class AttendanceImportSerializer(serializers.ModelSerializer):
    job = serializers.IntegerField(source="job_id", read_only=True)
    status = serializers.CharField(source="job.status", read_only=True)
    progress_percent = serializers.IntegerField(source="job.percent", read_only=True)
    message = serializers.CharField(source="job.message", read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    uploaded_at = serializers.DateTimeField(source="job.created_at", read_only=True)
    finished_at = serializers.DateTimeField(source="job.finished_at", read_only=True)
    held_for_review = serializers.IntegerField(source="held_total", read_only=True)
    held_pending = serializers.IntegerField(read_only=True)
    outcome = serializers.SerializerMethodField()
    has_error_report = serializers.SerializerMethodField()

    class Meta:
        model = AttendanceImport
        fields = ["id", "job", "kind", "original_name", "bad_rows", "status", "progress_percent", "message",
                  "outcome", "uploaded_by", "uploaded_at", "finished_at", "rows_read", "marks_written",
                  "marks_changed", "marks_unchanged", "rows_rejected", "held_for_review", "held_pending",
                  "has_error_report"]
        read_only_fields = fields

    def get_outcome(self, attendance_import) -> str:
        return import_outcome_text(attendance_import)

    def get_has_error_report(self, attendance_import) -> bool:
        return bool(attendance_import.issues_file)


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV of session marks or a CTF (XML), up to ATTENDANCE_UPLOAD_MAX_MB "
                                           "(1,024 MB unless the authority sets it).")
    kind = serializers.ChoiceField(choices=AttendanceImport.Kind.choices)
    bad_rows = serializers.ChoiceField(choices=AttendanceImport.BadRows.choices,
                                       default=AttendanceImport.BadRows.KEEP_GOOD,
                                       help_text="keep_good: import the good rows and report the bad ones; "
                                                 "reject_file: import nothing if any row is bad.")

    def validate(self, data):
        # The page's form holds the checks on the upload itself (size, extension), so both routes refuse alike.
        form = ImportForm(data={"kind": data["kind"], "bad_rows": data["bad_rows"]}, files={"file": data["file"]})
        if not form.is_valid():
            raise serializers.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return data


class CanImport(permissions.BasePermission):
    """As the pages: the list (beside the upload form) and uploading need the capability; one import's page and its
    error report are for whoever may see that import."""

    message = "Your role may not import registers."

    def has_permission(self, request, view):
        return view.action not in {"list", "create"} or request.user.can(Capability.IMPORT_ATTENDANCE)


class AttendanceImportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Register imports. POST a file (multipart: ``file``, ``kind`` csv|ctf, ``bad_rows`` keep_good|reject_file) to
    start one: the answer (202) has its id and job; poll GET /api/attendance/imports/{id}/ for ``status`` and
    ``progress_percent``, then read the counts; GET .../{id}/problems/ is the error report (CSV: file, line, field,
    value, reason). LA staff see every import, others their own."""

    serializer_class = AttendanceImportSerializer
    filterset_class = AttendanceImportFilterSet
    permission_classes = [permissions.IsAuthenticated, CanImport]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AttendanceImport.objects.none()
        return import_list_for(self.request.user).order_by("-pk")

    def get_object(self):
        return visible_import(self.request.user, record_number_or_404(self.kwargs["pk"]))

    @extend_schema(request=ImportUploadSerializer, responses={202: AttendanceImportSerializer})
    def create(self, request, *args, **kwargs):
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            started = attendance_import_start(user=request.user, uploaded_file=data["file"], kind=data["kind"],
                                              bad_rows=data["bad_rows"])
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        body = self.get_serializer(visible_import(request.user, started.pk)).data
        return Response(body, status=status.HTTP_202_ACCEPTED,
                        headers={"Location": request.build_absolute_uri(f"{started.pk}/")})

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="problems")
    def problems(self, request, pk=None, format=None):
        attendance_import = self.get_object()
        if not attendance_import.issues_file:
            raise Http404("This import has no problems to report.")
        response = HttpResponse(attendance_import.issues_file.read(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="problems-{attendance_import.pk}.csv"'
        return response


# --- CTF review queue -------------------------------------------------------------------------------------------------


class CtfReviewItemSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    school_urn = serializers.CharField(source="school.urn", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    explanation = serializers.SerializerMethodField()
    candidate = serializers.SerializerMethodField(help_text="The pupil the rules point at, if you may see them.")
    differences = serializers.SerializerMethodField()
    resolved_by = serializers.CharField(source="resolved_by.username", read_only=True, allow_null=True)

    class Meta:
        model = CtfReviewItem
        fields = ["id", "reference", "attendance_import", "position", "line", "status", "reason", "explanation",
                  "candidate", "differences", "upn", "former_upn", "surname", "forename", "preferred_surname",
                  "preferred_forename", "date_of_birth", "sex", "nc_year", "school", "school_urn", "school_name",
                  "mark_count", "first_date", "last_date", "marks", "pupil", "resolved_by", "resolved_at", "note",
                  "marks_written", "marks_changed", "marks_unchanged", "rows_rejected", "issues", "version",
                  "superseded_by", "created_at"]
        read_only_fields = fields

    def _candidate(self, item):
        visible = self.context.get("visible_candidates")
        if visible is None:  # one item (retrieve, or after a decision)
            return review_selectors.visible_pupil(self.context["request"].user, item.candidate)
        return item.candidate if item.candidate_id in visible else None

    def get_candidate(self, item) -> int | None:
        candidate = self._candidate(item)
        return candidate.pk if candidate else None

    def get_differences(self, item) -> list:
        return item.differences if self._candidate(item) else []

    def get_explanation(self, item) -> str:
        return review_services.explanation(item, show_candidate=self._candidate(item) is not None)


class _Decision(serializers.Serializer):
    version = serializers.IntegerField(help_text="The item's version as you read it; a stale one is refused.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MatchSerializer(_Decision):
    pupil = serializers.PrimaryKeyRelatedField(queryset=Pupil.objects.none())
    take_file_upn = serializers.BooleanField(default=False)
    add_enrolment = serializers.BooleanField(default=False)
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    nc_year = serializers.ChoiceField(choices=Enrolment.NcYear.choices, required=False, allow_null=True,
                                      default=None)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["pupil"].queryset = Pupil.objects.visible_to(request.user)
        return fields


class CreatePupilSerializer(_Decision):
    legal_first_name = serializers.CharField(max_length=80, required=False)
    legal_last_name = serializers.CharField(max_length=80, required=False)
    preferred_first_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    preferred_last_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False)
    sex = serializers.ChoiceField(choices=Pupil.Sex.choices, required=False)
    ethnicity = serializers.ChoiceField(choices=Pupil.Ethnicity.choices, required=False)
    sen_status = serializers.ChoiceField(choices=Pupil.SenStatus.choices, required=False)
    start_date = serializers.DateField(required=False, help_text="Default: the first held mark's date.")
    nc_year = serializers.ChoiceField(choices=Enrolment.NcYear.choices, required=False,
                                      help_text="Default: the file's NCyearActual.")


class RejectSerializer(_Decision):
    note = serializers.CharField(help_text="Why the pupil is rejected.")


class CanResolve(permissions.BasePermission):
    message = "Only LA staff who edit pupil records resolve held CTF pupils."

    def has_permission(self, request, view):
        # Reading is scoped by the queryset; every write here is a resolution.
        return request.method in permissions.SAFE_METHODS or request.user.can(Capability.EDIT_PUPILS)


class CtfReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """The CTF review queue: pupils from CTFs the authority could not match with certainty, held with their marks.
    Lists pending items unless ``status`` says otherwise (matched, created, rejected, superseded, resolved, all). LA
    staff who edit pupils resolve an item by POSTing to .../match/, .../create-pupil/ or .../reject/ with its
    ``version``; the held marks are then imported. School users read the items held from their own uploads."""

    serializer_class = CtfReviewItemSerializer
    filterset_class = CtfReviewFilterSet
    permission_classes = [permissions.IsAuthenticated, CanResolve]

    def get_queryset(self):
        return review_selectors.review_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        # Which candidates the user may see, for the whole page in one query.
        visible = review_selectors.visible_candidate_ids(request.user, page)
        serializer = self.get_serializer(page, many=True, context={**self.get_serializer_context(),
                                                                   "visible_candidates": visible})
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        item = self.get_object()
        record_view(user=request.user, instance=item, pupil_id=item.pupil_id or item.candidate_id, path=request.path)
        return response

    def _decide(self, request, serializer_class, service, build):
        item = self.get_object()
        payload = serializer_class(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        try:
            resolved = service(user=request.user, item=item, **build(item, dict(payload.validated_data)))
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=resolved.pk)).data)

    @extend_schema(request=MatchSerializer, responses=CtfReviewItemSerializer)
    @action(detail=True, methods=["post"])
    def match(self, request, pk=None):
        return self._decide(request, MatchSerializer, review_services.review_match, lambda item, data: data)

    @extend_schema(request=CreatePupilSerializer, responses=CtfReviewItemSerializer)
    @action(detail=True, methods=["post"], url_path="create-pupil", url_name="create-pupil")
    def create_pupil(self, request, pk=None):
        def build(item, data):
            defaults = review_services.create_defaults(item)
            fields = {name: data.get(name, defaults.get(name)) for name in review_services.PUPIL_FIELDS_FROM_FORM}
            return {"version": data["version"], "note": data["note"], **fields,
                    "start_date": data.get("start_date") or item.first_date,
                    "nc_year": data.get("nc_year", nc_year_from_file(item.nc_year))}

        return self._decide(request, CreatePupilSerializer, review_services.review_create, build)

    @extend_schema(request=RejectSerializer, responses=CtfReviewItemSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, RejectSerializer, review_services.review_reject, lambda item, data: data)


def stage_policy_data(policy: StagePolicy) -> dict:
    """The thresholds the suggested stages came from, with their source."""
    return {"prevention_from": str(policy.prevention_from), "early_intervention_from": str(
        policy.early_intervention_from), "source": policy.source,
        "bands": [{"stage": int(b["stage"]), "label": b["label"], "range": b["range"]} for b in policy.bands()]}
