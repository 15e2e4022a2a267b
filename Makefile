# Council Archive: `make run` serves the archive with real demo data, `make test` runs the suite.
# Both install everything they need first, and both can be run again at any time.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Synchronous gunicorn workers: 2 x cores + 1, as docs/deployment.md and bench/load.py use.
WORKERS ?= $(shell echo $$((2 * $$(nproc 2>/dev/null || echo 1) + 1)))
STAMP  := $(VENV)/.installed
APT_PACKAGES := chromium fonts-dejavu-core
# Background workers reading uploads (each reads one file at a time; TRANSCRIPT_PARSE_JOBS caps
# how many are read at once across all workers, whatever their number).
PARSE_WORKERS ?= 2
SECRET_FILE := var/secret_key
export PYTHONUNBUFFERED := 1

# How the archive is served here: as in production (DEBUG off, a real secret key kept in
# var/secret_key), over plain HTTP on the loopback only (PLAIN_HTTP: no HTTPS redirect, no Secure
# cookies, no HSTS). `DEBUG=1 make run` is the development mode: never on a public address.
SERVE := env DEBUG=$${DEBUG:-0} PLAIN_HTTP=$${PLAIN_HTTP:-1} SECRET_KEY_FILE=$${SECRET_KEY_FILE:-$(SECRET_FILE)}

.PHONY: setup run serve demo-data test lint stop backup restore clean

setup: $(STAMP) system-packages $(SECRET_FILE)

# A secret key for this machine, created once, readable by its owner only.
$(SECRET_FILE):
	@mkdir -p var
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# Reinstall the Python packages only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

# Debian packages the tests need (Chromium for the browser tests). Installed only when missing.
.PHONY: system-packages
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

DATA ?= ../shared/data

# Each step is idempotent: a second start only checks what is already there.
demo-data: setup
	$(SERVE) $(BIN)/python manage.py migrate --noinput
	$(SERVE) $(BIN)/python manage.py createcachetable
	$(SERVE) $(BIN)/python manage.py load_reference_data --data-dir $(DATA)
	$(SERVE) $(BIN)/python manage.py import_transcripts $(DATA)/unsc-2020-pires/pdf
	$(SERVE) $(BIN)/python manage.py import_corpus $(DATA)/unsc-2020-pires/speeches_2020.csv
	$(SERVE) $(BIN)/python manage.py build_bulk_downloads
	$(SERVE) $(BIN)/python manage.py collectstatic --noinput --verbosity 0

# The web server and the upload readers together; Ctrl+C stops both (a file being read is read
# again at the next start). Uploaded files are tidied first (manage.py cleanup_uploads).
run: demo-data
	$(SERVE) $(BIN)/python manage.py cleanup_uploads
	@echo "Council Archive: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@workers=""; \
	trap 'trap - INT TERM EXIT; kill -TERM $$workers 2>/dev/null; wait $$workers 2>/dev/null' INT TERM EXIT; \
	for n in $$(seq $(PARSE_WORKERS)); do \
	  $(SERVE) $(BIN)/python manage.py db_worker --queue-name transcripts --no-reload \
	    --interval 0.5 --worker-id "make-run-$$n" & workers="$$workers $$!"; \
	done; \
	$(SERVE) $(BIN)/gunicorn archive.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --timeout 120 --access-logfile - --graceful-timeout 10

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

stop:
	-$(SERVE) $(BIN)/python manage.py embedded_db stop

# A consistent dump (pg_dump -Fc) of the database to var/backups/archive-<timestamp>.dump.
backup: setup
	$(SERVE) $(BIN)/python manage.py backup

# Restore a dump into an EMPTY database: make restore FILE=var/backups/archive-....dump [FORCE=1]
restore: setup
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/archive-<timestamp>.dump [FORCE=1]" >&2; exit 2; }
	$(SERVE) $(BIN)/python manage.py restore "$(FILE)" $(if $(filter 1 yes true,$(FORCE)),--force,)

clean: stop
	rm -rf var staticfiles .pytest_cache
