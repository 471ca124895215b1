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

.PHONY: install demo serve test test-sqlite test-postgres lint format bench bench-quick lock clean

$(STAMP): pyproject.toml requirements.lock scripts/install-system-deps.sh
	scripts/install-system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/onewindow migrate --noinput
	$(BIN)/onewindow load-demo --history 3000
	$(BIN)/onewindow serve

serve: install
	$(BIN)/onewindow serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env -u DATABASE_URL ONEWINDOW_VAR_DIR=$$(mktemp -d) $(BIN)/onewindow makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint test-sqlite test-postgres

test-sqlite: install
	@echo "=== test suite on SQLite ==="
	env -u DATABASE_URL ONEWINDOW_VAR_DIR=$$(mktemp -d) $(BIN)/pytest $(PYTEST_ARGS)

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
	DATABASE_URL=$(BENCH_DB) $(BIN)/onewindow migrate --noinput
	DATABASE_URL=$(BENCH_DB) $(BIN)/onewindow load-demo
	DATABASE_URL=$(BENCH_DB) $(BIN)/onewindow bench --cases $(BENCH_CASES) --clients $(BENCH_CLIENTS) \
	  --seconds $(BENCH_SECONDS) --out bench-results $(BENCH_ARGS)

# The CI check that the server benchmark works (fresh SQLite in a temporary directory, < 1 min).
bench-quick: install
	d=$$(mktemp -d) && export ONEWINDOW_VAR_DIR=$$d && unset DATABASE_URL \
	  && $(BIN)/onewindow migrate --noinput >/dev/null && $(BIN)/onewindow load-demo >/dev/null \
	  && $(BIN)/onewindow bench --quick --out $$d/bench-results

# Re-pin every transitive dependency after changing pyproject.toml.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet pip==$(PIP_VERSION) && .venv-lock/bin/python -m pip install --quiet '.[dev]'
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^onewindow' > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
