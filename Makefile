# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make run   - install into .venv if needed, migrate the SQLite database, serve on 127.0.0.1:8000
#   make test  - install into .venv if needed, run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Tests use every core (pytest-xdist); PYTEST_WORKERS=0 runs them in this process.
PYTEST_WORKERS ?= auto

.PHONY: run test lint typecheck imports format migrate check-migrations clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# DEBUG defaults to on for the local server only; set DEBUG=false and the secrets to try production mode.
run: $(BIN)/.installed
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(BIN)/.installed
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Style, types (mypy with the Django and DRF plugins) and the direction of imports (import-linter).
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory typecheck imports

typecheck: $(BIN)/.installed
	DEBUG=true BLOCRA_READ_DOT_ENV=false $(BIN)/mypy

imports: $(BIN)/.installed
	$(BIN)/lint-imports --no-cache

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: $(BIN)/.installed
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) data/test_blocra*.db
