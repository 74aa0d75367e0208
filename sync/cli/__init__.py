"""The command line: ``ordersync COMMAND``. Each command lives in its own module."""

from __future__ import annotations

from sync.cli.app import app
from sync.cli import demo as _demo  # noqa: F401
from sync.cli import setup as _setup  # noqa: F401  init, doctor

for _module in ("check", "status", "history", "digest", "service"):
    try:  # commands land one issue at a time; a module that does not exist yet adds nothing
        __import__(f"sync.cli.{_module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"sync.cli.{_module}":
            raise


def main() -> None:
    app()
