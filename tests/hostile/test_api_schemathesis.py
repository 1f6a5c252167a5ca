"""Schemathesis against the whole OpenAPI schema: every operation, reads and writes, as an LA officer and as a school
user, must never answer with a server error, and what it answers must match the schema.

The schema is generated in-process from the same views the site serves (drf-spectacular), so a new endpoint is
covered without listing it here. Requests go through Django's WSGI handler inside the test's transaction, with a
real token, as a client's would; ``world`` gives the officer and the school user records to see and change.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

# Examples per operation and role: the schema has about 150 operations, so this keeps a run to a few minutes on two
# cores while still sending each one wrong types, boundary numbers, odd unicode and missing fields.
EXAMPLES_PER_OPERATION = 12

# Positive and negative cases from the fuzzing and examples phases, on a fixed seed so both CI runs send the same
# requests; the coverage phase (every boundary of every parameter, unbounded by max_examples) would take hours here.
CONFIG = schemathesis.Config.from_dict({"seed": 20261123, "phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True), config=CONFIG)
app = get_wsgi_application()


@pytest.fixture
def keep_connection():
    """Django's own test client stops the WSGI handler closing the database connection after each request (which
    would end the test's transaction); calling the handler directly needs the same."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["la_officer", "school_a"])
@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_no_server_errors(case, role, world, keep_connection):
    token, _ = Token.objects.get_or_create(user=world.users[role])
    case.call_and_validate(app=app, base_url="http://testserver",
                           headers={"Authorization": f"Token {token.key}"},
                           checks=[not_a_server_error, response_schema_conformance])


# Values that reach the database unchanged unless a filter checks them: a NUL (PostgreSQL refuses it in text), a
# number past 64 bits, one in exponent form, and a date that does not exist. The fuzzing phase above rarely draws
# them for every parameter, so every query parameter of every GET operation gets each one here.
EDGE_VALUES = ["\x00", "9" * 25, "1e400", "2026-02-30"]
QUERY_OPERATIONS = {path: sorted({p["name"] for p in item["get"].get("parameters", []) if p["in"] == "query"})
                    for path, item in schema.raw_schema["paths"].items() if "get" in item}


def _concrete(path: str, world) -> str:
    return re.sub(r"\{(id|urn)\}", lambda m: world.school_a.urn if m.group(1) == "urn" else str(world.pupil_a.pk),
                  path)


@pytest.mark.parametrize("path", sorted(path for path, names in QUERY_OPERATIONS.items() if names))
def test_query_parameters_refuse_edge_values_without_a_server_error(path, world, client):
    token, _ = Token.objects.get_or_create(user=world.users["la_officer"])
    url = _concrete(path, world)
    for parameter in QUERY_OPERATIONS[path]:
        for value in EDGE_VALUES:
            response = client.get(url, {parameter: value}, HTTP_AUTHORIZATION=f"Token {token.key}")
            assert response.status_code < 500, (url, parameter, repr(value), response.content[:300])


PATH_OPERATIONS = sorted({path for path in schema.raw_schema["paths"] if "{" in path})


@pytest.mark.parametrize("path", PATH_OPERATIONS)
def test_path_parameters_refuse_edge_values_without_a_server_error(path, world, client):
    token, _ = Token.objects.get_or_create(user=world.users["la_officer"])
    for value in ["%00", "9" * 25, "1e400", "-1"]:
        url = re.sub(r"\{[a-z_]+\}", value, path)
        for method in ("get", "post"):
            response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Token {token.key}")
            assert response.status_code < 500, (method, url, response.content[:300])
