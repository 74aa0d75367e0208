"""One thin module per command: options and help only; the work is imported when the command runs."""

from __future__ import annotations

# imported in the order `ordersync --help` lists the commands
from sync.cli.commands import demo, setup, check, status, history, digest, service  # noqa: F401, I001
