"""One way to start Chromium, for the browser tests and `make screenshots`: Debian's browser,
headless, and offline by construction. `--disable-background-networking` alone still let Chromium's
own services look up content-autofill.googleapis.com and update.googleapis.com (420 and 6 lookups
in one run of tests/browser): the resolver rules below answer every name but loopback's with "not
found" inside the browser, and the features that call home are off. CI runs the tests where any
name asked is recorded (scripts/offline.py)."""

import os
import shutil

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
OFFLINE_ARGS = [
    # Headless as root.
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    # No calls home.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
    "--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter,Translate",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-quic",
    "--no-pings",
]


def chromium_launch(playwright, **options):
    """Debian's Chromium through Playwright (its own browser download is never used)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=OFFLINE_ARGS, headless=True, **options)
