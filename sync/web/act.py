"""Taking an action: from a page's form (``POST /act``) or the command line (``ack``, ``snooze``, ``decide``).

The form says what about (``subject``), which action and the note; who took it
is the session's person (``Page.viewer``), never a field of the form. What the
register says is filled in here, not taken from the form: the due date a new
date was agreed against. Deciding a change request also tells the departments
concerned, by mail through the queue (``sync.notices.decisions``), the same
way from the page and from the command line.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from starlette.responses import RedirectResponse, Response

from sync.actions import Action, record, request_subject
from sync.changes.requests import ChangeRequest, stored_requests
from sync.config import Config
from sync.delivery.queue import MailQueue
from sync.errors import UserError
from sync.i18n import say
from sync.notices.decisions import decision_mails
from sync.notices.recipients import Recipients
from sync.notices.render import environment
from sync.orders.facts import OrderFacts
from sync.orders.people import Directory
from sync.state import State
from sync.web.page import Page, local_path

#: what a page may ask for (``note`` is the note field of any of them)
WEB_VERBS = ("ack", "done", "ignore", "snooze", "new_due", "approve", "reject", "reopen")


def act(page: Page) -> Response:
    form = page.form
    verb, subject = form.get("verb", ""), form.get("subject", "")
    if verb not in WEB_VERBS:
        raise UserError(page.tr("不认识的操作 {v}", "unknown action {v}", v=verb))
    until = parse_day(form.get("until", ""), page.lang) if verb in ("snooze", "new_due") else None
    basis = None
    if verb == "new_due":
        basis = register_due(page.board.facts, subject, page.lang)
    action = Action(subject, verb, page.viewer.name or "", page.now, form.get("note", ""), until, basis, "web")
    if verb in ("approve", "reject"):
        decide(page.state, page.board.config, page.board.directory, action, lang=page.board.lang, now=page.now)
    else:
        record(page.state, action)
    return RedirectResponse(local_path(form.get("next")) or "/me", status_code=303)


def parse_day(text: str, lang: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(say("日期 {t} 看不懂：请写成 2026-12-31", "date {t!r}: expected a date like 2026-12-31",
                            lang, t=text)) from None


def register_due(facts: dict[str, OrderFacts], subject: str, lang: str) -> str:
    """The register's due date of the order a new date is agreed for (the agreement holds while it stays)."""
    key = subject.removeprefix("order:")
    f = facts.get(key)
    if not subject.startswith("order:") or f is None:
        raise UserError(say("没有订单 {k}", "no order {k}", lang, k=key))
    return f.due_date.isoformat() if f.due_date else ""


def find_request(state: State, request_id: int | str, lang: str) -> ChangeRequest:
    wanted = str(request_id).removeprefix("request:")
    found = [r for r in stored_requests(state.db) if str(r.id) == wanted]
    if not found:
        raise UserError(say("没有编号为 {i} 的变更请求", "no change request {i}", lang, i=wanted),
                        hint=say("在 ordersync history 订单号 或状态页上可以看到编号。",
                                 "`ordersync history ORDER_NO` and the status page show the numbers.", lang))
    return found[0]


def decide(state: State, config: Config, directory: Directory, action: Action, *, lang: str,
           now: datetime | None = None) -> tuple[Action, int]:
    """Approve or reject a change request and queue the decision for its departments; (action, mails queued)."""
    request = find_request(state, action.subject, lang)
    action = Action(request_subject(request.id or 0), action.verb, action.by, action.at, action.note,
                    origin=action.origin)
    people = Recipients(directory, lang=lang)
    queue = MailQueue(state, config.mail.sender)
    with state.atomic():
        action = record(state, action)
        mails = decision_mails(request, action, directory, lang, env=environment(config.resolve("templates")),
                               web=config.web)
        queued = sum(1 for person, mail in mails
                     if people.why_not(person) is None and queue.enqueue(mail, now or datetime.now(timezone.utc)))
    return action, queued
