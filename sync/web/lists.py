"""The findings and the changes, filtered by follower, customer, table, severity and date.

The findings are the last cycle's report, as ``ordersync check`` gives them;
the changes are the ledger's, as ``ordersync changes`` reads them
(``sync.changes.ledger.changes_since``). Follower and customer come from the
order each one is about (its facts), so a row of the QC tab is filtered by
the follower of its order. A long list shows its newest ``LIMIT`` rows and
says how many there were.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

from sync.actions import finding_subject, standing
from sync.calendar import zone
from sync.changes import ledger
from sync.findings import ERROR, INFO, WARNING, Finding
from sync.tables.fields import TABLES
from sync.tables.normalize import fold_text, normalise_key
from sync.web.act import parse_day
from sync.web.page import Page

LIMIT = 500
SEVERITIES = (ERROR, WARNING, INFO)
KINDS = {ledger.ADDED: ("新增", "added"), ledger.CHANGED: ("修改", "changed"), ledger.REMOVED: ("删除", "removed")}


def choices(page: Page) -> dict[str, list[str]]:
    """What the filters offer: the followers, customers and tables the register has."""
    facts = page.board.facts.values()
    return dict(followers=sorted({f.follower for f in facts if f.follower}),
                customers=sorted({f.customer for f in facts if f.customer}),
                tables=[t for t in TABLES if t in page.board.register.tables], severities=list(SEVERITIES))


def _matches(page: Page, order_no: str | None, follower: str | None = None) -> bool:
    want_follower, want_customer = page.arg("follower"), page.arg("customer")
    if not (want_follower or want_customer):
        return True
    f = page.board.facts.get(normalise_key(order_no)) if order_no else None
    who = follower or (f.follower if f else None)
    if want_follower and fold_text(who or "") != fold_text(want_follower):
        return False
    return not want_customer or (f is not None and fold_text(f.customer or "") == fold_text(want_customer))


def findings_page(page: Page) -> tuple[str, dict[str, Any]]:
    table, severity, rule = page.arg("table"), page.arg("severity"), page.arg("rule")
    chosen: list[Finding] = [
        f for f in page.board.report.sorted()
        if (not table or f.table == table) and (not severity or f.severity == severity)
        and (not rule or f.rule == rule) and _matches(page, f.order_no, f.follower)]
    said = standing(page.state, page.board.today)
    rules = sorted({f.rule for f in page.board.report.findings})
    return "findings.html.j2", dict(
        findings=[(f, said.get(finding_subject(f))) for f in chosen[:LIMIT]], total=len(chosen), limit=LIMIT,
        choices=choices(page) | {"rules": rules}, args=_args(page, "follower", "customer", "table", "severity", "rule"))


def changes_page(page: Page) -> tuple[str, dict[str, Any]]:
    tz = zone(page.board.config.service.timezone)
    since_day = parse_day(page.arg("since"), page.lang) if page.arg("since") else page.board.today - timedelta(days=7)
    until_day = parse_day(page.arg("until"), page.lang) if page.arg("until") else None
    since = ledger.iso(datetime.combine(since_day, time.min, tz))
    until = ledger.iso(datetime.combine(until_day + timedelta(days=1), time.min, tz)) if until_day else None
    table = page.arg("table") or None
    found = [c for c in ledger.changes_since(page.state, since, table)
             if (until is None or c.seen_at < until) and _matches(page, c.order_no)]
    found.reverse()   # newest first
    rows = [dict(c=c, when=datetime.fromisoformat(c.seen_at).astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                 kind=KINDS.get(c.kind, (c.kind, c.kind))[page.lang == "en"], table=table_label(c.table, page.lang),
                 field=_label(c.table, c.field, page.lang),
                 shown=_values(c, page.lang), author=c.saved_by)
            for c in found[:LIMIT]]
    args = _args(page, "follower", "customer", "table") | {"since": since_day.isoformat(),
                                                          "until": until_day.isoformat() if until_day else ""}
    return "changes.html.j2", dict(rows=rows, total=len(found), limit=LIMIT, choices=choices(page), args=args)


def _args(page: Page, *names: str) -> dict[str, str]:
    return {n: page.arg(n) for n in names}


def table_label(table: str, lang: str) -> str:
    spec = TABLES.get(table)
    return (spec.en if lang == "en" else spec.zh) if spec is not None else table


def column_label(table: str, name: str | None, lang: str) -> str:
    """A field as the sheet's own language names it (its first alias), or in English."""
    return _label(table, name, lang)


def _label(table: str, name: str | None, lang: str) -> str:
    spec = TABLES.get(table)
    if not name:
        return ""
    if lang == "en" or spec is None or name not in spec.fields or not spec.fields[name].aliases:
        return name.replace("_", " ")
    return spec.fields[name].aliases[0]


def _values(c: Any, lang: str) -> str:
    """old → new for an edit; the row's values for a row added or removed (as ``ordersync changes``)."""
    if c.kind == ledger.CHANGED:
        return f"{c.old or '∅'} → {c.new or '∅'}"
    try:
        row = json.loads(c.new or c.old or "{}")
    except ValueError:
        return c.new or c.old or ""
    text = ", ".join(f"{_label(c.table, k, lang)}={v}" for k, v in row.items() if k != "order_no")
    return text if len(text) <= 120 else text[:119] + "…"


