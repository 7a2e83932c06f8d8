#!/usr/bin/env bash
# Prepare this checkout on a fresh Debian machine: system packages (when root), .venv, Python packages.
#   scripts/setup.sh runtime   what serving the app needs (`make run`): requirements.txt
#   scripts/setup.sh dev       that and the test and tool packages (`make test`): requirements-dev.txt
# Idempotent and quick when nothing changed: `make` calls it before every run and test.
set -euo pipefail
cd "$(dirname "$0")/.."

SET=${1:-dev}
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

# Debian packages: the MySQL driver builds against the client headers; the tests also drive
# Debian's Chromium, and aws-cdk-lib runs on Node.js (jsii; the machine's node if it has one).
APT_PACKAGES=(pkg-config default-libmysqlclient-dev)
if [ "$SET" = dev ]; then
  # gettext: the translation tests extract and compile the catalog (tests/test_translations.py).
  APT_PACKAGES+=(chromium gettext)
  command -v node >/dev/null 2>&1 || APT_PACKAGES+=(nodejs)
fi
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
case "$SET" in
  runtime) main=requirements.txt; requirements=(requirements.txt) ;;
  dev) main=requirements-dev.txt; requirements=(requirements.txt requirements-dev.txt cdk/requirements.txt) ;;
  *) echo "usage: scripts/setup.sh runtime|dev" >&2; exit 2 ;;
esac
stamp=.venv/.installed-$SET
fresh=0
for file in "${requirements[@]}"; do
  [ -f "$stamp" ] && [ ! "$file" -nt "$stamp" ] || fresh=1
done
if [ "$fresh" -eq 1 ]; then
  # Quiet when it works; everything pip said when it does not.
  if ! .venv/bin/pip install --quiet --disable-pip-version-check -r "$main" >.venv/pip.log 2>&1; then
    cat .venv/pip.log >&2
    exit 1
  fi
  touch "$stamp"
fi
