#!/usr/bin/env python3
"""Check (and, as root on Debian/Ubuntu, install) what the service needs from the operating system.

Run it as a plain script, before the virtual environment or Django exists:

    python3 config/syscheck.py            # Python, venv, Node.js/npm, WeasyPrint's libraries and fonts
    python3 config/syscheck.py --browser  # ... and Debian's chromium for the browser tests

It uses the standard library only and is never imported as ``config.syscheck`` (``config/__init__.py`` imports
Celery, which is not installed yet when this runs). Exit status 0 means everything is present.
"""

import argparse
import ctypes.util
import glob
import importlib.util
import os
import shutil
import subprocess
import sys

MIN_PYTHON = (3, 11)
CHROMIUM = "/usr/bin/chromium"


def _find_library(name):
    return ctypes.util.find_library(name) is not None


def _has_venv():
    # Debian's own python3 ships venv without ensurepip until python3-venv is installed.
    return importlib.util.find_spec("venv") is not None and importlib.util.find_spec("ensurepip") is not None


def _has_liberation_fonts():
    for root in ("/usr/share/fonts", "/usr/local/share/fonts"):
        if glob.glob(os.path.join(root, "**", "Liberation*.ttf"), recursive=True):
            return True
    return False


def _has_chromium():
    return os.access(CHROMIUM, os.X_OK)


def _checks(browser):
    """(description, is_present, apt packages that provide it) for everything we need."""
    checks = [
        ("Python venv support (python3 -m venv)", _has_venv, ["python3-venv"]),
        ("Node.js (node on PATH)", lambda: shutil.which("node") is not None, ["nodejs"]),
        ("npm (npm on PATH)", lambda: shutil.which("npm") is not None, ["npm"]),
        ("Pango (libpango-1.0) for WeasyPrint", lambda: _find_library("pango-1.0"), ["libpango-1.0-0"]),
        ("PangoFT2 (libpangoft2-1.0) for WeasyPrint", lambda: _find_library("pangoft2-1.0"), ["libpangoft2-1.0-0"]),
        ("HarfBuzz (libharfbuzz) for WeasyPrint", lambda: _find_library("harfbuzz"), ["libharfbuzz0b"]),
        ("Fontconfig (libfontconfig) for WeasyPrint", lambda: _find_library("fontconfig"), ["libfontconfig1"]),
        ("Liberation fonts for PDF letters", _has_liberation_fonts, ["fonts-liberation"]),
    ]
    if browser:
        checks.append((f"Chromium at {CHROMIUM} for the browser tests", _has_chromium, ["chromium"]))
    return checks


def _missing(browser):
    missing = []
    for description, present, packages in _checks(browser):
        if not present():
            missing.append((description, packages))
    return missing


def _report(missing):
    packages = []
    for description, pkgs in missing:
        print(f"  MISSING: {description}  (apt package: {' '.join(pkgs)})", file=sys.stderr)
        packages.extend(p for p in pkgs if p not in packages)
    return packages


def _install(packages):
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"syscheck: installing with apt-get: {' '.join(packages)}", flush=True)
    try:
        subprocess.run(["apt-get", "update"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", *packages], check=True, env=env)
    except subprocess.CalledProcessError as exc:
        print(f"syscheck: apt-get failed (exit {exc.returncode})", file=sys.stderr)
        return False
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check system prerequisites for the casework service.")
    parser.add_argument("--browser", action="store_true", help="also require Debian's chromium for browser tests")
    parser.add_argument("--no-install", action="store_true", help="only report, never run apt-get")
    args = parser.parse_args(argv)

    if sys.version_info < MIN_PYTHON:
        print(
            f"syscheck: Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer is required; this is "
            f"{sys.version.split()[0]} ({sys.executable}).\n"
            "  Install it (Debian 12: apt-get install python3 python3-venv) and run python3 config/syscheck.py again.",
            file=sys.stderr,
        )
        return 1

    missing = _missing(args.browser)
    if not missing:
        print(f"syscheck: OK (Python {sys.version.split()[0]}{', chromium' if args.browser else ''})")
        return 0

    print("syscheck: some system prerequisites are missing:", file=sys.stderr)
    packages = _report(missing)
    command = f"apt-get update && apt-get install -y {' '.join(packages)}"

    can_install = (
        not args.no_install and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None
    )
    if can_install and _install(packages):
        still_missing = _missing(args.browser)
        if not still_missing:
            print(f"syscheck: OK after installing {' '.join(packages)}")
            return 0
        print("syscheck: still missing after apt-get install:", file=sys.stderr)
        _report(still_missing)

    print(
        f"syscheck: install them (Debian/Ubuntu, as root):\n  {command}\n"
        "(Other systems: install Node.js 20+ with npm, Pango >= 1.44 with PangoFT2, HarfBuzz, Fontconfig and a "
        "TrueType font such as Liberation.)",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
