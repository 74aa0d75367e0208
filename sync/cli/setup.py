"""Getting started: ``init`` writes a config from workbooks, ``doctor`` verifies one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sync.cli.app import app
from sync.cli.common import ConfigOption, VerboseOption, open_session, user_errors
from sync.errors import UserError
from sync.i18n import say
from sync.register import load
from sync.scaffold import _ident, render_config
from sync.sources import open_path

console = Console()


@app.command()
@user_errors
def init(
    workbooks: Annotated[list[Path], typer.Argument(help="the register workbooks (.xlsx .xls .ods .csv)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="where to write the config")] = Path("config.toml"),
    lang: Annotated[str, typer.Option("--lang", help="zh or en")] = "zh",
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing config")] = False,
    verbose: VerboseOption = False,
) -> None:
    """Write config.toml inferred from workbooks: tables, header rows, columns. 根据工作簿生成配置。"""
    if output.exists() and not force:
        raise UserError(f"{output} exists; not overwriting it", hint="Use --force, or --output another file.")
    sources = [open_path(p, name=_ident(p.name)) for p in workbooks]
    register = load(sources)
    for problem in register.problems:
        console.print(f"[red]✗[/] {problem.message}", highlight=False)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_config(sources, register, lang=lang, base_dir=output.parent.resolve()),
                      encoding="utf-8")
    for name, table in register.tables.items():
        console.print(say("[green]✓[/] {t}: {where}，表头第 {h} 行，{n} 行数据，{c} 列已识别",
                          "[green]✓[/] {t}: {where}, header row {h}, {n} rows, {c} columns mapped", lang,
                          t=name, where=table.describe(), h=table.header_row, n=len(table), c=len(table.columns)),
                      highlight=False)
    for note in register.notes:
        console.print(f"[yellow]•[/] {note}", highlight=False)
    console.print(say("已写入 {p}", "wrote {p}", lang, p=output), highlight=False)
    if register.problems or not register.tables:
        raise typer.Exit(2)


@app.command()
@user_errors
def doctor(config: ConfigOption = None, verbose: VerboseOption = False) -> None:
    """Verify config, sources, columns, mail settings and state. 检查配置、数据源、列、邮件与状态。"""
    session = open_session(None, config, None, need_config=True)
    lang = session.lang
    register = session.register()
    ok = True
    for problem in register.problems:
        ok = False
        console.print(f"[red]✗[/] {problem.message}", highlight=False)
        if problem.hint:
            console.print(f"   {problem.hint}", highlight=False)
    for name, table in register.tables.items():
        console.print(say("[green]✓[/] {t}: {where}，{n} 行", "[green]✓[/] {t}: {where}, {n} rows", lang,
                          t=name, where=table.describe(), n=len(table)), highlight=False)
    for name in session.config.tables:
        if name not in register.tables:
            ok = False
            console.print(say("[red]✗[/] 未找到表 {t}", "[red]✗[/] table {t} not found", lang, t=name))
    for note in register.notes:
        console.print(f"[yellow]•[/] {note}", highlight=False)
    if not ok:
        raise typer.Exit(2)
