"""Running the page: in the foreground (``ordersync serve``) or beside the daemon (``ordersync run``).

uvicorn serves the Starlette app on ``[web] listen`` (127.0.0.1 unless
configured). Beside the daemon it runs in a thread of its own with the
daemon's last cycle as its board, and stops when the daemon stops.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import uvicorn

from sync.config import Config
from sync.errors import UserError
from sync.web.app import create_app
from sync.web.board import BoardSource, ServiceBoard

log = logging.getLogger("ordersync.web")


def host_port(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    try:
        return (host.strip("[]") or "127.0.0.1"), int(port)
    except ValueError:
        raise UserError(f"[web] listen = {listen!r}: expected host:port, like 127.0.0.1:8765") from None


def make_server(config: Config, source: BoardSource, *, lang: str | None = None) -> uvicorn.Server:
    assert config.web is not None
    host, port = host_port(config.web.listen)
    app = create_app(config, source, lang=lang)
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                         lifespan="off"))


def serve(config: Config, source: BoardSource, *, lang: str | None = None) -> None:
    """``ordersync serve``: until Ctrl-C."""
    server = make_server(config, source, lang=lang)
    log.info("status page on http://%s", config.web.listen if config.web else "?")
    server.run()


def beside_daemon(service: Any) -> Callable[[], None]:
    """Start the page in a thread, on the daemon's last cycle; return how to stop it."""
    server = make_server(service.config, ServiceBoard(service), lang=service.lang)
    thread = threading.Thread(target=server.run, name="ordersync-web", daemon=True)
    thread.start()
    log.info("status page on http://%s", service.config.web.listen)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
    return stop
