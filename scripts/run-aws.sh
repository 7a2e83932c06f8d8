#!/usr/bin/env bash
# `make run-aws`: the app as the container runs it in production, as close as this machine allows:
# gunicorn with DJANGO_ENV=production (secure cookies, hashed static files, JSON logs), the local
# MariaDB, the notification sender as a process of its own (as its ECS service), and Cognito, S3
# and SES in a local AWS emulator (moto server on 127.0.0.1:5055) made from the CDK app's values.
# The settings that point at the emulator are kept in var/aws.env for `make token`.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${MOTO_PORT:-5055}
APP_PORT=${APP_PORT:-8000}
DATABASE=${RUN_AWS_DATABASE:-awsomeshop_aws}
# Its state: the lock, the emulator's settings (for `make token`), the logs (a test uses its own).
VAR=${RUN_AWS_VAR:-var}
mkdir -p "$VAR"

if [ "$PORT" = "$APP_PORT" ]; then
  echo "MOTO_PORT and APP_PORT must differ (both are $PORT)." >&2
  exit 1
fi
# One at a time on each thing a run owns: its var/ directory, its database (dropped at start),
# its emulator's port and its app's port. Another checkout's run, or one with another var/, takes
# the same locks (in this user's own directory, keyed by what they guard), so it refuses too.
# Only this script holds them (its children are started without them): a run killed outright
# frees them, and what it left running is caught by the port check below.
LOCKS=${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}}/awsomeshop-run-aws-$(id -u)
mkdir -p -m 700 "$LOCKS"
if [ ! -O "$LOCKS" ] || [ -L "$LOCKS" ]; then
  echo "$LOCKS is not this user's own directory; remove it and start again." >&2
  exit 1
fi
holds() {  # holds FD FILE WHAT: take the lock on FILE or say who has it and stop
  eval "exec $1<>\"\$2\""
  if ! flock --nonblock "$1"; then
    echo "make run-aws is already running on $3 (pid $(cat "$2.pid" 2>/dev/null || echo unknown))." >&2
    echo "Use that one, or stop it (Ctrl-C in its terminal) before starting another." >&2
    exit 1
  fi
  echo $$ > "$2.pid"
}
holds 6 "$(realpath "$VAR")/run-aws.lock" "$VAR"
holds 7 "$LOCKS/database-$DATABASE.lock" "database $DATABASE"
holds 8 "$LOCKS/port-$PORT.lock" "port $PORT"
holds 9 "$LOCKS/port-$APP_PORT.lock" "port $APP_PORT"
# Not a run's lock, but taken: something else listens there (maybe what a killed run left).
for taken in "$PORT" "$APP_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$taken") 2>/dev/null; then
    echo "Port $taken is in use by another program (a make run-aws killed outright leaves its" >&2
    echo "emulator and gunicorn running: stop them), or set MOTO_PORT or APP_PORT to a free one." >&2
    exit 1
  fi
done
# The children that run on (the emulator, the sender, gunicorn) start without the locks'
# descriptors (`6<&- 7<&- 8<&- 9<&-`).

scripts/ensure-mariadb.sh 6<&- 7<&- 8<&- 9<&-
# The emulator takes any credentials; these keep boto3 from looking for real ones.
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true
pids=()
# var/aws.env says the emulator is up (for `make token`): gone with it.
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null; rm -f "$VAR/aws.env"' EXIT
trap 'exit 130' INT TERM
.venv/bin/moto_server -H 127.0.0.1 -p "$PORT" > "$VAR/moto.log" 2>&1 6<&- 7<&- 8<&- 9<&- &
pids+=($!)
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/moto-api/" >/dev/null 2>&1 && break; sleep 0.2; done
if ! kill -0 "${pids[0]}" 2>/dev/null; then
  echo "The AWS emulator did not start (its log: $VAR/moto.log)." >&2
  exit 1
fi
endpoint="http://127.0.0.1:$PORT"
{
  .venv/bin/python scripts/aws_emulator_setup.py "$endpoint"
  echo "export DATABASE_URL=mysql://root@127.0.0.1:3306/$DATABASE"
} > "$VAR/aws.env.new"
mv "$VAR/aws.env.new" "$VAR/aws.env"
# shellcheck disable=SC1091
source "$VAR/aws.env"

# A fresh database each start, as the emulator is fresh each start.
.venv/bin/python - "$DATABASE" <<'PY'
import sys, MySQLdb
server = MySQLdb.connect(host="127.0.0.1", port=3306, user="root")
server.cursor().execute(f"DROP DATABASE IF EXISTS `{sys.argv[1]}`")
server.cursor().execute(f"CREATE DATABASE `{sys.argv[1]}` CHARACTER SET utf8mb4")
PY
# The demo's data first, with the development settings (seed_demo refuses to run in production:
# its users have published passwords); its notifications wait in the outbox for the sender.
NOTIFICATIONS_SEND_ON_COMMIT=off .venv/bin/python manage.py migrate --noinput -v 0
NOTIFICATIONS_SEND_ON_COMMIT=off .venv/bin/python manage.py sync_cognito_users -v 0
NOTIFICATIONS_SEND_ON_COMMIT=off .venv/bin/python manage.py seed_demo --cognito

# From here, production settings as the task definition sets them, but for plain HTTP on this
# machine (no load balancer in front to speak TLS): no redirect to https, links to 127.0.0.1.
export DJANGO_ENV=production LOG_FORMAT=text LOG_LEVEL=INFO
SECRET_KEY="run-aws-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export SECRET_KEY ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=false
export SITE_URL="http://127.0.0.1:$APP_PORT" STATIC_ROOT="$VAR/static-aws" PORT=$APP_PORT
.venv/bin/python manage.py collectstatic --noinput -v 0
# The sender, as its own ECS service: sends the demo's waiting notifications now, then each new
# one within a second or two of its commit.
.venv/bin/python manage.py send_notifications --forever > "$VAR/sender.log" 2>&1 6<&- 7<&- 8<&- 9<&- &
pids+=($!)
cat <<TEXT
The app runs as in production (gunicorn, DJANGO_ENV=production, MariaDB database $DATABASE),
with Cognito, S3 and SES in the AWS emulator at $endpoint.
E-mails: the sender (its log: $VAR/sender.log) sends them through the emulator's SES, which keeps
  them: \`make aws-mail\` lists them (or read $endpoint/moto-api/data.json, "ses" → "RawMessage").
Password reset: the emulator sends no mail; the code it would have sent is printed here.
API token: make token EMAIL=employee@awsomeshop.local (in another terminal, while this runs).
Open http://127.0.0.1:$APP_PORT/
TEXT
# Ctrl-C stops it within seconds: the container's 30 s grace (ECS's stop timeout) would keep a
# worker whose thread is in a request alive for up to 30 s here.
.venv/bin/gunicorn awsomeshop.wsgi:application --config gunicorn.conf.py --bind "127.0.0.1:$APP_PORT" \
  --graceful-timeout 3 6<&- 7<&- 8<&- 9<&- &
pids+=($!)
wait "${pids[-1]}"
