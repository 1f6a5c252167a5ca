"""Reads about carers, through the user's scope: a carer is reachable when their family is (Family.visible_to: LA
roles see every family, a school user only the families of pupils on their roll). Anything else is 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from schools.models import Carer, Family


def carer_list(*, user):
    return Carer.objects.filter(family__in=Family.objects.visible_to(user)).select_related("family")


def carer_get(*, user, pk: int) -> Carer:
    return get_object_or_404(carer_list(user=user), pk=pk)
