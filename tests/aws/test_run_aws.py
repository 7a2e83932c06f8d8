"""`make run-aws` as an ops engineer tries it before a first deploy: the app as the container runs
it (gunicorn, production settings, MariaDB), the sender as its own process sending the demo's mail
through the emulator's SES, Cognito sign-in, and one run at a time."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import MySQLdb
import pytest
from django.db import connection

from tests.concurrency import wait_until
from tests.servers import BASE, NO_AWS_ENV, Browser, free_port

sys.path.insert(0, str(BASE / "scripts"))
from aws_mail import messages  # noqa: E402

pytestmark = pytest.mark.mysql_only


def start(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        ["bash", "scripts/run-aws.sh"],
        cwd=BASE,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, all of it stopped at the end
    )


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def healthy(base: str) -> bool:
    try:
        return Browser(base).request("/health/", timeout=2)[0] == 200
    except OSError:
        return False


def server_query(sql: str) -> list[tuple]:
    """On the MariaDB server the tests use, outside the test's own database."""
    db = connection.settings_dict
    server = MySQLdb.connect(
        host=db["HOST"] or "127.0.0.1", port=int(db["PORT"] or 3306), user=db["USER"], passwd=db["PASSWORD"]
    )
    try:
        cursor = server.cursor()
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        server.close()


def outbox(database: str) -> dict[str, int]:
    return dict(server_query(f"SELECT email_status, COUNT(*) FROM `{database}`.notifications GROUP BY email_status"))  # noqa: S608


def unsent(database: str) -> int:
    statuses = outbox(database)
    return statuses.get("pending", 0) + statuses.get("sending", 0)


@pytest.fixture
def run_aws(tmp_path):
    moto_port, app_port = free_port(), free_port()
    database = f"awsomeshop_runaws_{uuid.uuid4().hex[:8]}"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        **NO_AWS_ENV,
        "MOTO_PORT": str(moto_port),
        "APP_PORT": str(app_port),
        "RUN_AWS_VAR": str(tmp_path / "var"),
        "RUN_AWS_DATABASE": database,
    }
    process = start(env, tmp_path / "run-aws.log")
    base, endpoint = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{moto_port}"
    try:
        wait_until(lambda: healthy(base) or process.poll() is not None, "make run-aws to serve", timeout=180)
        assert process.poll() is None, (tmp_path / "run-aws.log").read_text()
        yield {
            "base": base,
            "endpoint": endpoint,
            "env": env,
            "database": database,
            "process": process,
            "tmp": tmp_path,
        }
    finally:
        # The whole group, even when the script itself is gone (a test kills it outright).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        wait_until(lambda: not group_alive(process.pid), "make run-aws's processes to stop", timeout=30)
        server_query(f"DROP DATABASE IF EXISTS `{database}`")


def test_run_aws_serves_production_settings_and_its_sender_mails_the_demo_through_ses(run_aws):
    base, endpoint, database = run_aws["base"], run_aws["endpoint"], run_aws["database"]

    wait_until(lambda: unsent(database) == 0, "the sender to send the demo's mail", timeout=60)
    sent = messages(endpoint)
    statuses = outbox(database)
    assert statuses.get("sent", 0) == len(sent) > 0
    assert statuses.get("failed", 0) == 0
    assert {str(m["From"]) for m in sent} == {"AWSomeShop <rewards@awsomeshop.local>"}
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for m in sent]
    assert all(f"{base}/" in body for body in bodies)  # links to this app, not a default

    browser = Browser(base)
    assert browser.sign_in("employee@awsomeshop.local", "Employee-demo-2026") == 302  # Cognito's pool
    status, _headers, _ = browser.request("/")
    assert status == 200
    session = next(c for c in browser.cookies if c.name == "sessionid")
    assert session.secure  # production's cookies
    static = browser.request("/")[2].decode()
    assert ".css" in static and "/static/" in static
    css = next(part.split('"')[0] for part in static.split('href="') if part.startswith("/static/") and ".css" in part)
    assert len(Path(css).stem.split(".")) > 1  # hashed by the manifest storage


def test_a_second_run_aws_refuses_and_the_first_goes_on(run_aws, tmp_path):
    first = run_aws["env"]
    elsewhere = {"MOTO_PORT": str(free_port()), "APP_PORT": str(free_port())}
    other_var = {"RUN_AWS_VAR": str(tmp_path / "other-var")}
    other_db = {"RUN_AWS_DATABASE": f"awsomeshop_runaws_{uuid.uuid4().hex[:8]}"}
    # The same var/ directory; another directory on the same database (it would be dropped); and
    # another directory and database on the same emulator port or app port.
    tries = {
        "same var": {**first, **elsewhere},
        "same database": {**first, **elsewhere, **other_var},
        "same emulator port": {**first, **elsewhere, **other_var, **other_db, "MOTO_PORT": first["MOTO_PORT"]},
        "same app port": {**first, **elsewhere, **other_var, **other_db, "APP_PORT": first["APP_PORT"]},
    }
    for what, env in tries.items():
        second = subprocess.run(
            ["bash", "scripts/run-aws.sh"], cwd=BASE, env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 1, (what, second.stderr)
        assert "make run-aws is already running" in second.stderr or "is in use" in second.stderr, (what, second.stderr)
        assert healthy(run_aws["base"]), what
        assert (tmp_path / "var" / "aws.env").exists(), what
    assert server_query(f"SHOW DATABASES LIKE '{run_aws['database']}'")  # not dropped by another run
    assert not server_query(f"SHOW DATABASES LIKE '{other_db['RUN_AWS_DATABASE']}'")  # nor made

    os.killpg(run_aws["process"].pid, signal.SIGINT)  # Ctrl-C in its terminal
    try:
        run_aws["process"].wait(timeout=30)
    except subprocess.TimeoutExpired:
        left = subprocess.run(
            ["ps", "-o", "pid,stat,cmd", "-g", str(run_aws["process"].pid)], capture_output=True, text=True
        )
        raise AssertionError(f"Ctrl-C did not stop make run-aws within 30 s; still running:\n{left.stdout}") from None
    time.sleep(0.5)
    assert not (tmp_path / "var" / "aws.env").exists()
    assert not healthy(run_aws["base"])


def test_a_run_killed_outright_leaves_no_lock_behind_and_the_next_run_says_what_holds_the_port(run_aws):
    script = run_aws["process"].pid
    os.kill(script, signal.SIGKILL)  # the script only: its emulator, sender and gunicorn go on
    run_aws["process"].wait(timeout=10)

    second = subprocess.run(
        ["bash", "scripts/run-aws.sh"], cwd=BASE, env=run_aws["env"], capture_output=True, text=True, timeout=60
    )

    assert second.returncode == 1
    assert "already running" not in second.stderr  # the children hold no lock of the dead run's
    assert f"Port {run_aws['env']['MOTO_PORT']} is in use" in second.stderr


def test_one_port_for_both_the_emulator_and_the_app_is_refused_before_anything_starts(tmp_path):
    port = str(free_port())
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        **NO_AWS_ENV,
        "MOTO_PORT": port,
        "APP_PORT": port,
        "RUN_AWS_VAR": str(tmp_path / "var"),
        "RUN_AWS_DATABASE": f"awsomeshop_runaws_{uuid.uuid4().hex[:8]}",
    }

    result = subprocess.run(
        ["bash", "scripts/run-aws.sh"], cwd=BASE, env=env, capture_output=True, text=True, timeout=30
    )

    assert result.returncode == 1
    assert "MOTO_PORT and APP_PORT must differ" in result.stderr
