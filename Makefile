# Proxima — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench i18n-extract i18n-update check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

## run: install, migrate the embedded SQLite database, load the demo company if empty, serve on 127.0.0.1:8000
run: $(VENV)/.installed
	$(BIN)/proxima db upgrade
	$(BIN)/proxima demo load --if-empty
	$(BIN)/proxima serve --host $(HOST) --port $(PORT)

## test: install with dev extras and run the whole suite (SQLite; PROXIMA_TEST_DATABASE_URL for PostgreSQL)
test: $(VENV)/.installed-dev
	$(BIN)/pytest -n auto

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check app tests migrations
	$(BIN)/ruff format --check app tests migrations
	$(BIN)/mypy app

format: $(VENV)/.installed-dev
	$(BIN)/ruff format app tests migrations
	$(BIN)/ruff check --fix app tests migrations

## bench: the benchmark; prints its figures and writes docs/benchmarks.md
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.run

## i18n-extract / i18n-update: refresh the message catalog from the code and templates
i18n-extract: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_ -k N_plural:1,2 -o app/translations/messages.pot --no-location --sort-output .

i18n-update: i18n-extract
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

check: lint test

clean:
	rm -rf $(VENV) var/*.db var/*.db-wal var/*.db-shm
