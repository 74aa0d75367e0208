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
What each mail looks like is ``sync.notices.mails``'s.

The findings arrive as a ``Report`` and the orders as the cycle's
``OrderModel``: the notices check nothing and join nothing themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sync.actions import standing
from sync.calendar import calendar_from, zone
from sync.calendar import local_now as clock_now
from sync.config import Config, DigestConfig, RemindersConfig
from sync.notices.digests import Inputs, build_digest, recipients, record_digest
from sync.errors import ConfigError
from sync.findings import Report
from sync.orders.facts import order_facts
from sync.orders.model import OrderModel, order_model
from sync.tables.register import Register
from sync.notices.recipients import Recipients, entry_error_savers
from sync.notices.links import Links
from sync.notices.mails import digest_mail, digest_title, entry_mail, reminder_mail, stage_names
from sync.notices.reminders import (Reminder, find_concerns, plan_entry_errors, plan_reminders, record_entry_errors_sent,
                                    record_sent, reminded_before)
from sync.notices.render import environment
from sync.state import State

from sync.delivery.message import ChatNote, Outgoing
from sync.notices.chat import digest_note, entry_notes, reminder_notes

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
    """``now`` (aware) in the config's zone; without one, the one clock's (``sync.calendar.local_now``)."""
    if now is None:
        return clock_now(config.service.timezone)
    return now.astimezone(zone(config.service.timezone))


def plan_notices(state: State, config: Config, inputs: Inputs, *, now: datetime, lang: str) -> Plan:
    """Reminder and entry-error mails due now (``now`` aware); ``record`` marks them sent."""
    settings = config.reminders
    now = local_now(config, now)
    people = Recipients.from_register(inputs.register, config.people, lang)
    due = plan_reminders(state, inputs.concerns, people.directory, now, settings, calendar_from(settings))
    batches = plan_entry_errors(state, inputs.report, people.directory, now, settings, inputs.facts,
                                entry_error_savers(state, inputs.report.findings))
    env = environment(config.resolve("templates"))
    links = Links(config, inputs.register, now)
    reminders = [(mail, group, broken or people.why_not(group[0].to)) for group in _by_recipient(due)
                 for mail, broken in [_reminder_mail(state, env, group, lang, settings, people, links, now)]]
    entries = [(mail, b, broken or people.why_not(b.person)) for b in batches
               for mail, broken in [entry_mail(env, b, lang, links)]]
    mails = [(mail, why) for mail, _, why in [*reminders, *entries]]

    def record() -> None:   # what is held is not sent: it is planned again, with the same key, until it goes
        record_sent(state, [r for _, group, why in reminders if why is None for r in group], now.date())
        record_entry_errors_sent(state, [b for _, b, why in entries if why is None], now)

    notes = [*reminder_notes(due, lang, stage_names(lang)), *entry_notes(batches, lang)]
    return Plan([mail for mail, why in mails if why is None], record,
                [(mail, why) for mail, why in mails if why is not None], ("reminder/", "entry-errors/"), notes)


def _by_recipient(due: list[Reminder]) -> list[list[Reminder]]:
    """One mail per recipient and copy list; an order goes whole into one of them (the escalated one when any
    of its concerns is), so nobody gets the same order in two mails."""
    copied: dict[tuple[str, str], tuple[str, ...]] = {}
    for r in due:
        ident = (r.to.email or "", r.order_key)
        copied[ident] = tuple(sorted({*copied.get(ident, ()), *(p.email or "" for p in r.cc)}))
    groups: dict[tuple[str, tuple[str, ...]], list[Reminder]] = {}
    for r in due:
        groups.setdefault((r.to.email or "", copied[(r.to.email or "", r.order_key)]), []).append(r)
    return list(groups.values())


def _reminder_mail(state: State, env: Any, group: list[Reminder], lang: str, settings: RemindersConfig,
                   people: Recipients, links: Links, now: datetime) -> tuple[Outgoing, str | None]:
    bosses = {p.email or p.name: p for r in group for p in r.cc}
    cc = [p for p in bosses.values() if people.why_not(p) is None]   # a supervisor's bad address holds no one else's mail
    before = reminded_before(state, group[0].to, {r.order_key for r in group}, now.date())
    return reminder_mail(env, group, lang, settings, cc, before, links)


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
    links = Links(config, inputs.register, now)
    mails = [(d, digest_mail(env, spec, d, lang, slot or now.isoformat(), links), known.why_not(d.recipient.person))
             for d in digests]

    def record() -> None:
        for d, _, why in mails:
            if why is None:
                record_digest(state, d)

    notes = [digest_note(d, digest_title(spec, lang), lang, slot or now.isoformat()) for d in digests]
    return Plan([m for _, m, why in mails if why is None], record,
                [(m, why) for _, m, why in mails if why is not None], (f"digest/{name}/",), notes)
