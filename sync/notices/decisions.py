"""The decision on a change request, told to the departments it concerns.

A change request (``sync.changes.requests``) names the departments its
impacts reach (procurement for a materials shortfall, production and QC for
rework, ...). Once someone approves or rejects it, each person of those
departments, and the order's follower, gets one mail saying what was decided,
by whom, with the note and the impacts; it goes through the mail queue like
every notice, keyed by the decision so it is never sent twice.
"""

from __future__ import annotations

from typing import Any

from sync.actions import Action
from sync.changes.requests import DEPARTMENTS, FIELD_LABELS, ChangeRequest
from sync.config import WebConfig
from sync.delivery.message import Outgoing
from sync.i18n import say
from sync.links import page_link
from sync.notices.render import render
from sync.orders.people import Directory, Person
from sync.tables.normalize import fold_text

#: a request's department -> the people kind that works there (None: the order's follower)
KINDS = {"procurement": "procurement", "production": "production", "qc": "qc", "follower": None, "sales": None}


def concerned(request: ChangeRequest, directory: Directory) -> list[Person]:
    """Who hears of the decision: the departments' people and the order's follower, once each."""
    found: dict[str, Person] = {}
    follower = directory.find(request.follower)
    for dept in request.departments:
        kind = KINDS.get(dept)
        for p in directory.of_kind(kind) if kind else [follower] if follower else []:
            found.setdefault(fold_text(p.name), p)
    if follower is not None:
        found.setdefault(fold_text(follower.name), follower)
    return list(found.values())


def decision_mails(request: ChangeRequest, action: Action, directory: Directory, lang: str, *, env: Any,
                   web: WebConfig | None = None) -> list[tuple[Person, Outgoing]]:
    """One mail per person concerned (with their page link when [web] is set)."""
    approved = action.verb == "approve"
    label = FIELD_LABELS.get(request.field, (request.field, request.field))[lang == "en"]
    subject = say("【变更{d}】订单 {no} {f} {old} → {new}", "[Change {d}] order {no} {f} {old} -> {new}", lang,
                  d=say("已确认", "approved", lang) if approved else say("已驳回", "rejected", lang),
                  no=request.order_no, f=label, old=request.old or "∅", new=request.new or "∅")
    depts = ("、" if lang != "en" else ", ").join(DEPARTMENTS[d][lang == "en"] for d in request.departments
                                                  if d in DEPARTMENTS)
    out = []
    for person in concerned(request, directory):
        if not person.email:
            continue
        link = page_link(web, person.name, f"/order/{request.order_no}")
        ctx = dict(subject=subject, to=person, request=request, action=action, approved=approved, field=label,
                   departments=depts, link=link)
        out.append((person, Outgoing(
            to=[(person.name, person.email)], subject=subject, text=render(env, "decision.txt.j2", lang, **ctx),
            html=render(env, "decision.html.j2", lang, **ctx),
            dedupe_key=f"decision/{request.id}/{action.id}/{fold_text(person.email)}")))
    return out
