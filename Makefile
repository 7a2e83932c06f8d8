# The two commands: `make run` and `make test`. See README.md.
VENV := .venv
PY := $(VENV)/bin/python
MYSQL_URL ?= mysql://root@127.0.0.1:3306/awsomeshop

.PHONY: setup run test test-mysql lint format migrations-check

setup:
	@scripts/setup.sh

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

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
