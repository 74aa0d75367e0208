"""The work of ``ordersync check``: one read-only pass, findings as a table, JSON or a workbook.

Exit status: 0 no errors, 1 errors found, 2 cannot run (bad config, unreadable file).
What --errors-only, --follower and --limit leave out of the display still counts
for the exit status: the status says what was checked, not what was shown.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from sync.calendar import local_now
from sync.checks.lanes import apart_sources, check_lanes, lanes_of
from sync.checks.pipeline import check_register
from sync.cli.common import EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_OK
from sync.cli.jsontext import dumps
from sync.cli.progress import steps
from sync.cli.session import Session
from sync.findings import ERROR, Finding, Report
from sync.gcpause import collection_paused
from sync.i18n import check_language, say
from sync.orders.people import names_in
from sync.tables.normalize import fold_text, normalise_key
from sync.tables.reading import SheetReading, doubts, read_sources
from sync.tables.register import Register


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
            chosen = [f for f in chosen if f.order_no and theirs in names_in(followers.get(normalise_key(f.order_no)))]
        return chosen


def followers_of(register: Register) -> dict[str, str]:
    """Order key -> its follower (folded; 张伟/李娜 when two share it), from the orders tab's follower column."""
    orders = register.tables.get("orders")
    if orders is None or not (orders.has("order_no") and orders.holds("follower")):
        return {}
    pairs = zip(orders.data["order_no"], orders.data["follower"])
    return {normalise_key(str(no)): fold_text(str(who)) for no, who in pairs if _given(no) and _given(who)}


def _given(value: object) -> bool:
    return value is not None and value == value and str(value).strip() != ""   # NaN != NaN


def run_check(session: Session, workbooks: list[Path] | None, format: str, output: Path | None,
              selection: Selection, today: str | None) -> int:
    """One pass over what ``session`` reads, the cyclic garbage collector paused throughout (``sync.gcpause``): the
    pass makes a great many objects (rows, findings, their JSON) and no garbage that only the collector could free.
    ``output`` is where to write (``output_file``: checked already), ``workbooks`` the paths given, if any."""
    with collection_paused():
        return _run_check(session, workbooks, format, output, selection, today)


def _run_check(session: Session, workbooks: list[Path] | None, format: str, output: Path | None,
               selection: Selection, today: str | None) -> int:
    with steps(2) as step:
        reading = say("读取工作簿", "reading the workbooks", session.lang)
        step(reading)
        for source in session.sources:   # a big workbook takes a while: say which sheet is being read
            source.progress = lambda sheet, at, of, name=source.name: step.note(f"{reading} › {name} › {sheet} "
                                                                               f"({at + 1}/{of})")
        register, lanes = session.registers()
        # zero-config, the sheets not read are read again to say what they look like; with configured
        # tables only when none was found (the config says which sheets matter)
        others = not session.configured or not register.tables
        if lanes:   # each workbook kept apart is said as its own check read it: each its own orders, people, ...
            readings = [r for lane, sources in lanes_of(session.sources, apart_sources(session.config)).items()
                        for r in read_sources(sources, lanes[lane], others=others)]
        else:
            readings = read_sources(session.sources, register, others=others)
        language = check_language(session.speaking(readings))
        step(say("检查 {n} 行", "checking {n} rows", language, n=sum(map(len, register.tables.values()))))
        if lanes:   # workbooks kept apart: each checked on its own (sync.checks.lanes)
            report, _ = check_lanes(lanes, register, session.config, lang=language, today=session.today(today))
        else:
            report = check_register(register, session.config, lang=language, today=session.today(today))
    shown = Report(selection.pick(report.findings, register), report.tables)
    labels = _labels(session.sources)
    if format == "json":
        _emit(dumps(_json(report, shown, selection, readings, language)) + "\n", output)
    elif format == "xlsx":
        kept = shown.sorted()[:selection.limit]
        locations = {s.name: s.location for s in session.sources}
        per = session.config.feedback.per if session.config and session.config.feedback else "follower"
        from sync.cli.report_table import sheets_view, wrote   # rich: only what a person reads pays for it
        from sync.notices.feedback_files import write_report   # xlsxwriter: only a workbook report pays for it

        path = write_report(kept, output or Path("ordersync-findings.xlsx"), lang=language, locations=locations,
                            per=per, generated=local_now(session.timezone).replace(tzinfo=None))
        wrote(path, language, lambda console: sheets_view(console, register, readings, language, labels, workbooks,
                                                         session.configured))
    else:
        from sync.cli.report_table import sheets_view, table_view

        table_view(report, shown, selection.limit, language, output, labels,
                   lambda console: sheets_view(console, register, readings, language, labels, workbooks,
                                               session.configured),
                   guessed=not session.configured and any(r.table and r.match and doubts(r.match) for r in readings))
    if register.problems or not register.tables:
        return EXIT_CANNOT_RUN   # a check that read no table found nothing, which is not "no problems"
    return EXIT_FINDINGS if report.count(ERROR) else EXIT_OK


def _json(report: Report, shown: Report, selection: Selection, readings: list[SheetReading], lang: str) -> dict:
    """At most --limit findings; the summary counts everything checked, says when it was cut, and
    gives each sheet's verdict (``sheets``: what was read as which table, what only looks like one)."""
    out = {"findings": [f.to_dict() for f in shown.sorted()[:selection.limit]], "summary": report.summary()}
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
