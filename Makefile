# The two commands a newcomer needs: `make run` and `make test`. Everything installs itself from the
# locked requirements (requirements/*.txt, compiled with pip-tools from pyproject.toml, with hashes).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install assets messages migrate seed bench bench-pytest load lint lock check-migrations clean backup restore mutation

$(STAMP): requirements/dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	@touch $(STAMP)

install: $(STAMP)

# Front-end packages from npm, copied into static/vendor (committed, so `make run` needs no Node.js).
assets:
	npm ci --no-audit --no-fund
	mkdir -p static/vendor/bootstrap static/vendor/htmx static/vendor/chartjs
	cp node_modules/bootstrap/dist/css/bootstrap.min.css static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chartjs/
	cp node_modules/chart.js/LICENSE.md static/vendor/chartjs/
	@# The source maps are not vendored: drop their references, or the production manifest storage
	@# (collectstatic) fails on the missing files.
	sed -i -e '/^\/[/*]# sourceMappingURL=/d' static/vendor/bootstrap/bootstrap.min.css \
	  static/vendor/bootstrap/bootstrap.bundle.min.js static/vendor/chartjs/chart.umd.min.js

messages: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

migrate: $(STAMP) messages
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v 0

seed: migrate
	$(PY) manage.py load_agreement
	$(PY) manage.py seed_demo

run: seed
	@bash scripts/run-dev.sh $(HOST) $(PORT)

test: $(STAMP) messages
	$(PY) -m pytest $(PYTEST_ARGS)

# The benchmark table (benchmarks/harness.py; operations in benchmarks/ops/): both data sizes in a throw-away
# test database (PostgreSQL when DATABASE_URL points to it), medians of BENCH_ROUNDS (21) rounds, written to
# var/bench/latest.{json,md}. BENCH_SIZES=200,400 BENCH_ROUNDS=3 for a quick look, e.g. on SQLite.
bench: $(STAMP) messages
	$(PY) -m benchmarks.run

# Sustained load (benchmarks/load.py): gunicorn with the production settings on 127.0.0.1, LOAD_CLIENTS (20)
# signed-in clients for LOAD_SECONDS (60) on the list, a project page, the dashboard and the API; its own
# database (<name>_load next to DATABASE_URL's, or var/load.sqlite3); zero errors or it fails.
load: $(STAMP) messages
	$(PY) -m benchmarks.load

# The older one-off benchmarks (import, national summary) as pytest runs that print their figures.
bench-pytest: $(STAMP) messages
	$(PY) -m pytest benchmarks -s $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

check-migrations: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

# Mutation testing (mutmut) of some domain modules, one at a time against their own tests; scores in
# var/mutation/. A full run is hours on two CPUs: name the modules, e.g. MODULES="portfolio/money.py".
MODULES ?= portfolio/money.py reporting/periods.py
mutation: $(STAMP) messages
	$(PY) scripts/mutation.py $(MODULES) $(if $(TESTS),--tests $(TESTS))

# Re-lock after editing pyproject.toml dependencies.
lock: $(STAMP)
	cd requirements && ../$(VENV)/bin/pip-compile -q --strip-extras --no-header --allow-unsafe --generate-hashes -o base.txt ../pyproject.toml
	cd requirements && ../$(VENV)/bin/pip-compile -q --strip-extras --no-header --allow-unsafe --generate-hashes --extra dev -o dev.txt ../pyproject.toml

# Backups of the configured database (pg_dump -Fc, or SQLite's online backup) and the media files into
# var/backups/<timestamp>/ (or BACKUP_DIR=...); `make restore FROM=<dir>` puts them back and checks every
# table's row count and checksum against the backup's manifest. See config/backup.py.
backup: $(STAMP)
	$(PY) -m config.backup backup $(BACKUP_DIR)

restore: $(STAMP)
	@test -n "$(FROM)" || { echo "usage: make restore FROM=var/backups/<timestamp>"; exit 2; }
	$(PY) -m config.backup restore $(FROM)

clean:
	rm -rf var build
