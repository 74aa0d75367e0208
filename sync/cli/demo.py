"""``ordersync demo``: the options; the work is in ``sync.cli.demo_tour``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sync.cli.app import app
from sync.cli.common import Command, LangOption
from sync.cli.help import both


@app.command(cls=Command, help=both("生成演示登记表和配置，运行一遍，展示结果。",
                                    "Make a demo register + config, run one cycle, show the results."))
def demo(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help=both(
        "演示文件写到哪个文件夹（默认：demo）", "the folder to write the demo to (default: demo)"))] = Path("demo"),
    lang: LangOption = None,
    orders: Annotated[int, typer.Option("--orders", metavar="N", min=60, help=both(
        "订单数量（至少 60：每种录入错误都要埋入）", "how many orders (at least 60: one of every seeded mistake)"))] = 300,
) -> None:
    from sync.cli.demo_tour import run_demo

    run_demo(folder, lang or "zh", orders)
