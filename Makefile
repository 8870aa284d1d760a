# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Only what pip installs decides whether to reinstall: a tool setting in pyproject.toml must
# not send every checkout sharing the venv through pip again.
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)
DEV := DEBUG=1 PATH="$(CURDIR)/$(BIN):$$PATH"
PYTEST_ARGS ?=
# Where `make run` serves (http://127.0.0.1:$(PORT)); `make run PORT=8001` for another.
PORT ?= 8000

.PHONY: venv port-free run test e2e fuzz bench lint typecheck migrations-check messages demo clean

# The stamp's name carries the checksum of requirements.lock, so it has no prerequisite: a
# fresh clone (whose files are all newer than the shared venv's stamp) does not run pip again.
$(STAMP):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

## Serve http://127.0.0.1:$(PORT) with demo data, a Celery worker and the scheduler (Ctrl-C
## stops all): the web server is gunicorn (a bounded set of threads, so of database
## connections), static files through whitenoise. A taken PORT stops it before anything starts.
run: port-free venv
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py seed_demo
	@$(PYTHON) scripts/port_check.py $(PORT)
	$(DEV) $(BIN)/honcho start -f Procfile -p $(PORT)

port-free:
	@$(PYTHON) scripts/port_check.py $(PORT)

## Every test (the real-browser ones need Debian's chromium; see README).
test: venv
	$(DEV) $(BIN)/pytest $(PYTEST_ARGS)

## Only the real-browser tests.
e2e: venv
	$(DEV) E2E_REQUIRED=1 $(BIN)/pytest -m e2e $(PYTEST_ARGS)

## Schemathesis over /api/v1's OpenAPI schema as a supervisor and an agent (tests/fuzz/;
## FUZZ_EXAMPLES per operation, default 25). Not part of `make test`.
fuzz: venv
	$(DEV) $(BIN)/pytest -m fuzz tests/fuzz $(PYTEST_ARGS)

## Benchmarks that print figures (never timed assertions). The intake, SLA and complaint
## benches want PostgreSQL (1M contacts and 200k cases; 1M cases with 50k open, their
## complaint cases with their complaint records and ledger; 20k and then 200k complaints);
## without it, they run on SQLite at a small scale. The SLA bench prints its 500-crossing
## sweep with and without the penalty ledger's listener and their ratio. After the SLA
## figures, the SLA bench runs the peer benchmark (django-helpdesk's escalate_tickets on the
## same data size, shared/peer-bench/ beside the repository, about 4 minutes, in
## var/peer-bench) and prints the ratio of the two figures of this run; SLA_BENCH_PEER=skip
## leaves it out, SLA_BENCH_PEER=path/to/1m.json reads the results of an earlier peer run
## instead (the bench says which). The complaint bench measures a size only while its
## database holds no more complaints than that: COMPLAINTS_BENCH_ARGS=--fresh starts over.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sd_bench
SLA_BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sd_sla_bench
COMPLAINTS_BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sd_complaints_bench
SLA_BENCH_PEER ?= run
COMPLAINTS_BENCH_ARGS ?=
bench: venv
	$(DEV) $(BIN)/python -m bench.calendar_bench
	@if $(BIN)/python -c "import psycopg2; psycopg2.connect(host='127.0.0.1', user='postgres', dbname='postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  $(DEV) DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.intake_bench && \
	  $(DEV) DATABASE_URL=$(SLA_BENCH_DATABASE_URL) $(BIN)/python -m bench.sla_bench --peer $(SLA_BENCH_PEER) && \
	  $(DEV) DATABASE_URL=$(COMPLAINTS_BENCH_DATABASE_URL) $(BIN)/python -m bench.complaints_bench $(COMPLAINTS_BENCH_ARGS); \
	else \
	  echo "PostgreSQL is not reachable: the benches run on SQLite at a small scale."; \
	  $(DEV) DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(BIN)/python -m bench.intake_bench --scale 0.01 && \
	  $(DEV) DATABASE_URL=sqlite:///$(CURDIR)/var/sla_bench.sqlite3 $(BIN)/python -m bench.sla_bench --cases 200000 --runs 5 --peer skip && \
	  $(DEV) DATABASE_URL=sqlite:///$(CURDIR)/var/complaints_bench.sqlite3 $(BIN)/python -m bench.complaints_bench --sizes 2000,10000 $(COMPLAINTS_BENCH_ARGS); \
	fi

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(MAKE) typecheck

## mypy with the django and DRF stubs (strict on services and selectors; see pyproject.toml).
typecheck: venv
	$(DEV) $(BIN)/mypy

migrations-check: venv
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

## Re-extract and compile translations (needs GNU gettext); the compiled .mo is committed.
messages: venv
	$(DEV) $(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=staticfiles --ignore=tests --ignore=bench --ignore=scripts --ignore=demo
	$(DEV) $(BIN)/python manage.py compilemessages --ignore=.venv

demo: venv
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py seed_demo

clean:
	rm -rf var staticfiles artifacts .pytest_cache .ruff_cache .import_linter_cache .grimp_cache
