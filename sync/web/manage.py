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
from sync.web.board import Board
from sync.web.page import Page

WINDOW_DAYS = 30


def manager_page(page: Page) -> tuple[str, dict[str, Any]]:
    board = page.board
    said = standing(page.state, board.today)
    followers = board.kept("orders by follower", lambda: by_follower(board))
    rows = [follower_row(page, name, keys, said) for name, keys in sorted(followers.items())]
    totals = {k: sum(r[k] for r in rows) for k in ("orders", "open", "overdue", "at_risk", "unacknowledged", "errors")}
    return "manager.html.j2", dict(rows=rows, totals=totals, window=WINDOW_DAYS)


def by_follower(board: Board) -> dict[str, set[str]]:
    """Each follower (of the people sheet, or named on an order) and the keys of their orders: one pass."""
    names = {fold_text(p.name): p.name for p in board.directory.of_kind("follower")}
    keys: dict[str, set[str]] = {}
    for key, f in board.facts.items():
        if f.follower:
            folded = fold_text(f.follower)
            names.setdefault(folded, f.follower)
            keys.setdefault(folded, set()).add(key)
    return {name: keys.get(folded, set()) for folded, name in names.items()}


def follower_row(page: Page, name: str, mine: set[str], said: dict[str, Action]) -> dict[str, Any]:
    board, today = page.board, page.board.today
    scope = Scope("follower", name)
    facts = [board.facts[k] for k in sorted(mine)]
    open_ = [f for f in facts if not f.closed]
    overdue = {f.key for f in open_ if _overdue(f, said, today)}
    at_risk = [f for f in open_ if f.key not in overdue and (f.at_risk or _projected_late(f))]
    concerns = board.kept(("concerns of", scope), lambda: [c for c in board.concerns if scope.concern(c)])
    figures = board.kept(("figures", name), lambda: _figures(board, facts, mine))
    return dict(name=name, orders=len(facts), open=len(open_), overdue=len(overdue), at_risk=len(at_risk),
                unacknowledged=sum(1 for c in concerns if said_about(said, c) is None),
                errors=board.kept(("errors", name), lambda: sum(
                    1 for f in board.report.findings if f.severity == ERROR and scope.finding(f, mine))),
                on_time=figures["on_time_rate"], completion=figures["completion_rate"],
                late_days=figures["avg_days_late"])


def _figures(board: Board, facts: list[OrderFacts], mine: set[str]) -> dict[str, Kpi]:
    """The digest's delivery figures for this window and the one before (QC yield is not shown here)."""
    today = board.today
    period = (today - timedelta(days=WINDOW_DAYS), today - timedelta(days=1))
    before = (period[0] - timedelta(days=WINDOW_DAYS), period[0] - timedelta(days=1))
    return {k.name: k for k in kpis(facts, None, mine, period, before, today)}


def _overdue(f: OrderFacts, said: dict[str, Action], today: Any) -> bool:
    due = agreed_due(said, f.key, f.due_date)
    return bool(due and due < today)


def _projected_late(f: OrderFacts) -> bool:
    return bool(f.projected_finish and f.due_date and f.projected_finish > f.due_date)


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
