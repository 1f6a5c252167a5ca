"""Every API route answers its ``.json`` format-suffix form (DRF's router adds one per route) as it answers the plain
form, or with a 404: never a server error."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def _api_suffix_routes() -> list[str]:
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith("api/") and "(?P<format>" in route:
                    found.append(route)

    walk(get_resolver().url_patterns)
    return found


def _path(route: str, world) -> str:
    path = route.replace("^", "").replace("$", "").replace("/?", "/").replace("\\.", ".")
    path = re.sub(r"\(\?P<format>[^)]*\)", "json", path)
    path = re.sub(r"\(\?P<urn>[^)]*\)", world.school_b.urn, path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    return "/" + path


def test_the_routes_are_found():
    assert len(_api_suffix_routes()) > 60


@pytest.mark.parametrize("role", ["la_manager", "school_b"])
def test_every_api_route_with_a_json_suffix_answers_without_a_server_error(world, client, role):
    client.force_login(world.users[role])
    client.raise_request_exception = False  # collect every route's answer, then report them all
    failures = []
    for route in _api_suffix_routes():
        path = _path(route, world)
        response = client.get(path, HTTP_ACCEPT="application/json")
        if response.status_code >= 500:
            failures.append((path, response.status_code))
        plain = client.get(path.replace(".json/", "/"), HTTP_ACCEPT="application/json")
        if response.status_code != 404 and response.status_code != plain.status_code:
            failures.append((path, response.status_code, plain.status_code))
    assert failures == [], "\n".join(map(str, failures))
