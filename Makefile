# The two commands: `make run` and `make test`. See README.md.
VENV := .venv
PY := $(VENV)/bin/python
MYSQL_URL ?= mysql://root@127.0.0.1:3306/awsomeshop
# jsii (under aws-cdk-lib) warns on every run that Node 20 is past its end of life; it still works.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# Nothing make starts runs on AWS (make run, the tests, the bench, the emulator): boto3 never asks
# the instance-metadata address for credentials.
export AWS_EC2_METADATA_DISABLED := true

.PHONY: messages setup setup-runtime run run-aws aws-mail token audit bench test test-mysql lint format screenshots synth

# Everything: the runtime packages and the test and tool ones (CDK, Playwright and Chromium, moto).
setup:
	@scripts/setup.sh dev

# Only what serving the app needs (requirements.txt), as in the Docker image.
setup-runtime:
	@scripts/setup.sh runtime

run: setup-runtime
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py seed_demo
	@$(PY) manage.py send_notifications > /dev/null
	@$(PY) manage.py serve 127.0.0.1:8000

# The app as in production (Cognito sign-in, S3 images) against a local AWS emulator.
run-aws: setup
	@scripts/run-aws.sh

# The e-mails the emulator's SES took while `make run-aws` runs (FULL=1 prints their text too).
aws-mail: setup
	@$(PY) scripts/aws_mail.py http://127.0.0.1:$${MOTO_PORT:-5055} $(if $(FULL),--full)

# A Bearer token for the API from `make run-aws`'s emulator (run that in another terminal first):
#   make token EMAIL=hr@awsomeshop.local   (other users than the demo ones are asked their password)
EMAIL ?= employee@awsomeshop.local
token: setup
	@test -f $${RUN_AWS_VAR:-var}/aws.env || { echo "Start make run-aws first (in another terminal)." >&2; exit 1; }
	@set -a; . $${RUN_AWS_VAR:-var}/aws.env; set +a; $(PY) manage.py cognito_token --email "$(EMAIL)"

# Known vulnerabilities in the pinned requirements (needs PyPI's JSON API or OSV to be reachable).
audit: setup
	$(VENV)/bin/pip install --quiet pip-audit
	$(VENV)/bin/pip-audit --requirement requirements.txt --progress-spinner off

# Benchmarks against the local MariaDB (database awsomeshop_bench), printed and saved in bench/results/.
bench: setup
	@scripts/ensure-mariadb.sh
	$(PY) bench/run.py
	$(PY) bench/dashboard.py

# The German catalog: every marked string of the code and templates into locale/de (then translate
# the new entries), compiled to the .mo that is committed beside it (the app needs no gettext to run).
MESSAGE_IGNORES := --ignore=.venv --ignore=cdk --ignore=tests --ignore=bench --ignore=docs --ignore=var --ignore=scripts --ignore=staticfiles
messages: setup
	$(PY) manage.py makemessages --locale=de --no-obsolete --add-location=file $(MESSAGE_IGNORES)
	@# A guess from a similar message ("fuzzy") is no translation: emptied, so it is translated anew.
	msgattrib --clear-fuzzy --empty --no-wrap --output-file=locale/de/LC_MESSAGES/django.po locale/de/LC_MESSAGES/django.po
	msgfmt --check --output-file=locale/de/LC_MESSAGES/django.mo locale/de/LC_MESSAGES/django.po

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# SQLite first, then the tests that need MariaDB's row locks (races, faults, the DDL) when a server
# answers on 127.0.0.1:3306, as it does here and in CI; `make test-mysql` runs everything there.
test: lint
	$(VENV)/bin/pytest
	@if $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 3306), 2).close()" 2>/dev/null; then \
	  echo "MariaDB answers on 127.0.0.1:3306: the tests that need it"; \
	  DATABASE_URL=$${MYSQL_TEST_URL:-$(MYSQL_URL)} $(VENV)/bin/pytest -m mysql_only; \
	else \
	  echo "No MySQL/MariaDB on 127.0.0.1:3306: the mysql_only tests were skipped (make test-mysql starts one)."; \
	fi

test-mysql: setup
	@scripts/ensure-mariadb.sh
	DATABASE_URL=$${DATABASE_URL:-$(MYSQL_URL)} $(VENV)/bin/pytest

# The README's screenshots: a throw-away database with the demo data, served on a spare port.
screenshots: setup
	rm -f var/screenshots.sqlite3
	DATABASE_URL=sqlite:///var/screenshots.sqlite3 $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=sqlite:///var/screenshots.sqlite3 $(PY) manage.py seed_demo > /dev/null
	DATABASE_URL=sqlite:///var/screenshots.sqlite3 $(PY) scripts/award_mail.py var/award-mail.html
	POINTS_EXPIRY_MONTHS=12 POINTS_EXPIRY_STARTS=2026-01-01 \
	  DATABASE_URL=sqlite:///var/screenshots.sqlite3 $(PY) manage.py runserver 127.0.0.1:8765 --noreload & \
	  server=$$!; sleep 3; $(PY) scripts/screenshots.py http://127.0.0.1:8765; status=$$?; kill $$server; exit $$status

# Synthesize the CDK app offline (no AWS credentials): templates land in cdk/cdk.out/.
synth: setup
	cd cdk && ../$(PY) main.py
	@ls cdk/cdk.out/*.template.json
