"""The work of getting started: ``init`` writes a config from workbooks, asking about what is a guess.

``doctor``, which verifies a config, is in ``sync.cli.doctor_view``.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from sync import shipped
from sync.cli.common import EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_OK, mode, output_file
from sync.cli.progress import steps
from sync.errors import UserError
from sync.i18n import check_language, say
from sync.cli.questions import ask_all, can_ask
from sync.cli.session import sources_from_config
from sync.config import Config, load_config
from sync.tables.fields import TABLES
from sync.tables.reading import details, field_word, read_sources, workbook_language
from sync.tables.register import Register, load
from sync.tables.table import Table
from sync.tables.scaffold import Guess, _ident, guesses, render_config
from sync.sources import open_path

console = Console()


def run_init(workbooks: list[Path], output: Path, lang: str | None, force: bool) -> int:
    """Write config.toml inferred from workbooks, asking on a terminal about each table that is a guess.

    Exit 0: everything recognised (or confirmed); 1: some table is still a guess (written with comments
    saying so); 2: nothing to write (no table recognised, not even probably) or a workbook unreadable.
    """
    chatty = not mode().quiet
    if output.exists() and not output.is_dir() and not force:
        raise UserError(f"{output} exists; not overwriting it", hint="Use --force, or --output another file.")
    output_file(output)
    with steps(2) as step:
        step(say("读取 {n} 个工作簿", "reading {n} workbooks", lang or "zh", n=len(workbooks)))
        sources = [open_path(p, name=_ident(p.name)) for p in workbooks]
        register = load(sources)
        readings = read_sources(sources, register)
        lang = check_language(lang or workbook_language(readings) or "zh")
        guessed = guesses(sources, register, readings)
    if guessed and can_ask():
        ask_all(guessed, lang)
    output.parent.mkdir(parents=True, exist_ok=True)
    copied = copy_rules(output.parent)
    write = functools.partial(render_config, sources, register, lang=lang, base_dir=output.parent.resolve(),
                              guessed=guessed)
    output.write_text(write(), encoding="utf-8")
    config, again = _reread(output)
    if loose := _read_otherwise(config, again, register):
        output.write_text(write(loose=loose), encoding="utf-8")
        config, again = _reread(output)
    _say_init(register, guessed, lang, chatty)
    for name, found, read in _rows_lost(config, again, register):
        console.print(say("[yellow]![/] {t}：这些工作簿里有 {f} 行，按写出的 config.toml 只读到 {r} 行；请检查其 source 和 "
                          "sheets", "[yellow]![/] {t}: the workbooks hold {f} rows, the config.toml written reads {r}; "
                          "check its source and sheets", lang, t=name, f=found, r=read), highlight=False)
    console.print(say("已写入 {p}", "wrote {p}", lang, p=output), highlight=False)
    if copied and chatty:
        console.print(say("已复制内置规则包到 {p}（可按需修改）", "copied the shipped rule packs to {p} (edit them there)",
                          lang, p=copied), highlight=False)
    if register.problems or not (register.tables or guessed):
        return EXIT_CANNOT_RUN
    return EXIT_FINDINGS if any(not g.settled for g in guessed) else EXIT_OK


def _read_otherwise(config: Config, again: Register, register: Register) -> frozenset[str]:
    """The tables the written config (``again``: what it reads) reads with other columns than were found (a header
    over two rows or repeated under itself, pinned at its last row, shows other labels): their header row is left
    to be found."""
    return frozenset(name for name, table in register.tables.items()
                     if name in config.tables and (name not in again.tables or _columns(again.tables[name]) !=
                                                   _columns(table)))


def _rows_lost(config: Config, again: Register, register: Register) -> list[tuple[str, int, int]]:
    """(table, rows found, rows the written config reads) of each table the config reads fewer rows of than the
    workbooks hold: never a config that quietly leaves rows out."""
    return [(name, len(table), len(again.tables[name]) if name in again.tables else 0)
            for name, table in register.tables.items()
            if name in config.tables and len(again.tables[name] if name in again.tables else ()) < len(table)]


def _reread(config_path: Path) -> tuple[Config, Register]:
    """The written config, and what it reads."""
    config = load_config(config_path)
    return config, load(sources_from_config(config), config.tables, day_first=config.service.day_first)


def _columns(table: Table) -> dict[str, int]:
    return {f: c.index for f, c in table.columns.items()}


def _say_init(register: Register, guessed: list[Guess], lang: str, chatty: bool) -> None:
    """What was written: each sure table, each guess and what became of it, the problems and notes."""
    for problem in register.problems:
        console.print(f"[red]✗[/] {escape(problem.message)}", highlight=False)
    sure = {n: t for n, t in register.tables.items() if not any(g.name == n for g in guessed)}
    for name, table in sure.items() if chatty else ():
        console.print(say("[green]✓[/] {t}: {where}，表头第 {h} 行，{n} 行数据，{c} 列已识别",
                          "[green]✓[/] {t}: {where}, header row {h}, {n} rows, {c} columns mapped", lang,
                          t=name, where=escape(table.describe()), h=table.header_row, n=len(table),
                          c=len(table.columns)), highlight=False)
    for guess in guessed:
        console.print(_guess_line(guess, lang), highlight=False)
    for note in register.notes if chatty else ():
        console.print(f"[yellow]•[/] {escape(note)}", highlight=False)


def _guess_line(guess: Guess, lang: str) -> str:
    where = escape(f"{guess.source} › {guess.sheet}")
    if guess.settled:
        return say("[green]✓[/] {t}: {w}（已确认）", "[green]✓[/] {t}: {w} (confirmed)", lang, t=guess.name, w=where)
    if guess.dropped:
        return say("[yellow]?[/] {t}: {w} 是猜测，未启用：在 config.toml 中指定{k}列后取消注释",
                   "[yellow]?[/] {t}: {w} is a guess, written commented out: map its {k} in config.toml and "
                   "uncomment it", lang, t=guess.name, w=where, k=_key_name(guess, lang))
    return say("[yellow]?[/] {t}: {w} 的{k}是猜测（{why}），config.toml 中已注明",
               "[yellow]?[/] {t}: {w} is read on a guessed key ({why}); config.toml says so", lang,
               t=guess.name, w=where, k=_key_name(guess, lang), why=escape(details(guess.match, lang)))


def _key_name(guess: Guess, lang: str) -> str:
    spec = TABLES[guess.table]
    return field_word(spec, spec.key[0], lang)


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
