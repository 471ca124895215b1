# OneWindow: `make demo` serves the demo county on http://127.0.0.1:8000; `make test` runs
# lint and the whole suite on SQLite and on PostgreSQL.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PIP_VERSION := 26.3
PG_URL_BASE ?= postgres://postgres@127.0.0.1:5432
PYTEST_ARGS ?= -n 2 --dist loadfile
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install demo serve test test-sqlite test-postgres lint audit-deps format bench bench-quick lock clean

# The demo's own settings (a deployment sets its own, README "Configuration"): a random secret key
# created on first use in the var folder, and two-factor sign-in optional so that the demo users
# sign in with their password alone. Either can be overridden from the environment.
DEMO_ENV = ONEWINDOW_SECRET_KEY_FILE=$${ONEWINDOW_SECRET_KEY_FILE:-$${ONEWINDOW_VAR_DIR:-$(CURDIR)/var}/secret_key} \
  ONEWINDOW_REQUIRE_2FA=$${ONEWINDOW_REQUIRE_2FA:-false}

# Every dependency comes from the hash-pinned locks (pip refuses any other file); then the project
# itself, editable, built with the locked setuptools (no build isolation: nothing unpinned fetched).
$(STAMP): pyproject.toml requirements.lock requirements-dev.lock scripts/install-system-deps.sh
	scripts/install-system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(DEMO_ENV) $(BIN)/onewindow migrate --noinput
	$(DEMO_ENV) $(BIN)/onewindow load-demo --history 3000
	$(DEMO_ENV) $(BIN)/onewindow serve

serve: install
	$(DEMO_ENV) $(BIN)/onewindow serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env -u DATABASE_URL ONEWINDOW_VAR_DIR=$$(mktemp -d) $(DEMO_ENV) $(BIN)/onewindow makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint audit-deps test-sqlite test-postgres

# Known vulnerabilities in the locked dependencies (pip-audit); skipped, with a message, where
# PyPI's vulnerability data cannot be reached (scripts/audit_deps.py).
audit-deps: install
	$(BIN)/python scripts/audit_deps.py

# The browser tests run once, against PostgreSQL (the production database); what differs between
# the databases is covered by the rest of the suite, which runs on both.
test-sqlite: install
	@echo "=== test suite on SQLite (browser tests: in the PostgreSQL run) ==="
	env -u DATABASE_URL ONEWINDOW_VAR_DIR=$$(mktemp -d) $(BIN)/pytest $(PYTEST_ARGS) -m "not browser"

test-postgres: install
	@echo "=== test suite on PostgreSQL ==="
	scripts/ensure-postgres.sh
	DATABASE_URL=$(PG_URL_BASE)/onewindow_$$$$ ONEWINDOW_VAR_DIR=$$(mktemp -d) $(BIN)/pytest $(PYTEST_ARGS) --create-db

# Benchmarks write JSON + Markdown reports to bench-results/: the deadline recomputation
# (clock.*) and the server scenarios against gunicorn on PostgreSQL (server.*). Sized by flags:
#   make bench BENCH_CASES=1000000 BENCH_CLIENTS=16 BENCH_SECONDS=20
# The database BENCH_DB is created and migrated if needed and topped up to BENCH_CASES cases.
BENCH_CASES ?= 100000
BENCH_CLIENTS ?= 16
BENCH_SECONDS ?= 20
BENCH_DB_NAME ?= onewindow_bench
BENCH_DB ?= $(PG_URL_BASE)/$(BENCH_DB_NAME)
BENCH_ARGS ?=

bench: install
	$(BIN)/python -m onewindow.bench.clock --out bench-results
	scripts/ensure-postgres.sh
	psql "$(PG_URL_BASE)/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_DB_NAME)'" | grep -q 1 \
	  || psql "$(PG_URL_BASE)/postgres" -c 'CREATE DATABASE "$(BENCH_DB_NAME)"'
	DATABASE_URL=$(BENCH_DB) $(DEMO_ENV) $(BIN)/onewindow migrate --noinput
	DATABASE_URL=$(BENCH_DB) $(DEMO_ENV) $(BIN)/onewindow load-demo
	DATABASE_URL=$(BENCH_DB) $(DEMO_ENV) $(BIN)/onewindow bench --cases $(BENCH_CASES) --clients $(BENCH_CLIENTS) \
	  --seconds $(BENCH_SECONDS) --out bench-results $(BENCH_ARGS)

# The CI check that the server benchmark works (fresh SQLite in a temporary directory, < 1 min).
bench-quick: install
	d=$$(mktemp -d) && export ONEWINDOW_VAR_DIR=$$d && unset DATABASE_URL && export $(DEMO_ENV) \
	  && $(BIN)/onewindow migrate --noinput >/dev/null && $(BIN)/onewindow load-demo >/dev/null \
	  && $(BIN)/onewindow bench --quick --out $$d/bench-results

# Re-pin every transitive dependency, with hashes, after changing pyproject.toml: the runtime ones
# in requirements.lock, development, tests and the build backend in requirements-dev.lock. pip
# resolves everything once (so both files agree), then the runtime part within that resolution.
BUILD_REQS := 'setuptools>=68' wheel
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet pip==$(PIP_VERSION)
	.venv-lock/bin/python -m pip install --quiet --dry-run --ignore-installed --report .venv-lock/all.json \
	  '.[dev]' $(BUILD_REQS)
	$(PYTHON) scripts/lock_from_report.py .venv-lock/all.json | grep -o '^[^ #]*==[^ ]*' > .venv-lock/all.txt
	.venv-lock/bin/python -m pip install --quiet --dry-run --ignore-installed --report .venv-lock/runtime.json \
	  -c .venv-lock/all.txt .
	$(PYTHON) scripts/lock_from_report.py .venv-lock/runtime.json > .venv-lock/requirements.lock
	$(PYTHON) scripts/lock_from_report.py .venv-lock/all.json --exclude .venv-lock/requirements.lock \
	  --title "Development, test and build dependencies of OneWindow, pinned with hashes." \
	  > .venv-lock/requirements-dev.lock
	mv .venv-lock/requirements.lock .venv-lock/requirements-dev.lock .
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
