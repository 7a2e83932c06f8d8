"""Run a function from many threads at once, each with its own database connection."""

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection


def run_concurrently(func: Callable[..., Any], calls: Sequence[dict[str, Any]]) -> list[Any]:
    """Call func(**kwargs) for each kwargs in its own thread, all released at the same moment.

    Returns each call's result or the exception it raised, in the order of `calls`.
    """
    start = threading.Barrier(len(calls))

    def call(kwargs: dict[str, Any]) -> Any:
        try:
            start.wait(timeout=30)
            return func(**kwargs)
        except Exception as error:  # noqa: BLE001 - the caller inspects every outcome
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(call, calls))


def wait_until(condition: Callable[[], object], what: str, *, timeout: float = 30) -> None:
    """Wait for the condition itself (polling), not for a fixed time; fail, saying what did not
    happen, if it has not come true within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {timeout:g} s for {what}; it did not happen.")
        time.sleep(0.05)
