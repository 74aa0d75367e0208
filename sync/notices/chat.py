"""Group messages: the notices as short ``ChatNote``s for WeCom, DingTalk and Feishu groups.

A group is read on a phone, by many: one message per order for reminders (all
its concerns in one card, not the same order three times), one per person for
data-entry errors, one per digest reader, one per change request. Each names
the order and the next step, @-mentions who should act (their mobile or user
ids from the people sheet travel in ``Mention``) and links to the page with
the whole story; the channels cut it to the platform's size.

Sheet text is untrusted: ``<`` ``>`` ``[`` ``]`` ``*`` and line breaks are
taken out of every value, so a cell cannot forge a mention (``<@all>``), a
link or a layout. The notes are made from what the mails are made of, in the
same plan, so a group hears what a person's inbox hears, on the same day.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Callable

from sync.delivery.message import ChatNote, Mention
from sync.i18n import say
from sync.orders.people import Directory, Person
from sync.tables.kinds import kind_of

_UNSAFE = re.compile(r"[<>\[\]*`\r\n\u2028\u2029]+")
#: reminder kind -> its name, zh and en (as templates/labels.j2 says it)
KIND_NAMES = {"overdue": ("已逾期", "Overdue"), "due_soon": ("即将到期", "Due soon"),
              "behind_plan": ("落后计划", "Behind plan"), "stale": ("长时间未更新", "Not updated"),
              "qc_failed": ("质检不合格待返工", "QC failed, awaiting rework"), "material_late": ("物料未到", "Material late")}
#: reminder kind -> the department whose work resolves it (sync.notices.digests.DEPARTMENT_KINDS, turned round)
KIND_DEPARTMENTS = {"overdue": "shipping", "due_soon": "shipping", "behind_plan": "production", "stale": "production",
                    "qc_failed": "qc", "material_late": "procurement"}
#: the table a data-entry error is on -> the department that keeps it
TABLE_DEPARTMENTS = {"orders": "follower", "materials": "procurement", "production": "production", "qc": "qc",
                     "shipping": "shipping"}


def safe(value: Any) -> str:
    """Sheet text fit for a markdown line: no markup, no line breaks, not too long."""
    text = " ".join(_UNSAFE.sub(" ", str(value if value is not None else "")).split())
    return text if len(text) <= 120 else text[:119] + "…"


def mention(person: Person) -> Mention:
    return Mention(safe(person.name), person.mobile, person.wecom_id, person.dingtalk_id, person.feishu_id,
                   person.email)     # the ids are checked where they are used (sync.delivery.chattext.id_of)


def _more(lang: str) -> str:
    return say("…更多见报告", "…more in the report", lang)


def _count(value: Any) -> str:
    """Pieces as a person reads them: 1,200."""
    return "?" if value is None else f"{float(value):,.0f}"


def _day(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return safe(value) if value not in (None, "") else "?"


def _digest(*parts: str) -> str:
    return hashlib.sha1("\n".join(sorted(parts)).encode("utf-8")).hexdigest()[:16]


# --- reminders: one message per order --------------------------------------------------------

def reminder_notes(due: Iterable[Any], lang: str, stage: Callable[[str | None], str] | None = None) -> list[ChatNote]:
    """One note per order for the reminders due now (``sync.notices.reminders.Reminder``)."""
    by_order: dict[str, list[Any]] = {}
    for r in due:
        by_order.setdefault(r.concern.subject.split("/")[0], []).append(r)
    return [_order_note(group, lang, stage or (lambda s: s or "")) for group in by_order.values()]


def _order_note(group: list[Any], lang: str, stage: Callable[[str | None], str]) -> ChatNote:
    first = group[0].concern
    kinds = list(dict.fromkeys(r.concern.kind for r in group))
    names = ("、" if lang != "en" else ", ").join(KIND_NAMES.get(k, (k, k))[lang == "en"] for k in kinds)
    customer = f" · {safe(first.customer)}" if first.customer else ""
    title = say("订单 {no}{c}：{what}", "Order {no}{c}: {what}", lang, no=safe(first.order_no), c=customer, what=names)
    lines = [f"**{KIND_NAMES.get(r.concern.kind, (r.concern.kind,) * 2)[lang == 'en']}** "
             f"{concern_detail(r.concern, lang, stage)}" for r in group]
    people = list({fold(r.to.name): r.to for r in group}.values())
    bosses = list({fold(p.name): p for r in group for p in r.cc}.values())
    lines.append(say("跟单：{who} · 第 {n} 次提醒", "Follower: {who} · reminder {n}", lang,
                     who="、".join(safe(p.name) for p in people), n=max(r.times_sent for r in group) + 1))
    if bosses:
        lines.append(say("已超过期限未解决，已通知 {boss}", "Unresolved past the limit; {boss} told", lang,
                         boss="、".join(safe(p.name) for p in bosses)))
    return ChatNote(key=f"reminder/{_digest(*(r.dedupe_key for r in group))}", kind="reminders", title=title,
                    lines=lines, mentions=[mention(p) for p in [*people, *bosses]],
                    path=f"/order/{first.order_no}", followers=[p.name for p in people if p.kind == "follower"]
                    or [first.follower or ""],
                    departments=["follower", *dict.fromkeys(KIND_DEPARTMENTS.get(k, "") for k in kinds)],
                    urgent="overdue" in kinds or bool(bosses), more=_more(lang))


def fold(name: str) -> str:
    return "".join(str(name).split()).casefold()


def concern_detail(c: Any, lang: str, stage: Callable[[str | None], str]) -> str:
    """What is wrong, in one line (as templates/labels.j2 ``detail`` says it)."""
    d = c.detail
    if d.get("batch") and c.kind == "overdue":
        return say("{b} {d}，已逾期 {n} 天（到这一批共 {q} 件，已发货 {s}）", "{b} {d}, {n} days late ({q} due by then, "
                   "{s} shipped)", lang, b=safe(d["batch"]), d=_day(d.get("due_date")), n=d.get("days_late"),
                   q=_count(d.get("need")), s=_count(d.get("shipped")))
    if d.get("batch") and c.kind == "due_soon":
        return say("{b} {d}，还剩 {n} 个工作日（到这一批共 {q} 件）", "{b} {d}, {n} working days left ({q} due by then)",
                   lang, b=safe(d["batch"]), d=_day(d.get("due_date")), n=d.get("working_days_left"),
                   q=_count(d.get("need")))
    if c.kind == "overdue":
        return say("交期 {d}，已逾期 {n} 天", "due {d}, {n} days late", lang, d=_day(d.get("due_date")), n=d.get("days_late"))
    if c.kind == "due_soon":
        return say("交期 {d}，还剩 {n} 个工作日", "due {d}, {n} working days left", lang, d=_day(d.get("due_date")),
                   n=d.get("working_days_left"))
    if c.kind == "behind_plan":
        return say("当前工序 {s}，预计完成 {p}，交期 {d}", "at {s}, projected {p}, due {d}", lang,
                   s=safe(stage(d.get("stage"))), p=_day(d.get("projected_finish")), d=_day(d.get("due_date")))
    if c.kind == "stale":
        return say("{n} 个工作日无更新，当前工序 {s}", "no change for {n} working days, at {s}", lang,
                   n=d.get("idle_days"), s=safe(stage(d.get("stage"))))
    if c.kind == "qc_failed":
        return say("{t} 检验不合格 {q} 件：{r}", "{q} failed inspection on {t}: {r}", lang, t=_day(d.get("inspected_on")),
                   q=safe(d.get("failed_qty")), r=safe(d.get("defect") or "?"))
    if c.kind == "material_late":
        return say("{m}（{s}）预计 {e} 到货，已晚 {n} 天", "{m} ({s}) expected {e}, {n} days late", lang,
                   m=safe(d.get("material")), s=safe(d.get("supplier") or "?"), e=_day(d.get("expected")),
                   n=d.get("days_late"))
    return safe(c.kind)


# --- data-entry errors: one message per person -----------------------------------------------

def entry_notes(batches: Iterable[Any], lang: str) -> list[ChatNote]:
    """One note per person with entries to correct (``sync.notices.reminders.EntryErrorBatch``)."""
    out = []
    for b in batches:
        title = say("{name}：{n} 处录入需要更正", "{name}: {n} entries to correct", lang, name=safe(b.person.name),
                    n=len(b.findings))
        lines = [f"**{safe(f.sheet)}!{safe(f.cell or f.row)}** {safe(f.order_no or '')} {safe(f.message)}".replace("  ", " ")
                 for f in b.findings]
        departments = list(dict.fromkeys(TABLE_DEPARTMENTS.get(kind_of(f.table), "follower") for f in b.findings))
        out.append(ChatNote(key=b.dedupe_key, kind="entry_errors", title=title, lines=lines,
                            mentions=[mention(b.person)], path="/", followers=[b.person.name],
                            departments=departments, more=_more(lang)))
    return out


# --- digests: one message per reader -------------------------------------------------------

def digest_note(d: Any, title: str, lang: str, slot: str, top: int = 5) -> ChatNote:
    """The digest ``d`` (``sync.notices.digests.Digest``) in a few lines: counts, then the latest orders."""
    person, scope = d.recipient.person, d.recipient.scope
    lines = [say("逾期 {o} · 有风险 {r} · 录入错误 {e} · 变更 {c}", "overdue {o} · at risk {r} · entry errors {e} · "
                 "changes {c}", lang, o=len(d.overdue), r=len(d.at_risk), e=len(d.errors), c=len(d.changes))]
    for f in d.overdue[:top]:
        lines.append(say("**{no}** {c} 交期 {d}", "**{no}** {c} due {d}", lang, no=safe(f.order_no),
                         c=safe(f.customer or ""), d=_day(f.due_date)))
    if len(d.overdue) > top:
        lines.append(say("另有 {n} 个逾期订单", "{n} more overdue", lang, n=len(d.overdue) - top))
    return ChatNote(key=f"digest/{d.name}/{person.email or person.name}/{slot}", kind="digests",
                    title=f"{safe(title)} · {safe(person.name)} · {d.generated.date().isoformat()}", lines=lines,
                    path="/", followers=[scope.name] if scope.kind == "follower" else [],
                    departments=[scope.name] if scope.kind == "department" else [], more=_more(lang))


# --- change requests: one message each -------------------------------------------------------

def change_request_notes(requests: Iterable[Any], cycle: int, directory: Directory, lang: str) -> list[ChatNote]:
    """One note per change request a cycle found (``sync.changes.requests.ChangeRequest``), mentioning the
    follower and the people of the departments to tell (procurement, production, QC)."""
    from sync.changes.requests import DEPARTMENTS, FIELD_LABELS

    out = []
    for r in requests:
        label = FIELD_LABELS.get(r.field, (r.field, r.field))[lang == "en"]
        title = say("需求变更：{no} {f} {old} → {new}", "Change request: {no} {f} {old} → {new}", lang,
                    no=safe(r.order_no), f=label, old=safe(r.old or "∅"), new=safe(r.new or "∅"))
        lines = [safe(i.en if lang == "en" else i.zh) for i in r.impacts]
        tell = ("、" if lang != "en" else ", ").join(DEPARTMENTS.get(d, (d, d))[lang == "en"] for d in r.departments)
        lines.append(say("请通知：{d}", "Tell: {d}", lang, d=tell))
        if r.sheet:
            lines.append(f"{safe(r.sheet)}!{safe(r.cell or r.row)}")
        follower = directory.find(r.follower)
        told = [p for d in r.departments if d in ("procurement", "production", "qc") for p in directory.of_kind(d)]
        who = list({fold(p.name): p for p in ([follower] if follower else []) + told}.values())
        out.append(ChatNote(key=f"change-request/{cycle}/{r.order_key}/{r.field}", kind="change_requests",
                            title=title, lines=lines, mentions=[mention(p) for p in who],
                            path=f"/order/{r.order_no}", followers=[r.follower or ""],
                            departments=list(r.departments), urgent=bool(r.impacts), more=_more(lang)))
    return out
