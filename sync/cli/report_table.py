"""The findings of ``ordersync check`` as people read them: grouped by sheet, on a terminal or in a file.

Kept apart from ``sync.cli.report_view`` so that ``check --format json`` never loads rich.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text as RichText

from sync.cli.verdicts import print_nothing_recognised, print_unread
from sync.findings import ERROR, INFO, WARNING, Finding, Report
from sync.i18n import say
from sync.tables.fields import TABLES
from sync.tables.reading import SheetReading
from sync.tables.register import Register

_MARK = {ERROR: ("✗", "bold red"), WARNING: ("!", "yellow"), INFO: ("·", "dim")}


def sheets_view(console: Console, register: Register, readings: list[SheetReading], lang: str,
                labels: dict[str, str], workbooks: list[Path] | None, configured: bool = False) -> None:
    """After the findings: nothing recognised (each sheet, what it looks like), or the sheets left unread."""
    if register.tables:   # tables a config names were said by a person: their keys are not guesses
        print_unread(console, readings, lang, labels, guessed=not configured)
    else:
        print_nothing_recognised(console, readings, lang, labels, workbooks)


def wrote(path: Path, lang: str, after: Callable[[Console], None]) -> None:
    """Says on stderr where the findings workbook went; then ``after`` on the same console."""
    err = Console(stderr=True, highlight=False)
    err.print(say("已写入 {p}", "wrote {p}", lang, p=path))
    after(err)


def table_view(report: Report, shown: Report, limit: int | None, lang: str, output: Path | None,
               labels: dict[str, str], after: Callable[[Console], None], *, guessed: bool = False) -> None:
    """Findings grouped by sheet, readable on an 80-column terminal; then ``after`` on the same console.
    ``guessed``: some table was read on a guessed key (``after`` says which), so nothing found is no all-clear."""
    if output is None:
        console = Console(highlight=False)
        _render(console, report, lang, labels, shown=shown, limit=limit, guessed=guessed)
        after(console)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as fh:
        console = Console(file=fh, width=100, no_color=True, highlight=False)
        _render(console, report, lang, labels, shown=shown, limit=limit, guessed=guessed)
        after(console)


def _render(console: Console, report: Report, lang: str, labels: dict[str, str], *, shown: Report | None = None,
            limit: int | None = None, guessed: bool = False) -> None:
    """``shown`` (default: all of ``report``) grouped by sheet, its first ``limit``; the summary counts ``report``."""
    def where(f: Finding) -> tuple[str, str]:
        return labels.get(f.source or "", f.source or ""), f.sheet or ""

    chosen = (shown or report).findings
    rank = {name: i for i, name in enumerate(TABLES)}  # orders first, then the tabs in flow order
    findings = sorted(chosen, key=lambda f: (where(f)[0], rank.get(f.table or "", 99), where(f)[1],
                                             f.row or 0, f.sort_key))[:limit]
    for (source, sheet), group in groupby(findings, key=where):
        rows = list(group)
        title = f"{sheet or source} ({source})" if sheet and source and sheet != source else (sheet or source)
        console.print()
        console.print(RichText(title, style="bold"), _counts(rows, lang))
        console.print(_sheet_table(rows))
    if not report.tables and not report.findings:
        return   # nothing was read: what each sheet looks like is said next, never "no problems"
    console.print()
    if len(findings) < len(chosen):
        console.print(RichText(say("……另有 {m} 条未显示（--limit {n}）", "... and {m} more not shown (--limit {n})",
                                   lang, m=len(chosen) - len(findings), n=limit), style="dim"))
    if len(findings) < len(report.findings):
        console.print(RichText(say("显示 {k} 条，共 {t} 条", "showing {k} of {t} findings", lang,
                                   k=len(findings), t=len(report.findings)), style="dim"))
    console.print(_summary(report, lang, guessed))


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


def _summary(report: Report, lang: str, guessed: bool = False) -> RichText:
    e, w = report.count(ERROR), report.count(WARNING)
    rows = sum(report.tables.values())
    if not report.findings and guessed:   # nothing found on a reading that may be wrong is no all-clear
        return RichText(say("? {t} 张表 {n} 行，有的表按猜测的键读取：未发现问题，请确认下面的猜测",
                            "? {t} tables, {n} rows, some read on a guessed key: nothing found; confirm the guesses "
                            "below", lang, t=len(report.tables), n=rows), style="yellow")
    if not report.findings:
        return RichText(say("✓ {t} 张表 {n} 行，没有发现问题", "✓ {t} tables, {n} rows: no problems found", lang,
                            t=len(report.tables), n=rows), style="green")
    style = "bold red" if e else "yellow"
    return RichText(say("{t} 张表 {n} 行：{e} 个错误，{w} 个警告", "{t} tables, {n} rows: {e} errors, {w} warnings",
                        lang, t=len(report.tables), n=rows, e=e, w=w), style=style)
