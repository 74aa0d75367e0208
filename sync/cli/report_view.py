"""The work of ``ordersync check``: one read-only pass, findings as a table, JSON or a workbook.

Exit status: 0 no errors, 1 errors found, 2 cannot run (bad config, unreadable file).
What --errors-only, --follower and --limit leave out of the display still counts
for the exit status: the status says what was checked, not what was shown.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from collections.abc import Callable
from itertools import groupby
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text as RichText

from sync.calendar import local_now
from sync.checks.pipeline import check_register
from sync.cli.common import EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_OK, output_file, setup_logging
from sync.cli.progress import steps
from sync.cli.session import open_session
from sync.cli.verdicts import print_nothing_recognised, print_unread
from sync.findings import ERROR, INFO, WARNING, Finding, Report
from sync.i18n import check_language, say
from sync.tables.fields import TABLES
from sync.tables.normalize import fold_text, normalise_key
from sync.tables.reading import SheetReading, read_sources
from sync.tables.register import Register

_MARK = {ERROR: ("✗", "bold red"), WARNING: ("!", "yellow"), INFO: ("·", "dim")}


@dataclass(frozen=True)
class Selection:
    """What the user asked to see; the check itself and the exit status ignore it."""

    errors_only: bool = False
    follower: str | None = None
    limit: int | None = None

    @property
    def active(self) -> bool:
        return self.errors_only or self.follower is not None or self.limit is not None

    def pick(self, findings: list[Finding], register: Register) -> list[Finding]:
        chosen = [f for f in findings if f.severity == ERROR] if self.errors_only else list(findings)
        if self.follower is not None:
            theirs = fold_text(self.follower)
            followers = followers_of(register)
            chosen = [f for f in chosen if f.order_no and followers.get(normalise_key(f.order_no)) == theirs]
        return chosen


def followers_of(register: Register) -> dict[str, str]:
    """Order key -> its follower (folded), from the orders tab's follower column."""
    orders = register.tables.get("orders")
    if orders is None or not (orders.has("order_no") and orders.has("follower")):
        return {}
    pairs = zip(orders.data["order_no"], orders.data["follower"])
    return {normalise_key(str(no)): fold_text(str(who)) for no, who in pairs if _given(no) and _given(who)}


def _given(value: object) -> bool:
    return value is not None and value == value and str(value).strip() != ""   # NaN != NaN


def run_check(workbooks: list[Path] | None, format: str, output: Path | None, selection: Selection,
              config: Path | None, lang: str | None, today: str | None) -> int:
    setup_logging()
    output = output_file(output)
    session = open_session(workbooks, config, lang)
    with steps(2) as step:
        reading = say("读取工作簿", "reading the workbooks", session.lang)
        step(reading)
        for source in session.sources:   # a big workbook takes a while: say which sheet is being read
            source.progress = lambda sheet, at, of, name=source.name: step.note(f"{reading} › {name} › {sheet} "
                                                                               f"({at + 1}/{of})")
        register = session.register()
        # zero-config, the sheets not read are read again to say what they look like; with configured
        # tables only when none was found (the config says which sheets matter)
        readings = read_sources(session.sources, register, others=not session.configured or not register.tables)
        language = check_language(session.speaking(readings))
        step(say("检查 {n} 行", "checking {n} rows", language, n=sum(map(len, register.tables.values()))))
        report = check_register(register, session.config, lang=language, today=session.today(today))
    shown = Report(selection.pick(report.findings, register), report.tables)
    labels = _labels(session.sources)
    if format == "json":
        _emit(json.dumps(_json(report, shown, selection, readings, language), ensure_ascii=False, indent=2) + "\n",
              output)
    elif format == "xlsx":
        kept = shown.sorted()[:selection.limit]
        locations = {s.name: s.location for s in session.sources}
        per = session.config.feedback.per if session.config and session.config.feedback else "follower"
        from sync.notices.feedback_files import write_report   # xlsxwriter: only a workbook report pays for it

        path = write_report(kept, output or Path("ordersync-findings.xlsx"), lang=language, locations=locations,
                            per=per, generated=local_now(session.timezone).replace(tzinfo=None))
        err = Console(stderr=True, highlight=False)
        err.print(say("已写入 {p}", "wrote {p}", language, p=path))
        _sheets_view(err, register, readings, language, labels, workbooks, session.configured)
    else:
        _table_view(report, shown, selection.limit, language, output, labels,
                    lambda console: _sheets_view(console, register, readings, language, labels, workbooks,
                                                 session.configured))
    if register.problems or not register.tables:
        return EXIT_CANNOT_RUN   # a check that read no table found nothing, which is not "no problems"
    return EXIT_FINDINGS if report.count(ERROR) else EXIT_OK


def _sheets_view(console: Console, register: Register, readings: list[SheetReading], lang: str,
                 labels: dict[str, str], workbooks: list[Path] | None, configured: bool = False) -> None:
    """After the findings: nothing recognised (each sheet, what it looks like), or the sheets left unread."""
    if register.tables:   # tables a config names were said by a person: their keys are not guesses
        print_unread(console, readings, lang, labels, guessed=not configured)
    else:
        print_nothing_recognised(console, readings, lang, labels, workbooks)


def _json(report: Report, shown: Report, selection: Selection, readings: list[SheetReading], lang: str) -> dict:
    """At most --limit findings; the summary counts everything checked, says when it was cut, and
    gives each sheet's verdict (``sheets``: what was read as which table, what only looks like one)."""
    out = report.to_dict()
    out["findings"] = [f.to_dict() for f in shown.sorted()[:selection.limit]]
    out["summary"]["sheets"] = [r.to_dict(lang) for r in readings]
    if selection.active:
        out["summary"] |= {"selected": len(shown.findings), "shown": len(out["findings"]),
                           "limited": len(out["findings"]) < len(shown.findings)}
    return out


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


def _table_view(report: Report, shown: Report, limit: int | None, lang: str, output: Path | None,
                labels: dict[str, str], after: Callable[[Console], None]) -> None:
    """Findings grouped by sheet, readable on an 80-column terminal; then ``after`` on the same console."""
    if output is None:
        console = Console(highlight=False)
        _render(console, report, lang, labels, shown=shown, limit=limit)
        after(console)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as fh:
        console = Console(file=fh, width=100, no_color=True, highlight=False)
        _render(console, report, lang, labels, shown=shown, limit=limit)
        after(console)


def _render(console: Console, report: Report, lang: str, labels: dict[str, str], *, shown: Report | None = None,
            limit: int | None = None) -> None:
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
