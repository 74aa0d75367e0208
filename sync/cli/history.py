"""Reading the ledger, ``history`` and ``changes``: the options; the work is in ``sync.cli.ledger_view``."""

from __future__ import annotations

from typing import Annotated

import typer

from sync.cli.app import app
from sync.cli.common import Command, ConfigOption, FormatOption, LangOption
from sync.cli.help import both

@app.command(cls=Command, help=both("一个订单在各表中的变更记录。", "The change ledger of one order across all tabs."))
def history(
    order_no: Annotated[str, typer.Argument(metavar="ORDER_NO", help=both(
        "订单号，按任一表中的写法", "the order number, as written in any tab"))],
    format: FormatOption = "table",
    config: ConfigOption = None,
    lang: LangOption = None,
) -> None:
    from sync.cli.ledger_view import show_history

    show_history(order_no, format, config, lang)


@app.command(cls=Command, help=both("登记表最近的变更。", "Recent changes across the register."))
def changes(
    since: Annotated[str, typer.Option("--since", metavar="SPAN|DATE", help=both(
        "从多久以前：1d、2h、30m、1w，或日期如 2026-11-01",
        "how far back: 1d, 2h, 30m, 1w or a date like 2026-11-01"))] = "1d",
    table: Annotated[str | None, typer.Option("--table", "-t", metavar="TABLE", help=both(
        "只看这个表：orders、materials、production、qc、shipping、customers 或 people",
        "only this table: orders, materials, production, qc, shipping, customers or people"))] = None,
    format: FormatOption = "table",
    confirm: Annotated[str | None, typer.Option("--confirm", metavar="TABLE", help=both(
        "确认 TABLE 中缺失的行确实已删除（解除安全暂停）",
        "accept that TABLE's missing rows were really deleted (lifts the safety brake)"))] = None,
    config: ConfigOption = None,
    lang: LangOption = None,
) -> None:
    from sync.cli.ledger_view import show_changes

    show_changes(since, table, format, confirm, config, lang)
