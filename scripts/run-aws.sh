#!/usr/bin/env bash
# `make run-aws`: the app with AUTH_BACKEND=cognito and MEDIA_STORAGE=s3, against a local AWS
# emulator (moto server on 127.0.0.1:5055), with the demo catalog and Cognito demo users.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${MOTO_PORT:-5055}
mkdir -p var
# The emulator takes any credentials; these keep boto3 from looking for real ones.
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
.venv/bin/moto_server -H 127.0.0.1 -p "$PORT" > var/moto.log 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/moto-api/" >/dev/null 2>&1 && break; sleep 0.2; done
.venv/bin/python scripts/aws_emulator_setup.py "http://127.0.0.1:$PORT" > var/aws.env
# shellcheck disable=SC1091
source var/aws.env
rm -f var/aws.sqlite3
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo --catalog-only
.venv/bin/python manage.py sync_cognito_users
echo "Sign in at http://127.0.0.1:8000 with the users above (passwords: scripts/aws_emulator_setup.py)."
.venv/bin/python manage.py runserver 127.0.0.1:8000
