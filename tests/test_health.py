"""`/healthz/`: up while the database answers, down (503) when it does not; the queue is reported, never fatal."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_health_is_ok_without_signing_in(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert "no-cache" in response["Cache-Control"]


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_an_unreachable_queue_is_reported_but_the_service_stays_up(client):
    # Port 1 on loopback refuses at once: the broker is down, pages still work, so the check still passes.
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["task_queue"] == "unreachable"


def test_a_reachable_queue_is_ok(client, settings):
    import os

    url = os.environ.get("CELERY_BROKER_URL")
    if not url:
        pytest.skip("Needs CELERY_BROKER_URL (the PostgreSQL + Redis run).")
    settings.CELERY_BROKER_URL = url
    assert client.get("/healthz/").json()["task_queue"] == "ok"


def test_a_database_that_does_not_answer_is_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
