# Everyday commands. `make` alone lists them. Recipes are plain POSIX sh.
#
# Configuration comes from the environment (see config/settings.py): with nothing set you get the embedded
# default (SQLite in var/db.sqlite3, Celery tasks run in-process, DEBUG on).

.DEFAULT_GOAL := help
SHELL := /bin/sh

PYTHON3 ?= python3
VENV := .venv
PYTHON := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST := $(VENV)/bin/pytest
CELERY := $(VENV)/bin/celery
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=

PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
NODE_INPUTS := package.json $(wildcard package-lock.json)

.PHONY: help syscheck deps setup run test test-e2e lint worker beat bench clean-db

help: ## List the targets
	@echo "Usage: make TARGET [PYTEST_ARGS='...']"
	@echo
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z0-9_-]+:.*## / { printf "  %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

syscheck: ## Check (as root: install) Python, Node.js/npm and WeasyPrint's system libraries
	$(PYTHON3) config/syscheck.py

# A new virtualenv's bundled pip and setuptools can be years old (and have published advisories): upgrade them.
$(PYTHON): | syscheck
	$(PYTHON3) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade pip setuptools

$(PY_STAMP): pyproject.toml | syscheck $(PYTHON)
	$(PIP) install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

$(NODE_STAMP): $(NODE_INPUTS) | syscheck
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	touch $@

deps: syscheck $(PY_STAMP) $(NODE_STAMP) ## Virtualenv with the project and dev tools, plus front-end packages

setup: deps ## deps, then apply database migrations
	$(PYTHON) manage.py migrate --noinput

run: setup ## Load demo data if the database is empty (prints the demo logins), then serve on 127.0.0.1:8000
	$(PYTHON) manage.py load_demo --if-empty
	$(PYTHON) manage.py runserver $(HOST):$(PORT)

test: deps ## Run the whole test suite (pass options with PYTEST_ARGS='-k name -x')
	DJANGO_TESTING=true $(PYTEST) $(PYTEST_ARGS)

test-e2e: deps ## Run only the browser tests (installs Debian's chromium as root if missing)
	$(PYTHON3) config/syscheck.py --browser
	DJANGO_TESTING=true $(PYTEST) -m e2e $(PYTEST_ARGS)

lint: deps ## ruff (with complexity), the import contracts, no private names across modules, migrations up to date
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PYTHON) .ci/layout_report.py --check
	$(PYTHON) manage.py makemigrations --check --dry-run

worker: deps ## Celery worker (needs CELERY_BROKER_URL; without it tasks run in-process anyway)
	$(CELERY) -A config worker -l info

beat: deps ## Celery beat scheduler (schedule state kept in var/)
	mkdir -p var
	$(CELERY) -A config beat -l info --schedule var/celerybeat-schedule

bench: deps ## Benchmarks and the load test on PostgreSQL (BENCH_DATABASE_URL; BENCH_ARGS='--pupils 250000'); exits 1 if a limit is missed
	$(PYTHON) -m tests.perf $(BENCH_ARGS)

clean-db: ## Delete the embedded SQLite database (var/db.sqlite3)
	rm -f var/db.sqlite3 var/db.sqlite3-journal var/db.sqlite3-wal var/db.sqlite3-shm
