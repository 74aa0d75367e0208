"""The manager's view and the service page (both behind the login).

The manager sees, per follower, how many of their orders are overdue (by the
date the customer agreed, when there is one) and at risk, how many reminders
nobody has acknowledged yet, their entry errors, and the on-time rate of the
last ``WINDOW_DAYS`` against the window before (``sync.notices.digests.kpis``,
the figures the weekly digest shows). The service page shows each source's
last read and result (the daemon's status file, as ``ordersync status
--service`` reads it) and the mail queue with its failures and their reasons,
with a button to send the failed ones again.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from typing import Any

from starlette.responses import RedirectResponse, Response

from sync.actions import Action, agreed_due, standing
from sync.delivery.queue import MailQueue
from sync.findings import ERROR
from sync.notices.digests import Kpi, Scope, kpis
from sync.notices.reminders import said_about
from sync.orders.facts import OrderFacts
from sync.tables.normalize import fold_text
from sync.web.page import Page

WINDOW_DAYS = 30


def manager_page(page: Page) -> tuple[str, dict[str, Any]]:
    board = page.board
    said = standing(page.state, board.today)
    names = {fold_text(p.name): p.name for p in board.directory.of_kind("follower")}
    for f in board.facts.values():
        if f.follower:
            names.setdefault(fold_text(f.follower), f.follower)
    rows = [follower_row(page, name, said) for name in sorted(names.values())]
    totals = {k: sum(r[k] for r in rows) for k in ("orders", "open", "overdue", "at_risk", "unacknowledged", "errors")}
    return "manager.html.j2", dict(rows=rows, totals=totals, window=WINDOW_DAYS)


def follower_row(page: Page, name: str, said: dict[str, Action]) -> dict[str, Any]:
    board, today = page.board, page.board.today
    scope = Scope("follower", name)
    mine = scope.orders(board.facts, board.concerns)
    facts = [board.facts[k] for k in sorted(mine)]
    open_ = [f for f in facts if not f.closed]
    overdue = [f for f in open_ if _overdue(f, said, today)]
    at_risk = [f for f in open_ if f not in overdue and (f.at_risk or _projected_late(f))]
    concerns = [c for c in board.concerns if scope.concern(c)]
    period = (today - timedelta(days=WINDOW_DAYS), today - timedelta(days=1))
    before = (period[0] - timedelta(days=WINDOW_DAYS), period[0] - timedelta(days=1))
    figures = {k.name: k for k in kpis(facts, board.orders, mine, period, before, today)}
    return dict(name=name, orders=len(facts), open=len(open_), overdue=len(overdue), at_risk=len(at_risk),
                unacknowledged=sum(1 for c in concerns if said_about(said, c) is None),
                errors=sum(1 for f in board.report.findings if f.severity == ERROR and scope.finding(f, mine)),
                on_time=figures["on_time_rate"], completion=figures["completion_rate"], late_days=figures["avg_days_late"])


def _overdue(f: OrderFacts, said: dict[str, Action], today: Any) -> bool:
    due = agreed_due(said, f.key, f.due_date)
    return bool(due and due < today)


def _projected_late(f: OrderFacts) -> bool:
    return bool(f.projected_finish and f.due_date and f.projected_finish > f.due_date)


def arrow(k: Kpi) -> str:
    return {"good": "▲", "bad": "▼", "same": "＝"}.get(k.trend, "")


def service_page(page: Page) -> tuple[str, dict[str, Any]]:
    site = page.request.app.state.site
    status = _status_file(site.source.state_path.with_name("service.json"))
    own = getattr(site.source, "statuses", None)
    sources = status.get("sources") or (own() if own else {})
    queue = MailQueue(page.state, page.board.config.mail.sender)
    return "service.html.j2", dict(
        status=status, running=_alive(status.get("pid")), sources=sources, counts=queue.counts(),
        failed=queue.entries("failed", 200), held=queue.entries("held", 200), waiting=queue.entries("pending", 50),
        sent=queue.entries("sent", 20), built=page.board.built)


def retry(page: Page) -> Response:
    queue = MailQueue(page.state, page.board.config.mail.sender)
    key = page.form.get("key")
    queue.retry_failed([key] if key else None, page.now)
    return RedirectResponse("/service", status_code=303)


def _status_file(path: Any) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _alive(pid: Any) -> bool:
    try:
        os.kill(int(pid), 0)
    except (OSError, TypeError, ValueError):
        return False
    return True
