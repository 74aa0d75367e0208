"""The typer application every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="ordersync",
    help="ordersync: checks order-register workbooks, remembers every change, mails each person what needs them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
