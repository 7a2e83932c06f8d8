"""`make run`'s server, started as the Makefile starts it (no DEBUG, no SECRET_KEY in the
environment): a missing page or someone else's order gets the portal's own error page, as in
production, never Django's debug page; static files and the demo's product images still load."""

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.servers import BASE, NO_AWS_ENV, free_port, run_manage


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        **NO_AWS_ENV,
    }
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        result = run_manage(command, env)
        assert result.returncode == 0, result.stderr
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}"], cwd=BASE, env=env, stdout=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=1)  # noqa: S310 - loopback only
                break
            except OSError:
                time.sleep(0.1)
        yield base, folder / "media"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_missing_page_is_the_portal_s_404_not_the_debug_page(demo_server):
    base, _media = demo_server

    status, body = _get(base + "/no-such-page/")

    assert status == 404
    assert "Using the URLconf" not in body and "DEBUG = True" not in body
    assert "We could not find that page" in body


def test_static_files_and_the_demo_s_product_images_still_load(demo_server):
    base, media = demo_server
    status, page = _get(base + "/accounts/login/")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
    image = next(path for path in media.rglob("*") if path.is_file())

    assert status == 200
    assert _get(base + stylesheet)[0] == 200
    assert _get(base + "/media/" + image.relative_to(media).as_posix())[0] == 200
