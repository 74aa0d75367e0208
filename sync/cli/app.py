"""The typer application every command registers on (its own --lang and --version: ``common.Group``)."""

from __future__ import annotations

import typer

from sync.cli.common import Group
from sync.cli.help import both

app = typer.Typer(
    name="ordersync",
    cls=Group,
    help=both("ordersync：检查订单登记表，记住每一次变更，把需要处理的事项发给每个人。",
              "ordersync: checks order-register workbooks, remembers every change, "
              "mails each person what needs them."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,   # click's plain help: no rich import, so `--help` is instant
)
