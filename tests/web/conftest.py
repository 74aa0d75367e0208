from __future__ import annotations

import os
from collections.abc import Iterator

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
