# The two commands of the README: `make run` and `make test`. Both build .venv when needed
# (the project runs from its checkout, so it is installed as a plain wheel for its dependencies,
# not in editable mode, whose setuptools warning said nothing useful).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test screenshots lint format migrate seed bench mutate fuzz clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Tests run in parallel (pytest-xdist), one worker per core.
PYTEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

# The browser test alone (tests/browser: Debian's Chromium through Playwright, over the demo
# data), keeping a screenshot of every page it opens; the suite runs it too (`make test`).
SCREENSHOTS_DIR ?= screenshots
screenshots: install
	@mkdir -p $(SCREENSHOTS_DIR) && rm -f $(SCREENSHOTS_DIR)/*.png
	@SCREENSHOTS_DIR=$(abspath $(SCREENSHOTS_DIR)) $(BIN)/python -m pytest -n 0 -m browser \
	  tests/browser; status=$$?; echo "Screenshots: $(abspath $(SCREENSHOTS_DIR))/"; exit $$status

# Throughput and latency under gunicorn and PostgreSQL, at two data sizes (see bench/run.py).
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Every operation of the OpenAPI schema fuzzed with schemathesis against a live server, as
# anonymous, attendee, organizer and admin (about 5 minutes; see fuzz/run.py).
FUZZ_EXAMPLES ?= 10
fuzz: install
	$(BIN)/python fuzz/run.py --examples $(FUZZ_EXAMPLES) $(FUZZ_ARGS)

# ruff, and the one-way app order (import-linter, contract in pyproject.toml).
# Mutation testing of the services' rules (about 20 minutes on 2 cores); see pyproject.toml.
mutate: install
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache mutants screenshots
