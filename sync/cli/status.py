"""``ordersync status``: the options; the work is in ``sync.cli.progress_view``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sync.cli.app import app
from sync.cli.common import Command, ConfigOption, LangOption, setup_logging
from sync.cli.help import both
from sync.errors import UserError


@app.command(cls=Command, help=both("每个订单的进度、预计完成与延期风险；给出订单号则显示时间线。",
                                    "Per-order progress, projected finish and risk; one order's timeline."))
def status(
    targets: Annotated[list[str] | None, typer.Argument(
        metavar="[ORDER_NO] [WORKBOOK]...", show_default=False, help=both(
            "订单号（显示其时间线）和/或工作簿路径（默认：配置文件中的数据源）",
            "an order number for its timeline, and/or workbook paths (default: the config's sources)"))] = None,
    follower: Annotated[str | None, typer.Option("--follower", metavar="NAME", help=both(
        "只看这个跟单员的订单", "only this follower's orders"))] = None,
    at_risk: Annotated[bool, typer.Option("--at-risk", help=both(
        "只看有延期风险的订单", "only orders at risk of being late"))] = False,
    show_all: Annotated[bool, typer.Option("--all", help=both(
        "包括已关闭和已发货的订单", "closed and shipped orders too"))] = False,
    fmt: Annotated[str, typer.Option("--format", metavar="table|json", help=both(
        "输出格式：table 或 json", "table or json"))] = "table",
    service: Annotated[bool, typer.Option("--service", help=both(
        "运行中的服务：各数据源、邮件队列、下次摘要", "the running service: sources, mail queue, next digests"))] = False,
    config: ConfigOption = None,
    lang: LangOption = None,
    today: Annotated[str | None, typer.Option("--today", hidden=True, help="pretend today is YYYY-MM-DD")] = None,
) -> None:
    from sync.cli.session import open_session   # the config and the sources: nothing heavy yet

    setup_logging()
    if fmt not in ("table", "json"):
        raise UserError(f"--format {fmt}: expected table or json")
    if service:
        from sync.cli.service_status import show_service

        show_service(config, lang, fmt)
        return
    order_no, workbooks = split_targets(targets or [])
    session = open_session(workbooks, config, lang)
    session.read_ahead()   # the biggest sheets parse while the order model is imported
    from sync.cli.progress_view import run_status

    run_status(session, order_no, follower, at_risk, show_all, fmt, today)


#: what a workbook's path ends in (an argument that is no file and ends otherwise is an order number)
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv"}


def split_targets(targets: list[str]) -> tuple[str | None, list[Path]]:
    """Workbooks are the arguments that name files; at most one other argument, the order number."""
    workbooks = [Path(t) for t in targets if Path(t).suffix.lower() in WORKBOOK_SUFFIXES or Path(t).is_file()]
    others = [t for t in targets if Path(t) not in workbooks]
    if len(others) > 1:
        raise UserError(f"one order number at a time, got: {', '.join(others)}",
                        hint="Workbook paths end in .xlsx, .xls, .ods or .csv.")
    return (others[0] if others else None), workbooks
