"""Getting started, ``init`` and ``doctor``: the options; the work is in ``sync.cli.getting_started``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sync.cli.app import app
from sync.cli.common import Command, ConfigOption, LangOption
from sync.cli.help import both


@app.command(cls=Command, help=both("根据工作簿生成 config.toml：识别出的表、表头行和列。",
                                    "Write config.toml inferred from workbooks: tables, header rows, columns."))
def init(
    workbooks: Annotated[list[Path], typer.Argument(metavar="WORKBOOK", help=both(
        "登记表工作簿（.xlsx .xls .ods .csv）", "the register workbooks (.xlsx .xls .ods .csv)"))],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", help=both(
        "配置写到哪里", "where to write the config"))] = Path("config.toml"),
    lang: LangOption = None,
    force: Annotated[bool, typer.Option("--force", help=both("覆盖已有的配置", "overwrite an existing config"))] = False,
) -> None:
    from sync.cli.getting_started import run_init
    from sync.i18n import check_language

    raise typer.Exit(run_init(workbooks, output, check_language(lang or "zh"), force))


@app.command(cls=Command, help=both("检查配置、数据源、列、规则与状态是否就绪。",
                                    "Verify config, sources, columns, rules and state."))
def doctor(config: ConfigOption = None, lang: LangOption = None) -> None:
    from sync.cli.getting_started import run_doctor

    raise typer.Exit(run_doctor(config, lang))
