"""The work of ``ordersync doctor``: verify config, sources, tables, columns and rules, all problems at once.

Exit 2: it cannot run (a workbook unreadable, a rule pack missing). Exit 1: it
runs but a table is wrong: a configured table not found, a table that maps no
column identifying its rows, a ``[tables.X.columns]`` entry naming a header (or
letter) the sheet does not have, or no table read at all; or one of the checks
in ``sync.cli.doctor_checks`` (mail, state, recipients, times, templates,
watching) found what ``run`` would fail on later. Each problem is said with
what to do, so the fix is plain; none hides another.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from sync.checks.pipeline import rules_for
from sync.cli.doctor_google import check_google
from sync.cli.common import EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_OK, mode
from sync.cli.doctor_checks import Doctor, run_checks
from sync.cli.doctor_feedback import feedback_problems
from sync.cli.session import open_session
from sync.config import Config, TableConfig
from sync.errors import ConfigError, OrdersyncError
from sync.i18n import check_language, say
from sync.tables.detect import identity
from sync.tables.fields import TABLES, header_key
from sync.tables.reading import SheetReading, describe, field_word, read_sources
from sync.tables.register import Register
from sync.tables.table import Table

console = Console()


def run_doctor(config: Path | None, lang: str | None, send_test: bool = False) -> int:
    """Verify config, sources, columns, rules, channels, mail, state, recipients, times, templates, watching; say
    every problem; exit 2 cannot run, 1 something is wrong. ``send_test``: one test message to each channel and
    mail recipient."""
    session = open_session(None, config, lang, need_config=True)
    chatty = not mode().quiet
    register = session.register()
    missing = [n for n in session.config.tables if n not in register.tables]
    readings = read_sources(session.sources, register, others=bool(missing) or not register.tables)
    lang = check_language(session.speaking(readings))
    broken = _say_problems(register, lang)
    for name, table in register.tables.items() if chatty else ():
        console.print(say("[green]✓[/] {t}: {where}，{n} 行", "[green]✓[/] {t}: {where}, {n} rows", lang,
                          t=name, where=escape(table.describe()), n=len(table)), highlight=False)
    wrong: list[list[str]] = [*(_not_found(n, session.config.tables[n], readings, lang) for n in missing),
             *(p for n, cfg in session.config.tables.items() if n in register.tables
               for p in table_problems(n, cfg, register.tables[n], lang))]
    if not register.tables and not missing and not register.problems:
        wrong.append(_nothing_read(readings, lang))
    wrong += feedback_problems(session.config, session.sources, lang)
    for first, *more in wrong:   # plain text: config sections like [tables.orders] are not markup
        console.print(f"[red]✗[/] {escape(first)}", highlight=False, soft_wrap=True)
        for line in more:
            console.print(f"   {escape(line)}", highlight=False, soft_wrap=True)
    for note in register.notes if chatty else ():
        console.print(f"[yellow]•[/] {escape(note)}", highlight=False)
    broken = not _rules_load(session.config, lang, chatty) or broken
    broken = not check_google(session.sources, lang, console, chatty) or broken
    failing = _other_checks(Doctor(session.config, register, lang, send_test), chatty)
    undelivered = False
    if session.config.channels or send_test:     # group bots and mail: sync.cli.doctor_channels
        from sync.cli.doctor_channels import check_delivery

        try:
            undelivered = not check_delivery(session.config, register, lang, send_test=send_test, chatty=chatty)
        except OrdersyncError as exc:            # a state that does not open: check_state has said why
            undelivered = True
            console.print(f"[red]✗[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return EXIT_CANNOT_RUN if broken else EXIT_FINDINGS if wrong or failing or undelivered else EXIT_OK


def _other_checks(doctor: Doctor, chatty: bool) -> bool:
    """Mail, state, recipients, times, templates, watching: each verdict said; True when any found a problem."""
    failing = False
    for verdict in run_checks(doctor):
        for line in verdict.ok if chatty else ():
            console.print(f"[green]✓[/] {escape(line)}", highlight=False, soft_wrap=True)
        for first, *more in verdict.problems:
            failing = True
            console.print(f"[red]✗[/] {escape(first)}", highlight=False, soft_wrap=True)
            for line in more:
                console.print(f"   {escape(line)}", highlight=False, soft_wrap=True)
    return failing


def _say_problems(register: Register, lang: str) -> bool:
    for problem in register.problems:
        console.print(f"[red]✗[/] {escape(problem.message)}", highlight=False)
        if problem.hint:
            console.print(f"   {escape(problem.hint)}", highlight=False)
    return bool(register.problems)


def table_problems(name: str, cfg: TableConfig, table: Table, lang: str) -> list[list[str]]:
    """What is wrong with a configured table that was read: its columns entries, its key (each problem
    its lines of plain text)."""
    out = [[_column_problem(name, field, ref, table, lang)] for field, ref in cfg.columns.items()]
    spec = TABLES[table.kind]
    # a plan's key is found from its rows (a guess ``check`` says as one); anything else names its key column
    if not table.key and identity(spec, {f: (c.index, 3.0) for f, c in table.columns.items()}) is None:
        key = spec.key[0]
        out.append([say("[tables.{t}]：{where} 没有能区分各行的列（{k}）：在 [tables.{t}.columns] 写 "
                       "{k} = \"列字母或表头\"",
                       "[tables.{t}]: {where} maps no column that identifies a row ({k}): set "
                       "{k} = \"LETTER or header\" under [tables.{t}.columns]", lang,
                       t=name, where=table.describe(), k=key)])
    return [p for p in out if p[0]]


def _column_problem(name: str, field: str, ref: str, table: Table, lang: str) -> str:
    """'' when ``field = ref`` took effect: the table maps the field at that letter or under that header."""
    spec = TABLES[table.kind]
    if field not in spec.fields:
        return say("[tables.{t}.columns] {f}：{t} 表没有这个字段（有：{known}）",
                   "[tables.{t}.columns] {f}: not a field of {t} (fields: {known})", lang,
                   t=name, f=field, known=", ".join(spec.fields))
    col = table.columns.get(field)
    if col is not None and (col.letter == ref.strip().upper() or header_key(col.header) == header_key(ref)):
        return ""
    headers = [c.header for c in sorted(table.columns.values(), key=lambda c: c.index)] + table.unmapped
    return say("[tables.{t}.columns] {f} = \"{r}\"：{where} 第 {h} 行表头里没有这一列（表头：{heads}）",
               "[tables.{t}.columns] {f} = \"{r}\": no such column in the header of {where} (row {h}; "
               "headers: {heads})", lang, t=name, f=field, r=ref, where=table.describe(),
               h=table.header_row, heads=_shorten(", ".join(h for h in headers if h)))


def _shorten(text: str, width: int = 300) -> str:
    return text if len(text) <= width else text[:width].rsplit(", ", 1)[0] + ", …"


def _not_found(name: str, cfg: TableConfig, readings: list[SheetReading], lang: str) -> list[str]:
    """A configured table not found, with what its sheet (or every sheet of its source) looks like."""
    named = [r for r in readings if _names(cfg, r.sheet)] or readings
    lines = [say("未找到表 {t}", "table {t} not found", lang, t=name)]
    lines += [f"{r.sheet}: {describe(r, lang)}" for r in named]
    kind = cfg.kind or name
    spec = TABLES[kind]
    if any(r.match and r.match.table == kind and spec.key[0] in r.match.missing for r in named):
        lines.append(say("在 [tables.{t}] 写 header_row，并在 [tables.{t}.columns] 写 {k} = \"列字母\"",
                         "set header_row under [tables.{t}] and {k} = \"LETTER\" under [tables.{t}.columns]",
                         lang, t=name, k=field_word(spec, spec.key[0], "en") if lang == "en" else spec.key[0]))
    return lines


def _names(cfg: TableConfig, sheet: str) -> bool:
    if cfg.sheet is not None:
        return cfg.sheet == sheet
    return any(fnmatchcase(sheet, p) for p in cfg.sheets or [])


def _nothing_read(readings: list[SheetReading], lang: str) -> list[str]:
    return [say("没有认出任何表：", "no table recognised:", lang), *(f"{r.sheet}: {describe(r, lang)}" for r in readings)]


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
