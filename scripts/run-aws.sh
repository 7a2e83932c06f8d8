#!/usr/bin/env bash
# `make run-aws`: the app with AUTH_BACKEND=cognito and MEDIA_STORAGE=s3, against a local AWS
# emulator (moto server on 127.0.0.1:5055), with the demo catalog, the demo users in the user pool
# (roles and points history as with `make run`), and the settings kept in var/aws.env for
# `make token`.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${MOTO_PORT:-5055}
mkdir -p var
# The emulator takes any credentials; these keep boto3 from looking for real ones.
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true
.venv/bin/moto_server -H 127.0.0.1 -p "$PORT" > var/moto.log 2>&1 &
moto=$!
# var/aws.env says the emulator is up (for `make token`): gone with it.
trap 'kill $moto 2>/dev/null || true; rm -f var/aws.env' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/moto-api/" >/dev/null 2>&1 && break; sleep 0.2; done
.venv/bin/python scripts/aws_emulator_setup.py "http://127.0.0.1:$PORT" > var/aws.env
# shellcheck disable=SC1091
source var/aws.env
rm -f var/aws.sqlite3
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py sync_cognito_users -v 0
.venv/bin/python manage.py seed_demo --cognito
cat <<TEXT
Password reset: the emulator sends no mail; the code it would have sent is printed here.
API token: make token EMAIL=employee@awsomeshop.local (in another terminal, while this runs).
TEXT
.venv/bin/python manage.py serve 127.0.0.1:8000
