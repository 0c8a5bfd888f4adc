# The one entry point for everyday commands. Needs only Python 3.11: the venv is created on demand.
#   make run                    demo site on http://127.0.0.1:8000 (SQLite, eager Celery)
#   make test ARGS="-k foo"     pytest on TEST_WORKERS pytest-xdist workers; uses PostgreSQL/Redis/a
#                               worker when DATABASE_URL and CELERY_BROKER_URL are set, SQLite +
#                               eager Celery otherwise
#   make test-quick             the quick subset: no browser, services or slow tests
#   make lint | messages | bench | bench-load | worker | beat

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
DEPS_STAMP := $(VENV)/.deps-installed
ARGS ?=
# pytest-xdist workers (0 = one process). 3 on this 2-core machine: many tests wait on a worker
# process, a browser or the database, so a third process keeps both cores busy (README, Tests).
TEST_WORKERS ?= 3
# loadgroup: tests marked xdist_group (tests/faults) run one after another on one worker.
PYTEST_XDIST := -n $(TEST_WORKERS) --dist loadgroup
QUICK := not browser and not services and not slow
HOST ?= 127.0.0.1
PORT ?= 8000
MAKEMESSAGES_IGNORE := --ignore=.venv --ignore=var --ignore=staticfiles --ignore=node_modules \
	--ignore=tests --ignore=bench-out --ignore=static/vendor

.DEFAULT_GOAL := help
.PHONY: help deps run test test-quick lint format messages bench bench-patents worker beat bench-load

help:
	@echo "make run        migrate, load demo data, serve http://$(HOST):$(PORT)"
	@echo "make test       run the tests on $(TEST_WORKERS) xdist workers (ARGS=\"...\" goes to pytest, TEST_WORKERS=0: one process)"
	@echo "make test-quick the quick subset: $(QUICK)"
	@echo "make lint       ruff check + ruff format --check + lint-imports (layers in .importlinter)"
	@echo "make format     ruff format + ruff check --fix"
	@echo "make messages   makemessages -l en + compilemessages"
	@echo "make bench      python -m benchmarks, then bench-patents when DATABASE_URL is set"
	@echo "make bench-patents  import 100,000 patents and time browse/search (DATABASE_URL=postgres://.../portal_bench)"
	@echo "make bench-load load test: gunicorn + PostgreSQL, 100,000 patents, 50 users (needs PostgreSQL)"
	@echo "make worker     Celery worker (needs CELERY_BROKER_URL)"
	@echo "make beat       Celery beat with the database scheduler (needs CELERY_BROKER_URL)"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changed since the last install into this venv.
$(DEPS_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

deps: $(DEPS_STAMP)

run: deps
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: deps
	$(PY) -m pytest $(PYTEST_XDIST) $(ARGS)

test-quick: deps
	$(PY) -m pytest $(PYTEST_XDIST) -m "$(QUICK)" $(ARGS)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: deps
	@mkdir -p locale
	$(PY) manage.py makemessages -l en $(MAKEMESSAGES_IGNORE)
	$(PY) manage.py makemessages -d djangojs -l en $(MAKEMESSAGES_IGNORE)
	$(PY) manage.py compilemessages -l en --ignore=.venv

bench: deps
	$(PY) -m benchmarks $(ARGS)
	@if [ -n "$$DATABASE_URL" ]; then \
		$(MAKE) --no-print-directory bench-patents ARGS=; \
	else \
		echo "bench-patents skipped: set DATABASE_URL=postgres://USER@HOST:PORT/portal_bench to run it."; \
	fi

# Patent import (100,000 rows) and browse/search latency; needs DATABASE_URL naming a PostgreSQL
# database whose name starts with portal_bench (it is dropped and recreated).
bench-patents: deps
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL=postgres://USER@HOST:PORT/portal_bench (PostgreSQL; the database is recreated)."; exit 1; }
	$(PY) -m benchmarks.patents $(ARGS)

worker: deps
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0): without a broker tasks run eagerly and no worker is needed."; exit 1; }
	$(PY) -m celery -A portal worker --loglevel=info

beat: deps
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) first."; exit 1; }
	$(PY) -m celery -A portal beat --loglevel=info --scheduler=django_celery_beat.schedulers:DatabaseScheduler

# Load test against gunicorn + PostgreSQL (creates the 100,000-patent data set on first use).
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench_load
bench-load: deps
	DATABASE_URL=$(LOAD_DATABASE_URL) $(PY) -m benchmarks.load $(ARGS)
