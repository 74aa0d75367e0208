"""The findings people see where they work, as rows, and what they type back into the 处理 (status) column.

A findings workbook (``feedback_xlsx``) and a Google Sheets tab (``feedback_sheets``)
show the same rows: errors first, then warnings, each with where it is, the order,
what is wrong, the suggestion, the typed value and a 处理 cell. Every row carries its
finding's *subject* (``sync.actions.finding_subject``: rule, table, order, field and
typed value), so a row found again after a sort, an insert or a deleted row above it
gets back what was typed for it.

What a person types in 处理 becomes an action in ``sync.actions`` (origin
``workbook`` or ``sheet``): 已处理 → ``done``, 忽略 → ``ignore``, 延期至 2026-12-20 →
``snooze`` until that day, anything else → a ``note``, a cleared cell → ``reopen``.
It is recorded only when the cell differs both from what ordersync last wrote there
and from what stands for the subject, so re-reading a file that could not be
rewritten (open in Excel) records nothing twice. The cell is then written back as
what stands, whoever said it (the status page, the command line, the sheet).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sync.actions import Action, finding_subject, history, record
from sync.findings import ERROR, INFO, WARNING, Finding
from sync.i18n import Text, say
from sync.state import State

#: the rows people see; info findings stay out (nothing to do about them)
SHOWN = (ERROR, WARNING)
_RANK = {ERROR: 0, WARNING: 1, INFO: 2}
DONE, IGNORE, SNOOZE = Text("已处理", "done"), Text("忽略", "ignore"), Text("延期至", "snooze until")
ACK = Text("已知晓", "acknowledged")
_DONE_WORDS = {"已处理", "已处理。", "处理完", "已完成", "已改", "已修改", "已更正", "done", "fixed", "ok", "✓", "√"}
_IGNORE_WORDS = {"忽略", "不用管", "无需处理", "ignore", "ignored", "skip"}
_SNOOZE = re.compile(r"^\s*(?:(?:延期至|延期到|推迟到|推迟至|snooze(?:d)?\s*(?:until|till|to)?|until)\s*[:：]?\s*)?"
                     r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
#: who a workbook's lastModifiedBy names when no person saved it
TOOLS = frozenset({"", "ordersync", "openpyxl", "xlsxwriter", "python", "microsoft office user", "unknown",
                   "administrator", "admin", "user"})


@dataclass(frozen=True)
class Row:
    """One finding as people see it; ``status`` is the 处理 text ordersync writes."""

    subject: str
    severity: str
    rule: str
    follower: str
    table: str
    sheet: str
    cell: str
    order_no: str
    problem: str
    hint: str
    value: Any            # the typed value: a number, a date or text
    status: str = ""
    source: str = ""      # the finding's source, for the link to its register


@dataclass(frozen=True)
class Entry:
    """What a person typed in one 处理 cell, next to what ordersync had written there."""

    subject: str
    typed: str
    written: str


# -- rows -------------------------------------------------------------------------------------------

def rows_for(findings: list[Finding], standing: dict[str, Action], lang: str) -> list[Row]:
    """The rows to show, errors first then warnings, each in sheet order, with what stands in 处理."""
    shown = [f for f in findings if f.severity in SHOWN]
    shown.sort(key=lambda f: (_RANK[f.severity], f.sheet or "", f.row or 0, f.cell or "", f.rule))
    out = []
    for f in shown:
        subject = finding_subject(f)
        out.append(Row(subject=subject, severity=f.severity, rule=f.rule, follower=(f.follower or "").strip(),
                       table=f.table or "", sheet=f.sheet or "", cell=f.cell or "", order_no=f.order_no or "",
                       problem=f.message, hint=f.hint or "", value=typed_value(f.value),
                       status=status_text(standing.get(subject), lang), source=f.source or ""))
    return out


def typed_value(text: str | None) -> Any:
    """A finding's raw text as what it was typed as: 1200 a number, 2026-09-15 a date, the rest text."""
    if text is None:
        return ""
    value = str(text).strip()
    digits = value.lstrip("+-").split(".")[0]
    if _NUMBER.match(value) and len(digits) <= 15 and not (len(digits) > 1 and digits.startswith("0")):
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    if m := _ISO_DATE.match(value):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return value
    return str(text)


def counts(rows: list[Row], key: str) -> list[tuple[str, int, int]]:
    """(name, errors, warnings) by ``key`` ("follower", "rule", "table"), most errors first."""
    errors: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    for row in rows:
        (errors if row.severity == ERROR else warnings)[getattr(row, key)] += 1
    names = set(errors) | set(warnings)
    return sorted(((n, errors[n], warnings[n]) for n in names), key=lambda t: (-t[1], -t[2], t[0]))


# -- the 处理 column --------------------------------------------------------------------------------

def status_text(action: Action | None, lang: str) -> str:
    """What the 处理 cell shows for the action that stands (a note shows as typed)."""
    if action is None or action.verb == "reopen":
        return ""
    if action.verb == "done":
        return DONE.format(lang)
    if action.verb == "ignore":
        return IGNORE.format(lang)
    if action.verb == "snooze" and action.until:
        return f"{SNOOZE.format(lang)} {action.until.isoformat()}"
    if action.verb == "ack":
        return ACK.format(lang)
    return action.note


def parse_status(text: str) -> tuple[str, date | None, str]:
    """(verb, until, note) for a typed 处理 cell, in either language."""
    value = " ".join(str(text).split())
    if not value:
        return "reopen", None, ""
    folded = value.lower()
    if folded in _DONE_WORDS or folded in {"已处理", DONE.en}:
        return "done", None, ""
    if folded in _IGNORE_WORDS:
        return "ignore", None, ""
    if folded in {"已知晓", "知道了", "ack", "acknowledged"}:
        return "ack", None, ""
    if m := _SNOOZE.match(value):
        try:
            return "snooze", date(int(m[1]), int(m[2]), int(m[3])), ""
        except ValueError:
            pass
    return "note", None, value


def latest(state: State) -> dict[str, Action]:
    """The last word about each finding (notes included): what its 处理 cell shows."""
    out: dict[str, Action] = {}
    for action in history(state, prefix="finding:"):
        out[action.subject] = action
    return out


def absorb(state: State, entries: list[Entry], *, who: str, origin: str, now: datetime, lang: str) -> list[Action]:
    """Record what people typed that is new: differs from what was written and from what stands."""
    standing = latest(state)
    recorded = []
    for entry in entries:
        typed = " ".join(entry.typed.split())
        if typed == " ".join(entry.written.split()) or typed == status_text(standing.get(entry.subject), lang):
            continue
        verb, until, note = parse_status(typed)
        if verb == "reopen" and entry.subject not in standing:
            continue
        action = Action(subject=entry.subject, verb=verb, by=who, at=now, note=note, until=until, origin=origin)
        recorded.append(record(state, action))
        standing[entry.subject] = recorded[-1]
    return recorded


def person(last_modified_by: str | None) -> str:
    """Who saved the file, when it names a person; else "workbook"."""
    name = (last_modified_by or "").strip()
    return name if name.lower() not in TOOLS else "workbook"


def follower_label(name: str, lang: str) -> str:
    return name or say("未分配", "Unassigned", lang)
