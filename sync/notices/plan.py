"""Notices: reminders, entry-error mails and digests as ``Outgoing`` mails.

Plan, then act: ``plan_notices`` and ``plan_digest`` return the mails plus a
``record`` step; the caller queues the mails (idempotent by dedupe key) and
then calls ``record()`` to write down what went out. A crash between the two
plans the same mails with the same keys next time, so nothing goes twice.

A mail whose recipient's address is not an address (``sync.notices.recipients``)
is not sent and not recorded as sent: it is in ``Plan.held`` with the reason,
and waits in the queue until the people sheet is mended. So does a reminder or
entry-error mail whose (user) template does not render: held with the
template's error until it is mended. Everyone else's mail goes as planned.

The findings arrive as a ``Report`` and the orders as the cycle's
``OrderModel``: the notices check nothing and join nothing themselves.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sync.actions import standing
from sync.calendar import calendar_from, zone
from sync.notices.charts import bar_chart, cjk_font
from sync.config import Config, DigestConfig, RemindersConfig
from sync.notices.digests import Digest, Inputs, build_digest, recipients, record_digest
from sync.errors import ConfigError
from sync.findings import Report
from sync.i18n import say
from sync.orders.facts import order_facts
from sync.orders.model import OrderModel, order_model
from sync.tables.register import Register
from sync.notices.recipients import Recipients, entry_error_savers
from sync.notices.reminders import (Reminder, find_concerns, plan_entry_errors, plan_reminders, record_entry_errors_sent,
                            record_sent)
from sync.notices.render import environment, render
from sync.state import State

from sync.delivery.message import ChatNote, Outgoing
from sync.notices.chat import digest_note, entry_notes, reminder_notes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Plan:
    outgoing: list[Outgoing]
    record: Callable[[], None]
    #: mails that cannot go yet, with why: they wait in the queue as 'held' (``MailQueue.hold``)
    held: list[tuple[Outgoing, str]] = field(default_factory=list)
    #: the dedupe-key prefixes this plan speaks for: held mails under them not held again are over
    kinds: tuple[str, ...] = ()
    #: the same notices as group messages, for [[channels]] (``sync.notices.chat``)
    notes: list[ChatNote] = field(default_factory=list)


def gather(state: State, config: Config, register: Register, *, now: datetime, lang: str, report: Report,
           orders: OrderModel | None = None, history: bool = True) -> Inputs:
    """Everything the notices need, read once: findings (``report``), facts, concerns, changes.

    ``orders``: the cycle's order model, as of the day where the register is kept; without one
    (or with one of another day) it is worked out here, once. ``history``: read the ledger's changes
    and change requests, which digests list; reminders and entry-error mails (``plan_notices``) do not
    use them, and on a long history they cost a second.
    """
    settings = config.reminders
    today = local_now(config, now).date()     # the day where the register is kept, as the checks see it
    if orders is None or orders.today != today:
        orders = order_model(register, config, today=today)
    facts = order_facts(orders)
    changes, requests, last_changed = _ledger(state, history)
    concerns = find_concerns(facts, register, today, calendar_from(settings), settings, last_changed,
                             standing(state, today))   # a due date the customer agreed counts
    return Inputs(register, report, facts, concerns, changes, requests, orders)


def _ledger(state: State, history: bool = True) -> tuple[list[Any], list[Any], dict[str, datetime]]:
    """Changes, change requests, and each order's last change (for stale orders), when the ledger has run."""
    try:
        from sync.changes.requests import stored_requests
        from sync.changes.ledger import LEDGER_MIGRATIONS, changes_since
    except ImportError:
        return [], [], {}
    if not history:
        state.migrate(LEDGER_MIGRATIONS)
        return [], [], _last_changed(state.db)
    changes = changes_since(state)
    try:
        requests = stored_requests(state.db)
    except Exception:   # the ledger's tables are created on its first cycle
        requests = []
    return changes, requests, _latest((c.order_key, c.seen_at) for c in changes)


def _last_changed(db: Any) -> dict[str, datetime]:
    """Each order's latest ``seen_at`` over all its changes (an order idle for a year is stale too),
    without making every change: one aggregate query when the stamps sort as text as they do in
    time, as the ledger writes them (UTC, one form); else stamp by stamp."""
    stamps = [r[0] for r in db.execute("SELECT DISTINCT seen_at FROM ledger_changes WHERE seen_at != '' "
                                       "ORDER BY seen_at")]
    try:
        times = [datetime.fromisoformat(s) for s in stamps]
        in_step = all(type(s) is str for s in stamps) and all(a < b for a, b in zip(times, times[1:]))
    except (TypeError, ValueError):
        in_step = False
    if in_step:
        return {key: datetime.fromisoformat(seen) for key, seen in db.execute(
            "SELECT order_key, max(seen_at) FROM ledger_changes WHERE order_key != '' AND seen_at != '' "
            "GROUP BY order_key")}
    return _latest(db.execute("SELECT order_key, seen_at FROM ledger_changes ORDER BY id"))


def _latest(stamps: Iterable[tuple[str | None, str | None]]) -> dict[str, datetime]:
    last: dict[str, datetime] = {}
    for key, seen_at in stamps:
        if key and seen_at:
            seen = datetime.fromisoformat(seen_at)
            last[key] = max(last.get(key, seen), seen)
    return last


def local_now(config: Config, now: datetime | None = None) -> datetime:
    tz = zone(config.service.timezone)
    return (now or datetime.now(tz)).astimezone(tz)


def plan_notices(state: State, config: Config, inputs: Inputs, *, now: datetime, lang: str) -> Plan:
    """Reminder and entry-error mails due now (``now`` aware); ``record`` marks them sent."""
    settings = config.reminders
    now = local_now(config, now)
    people = Recipients.from_register(inputs.register, config.people, lang)
    due = plan_reminders(state, inputs.concerns, people.directory, now, settings, calendar_from(settings))
    batches = plan_entry_errors(state, inputs.report, people.directory, now, settings, inputs.facts,
                                entry_error_savers(state, inputs.report.findings))
    env = environment(config.resolve("templates"))
    reminders = [(mail, group, broken or people.why_not(group[0].to)) for group in _by_recipient(due)
                 for mail, broken in [_reminder_mail(env, group, lang, settings, people)]]
    entries = [(mail, b, broken or people.why_not(b.person)) for b in batches
               for mail, broken in [_entry_mail(env, b, lang)]]
    mails = [(mail, why) for mail, _, why in [*reminders, *entries]]

    def record() -> None:   # what is held is not sent: it is planned again, with the same key, until it goes
        record_sent(state, [r for _, group, why in reminders if why is None for r in group], now.date())
        record_entry_errors_sent(state, [b for _, b, why in entries if why is None], now)

    notes = [*reminder_notes(due, lang, _stage(lang)), *entry_notes(batches, lang)]
    return Plan([mail for mail, why in mails if why is None], record,
                [(mail, why) for mail, why in mails if why is not None], ("reminder/", "entry-errors/"), notes)


def _by_recipient(due: list[Reminder]) -> list[list[Reminder]]:
    groups: dict[tuple[str, tuple[str, ...]], list[Reminder]] = {}
    for r in due:
        groups.setdefault((r.to.email or "", tuple(sorted(p.email or "" for p in r.cc))), []).append(r)
    return list(groups.values())


def _bodies(env: Any, kind: str, lang: str, ctx: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(text, html, why not): a template that does not render holds this mail, with its error, not the others."""
    try:
        return render(env, f"{kind}.txt.j2", lang, **ctx), render(env, f"{kind}.html.j2", lang, **ctx), None
    except ConfigError as exc:
        return "", None, str(exc)


def _reminder_mail(env: Any, group: list[Reminder], lang: str, settings: RemindersConfig,
                   people: Recipients) -> tuple[Outgoing, str | None]:
    to = group[0].to
    cc = [p for p in group[0].cc if people.why_not(p) is None]   # a supervisor's bad address holds no one else's mail
    subject = say("【订单提醒】{n} 项需要跟进", "[Orders] {n} to follow up", lang, n=len(group))
    if cc:
        subject = say("【升级】", "[Escalated] ", lang) + subject
    ctx = dict(subject=subject, to=to, reminders=group, escalated=bool(cc), cc_names="、".join(p.name for p in cc),
               escalate_after=settings.escalate_after_days, stage=_stage(lang))
    key = "|".join(sorted(r.dedupe_key for r in group))
    text, html, broken = _bodies(env, "reminder", lang, ctx)
    return Outgoing(to=[(to.name, to.email or "")], cc=[(p.name, p.email) for p in cc if p.email], subject=subject,
                    text=text, html=html, dedupe_key=key), broken


def _entry_mail(env: Any, batch: Any, lang: str) -> tuple[Outgoing, str | None]:
    subject = say("【录入错误】{n} 处需要更正", "[Register] {n} entries to correct", lang, n=len(batch.findings))
    ctx = dict(subject=subject, to=batch.person, findings=batch.findings)
    text, html, broken = _bodies(env, "entry_errors", lang, ctx)
    return Outgoing(to=[(batch.person.name, batch.person.email or "")], subject=subject, text=text, html=html,
                    dedupe_key=batch.dedupe_key), broken


def digest_spec(config: Config, name: str) -> DigestConfig:
    for spec in config.digests:
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in config.digests) or "none"
    raise ConfigError(f"no digest named {name!r} in [[digests]] (configured: {known})")


def plan_digest(state: State, config: Config, name: str, inputs: Inputs, *, now: datetime, lang: str,
                only: str | None = None, slot: str | None = None) -> Plan:
    """One mail per recipient of the digest ``name``; ``only`` narrows to one person (name or email)."""
    spec = digest_spec(config, name)
    lang = spec.lang or lang
    now = local_now(config, now)
    known = Recipients.from_register(inputs.register, config.people, lang)
    people = recipients(spec, known.directory)
    if only:
        people = [r for r in people if only in (r.person.name, r.person.email)]
        if not people:
            raise ConfigError(f"{only!r} does not receive the digest {name!r}")
    env = environment(config.resolve("templates"))
    digests = [build_digest(spec, r, inputs, state, now) for r in people if r.person.email]
    mails = [(d, digest_mail(env, spec, d, lang, slot or now.isoformat()), known.why_not(d.recipient.person))
             for d in digests]

    def record() -> None:
        for d, _, why in mails:
            if why is None:
                record_digest(state, d)

    title = str(spec.title or say("订单摘要 · {name}", "Order digest · {name}", lang, name=name))
    notes = [digest_note(d, title, lang, slot or now.isoformat()) for d in digests]
    return Plan([m for _, m, why in mails if why is None], record,
                [(m, why) for _, m, why in mails if why is not None], (f"digest/{name}/",), notes)


def digest_mail(env: Any, spec: DigestConfig, d: Digest, lang: str, slot: str) -> Outgoing:
    title = str(spec.title or say("订单摘要 · {name}", "Order digest · {name}", lang, name=d.name))
    subject = f"{title} · {d.generated.date().isoformat()}"
    images = _charts(d, lang) if spec.charts else {}
    ctx = dict(subject=subject, title=title, d=d, limit=spec.limit, today=d.generated.date(),
               kpi_days=spec.kpi_days, stage=_stage(lang), field=_field(lang),
               charts={k.split("-")[0]: k for k in images}, attachment=bool(d.errors))
    attachments = [("findings.xlsx", findings_xlsx(d.errors, lang), XLSX)] if d.errors else []
    person = d.recipient.person
    return Outgoing(to=[(person.name, person.email or "")], subject=subject, text=render(env, "digest.txt.j2", lang, **ctx),
                    html=render(env, "digest.html.j2", lang, **ctx), inline_images=images, attachments=attachments,
                    dedupe_key=f"digest/{d.name}/{d.recipient.person.email}/{slot}")


def _charts(d: Digest, lang: str) -> dict[str, bytes]:
    label_lang = lang if cjk_font() else "en"
    out = {}
    if d.by_stage:
        stage = _stage(label_lang)
        out["stages-chart"] = bar_chart([stage(s) for s in d.by_stage], [v[0] for v in d.by_stage.values()],
                                        title=say("各工序未完成订单", "Open orders by stage", label_lang))
    if d.by_customer:
        out["customers-chart"] = bar_chart([c[0] for c in d.by_customer], [c[1] for c in d.by_customer],
                                           title=say("按客户的延误订单", "Late orders by customer", label_lang),
                                           horizontal=True, bad=True, height=0.9 + 0.28 * len(d.by_customer))
    return out


def findings_xlsx(findings: list[Any], lang: str) -> bytes:
    from sync.notices.report_xlsx import write_report

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "findings.xlsx"
        write_report(Report(findings=list(findings)), path, lang=lang)
        return path.read_bytes()


def _stage(lang: str) -> Callable[[str | None], str]:
    try:
        from sync.orders.progress import stage_label
    except ImportError:
        return lambda s: s or ""
    return lambda s: stage_label(s, lang) if s else ""


def _field(lang: str) -> Callable[[str | None], str]:
    from sync.tables.fields import TABLES

    names = {}
    for t in TABLES.values():
        for f in t.fields.values():
            names.setdefault(f.name, f.aliases[0] if lang != "en" else f.name.replace("_", " "))
    return lambda f: names.get(f or "", f or "")
