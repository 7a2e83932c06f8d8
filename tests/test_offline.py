"""Nothing the project runs here reaches beyond this machine: the test process connects to loopback
only, boto3 never looks for credentials, every Chromium starts with the offline flags, and
`scripts/offline.py` (how CI runs the suite) names whatever was looked up."""

import re
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from pytest_socket import SocketConnectBlockedError

from tests.chromium import OFFLINE_ARGS
from tests.servers import NO_AWS_ENV, production_env

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.filterwarnings("ignore:A test tried to use socket.socket.connect:UserWarning")
def test_the_test_process_refuses_to_connect_beyond_loopback():
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("10.255.255.1", 9), timeout=1)
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 443), timeout=1)


def test_boto3_in_the_tests_and_their_servers_finds_the_emulator_s_credentials_and_asks_nobody():
    credentials = boto3.Session().get_credentials()

    assert credentials.method == "env" and credentials.access_key == "testing"
    assert production_env()["AWS_EC2_METADATA_DISABLED"] == "true"
    assert NO_AWS_ENV.items() <= production_env().items()


def test_every_chromium_starts_through_the_one_helper_with_the_offline_flags():
    launches = [
        str(path.relative_to(ROOT))
        for folder in ("tests", "scripts", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if "chromium" + ".launch(" in path.read_text() and path.name != "chromium.py"
    ]

    assert launches == []
    assert "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost" in OFFLINE_ARGS
    assert any(arg.startswith("--disable-features=AutofillServerCommunication") for arg in OFFLINE_ARGS)


def _offline(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "offline.py"), sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_offline_runner_names_every_name_asked_and_fails_on_one():
    asked = _offline("import socket\ntry:\n    socket.getaddrinfo('example.com', 443)\nexcept OSError:\n    pass")
    quiet = _offline("import socket\nprint(socket.getaddrinfo('localhost', 80)[0][4][0])")

    assert asked.returncode != 0
    assert re.search(r"offline: 1 names asked\n  example\.com", asked.stdout), asked.stdout + asked.stderr
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert "offline: 0 names asked" in quiet.stdout


@pytest.mark.mysql_only
def test_inside_the_offline_runner_nothing_beyond_loopback_answers_and_mariadb_still_does():
    code = (
        "import socket\n"
        "try:\n    socket.create_connection(('192.0.2.1', 443), timeout=2)\nexcept OSError as e:\n    print('refused', e.errno)\n"
        "socket.create_connection(('127.0.0.1', 3306), timeout=2).close()\nprint('mariadb')"
    )

    result = _offline(code)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "refused" in result.stdout and "mariadb" in result.stdout
