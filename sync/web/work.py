"""The pages of one person's work and of one order.

*My work* is what the person's digest would list (the same scope,
``sync.notices.digests.scope_of``): the entry errors to fix with their cell,
the overdue and at-risk orders, the stuck stages, the change requests waiting
for a decision; each with what to do and the buttons to say so. *An order*
shows its lines, each stage against its plan, the projected finish against the
due date, its findings, its change history across tabs, the reminders sent
about it and what people said about them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from sync.actions import (Action, agreed_due, concern_subject, finding_subject, history, order_subject,
                          request_subject, standing)
from sync.changes import ledger
from sync.changes.requests import ChangeRequest, decision, pending, stored_requests
from sync.errors import UserError
from sync.findings import ERROR, Finding
from sync.notices.digests import Scope, request_in_scope, scope_of
from sync.notices.reminders import Concern, said_about
from sync.orders.timeline import timeline
from sync.orders.view import STAGE
from sync.tables.normalize import normalise_key
from sync.tables.table import ROW
from sync.web.lists import column_label, table_label
from sync.web.page import Page

LATE = ("overdue", "due_soon", "behind_plan")
#: items shown per section of My work (a phone page, not an export); the rest are counted and linked
SHOWN = 100
STUCK = ("stale", "qc_failed", "material_late")
#: what to do, per kind of item
TODO = {
    "error": ("改正表格中的这个单元格；改好后提醒自动消失。", "Correct this cell in the sheet; the item goes once it is fixed."),
    "overdue": ("与客户和车间确认新的交期；客户同意后在下方填写新日期。",
                "Agree a new date with the customer and the floor; once agreed, enter it below."),
    "due_soon": ("确认能否按期发货，需要时安排加班或分批。", "Make sure it ships on time: overtime or a split shipment if needed."),
    "behind_plan": ("与生产确认进度，必要时与客户商量交期。", "Check the pace with production; talk to the customer if needed."),
    "stale": ("请相关部门在表格中更新进度。", "Ask the department to update its tab."),
    "qc_failed": ("安排返工或让步接收，并在质检表中记录处理方式。", "Arrange rework or a concession and record it in the QC tab."),
    "material_late": ("催供应商到货，或调整生产计划。", "Chase the supplier, or move the production plan."),
    "request": ("查看影响后确认或驳回；决定会通知相关部门。",
                "Look at the impact, then approve or reject; the departments are told."),
}


@dataclass
class Item:
    kind: str                      # error | a reminder kind | request
    order_no: str | None
    subject: str
    said: Action | None
    finding: Finding | None = None
    concern: Concern | None = None
    request: ChangeRequest | None = None

    @property
    def quiet(self) -> bool:
        return self.said is not None and self.said.silences


def my_work(page: Page) -> tuple[str, dict[str, Any]]:
    board, viewer = page.board, page.viewer
    name = viewer.person or ""
    if viewer.manager and page.arg("who"):
        name = page.arg("who")     # a manager looks at someone's work; a link only ever shows its own
    if not name:
        raise UserError(page.tr("请选择一位跟单员", "choose a person first"))
    person = board.directory.find(name)
    scope = scope_of(person) if person is not None else Scope("follower", name)
    mine = board.kept(("orders of", scope), lambda: scope.orders(board.facts, board.concerns))
    said = standing(page.state, board.today)
    errors = [Item("error", f.order_no, finding_subject(f), said.get(finding_subject(f)), finding=f)
              for f in board.kept(("errors of", scope), lambda: sorted(
                  (f for f in board.report.findings if f.severity == ERROR and scope.finding(f, mine)),
                  key=lambda f: f.sort_key))]
    concerns = [Item(c.kind, c.order_no, concern_subject(c.kind, c.subject), said_about(said, c), concern=c)
                for c in board.kept(("concerns of", scope), lambda: [c for c in board.concerns if scope.concern(c)])]
    requests = [Item("request", r.order_no, request_subject(r.id or 0), None, request=r)
                for r in pending(stored_requests(page.state.db), said) if request_in_scope(r, scope, mine)]
    errors.sort(key=lambda i: i.quiet)   # what still needs doing first
    late = sorted((i for i in concerns if i.kind in LATE), key=lambda i: (i.quiet, LATE.index(i.kind)))
    stuck = sorted((i for i in concerns if i.kind in STUCK), key=lambda i: (i.quiet, STUCK.index(i.kind)))
    return "work.html.j2", dict(name=person.name if person else name, errors=errors, late=late, stuck=stuck,
                                requests=requests, todo=TODO, agreed=_agreed_dates(said, concerns), limit=SHOWN,
                                count=sum(not i.quiet for i in (*errors, *late, *stuck, *requests)))


def _agreed_dates(said: dict[str, Action], items: list[Item]) -> dict[str, date]:
    out = {}
    for i in items:
        a = said.get(order_subject(i.concern.subject.split("/")[0])) if i.concern else None
        if a is not None and a.verb == "new_due" and a.until:
            out[i.subject] = a.until
    return out


def order_page(page: Page) -> tuple[str, dict[str, Any]]:
    board = page.board
    key = normalise_key(page.request.path_params["no"])
    f = board.facts.get(key)
    p = board.orders.progress.get(key)
    if f is None or p is None:
        raise UserError(page.tr("订单表里没有订单 {no}", "order {no} is not in the orders tab",
                                no=page.request.path_params["no"]))
    said = standing(page.state, board.today)
    requests = stored_requests(page.state.db, key)
    findings = sorted(board.findings_by_order.get(key, []), key=lambda x: x.sort_key)
    return "order.html.j2", dict(
        f=f, p=p, lines=order_lines(page, key), stages=stage_plan(page, key, p.percent),
        agreed=agreed_due(said, key, f.due_date), events=timeline(board.orders.view, key),
        findings=[(x, said.get(finding_subject(x))) for x in findings],
        changes=[dict(c=c, table=table_label(c.table, page.lang), field=column_label(c.table, c.field, page.lang),
                      author=c.saved_by) for c in ledger.history(page.state, key)],
        first_seen=ledger.first_seen(page.state, key),
        requests=[(r, decision(said, r)) for r in requests],
        concerns=[(c, said_about(said, c)) for c in board.concerns if c.subject.split("/")[0] == key],
        episodes=episodes(page, key), said=_order_actions(page, key, requests),
        order_subject=order_subject(key), todo=TODO)


def order_lines(page: Page, key: str) -> tuple[list[str], list[list[Any]]]:
    """The orders tab's lines of the order: (the sheet's headers, with its row first; rows of cells)."""
    table = page.board.register.tables.get("orders")
    positions = page.board.lines(key)
    if table is None or not positions:
        return [], []
    columns = sorted((c for c in table.columns.values() if c.field in table.data), key=lambda c: c.index)
    rows = table.data.iloc[positions][[ROW, *(c.field for c in columns)]]
    cells = [[_cell(v) for v in row] for row in rows.itertuples(index=False)]
    return [page.tr("行", "Row")] + [c.header for c in columns], cells


def _cell(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def stage_plan(page: Page, key: str, percent: Mapping[str, float]) -> list[dict[str, Any]]:
    """Each stage: how far, its planned finish and its actual finish from the production tab."""
    view = page.board.orders.view
    rows = page.board.rows_of("production", key)
    planned: dict[str, date] = {}
    actual: dict[str, date] = {}
    if rows is not None and STAGE in rows:
        for column, into in (("planned_finish", planned), ("actual_finish", actual)):
            if column in rows:
                for stage, day in zip(rows[STAGE].tolist(), rows[column].tolist()):
                    if stage is not None and day is not None and not pd.isna(day):
                        into[stage] = max(into.get(stage, pd.Timestamp(day).date()), pd.Timestamp(day).date())
    return [dict(stage=s, percent=percent.get(s), planned=planned.get(s), actual=actual.get(s))
            for s in [*view.stages, "qc", "shipped"]]


def episodes(page: Page, key: str) -> list[Any]:
    """The reminders about the order: to whom, since when, how often, escalated, resolved."""
    try:
        return page.state.db.execute(
            "SELECT * FROM reminder_episodes WHERE subject = ? OR substr(subject, 1, ?) = ? ORDER BY id",
            (key, len(key) + 1, key + "/")).fetchall()
    except Exception:   # no reminder ran on this state yet
        return []


def _order_actions(page: Page, key: str, requests: list[ChangeRequest]) -> list[Action]:
    """Everything said about the order, its reminders and its change requests, oldest first."""
    subjects = {order_subject(key), *(request_subject(r.id or 0) for r in requests)}
    found = [a for a in history(page.state, prefix="concern:") if a.subject.split("/", 1)[-1].split("/")[0] == key]
    found += [a for s in subjects for a in history(page.state, s)]
    found += [a for a in history(page.state, prefix="finding:") if _finding_order(a.subject) == key]
    return sorted(found, key=lambda a: a.id or 0)


def _finding_order(subject: str) -> str:
    parts = subject.split("|")   # finding:rule|table|order|field|value (``sync.actions.finding_subject``)
    return normalise_key(parts[2]) if len(parts) > 2 and parts[2] else ""
