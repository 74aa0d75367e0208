"""``ordersync check``: one read-only pass, findings as a table, JSON or a workbook.

Exit status: 0 no errors, 1 errors found, 2 cannot run (bad config, unreadable file).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import Enum
from itertools import groupby
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text as RichText

from sync.cli.app import app
from sync.cli.common import (EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_OK, ConfigOption, LangOption, VerboseOption,
                             open_session, setup_logging, user_errors)
from sync.errors import UserError
from sync.tables.fields import TABLES
from sync.findings import ERROR, INFO, WARNING, Finding, Report
from sync.i18n import check_language, say
from sync.checks.pipeline import check_register
from sync.notices.report_xlsx import write_report

_MARK = {ERROR: ("✗", "bold red"), WARNING: ("!", "yellow"), INFO: ("·", "dim")}


class Format(str, Enum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


@app.command()
@user_errors
def check(
    workbooks: Annotated[list[Path] | None, typer.Argument(help="workbooks to check (default: the config's sources)")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table, json or xlsx")] = Format.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write to this file instead of the screen")] = None,
    config: ConfigOption = None,
    lang: LangOption = None,
    today: Annotated[str | None, typer.Option("--today", hidden=True, help="pretend today is YYYY-MM-DD")] = None,
    verbose: VerboseOption = False,
) -> None:
    """Check the register once and list what is wrong, cell by cell. 检查登记表，逐格列出问题。"""
    setup_logging(verbose)
    session = open_session(workbooks, config, lang)
    language = check_language(session.lang)
    register = session.register()
    report = check_register(register, session.config, lang=language, today=_date(today))
    locations = {s.name: s.location for s in session.sources}
    if format is Format.json:
        _emit(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n", output)
    elif format is Format.xlsx:
        path = write_report(report, output or Path("ordersync-findings.xlsx"), lang=language, locations=locations)
        Console(stderr=True).print(say("已写入 {p}", "wrote {p}", language, p=path), highlight=False)
    else:
        _table_view(report, language, output, _labels(session.sources))
    if register.problems:
        raise typer.Exit(EXIT_CANNOT_RUN)
    raise typer.Exit(EXIT_FINDINGS if report.count(ERROR) else EXIT_OK)


def _date(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--today {text!r} is not a date like 2026-05-20") from None


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")


def _labels(sources: list) -> dict[str, str]:
    """Findings name their workbook by source name or by location: both show as the file name."""
    out = {}
    for s in sources:
        label = Path(s.location).name if "://" not in s.location else s.name
        out[s.name] = out[s.location] = label
    return out


def _table_view(report: Report, lang: str, output: Path | None, labels: dict[str, str]) -> None:
    """Findings grouped by sheet; readable on an 80-column terminal."""
    if output is None:
        _render(Console(highlight=False), report, lang, labels)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as fh:
        _render(Console(file=fh, width=100, no_color=True, highlight=False), report, lang, labels)


def _render(console: Console, report: Report, lang: str, labels: dict[str, str]) -> None:
    def where(f: Finding) -> tuple[str, str]:
        return labels.get(f.source or "", f.source or ""), f.sheet or ""

    rank = {name: i for i, name in enumerate(TABLES)}  # orders first, then the tabs in flow order
    findings = sorted(report.findings, key=lambda f: (where(f)[0], rank.get(f.table or "", 99), where(f)[1],
                                                      f.row or 0, f.sort_key))
    for (source, sheet), group in groupby(findings, key=where):
        rows = list(group)
        title = f"{sheet or source} ({source})" if sheet and source and sheet != source else (sheet or source)
        console.print()
        console.print(RichText(title, style="bold"), _counts(rows, lang))
        console.print(_sheet_table(rows))
    console.print()
    console.print(_summary(report, lang))


def _sheet_table(rows: list[Finding]) -> RichTable:
    table = RichTable(box=box.SIMPLE_HEAD, show_header=False, pad_edge=False, expand=False)
    table.add_column(no_wrap=True, width=1)
    table.add_column(no_wrap=True, style="cyan")
    table.add_column(no_wrap=True, style="dim", max_width=14)
    table.add_column(ratio=1, overflow="fold")
    for f in rows:
        mark, style = _MARK[f.severity]
        text = RichText(f.message)
        if f.hint:
            text.append("\n" + f.hint, style="dim")
        table.add_row(RichText(mark, style=style), f.cell or "", f.order_no or "", text)
    return table


def _counts(rows: list[Finding], lang: str) -> RichText:
    e = sum(f.severity == ERROR for f in rows)
    w = sum(f.severity == WARNING for f in rows)
    return RichText(say("— {e} 个错误，{w} 个警告", "— {e} errors, {w} warnings", lang, e=e, w=w), style="dim")


def _summary(report: Report, lang: str) -> RichText:
    e, w = report.count(ERROR), report.count(WARNING)
    rows = sum(report.tables.values())
    if not report.findings:
        return RichText(say("✓ {t} 张表 {n} 行，没有发现问题", "✓ {t} tables, {n} rows: no problems found", lang,
                            t=len(report.tables), n=rows), style="green")
    style = "bold red" if e else "yellow"
    return RichText(say("{t} 张表 {n} 行：{e} 个错误，{w} 个警告", "{t} tables, {n} rows: {e} errors, {w} warnings",
                        lang, t=len(report.tables), n=rows, e=e, w=w), style=style)
