# Trade Dialogues Portal. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.12 >/dev/null 2>&1 && echo python3.12 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

export DJANGO_SETTINGS_MODULE := portal.settings

.PHONY: help install run test test-unit test-e2e lint format messages bench bench-tests clean

help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed (found %s)." % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@touch $(STAMP)

install: $(STAMP) ## Create .venv, install the locked dependencies, compile translations
	@$(BIN)/python -m portal.compilemessages

# honcho runs web, worker and beat from Procfile.dev, each in its own process group. Ctrl-C
# reaches honcho alone, which stops every process and waits for them (SIGKILL after 5 s).
# `-e /dev/null`: the portal reads real environment variables only, never a .env file.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install ## Serve the portal with demo data, a Celery worker and beat (PORT=8000)
	@mkdir -p "$${VAR_DIR:-var}"
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo --if-empty
	DEBUG=$${DEBUG:-1} PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile.dev -e /dev/null -p $(PORT)

# The unit and browser tests run side by side, each on its own databases (tests/run_parallel.py).
test: install lint ## Lint, check migrations, run unit and browser tests
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m tests.run_parallel

test-unit: install ## Unit tests only (no browser)
	$(BIN)/python -m pytest -m "not e2e"

test-e2e: install ## Browser tests only
	$(BIN)/python -m pytest -m e2e

lint: install ## ruff, the layers (import-linter), mypy, Django's deploy checks with production settings
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo --no-cache
	DEBUG=1 $(BIN)/mypy
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-production-like-secret-value \
		ALLOWED_HOSTS=portal.example.org EMAIL_URL='smtp://mail.example.org:587?tls=1' \
		PRIVACY_CONTROLLER='Example Trade Secretariat' PRIVACY_CONTACT_EMAIL=privacy@example.org \
		SITE_URL=https://portal.example.org \
		DEFAULT_FROM_EMAIL='Trade Dialogues Portal <noreply@trade-dialogues.org>' \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

format: install ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install ## Extract strings into the French and Spanish catalogues (needs gettext)
	$(BIN)/python manage.py makemessages -l fr -l es --no-obsolete --ignore='.venv/*' --ignore='var/*' --ignore='staticfiles/*'
	@$(BIN)/python -m portal.compilemessages

# `make bench` serves the portal with gunicorn (production settings) on its own database,
# portal_bench_$(BENCH_SCALE), filled by `manage.py bench_data`, and loads it with wrk (Debian's
# `wrk` package). Needs DATABASE_URL=postgres://... Results: var/bench/$(BENCH_SCALE).md/.json.
BENCH_SCALE ?= small
bench: install ## Benchmark pages, searches, digest and exports (BENCH_SCALE=small|medium|large)
	$(BIN)/python -m tests.benchmarks.runner --scale $(BENCH_SCALE)

bench-tests: install ## Timed pytest benchmarks (tests/benchmarks/bench_*.py)
	$(BIN)/python -m pytest tests/benchmarks -o python_files='bench_*.py' -p no:cacheprovider -q -s

clean: ## Remove the virtualenv, local data and caches
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
