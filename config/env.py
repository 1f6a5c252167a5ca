"""Typed readers for environment variables that fail loudly on values they cannot understand.

A typo in a deployment's environment (``DEBUG=ture``) must stop the service at start-up with a message naming the
variable, not silently fall back to a default.
"""

from __future__ import annotations

import os

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is not a whole number.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    """Parse a database URL (postgres://…, sqlite:///…) into Django's DATABASES entry."""
    raw = os.environ.get(name) or default
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # environ raises several types for malformed URLs
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is not a database URL: {exc}") from exc
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r}: unsupported database scheme.")
    return config
