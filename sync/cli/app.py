"""The typer application every command registers on, and its own options (--version, --lang)."""

from __future__ import annotations

from typing import Annotated

import typer

from sync import __version__
from sync.cli.common import GROUP_LANG, Group, LangOption
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


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"ordersync {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    lang: LangOption = None,
    version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_show_version,
                                          help=both("显示版本并退出", "show the version and exit"))] = False,
) -> None:
    ctx.meta[GROUP_LANG] = lang
