"""Duplicate pupils over the API, thin over the same selectors and services as the pages: the likely pairs (the page's
filters and sorts, paginated), a merge's preview, "not the same child", merging two records and undoing a merge.
LA editors only (EDIT_PUPILS), as the pages: every other role gets 403 before any pupil is looked up. A merge the
preview shows a conflict for is refused with the reasons (400), never half done."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from schools.audit import record_export, record_view
from schools.common.drf import as_drf_error
from schools.duplicates import rules, selectors, services
from schools.duplicates.forms import SORTS, DuplicateFilterForm
from schools.models import PupilMerge
from schools.roles import Capability

#: Record numbers are 64-bit; anything larger names no record (and must not reach the database).
_PK = {"min_value": 1, "max_value": 2**63 - 1}


class EditPupils(permissions.BasePermission):
    message = "Reviewing and merging duplicate pupils is for LA staff who edit pupil records."

    def has_permission(self, request, view):
        return request.user.can(Capability.EDIT_PUPILS)


class DuplicateMatchSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="dob_name, former_upn or address_surname.")
    label = serializers.CharField()
    score = serializers.IntegerField()
    detail = serializers.CharField()


class DuplicateRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    upn = serializers.CharField()
    former_upn = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField()


class DuplicateCandidateSerializer(serializers.Serializer):
    a = serializers.IntegerField(help_text="The lower record number.")
    b = serializers.IntegerField(help_text="The higher record number.")
    score = serializers.IntegerField(help_text="0 to 100: the best of the matches.")
    dismissed = serializers.BooleanField(help_text="Marked not the same child (listed only with dismissed=show).")
    matches = DuplicateMatchSerializer(many=True)
    records = DuplicateRecordSerializer(many=True)


def _candidate(c: selectors.Candidate) -> dict:
    return {
        "a": c.low, "b": c.high, "score": c.score, "dismissed": c.dismissed,
        "matches": [{"rule": m.rule.code, "label": m.rule.label, "score": m.score, "detail": m.detail}
                    for m in c.matches],
        "records": [{"id": row["pk"], "upn": row["upn"], "former_upn": row["former_upn"],
                     "first_name": row["legal_first_name"], "last_name": row["legal_last_name"],
                     "date_of_birth": row["date_of_birth"]} for row in (c.a, c.b)],
    }


class DismissInput(serializers.Serializer):
    a = serializers.IntegerField(**_PK)
    b = serializers.IntegerField(**_PK)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class DismissalSerializer(serializers.Serializer):
    a = serializers.IntegerField()
    b = serializers.IntegerField()
    note = serializers.CharField()
    dismissed_at = serializers.DateTimeField()


class MergeInput(serializers.Serializer):
    keep = serializers.IntegerField(help_text="The record that stays.", **_PK)
    remove = serializers.IntegerField(help_text="The record merged into it (and removed).", **_PK)
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="How you know these records are the same child (required).")


class MergePreviewInput(serializers.Serializer):
    keep = serializers.IntegerField(**_PK)
    remove = serializers.IntegerField(**_PK)


class MergeMoveSerializer(serializers.Serializer):
    model = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField()
    note = serializers.CharField()


class MergePreviewSerializer(serializers.Serializer):
    keep = serializers.IntegerField()
    remove = serializers.IntegerField()
    moves = MergeMoveSerializer(many=True)
    moved_count = serializers.IntegerField()
    conflicts = serializers.ListField(child=serializers.CharField(),
                                      help_text="Any conflict refuses the merge; each says what to do.")
    kept_changes = serializers.DictField(child=serializers.ListField(allow_null=True),
                                         help_text="Fields the merge fills in on the kept record: [before, after].")


class PupilMergeSerializer(serializers.ModelSerializer):
    merged_by = serializers.CharField(source="merged_by.username", read_only=True)
    undone_by = serializers.CharField(source="undone_by.username", read_only=True, allow_null=True)
    undoable = serializers.SerializerMethodField()
    undo_deadline = serializers.SerializerMethodField()
    moved = serializers.SerializerMethodField()

    class Meta:
        model = PupilMerge
        fields = ["id", "kept", "merged_pupil_id", "merged_upn", "merged_name", "reason", "kept_changes", "moved",
                  "merged_by", "merged_at", "undoable", "undo_deadline", "undone_by", "undone_at", "undo_note"]
        read_only_fields = fields

    def get_undoable(self, merge) -> bool:
        return selectors.can_undo(merge)

    def get_undo_deadline(self, merge) -> str:
        return selectors.undo_deadline(merge).isoformat()

    def get_moved(self, merge) -> dict[str, int]:
        """How many rows of each kind moved (model label: count)."""
        return {entry["model"]: len(entry["pks"]) for entry in merge.moved}


_LIST_PARAMETERS = [
    OpenApiParameter("rule", str, enum=list(rules.RULES), description="Only pairs matching this rule."),
    OpenApiParameter("dismissed", str, enum=["show"], description="show: include pairs marked not the same child."),
    OpenApiParameter("sort", str, enum=[*(k for k, _ in SORTS), *(f"-{k}" for k, _ in SORTS)],
                     description="score, dob or name; a leading - for descending (default -score)."),
    OpenApiParameter("refresh", str, enum=["1"], description="1: check again now rather than use the scan kept "
                                                            f"for {selectors.SCAN_CACHE_SECONDS // 60} minutes."),
]


class DuplicateViewSet(viewsets.GenericViewSet):
    """Likely duplicate pairs across the authority, best match first, with why each matched."""

    serializer_class = DuplicateCandidateSerializer
    permission_classes = [permissions.IsAuthenticated, EditPupils]

    @extend_schema(parameters=_LIST_PARAMETERS, filters=False)
    def list(self, request, *args, **kwargs):
        chosen = DuplicateFilterForm(request.query_params or None).cleaned()
        scan = selectors.find_candidates(user=request.user, include_dismissed=chosen["dismissed"] == "show",
                                         refresh=request.query_params.get("refresh") == "1")
        candidates = [c for c in scan.candidates if not chosen["rule"] or chosen["rule"] in c.rule_codes]
        page = self.paginate_queryset(selectors.sorted_candidates(candidates, chosen["sort"]))
        # Like the page's CSV: a machine-readable list naming pupils is recorded with every pupil it named.
        record_export(user=request.user, object_type="schools.Pupil (possible duplicates)", rows=len(page),
                      fmt="api", path=request.get_full_path(), pupils=[pk for c in page for pk in (c.low, c.high)])
        return self.get_paginated_response([_candidate(c) for c in page])

    @extend_schema(parameters=[MergePreviewInput], responses=MergePreviewSerializer, filters=False)
    @action(detail=False, methods=["get"])
    def preview(self, request, *args, **kwargs):
        """What merging ``remove`` into ``keep`` would move, and every conflict that would refuse it."""
        data = MergePreviewInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        keep, remove = selectors.pair_get(user=request.user, a=data.validated_data["keep"],
                                          b=data.validated_data["remove"])
        for pupil in (keep, remove):
            record_view(user=request.user, instance=pupil, path=request.path)
        preview = selectors.merge_preview(keep=keep, remove=remove)
        return Response({
            "keep": keep.pk, "remove": remove.pk, "moved_count": preview.moved_count, "conflicts": preview.conflicts,
            "moves": [{"model": g.relation.model._meta.label, "title": g.relation.title, "count": len(g.rows),
                       "note": g.note} for g in preview.groups],
            "kept_changes": {name: [before, after] for name, (before, after) in preview.kept_changes.items()},
        })

    @extend_schema(request=DismissInput, responses={201: DismissalSerializer})
    @action(detail=False, methods=["post"])
    def dismiss(self, request, *args, **kwargs):
        """"Not the same child": the pair is not offered again. Saying it twice is harmless."""
        data = DismissInput(data=request.data)
        data.is_valid(raise_exception=True)
        first, second = selectors.pair_get(user=request.user, a=data.validated_data["a"], b=data.validated_data["b"])
        try:
            dismissal = services.dismiss_pair(user=request.user, a=first, b=second, note=data.validated_data["note"])
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response({"a": dismissal.pupil_low_id, "b": dismissal.pupil_high_id, "note": dismissal.note,
                         "dismissed_at": dismissal.dismissed_at}, status=status.HTTP_201_CREATED)

    @extend_schema(request=MergeInput, responses={201: PupilMergeSerializer})
    @action(detail=False, methods=["post"])
    def merge(self, request, *args, **kwargs):
        """Merge ``remove`` into ``keep`` (see preview). Refused with nothing changed (400, the reasons) while the
        preview shows a conflict. Undo within the undo period: POST /api/duplicate-merges/{id}/undo/."""
        data = MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        keep, remove = selectors.pair_get(user=request.user, a=data.validated_data["keep"],
                                          b=data.validated_data["remove"])
        try:
            merged = services.pupil_merge(user=request.user, keep=keep, remove=remove,
                                          reason=data.validated_data["reason"])
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        merged = selectors.merge_get(user=request.user, pk=merged.pk)
        return Response(PupilMergeSerializer(merged, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


class PupilMergeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Merges made, newest first; one merge (audited) and "Undo merge" (POST .../undo/)."""

    serializer_class = PupilMergeSerializer
    permission_classes = [permissions.IsAuthenticated, EditPupils]
    lookup_value_regex = "[0-9]{1,18}"  # anything else names no merge: a 404 before any query

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PupilMerge.objects.none()
        return selectors.merge_list(user=self.request.user).order_by("-merged_at", "-pk")

    def retrieve(self, request, *args, **kwargs):
        merge = self.get_object()
        record_view(user=request.user, instance=merge, pupil_id=merge.kept_id, path=request.path)
        return Response(self.get_serializer(merge).data)

    @extend_schema(request=None, responses=PupilMergeSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None, **kwargs):
        """Put every moved row back and restore the merged-away record with its own number (within the undo
        period; a row changed since the merge stays put and is named in undo_note)."""
        merge = self.get_object()
        try:
            services.pupil_merge_undo(user=request.user, merge=merge)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=merge.pk)).data)
