"""The deployment files agree with the code: docker-compose.yml, the Dockerfile, settings read from the environment.

None of these tests touch the database. The `manage.py` ones run in a subprocess so each sees a fresh settings
module built from exactly the environment it is given.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
SETTINGS = ROOT / "config" / "settings.py"

# A production-shaped key: 60 characters, many distinct, no "django-insecure-" prefix (security.W009).
PRODUCTION_SECRET_KEY = "k7Qv2Lx9Rt4Wm8Zp1Nc6Hs3Jd5Fb0Yg-Ue_Ia+Ko=Tr!Pl#Mn%Bv^Cx&Zq*W"


def _settings_source() -> str:
    return SETTINGS.read_text()


def _settings_env_names() -> set[str]:
    """Every environment variable config/settings.py reads through config.env's readers."""
    return set(re.findall(r"env_(?:str|bool|int|list|database)\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", _settings_source()))


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _app_services(compose: dict) -> dict[str, dict]:
    """Services built from this repository's Dockerfile (the x-app anchor), as opposed to postgres and redis."""
    return {name: svc for name, svc in compose["services"].items() if "build" in svc}


def _command_words(service: dict) -> list[str]:
    command = service["command"]
    return command.split() if isinstance(command, str) else list(command)


def _module_defines(path: Path, name: str) -> bool:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
    return False


def _python(tmp_path: Path, script: str, **overrides: str | None) -> subprocess.CompletedProcess[str]:
    """Run a Python one-liner with the project's settings as a fresh process would read them."""
    return _manage(tmp_path, [], _command=[sys.executable, "-c", script], DJANGO_SETTINGS_MODULE="config.settings",
                   **overrides)


def _manage(tmp_path: Path, args: list[str], _command: list[str] | None = None,
            **overrides: str | None) -> subprocess.CompletedProcess[str]:
    """Run manage.py with no settings variable inherited from this process, then `overrides` applied."""
    env = {k: v for k, v in os.environ.items() if k not in _settings_env_names()}
    env["VAR_DIR"] = str(tmp_path / "var")  # keep the subprocess's SQLite file and static root out of the repo
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        _command or [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


# --- docker-compose.yml -------------------------------------------------------------------------------------------


def test_compose_defines_the_services():
    services = _compose()["services"]
    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert name in services, f"docker-compose.yml has no {name!r} service"
    assert {"web", "worker", "beat"} <= set(_app_services(_compose())), "web, worker and beat must build the app image"


def test_web_runs_gunicorn_on_the_wsgi_application():
    words = _command_words(_compose()["services"]["web"])
    assert "gunicorn" in words
    assert "config.wsgi:application" in words
    wsgi = ROOT / "config" / "wsgi.py"
    assert wsgi.is_file()
    assert _module_defines(wsgi, "application")


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_services_use_the_config_app(service):
    words = _command_words(_compose()["services"][service])
    assert words[0] == "celery"
    assert "-A" in words and words[words.index("-A") + 1] == "config"
    assert service in words  # `celery -A config worker` / `celery -A config beat`
    assert _module_defines(ROOT / "config" / "celery.py", "app")


def test_every_app_service_builds_an_existing_dockerfile():
    for name, svc in _app_services(_compose()).items():
        build = svc["build"]
        context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
        dockerfile = context / ("Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile"))
        assert dockerfile.is_file(), f"{name}: {dockerfile} does not exist"


def test_dockerfile_runs_as_a_non_root_user():
    users = re.findall(r"^USER\s+(\S+)", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    assert users, "Dockerfile never switches away from root"
    assert users[-1] not in {"root", "0"}


def test_compose_sets_only_variables_that_settings_reads():
    source = _settings_source()
    for name, svc in _app_services(_compose()).items():
        environment = svc.get("environment") or {}
        keys = environment.keys() if isinstance(environment, dict) else [e.split("=", 1)[0] for e in environment]
        for key in keys:
            assert f'"{key}"' in source or f"'{key}'" in source, (
                f"{name}: docker-compose.yml sets {key}, which config/settings.py never reads"
            )


def test_compose_is_production_configured():
    for name, svc in _app_services(_compose()).items():
        env = svc["environment"]
        assert str(env["DJANGO_DEBUG"]).lower() == "false", name
        # The key must come from the operator's environment, and compose must refuse to start without it.
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), name
        assert env["DATABASE_URL"].startswith("postgres://"), name
        assert env["CELERY_BROKER_URL"].startswith("redis://"), name
        depends = svc.get("depends_on") or {}
        for backing in ("postgres", "redis"):
            assert depends.get(backing, {}).get("condition") == "service_healthy", f"{name} -> {backing}"
    services = _compose()["services"]
    for backing in ("postgres", "redis"):
        assert "healthcheck" in services[backing], backing


# --- setup scripts --------------------------------------------------------------------------------------------------


def test_syscheck_uses_only_the_standard_library():
    """config/syscheck.py runs before the virtualenv exists, so it may import nothing from PyPI."""
    tree = ast.parse((ROOT / "config" / "syscheck.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "syscheck.py runs as a plain script: no relative imports"
            imported.add(node.module.split(".")[0])
    assert imported <= sys.stdlib_module_names, imported - sys.stdlib_module_names


def test_ci_script_is_executable_bash():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK), ".ci/run must be executable"
    if shutil.which("bash"):
        subprocess.run(["bash", "-n", str(script)], check=True)


# --- settings from the environment ------------------------------------------------------------------------------


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _manage(
        tmp_path,
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_DEBUG="false",
        SECRET_KEY=PRODUCTION_SECRET_KEY,
        ALLOWED_HOSTS="casework.example.gov.uk",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = _manage(tmp_path, ["check"], DJANGO_DEBUG="false", SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_unreadable_debug_flag_refuses_to_start(tmp_path):
    result = _manage(tmp_path, ["check"], DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stdout + result.stderr


def test_production_requires_two_factor_for_la_roles_unless_turned_off_with_a_warning(tmp_path):
    script = "import django; django.setup(); from django.conf import settings; " \
             "print(settings.TWO_FACTOR_REQUIRED_FOR_LA_ROLES)"
    production = {"DJANGO_DEBUG": "false", "SECRET_KEY": PRODUCTION_SECRET_KEY,
                  "ALLOWED_HOSTS": "casework.example.gov.uk"}
    on = _python(tmp_path, script, **production)
    assert on.stdout.strip().splitlines()[-1] == "True", on.stdout + on.stderr
    assert _python(tmp_path, script).stdout.strip().splitlines()[-1] == "False"  # the embedded default
    off = _manage(tmp_path, ["check", "--deploy", "--fail-level", "WARNING"], TWO_FACTOR_REQUIRED_FOR_LA_ROLES="false",
                  **production)
    assert off.returncode != 0 and "accounts.W001" in off.stdout + off.stderr


def test_docker_compose_requires_two_factor():
    for name, service in _app_services(_compose()).items():
        assert service["environment"]["TWO_FACTOR_REQUIRED_FOR_LA_ROLES"] == "true", name
