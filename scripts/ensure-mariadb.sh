#!/usr/bin/env bash
# Make sure a MySQL-compatible server answers on 127.0.0.1:3306 for `make test-mysql`:
# start the local MariaDB if it is installed but stopped, install it first when root and absent.
set -euo pipefail

ping_server() { mysqladmin --host=127.0.0.1 --port=3306 --user=root --silent ping >/dev/null 2>&1; }

ping_server && exit 0
if [ ! -x /usr/sbin/mariadbd ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "Installing MariaDB server"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server mariadb-client >/dev/null
  else
    echo "No MySQL/MariaDB server answers on 127.0.0.1:3306 and none is installed." >&2
    exit 1
  fi
fi
echo "Starting MariaDB"
mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
for _ in $(seq 1 30); do
  ping_server && exit 0
  sleep 1
done
echo "MariaDB did not start within 30 seconds." >&2
exit 1
