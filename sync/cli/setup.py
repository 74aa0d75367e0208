"""Getting started: ``init`` writes a config from workbooks, ``doctor`` verifies one."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from sync import shipped
from sync.cli.app import app
from sync.cli.common import ConfigOption, VerboseOption, open_session, user_errors
from sync.config import Config
from sync.errors import ConfigError, UserError
from sync.i18n import say
from sync.checks.pipeline import rules_for
from sync.tables.register import load
from sync.tables.scaffold import _ident, render_config
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
        console.print(f"[red]✗[/] {escape(problem.message)}", highlight=False)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_config(sources, register, lang=lang, base_dir=output.parent.resolve()),
                      encoding="utf-8")
    copied = copy_rules(output.parent)
    for name, table in register.tables.items():
        console.print(say("[green]✓[/] {t}: {where}，表头第 {h} 行，{n} 行数据，{c} 列已识别",
                          "[green]✓[/] {t}: {where}, header row {h}, {n} rows, {c} columns mapped", lang,
                          t=name, where=table.describe(), h=table.header_row, n=len(table), c=len(table.columns)),
                      highlight=False)
    for note in register.notes:
        console.print(f"[yellow]•[/] {escape(note)}", highlight=False)
    console.print(say("已写入 {p}", "wrote {p}", lang, p=output), highlight=False)
    if copied:
        console.print(say("已复制内置规则包到 {p}（可按需修改）", "copied the shipped rule packs to {p} (edit them there)",
                          lang, p=copied), highlight=False)
    if register.problems or not register.tables:
        raise typer.Exit(2)


def copy_rules(folder: Path) -> Path | None:
    """The written config names ``[rules] paths = ["rules"]``: without that folder, a copy of the shipped packs.

    Users edit the rule packs (DESIGN.md); when ordersync is installed from a
    wheel, this copy is the one they can see and edit. An existing folder is
    the user's and is left alone.
    """
    target = folder / "rules"
    if target.exists():
        return None
    shutil.copytree(shipped.folder("rules"), target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


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
        console.print(f"[red]✗[/] {escape(problem.message)}", highlight=False)
        if problem.hint:
            console.print(f"   {escape(problem.hint)}", highlight=False)
    for name, table in register.tables.items():
        console.print(say("[green]✓[/] {t}: {where}，{n} 行", "[green]✓[/] {t}: {where}, {n} rows", lang,
                          t=name, where=table.describe(), n=len(table)), highlight=False)
    for name in session.config.tables:
        if name not in register.tables:
            ok = False
            console.print(say("[red]✗[/] 未找到表 {t}", "[red]✗[/] table {t} not found", lang, t=name))
    for note in register.notes:
        console.print(f"[yellow]•[/] {escape(note)}", highlight=False)
    ok = _rules_load(session.config, lang) and ok
    if not ok:
        raise typer.Exit(2)


def _rules_load(config: Config | None, lang: str) -> bool:
    """Every rule pack the config names loads: a missing folder or a typo shows here, not at the first check."""
    try:
        rules = rules_for(config)
    except ConfigError as exc:
        console.print(f"[red]✗[/] {escape(str(exc))}", highlight=False)
        if exc.hint:
            console.print(f"   {escape(exc.hint)}", highlight=False)
        return False
    console.print(say("[green]✓[/] 规则：{n} 条", "[green]✓[/] rules: {n} enabled", lang, n=len(rules)), highlight=False)
    return True
