"""The command line: ``ordersync COMMAND``.

One thin module per command (check.py, status.py, ...) declares its options and
help and nothing heavy; the command's body imports the module that does the
work (report_view.py, progress_view.py, ...), so ``--help`` never loads pandas,
openpyxl or matplotlib.
"""

from __future__ import annotations

# imported in the order `ordersync --help` lists the commands
from sync.cli import demo, setup, check, status, history, digest, queue, service, web  # noqa: F401, I001  register them
from sync.cli.app import app

#: every command, as `ordersync --help` and README.md list them
COMMANDS = ("demo", "init", "doctor", "check", "status", "history", "changes", "digest", "queue", "run", "serve",
            "ack", "snooze", "decide")


def main() -> None:
    app()
