from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.site import PASSWORD, SECRET


@pytest.fixture(scope="session", autouse=True)
def web_secrets() -> Iterator[None]:
    """The link secret and the managers' password, from the environment as in production."""
    saved = {k: os.environ.get(k) for k in ("ORDERSYNC_WEB_SECRET", "ORDERSYNC_WEB_PASSWORD")}
    os.environ["ORDERSYNC_WEB_SECRET"], os.environ["ORDERSYNC_WEB_PASSWORD"] = SECRET, PASSWORD
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright: the page as a person's browser shows it."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium for these tests")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
