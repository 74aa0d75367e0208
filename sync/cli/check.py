"""``ordersync check``: the options; the work is in ``sync.cli.report_view``."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from sync.cli.app import app
from sync.cli.common import Command, ConfigOption, LangOption, output_file, setup_logging
from sync.cli.help import both


class Format(str, Enum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


@app.command(cls=Command, help=both(
    """检查登记表一遍（只读），逐格列出问题。

    退出码：0 没有错误，1 发现错误，2 无法运行（配置、路径、文件不可读）。退出码反映检查到的全部内容：
    --errors-only、--follower、--limit 只影响显示，被筛掉的错误仍然使退出码为 1。""",
    """Check the register once (read-only) and list what is wrong, cell by cell.

    Exit status: 0 no errors, 1 errors found, 2 cannot run (config, paths, unreadable input). The exit
    status reflects everything checked: --errors-only, --follower and --limit only change what is shown,
    so errors filtered out of the display still exit 1."""))
def check(
    workbooks: Annotated[list[Path] | None, typer.Argument(
        metavar="WORKBOOK", show_default=False,
        help=both("要检查的工作簿（默认：配置文件中的数据源）", "workbooks to check (default: the config's sources)"))] = None,
    format: Annotated[Format, typer.Option("--format", "-f", metavar="table|json|xlsx", help=both(
        "输出格式：table、json 或 xlsx", "table, json or xlsx"))] = Format.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", help=both(
        "写入此文件而不是屏幕", "write to this file instead of the screen"))] = None,
    errors_only: Annotated[bool, typer.Option("--errors-only", help=both(
        "只显示错误（不显示警告和提示）", "show errors only (no warnings or info)"))] = False,
    follower: Annotated[str | None, typer.Option("--follower", metavar="NAME", help=both(
        "只显示此跟单员所跟订单的问题（按订单表的跟单员列；不属于任何订单的问题不显示）",
        "only findings on orders followed by NAME (the orders tab's follower column; "
        "findings on no order are left out)"))] = None,
    limit: Annotated[int | None, typer.Option("--limit", metavar="N", min=1, help=both(
        "最多显示 N 条；汇总数字仍然完整", "show at most N findings; the summary still counts them all"))] = None,
    config: ConfigOption = None,
    lang: LangOption = None,
    today: Annotated[str | None, typer.Option("--today", hidden=True, help="pretend today is YYYY-MM-DD")] = None,
) -> None:
    from sync.cli.session import open_session   # the config and the sources: nothing heavy yet

    setup_logging()
    output = output_file(output)
    session = open_session(workbooks, config, lang)
    session.read_ahead()   # the biggest sheets parse while the checks are imported
    from sync.cli.report_view import Selection, run_check

    selection = Selection(errors_only=errors_only, follower=follower, limit=limit)
    raise typer.Exit(run_check(session, workbooks, format.value, output, selection, today))
