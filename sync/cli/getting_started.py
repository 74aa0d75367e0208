"""The work of getting started: ``init`` writes a config from workbooks, ``doctor`` verifies one."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from sync import shipped
from sync.cli.common import EXIT_CANNOT_RUN, EXIT_OK, mode
from sync.cli.progress import steps
from sync.cli.session import open_session
from sync.config import Config
from sync.errors import ConfigError, UserError
from sync.i18n import say
from sync.checks.pipeline import rules_for
from sync.tables.register import load
from sync.tables.scaffold import _ident, render_config
from sync.sources import open_path

console = Console()


def run_init(workbooks: list[Path], output: Path, lang: str, force: bool) -> int:
    """Write config.toml inferred from workbooks; exit 2 when nothing or not everything was recognised."""
    chatty = not mode().quiet
    if output.exists() and not force:
        raise UserError(f"{output} exists; not overwriting it", hint="Use --force, or --output another file.")
    with steps(2) as step:
        step(say("读取 {n} 个工作簿", "reading {n} workbooks", lang, n=len(workbooks)))
        sources = [open_path(p, name=_ident(p.name)) for p in workbooks]
        register = load(sources)
        step(say("写出配置", "writing the config", lang))
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render_config(sources, register, lang=lang, base_dir=output.parent.resolve()),
                          encoding="utf-8")
        copied = copy_rules(output.parent)
    for problem in register.problems:
        console.print(f"[red]✗[/] {escape(problem.message)}", highlight=False)
    for name, table in register.tables.items() if chatty else ():
        console.print(say("[green]✓[/] {t}: {where}，表头第 {h} 行，{n} 行数据，{c} 列已识别",
                          "[green]✓[/] {t}: {where}, header row {h}, {n} rows, {c} columns mapped", lang,
                          t=name, where=table.describe(), h=table.header_row, n=len(table), c=len(table.columns)),
                      highlight=False)
    for note in register.notes if chatty else ():
        console.print(f"[yellow]•[/] {escape(note)}", highlight=False)
    console.print(say("已写入 {p}", "wrote {p}", lang, p=output), highlight=False)
    if copied and chatty:
        console.print(say("已复制内置规则包到 {p}（可按需修改）", "copied the shipped rule packs to {p} (edit them there)",
                          lang, p=copied), highlight=False)
    return EXIT_CANNOT_RUN if register.problems or not register.tables else EXIT_OK


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


def run_doctor(config: Path | None, lang: str | None) -> int:
    """Verify config, sources, columns, rules; exit 2 when anything is wrong."""
    session = open_session(None, config, lang, need_config=True)
    chatty = not mode().quiet
    lang = session.lang
    register = session.register()
    ok = True
    for problem in register.problems:
        ok = False
        console.print(f"[red]✗[/] {escape(problem.message)}", highlight=False)
        if problem.hint:
            console.print(f"   {escape(problem.hint)}", highlight=False)
    for name, table in register.tables.items() if chatty else ():
        console.print(say("[green]✓[/] {t}: {where}，{n} 行", "[green]✓[/] {t}: {where}, {n} rows", lang,
                          t=name, where=table.describe(), n=len(table)), highlight=False)
    for name in session.config.tables:
        if name not in register.tables:
            ok = False
            console.print(say("[red]✗[/] 未找到表 {t}", "[red]✗[/] table {t} not found", lang, t=name))
    for note in register.notes if chatty else ():
        console.print(f"[yellow]•[/] {escape(note)}", highlight=False)
    ok = _rules_load(session.config, lang, chatty) and ok
    return EXIT_OK if ok else EXIT_CANNOT_RUN


def _rules_load(config: Config | None, lang: str, chatty: bool) -> bool:
    """Every rule pack the config names loads: a missing folder or a typo shows here, not at the first check."""
    try:
        rules = rules_for(config)
    except ConfigError as exc:
        console.print(f"[red]✗[/] {escape(str(exc))}", highlight=False)
        if exc.hint:
            console.print(f"   {escape(exc.hint)}", highlight=False)
        return False
    if chatty:
        console.print(say("[green]✓[/] 规则：{n} 条", "[green]✓[/] rules: {n} enabled", lang, n=len(rules)),
                      highlight=False)
    return True
