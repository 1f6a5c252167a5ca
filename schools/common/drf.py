"""API helpers every app's serializers and viewsets share: a service's ValidationError as DRF's, and related-object
fields limited to the user's scope."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as ServiceRefused
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def as_drf_error(error: DjangoValidationError) -> ValidationError:
    """A service's Django ValidationError as DRF's (a 400 with the messages by field)."""
    if hasattr(error, "error_dict"):
        return ValidationError({field: [str(m) for e in errs for m in e.messages]
                                for field, errs in error.error_dict.items()})
    return ValidationError({"non_field_errors": error.messages})


class ScopedRelationsMixin:
    """Limits related-object fields to what the requesting user may see, so an out-of-scope id gets the same
    "does not exist" answer as an id that was never used (no probing for other schools' records)."""

    scoped_relations: dict[str, callable] = {}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        for name, queryset_for in self.scoped_relations.items():
            if name in fields and request is not None and not fields[name].read_only:
                field = getattr(fields[name], "child_relation", fields[name])  # many=True wraps the related field
                field.queryset = queryset_for(request.user)
        return fields


def exception_handler(exc, context):
    """DRF's handler, keeping the reason when a service refuses a user (``schools.roles.require`` raises Django's
    PermissionDenied, which DRF would answer with its generic 403 message)."""
    if isinstance(exc, ServiceRefused) and exc.args:
        exc = exceptions.PermissionDenied(str(exc))
    return drf_exception_handler(exc, context)
