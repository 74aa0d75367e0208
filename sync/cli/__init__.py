"""The command line: ``ordersync COMMAND``. Each command lives in its own module."""

from __future__ import annotations

from sync.cli import check, demo, digest, history, service, setup, status  # noqa: F401  register the commands
from sync.cli.app import app


def main() -> None:
    app()
