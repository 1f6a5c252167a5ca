"""Real processes for the fault tests: a private redis-server, gunicorn and Celery workers on the test database.

The machine's shared PostgreSQL and Redis are never stopped: the Redis that is stopped is a private redis-server on a
spare port started here, and a PostgreSQL restart is stood in for by terminating every connection to the test
database, which is what a restart does to the app.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def require_live_services() -> None:
    """Skip on the embedded default; fail instead when CI says the live services must be there."""
    missing = []
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL")
    if not settings.CELERY_BROKER_URL:
        missing.append("CELERY_BROKER_URL")
    if not shutil.which("redis-server"):
        missing.append("redis-server")
    if missing:
        if os.environ.get("REQUIRE_LIVE_SERVICES") == "true":
            pytest.fail(f"REQUIRE_LIVE_SERVICES=true but {', '.join(missing)} missing.")
        pytest.skip(f"Needs {', '.join(missing)}.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, *, seconds: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"Timed out after {seconds:g} s waiting for {what}")


def database_url() -> str:
    """The test database (pytest-django's test_<name>), for the child processes."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def child_env(**overrides) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url(), "MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_TESTING": "false", "PYTHONUNBUFFERED": "1"}
    env.pop("REDIS_CACHE_URL", None)
    env.update({k: str(v) for k, v in overrides.items()})
    return env


class Process:
    """A child process whose output goes to a file the failure message quotes."""

    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path):
        self.name = name
        self.log = log_dir / f"{name}.log"
        self._stream = self.log.open("ab")
        self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._stream, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.alive():
            self.popen.send_signal(sig)
        self.popen.wait(timeout=30)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)  # its own session: gunicorn's and Celery's children too
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        self._stream.close()


class RedisServer:
    """A private, throwaway redis-server (no persistence) that a test may stop and start again on the same port."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.log_dir = log_dir
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = Process(f"redis-{self.port}", ["redis-server", "--port", str(self.port), "--save", "",
                                                      "--appendonly", "no", "--bind", "127.0.0.1"],
                               os.environ.copy(), self.log_dir)
        wait_until(self._answers, seconds=10, what="the private redis-server")

    def stop(self) -> None:
        if self.process:
            self.process.stop()
            self.process = None

    def _answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False


def start_worker(log_dir: Path, *, broker: str, beat: bool = False, name: str = "worker", **env) -> Process:
    args = [str(BIN / "celery"), "-A", "config", "worker", "--pool", "solo", "--concurrency", "1", "-l", "info",
            "--without-gossip", "--without-mingle", "-n", f"{name}-{os.getpid()}@%h"]
    if beat:
        args += ["--beat", "--schedule", str(log_dir / "beat-schedule")]
    worker = Process(name, args, child_env(CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND=broker, **env), log_dir)
    wait_until(lambda: "ready." in worker.output() or not worker.alive(), seconds=60, what=f"{name} to start")
    assert worker.alive(), worker.output()
    return worker


def start_web(log_dir: Path, *, broker: str, workers: int = 1, **env) -> tuple[Process, str]:
    port = free_port()
    web = Process("web", [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                          "--workers", str(workers), "--timeout", "60"],
                  child_env(CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND=broker, **env), log_dir)
    base = f"http://127.0.0.1:{port}"

    def up():
        if not web.alive():
            raise AssertionError(web.output())
        with contextlib.suppress(requests.ConnectionError):
            return requests.get(f"{base}/accounts/login/", timeout=5).status_code < 500
        return False

    wait_until(up, seconds=60, what="gunicorn to answer", every=0.3)
    return web, base


def signed_in(user, base: str) -> requests.Session:
    """A browser-like session for ``user`` against the server (the session row is written to the shared database)."""
    from django.contrib.sessions.models import Session

    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    # The test clock is fixed a week back (tests/conftest.py); the server runs on the real one, so the session would
    # already have expired there.
    Session.objects.filter(session_key=key).update(expire_date=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC))
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, key)
    session.base = base
    return session


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def terminate_app_connections() -> int:
    """What a PostgreSQL restart does to the app: every connection to the test database but this one is cut."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return sum(1 for (done,) in cursor.fetchall() if done)
