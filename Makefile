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

.PHONY: install demo serve test test-sqlite test-postgres lint format bench lock clean

$(STAMP): pyproject.toml requirements.lock scripts/install-system-deps.sh
	scripts/install-system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/onewindow migrate --noinput
	$(BIN)/onewindow load-demo
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

# Benchmarks write JSON + Markdown reports to bench-results/ (issue #10 adds the server scenarios).
bench: install
	$(BIN)/python -m onewindow.bench.clock --out bench-results

# Re-pin every transitive dependency after changing pyproject.toml.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet pip==$(PIP_VERSION) && .venv-lock/bin/python -m pip install --quiet '.[dev]'
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^onewindow' > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
