"""The command line: ``ordersync COMMAND``.

``sync/cli/commands/`` declares each command (its options and help, nothing
heavy); the command's body imports the module that does the work, so ``--help``
never loads pandas, openpyxl or matplotlib.
"""

from __future__ import annotations

from sync.cli import commands  # noqa: F401  register the commands
from sync.cli.app import app


def main() -> None:
    app()
