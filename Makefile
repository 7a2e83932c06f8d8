# The two commands: `make run` and `make test`. See README.md.
VENV := .venv
PY := $(VENV)/bin/python
MYSQL_URL ?= mysql://root@127.0.0.1:3306/awsomeshop
# jsii (under aws-cdk-lib) warns on every run that Node 20 is past its end of life; it still works.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: setup run run-aws audit bench test test-mysql lint format screenshots synth

setup:
	@scripts/setup.sh

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# The app as in production (Cognito sign-in, S3 images) against a local AWS emulator.
run-aws: setup
	scripts/run-aws.sh

# Known vulnerabilities in the pinned requirements (needs PyPI's JSON API or OSV to be reachable).
audit: setup
	$(VENV)/bin/pip install --quiet pip-audit
	$(VENV)/bin/pip-audit --requirement requirements.txt --progress-spinner off

# Benchmarks against the local MariaDB (database awsomeshop_bench), printed and saved in bench/results/.
bench: setup
	@scripts/ensure-mariadb.sh
	$(PY) bench/run.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	$(VENV)/bin/pytest

test-mysql: setup
	@scripts/ensure-mariadb.sh
	DATABASE_URL=$${DATABASE_URL:-$(MYSQL_URL)} $(VENV)/bin/pytest

# The README's screenshots: a throw-away database with the demo data, served on a spare port.
screenshots: setup
	rm -f var/screenshots.sqlite3
	DATABASE_URL=sqlite:///var/screenshots.sqlite3 $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=sqlite:///var/screenshots.sqlite3 $(PY) manage.py seed_demo > /dev/null
	DATABASE_URL=sqlite:///var/screenshots.sqlite3 $(PY) manage.py runserver 127.0.0.1:8765 --noreload & \
	  server=$$!; sleep 3; $(PY) scripts/screenshots.py http://127.0.0.1:8765; status=$$?; kill $$server; exit $$status

# Synthesize the CDK app offline (no AWS credentials): templates land in cdk/cdk.out/.
synth: setup
	cd cdk && ../$(PY) main.py
	@ls cdk/cdk.out/*.template.json
