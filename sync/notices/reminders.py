"""Reminders: what needs someone's attention, and whether to tell them today.

Plan, then act. ``find_concerns`` lists what is wrong right now (due soon,
overdue, behind plan, stale, QC failure awaiting rework, material late).
``plan_reminders`` keeps one *episode* per (kind, subject, recipient) in the
state: opened when a concern first appears, closed when it is gone (so the
reminders stop by themselves), and returns the reminders due today: the first
one on the first working day, then one every ``repeat_every_days`` working days,
to the supervisor too once ``escalate_after_days`` working days have passed
unresolved. ``record_sent`` writes down what went out. A reminder's due day is
derived from the state alone, so planning again after a crash gives the same
reminder with the same dedupe key: never the same reminder twice in an interval.

Data-entry errors follow their own rule (``plan_entry_errors``): soon after
the save that made them, batched per person, at most one mail per interval,
and none for an error fixed before it went out.

What people said (``sync.actions``) is respected: a concern marked 已处理 or
snoozed is quiet (a snooze until its date), one marked 已知晓 is reminded but not
escalated, and a due date the customer agreed replaces the register's while
the register still says what it was agreed against.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Callable

from sync.actions import Action, agreed_due, concern_subject, standing
from sync.calendar import WorkCalendar, calendar_from, parse_time
from sync.config import RemindersConfig, validated
from sync.findings import ERROR, Finding, Report
from sync.tables.normalize import fold_text, normalise_key
from sync.orders.batches import PlannedBatch
from sync.orders.facts import OrderFacts, materials_late, qc_awaiting_rework
from sync.orders.people import Directory, Person
from sync.orders.view import SLACK
from sync.tables.register import Register
from sync.state import Migration, State

KINDS = ("overdue", "due_soon", "behind_plan", "stale", "qc_failed", "material_late")

MIGRATIONS = [
    Migration("reminders-001-episodes", """
        CREATE TABLE reminder_episodes (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL, subject TEXT NOT NULL, recipient TEXT NOT NULL,
            order_no TEXT, first_seen TEXT NOT NULL, last_sent TEXT, sent_count INTEGER NOT NULL DEFAULT 0,
            escalated_on TEXT, resolved_on TEXT);
        CREATE UNIQUE INDEX reminder_open ON reminder_episodes (kind, subject, recipient) WHERE resolved_on IS NULL;
    """),
    Migration("reminders-002-entry-errors", """
        CREATE TABLE entry_errors (
            person TEXT NOT NULL, fkey TEXT NOT NULL, first_seen TEXT NOT NULL, sent_at TEXT,
            PRIMARY KEY (person, fkey));
        CREATE TABLE entry_error_mails (person TEXT PRIMARY KEY, last_sent TEXT NOT NULL);
    """),
    # the days each person was reminded of each order, whatever about: "第几次提醒" counts these, so an order
    # that turns from due soon to overdue is reminded for the third time, not the first again
    Migration("reminders-003-order-days", """
        CREATE TABLE reminder_days (recipient TEXT NOT NULL, order_key TEXT NOT NULL, day TEXT NOT NULL,
                                    PRIMARY KEY (recipient, order_key, day));
    """),
]


def settings_from(section: RemindersConfig | dict[str, Any]) -> RemindersConfig:
    """[reminders], typed (its defaults live in sync.config); a dict is checked as [reminders]."""
    return section if isinstance(section, RemindersConfig) else validated(RemindersConfig, section, "[reminders]")


@dataclass
class Concern:
    kind: str
    subject: str                # what it is about: the order key, or order key + "/" + material
    order_no: str
    follower: str | None
    customer: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


#: the concerns ``_order_concerns`` finds, each order's own
ORDER_KINDS = frozenset({"overdue", "due_soon", "behind_plan", "stale"})


def find_concerns(facts: dict[str, OrderFacts], register: Register, today: date, cal: WorkCalendar,
                  settings: RemindersConfig, last_changed: dict[str, datetime] | None = None,
                  said: dict[str, Action] | None = None) -> list[Concern]:
    """What is wrong today; ``said``: the actions standing (``sync.actions.standing``), whose agreed due
    dates replace the register's while it still says what they were agreed against."""
    enabled = set(settings.enabled)
    out: list[Concern] = []
    if enabled & ORDER_KINDS:    # only what is enabled is looked for: a hundred thousand orders take a second
        for f in facts.values():
            if f.closed:
                continue
            out += _order_concerns(_agreed(f, said or {}), today, cal, settings, last_changed or {})
    if "qc_failed" in enabled:
        out += _qc_concerns(facts, register)
    if "material_late" in enabled:
        out += _material_concerns(facts, register, today)
    return [c for c in out if c.kind in enabled]


def _order_concerns(f: OrderFacts, today: date, cal: WorkCalendar, settings: RemindersConfig,
                    last_changed: dict[str, datetime]) -> list[Concern]:
    def concern(kind: str, **detail: Any) -> Concern:
        return Concern(kind, f.key, f.order_no, f.follower, f.customer, dict(detail, due_date=f.due_date))

    out = []
    if f.due_date and f.due_date < today:
        if f.known_open:   # a list of past orders, with nothing to say they are still open, is not late
            out.append(concern("overdue", days_late=f.days_late(today)))
    elif f.due_date and cal.working_days_between(today, f.due_date) <= settings.setting("due_soon", "due_soon_days"):
        out.append(concern("due_soon", working_days_left=cal.working_days_between(today, f.due_date)))
    if (batch := next_batch(f, today)) is not None and not (f.due_date and f.due_date < today):
        out += _batch_concerns(f, batch, today, cal, settings)
    projected_late = bool(f.projected_finish and f.due_date and f.projected_finish > f.due_date)
    if (f.at_risk or projected_late) and not (f.due_date and f.due_date < today):
        out.append(concern("behind_plan", stage=f.stage, projected_finish=f.projected_finish))
    changed = last_changed.get(f.key)
    if changed is not None and f.figures and f.stage not in (None, "not-started", "shipped"):
        idle = cal.working_days_between(changed.date() if isinstance(changed, datetime) else changed, today)
        if idle >= settings.setting("stale", "stale_days"):
            out.append(concern("stale", stage=f.stage, last_changed=changed, idle_days=idle))
    return out


def next_batch(f: OrderFacts, today: date) -> PlannedBatch | None:
    """The delivery batch an order is working towards, if it comes before the order's own due date: the first the
    shipments do not yet cover (where the register records them), else the first not yet due (without shipments,
    what has gone is not known: a batch past its date is no reminder)."""
    for b in f.batches:
        if f.due_date and b.due >= f.due_date:
            return None     # the last batch is the order's own due date: reminded as the order
        gone = f.shipped_qty + SLACK >= b.need if f.shipments_kept else b.due < today
        if not gone:
            return b
    return None


def _batch_concerns(f: OrderFacts, b: PlannedBatch, today: date, cal: WorkCalendar,
                    settings: RemindersConfig) -> list[Concern]:
    """A batch past its date and not shipped is overdue, one whose date is near is due soon: said of the batch
    (its own subject, order key/批次), with what is due by it and what has shipped."""
    detail = {"due_date": b.due, "batch": b.label, "batch_qty": b.qty, "need": b.need,
              "shipped": f.shipped_qty if f.shipments_kept else None, "order_due": f.due_date}
    subject = f"{f.key}/{b.label.replace('/', '-')}"
    if b.due < today:
        return [Concern("overdue", subject, f.order_no, f.follower, f.customer,
                        dict(detail, days_late=(today - b.due).days))]
    left = cal.working_days_between(today, b.due)
    if left <= settings.setting("due_soon", "due_soon_days"):
        return [Concern("due_soon", subject, f.order_no, f.follower, f.customer, dict(detail, working_days_left=left))]
    return []


def _agreed(f: OrderFacts, said: dict[str, Action]) -> OrderFacts:
    """The order as reminders see it once the customer agreed a new date (its risk judged against that date)."""
    due = agreed_due(said, f.key, f.due_date)
    if due == f.due_date:
        return f
    late = bool(f.projected_finish and due and f.projected_finish > due)
    return replace(f, due_date=due, at_risk=late)


def said_about(said: dict[str, Action], c: Concern) -> Action | None:
    """What stands for a concern (its reminder acknowledged, handled or snoozed), if anything."""
    return said.get(concern_subject(c.kind, c.subject))


def _open(facts: dict[str, OrderFacts]) -> Callable[[str], bool]:
    def is_open(key: str) -> bool:
        f = facts.get(key)
        return f is not None and not f.closed
    return is_open


def _qc_concerns(facts: dict[str, OrderFacts], register: Register) -> list[Concern]:
    out = []
    for key, row in qc_awaiting_rework(register, only=_open(facts)).items():
        f = facts[key]
        out.append(Concern("qc_failed", key, f.order_no, f.follower, f.customer,
                           {"failed_qty": row.get("failed_qty"), "defect": row.get("defect"),
                            "inspected_on": row.get("inspected_on"), "sheet": row.get("_sheet"),
                            "row": row.get("_row")}))
    return out


def _material_concerns(facts: dict[str, OrderFacts], register: Register, today: date) -> list[Concern]:
    out = []
    for row in materials_late(register, today, only=_open(facts)):
        f = facts[normalise_key(row["order_no"])]
        material = str(row.get("material") or "")
        out.append(Concern("material_late", f"{f.key}/{fold_text(material)}", f.order_no, f.follower, f.customer,
                           {"material": material, "supplier": row.get("supplier"), "expected": row["expected"],
                            "days_late": (today - row["expected"]).days, "sheet": row.get("_sheet"),
                            "row": row.get("_row")}))
    return out


@dataclass
class Reminder:
    concern: Concern
    to: Person
    cc: list[Person]
    escalated: bool
    due_day: date          # the working day this sending belongs to: the same after any restart
    episode: int
    first_seen: date
    times_sent: int        # before this one

    @property
    def order_key(self) -> str:
        return self.concern.subject.split("/")[0]

    @property
    def dedupe_key(self) -> str:
        c = self.concern
        return f"reminder/{c.kind}/{c.subject}/{fold_text(self.to.name)}/{self.due_day.isoformat()}"


def plan_reminders(state: State, concerns: list[Concern], directory: Directory, now: datetime,
                   settings: RemindersConfig, cal: WorkCalendar | None = None) -> list[Reminder]:
    """Open episodes for new concerns, close resolved ones, return the reminders due now (local ``now``)."""
    state.migrate(MIGRATIONS)
    cal = cal or calendar_from(settings)
    today = now.date()
    recipients = {id(c): _recipients(c, directory, settings) for c in concerns}
    with state.atomic() as db:
        _sync_episodes(db, concerns, recipients, today)
    if not cal.is_working(today) or now.time() < parse_time(settings.send_after, "send_after"):
        return []
    episodes = {(r["kind"], r["subject"], r["recipient"]): r for r in state.db.execute(
        "SELECT * FROM reminder_episodes WHERE resolved_on IS NULL").fetchall()}     # one query, not one per concern
    said = standing(state, today)   # 已处理 / snoozed: quiet; 已知晓: no escalation
    due = []
    for c in concerns:
        action = said_about(said, c)
        if action is not None and action.silences:
            continue
        for person in recipients[id(c)]:
            if not person.email:
                continue
            row = episodes[(c.kind, c.subject, fold_text(person.name))]
            if reminder := _due(c, row, person, directory, today, cal, settings,
                                acknowledged=action is not None and action.stops_escalation):
                due.append(reminder)
    return due


def _recipients(c: Concern, directory: Directory, settings: RemindersConfig) -> list[Person]:
    """The order's follower, or each of the followers one cell names (张伟/李娜); else whoever
    ``unassigned_to`` names."""
    return directory.each(c.follower) or directory.each(settings.unassigned_to)[:1]


def _sync_episodes(db: Any, concerns: list[Concern], recipients: dict[int, list[Person]], today: date) -> None:
    live = set()
    opened = []
    for c in concerns:
        for person in recipients[id(c)]:
            ident = (c.kind, c.subject, fold_text(person.name))
            live.add(ident)
            opened.append((*ident, c.order_no, today.isoformat()))
    db.executemany("INSERT OR IGNORE INTO reminder_episodes (kind, subject, recipient, order_no, first_seen) "
                   "VALUES (?, ?, ?, ?, ?)", opened)
    resolved = [(today.isoformat(), row["id"]) for row in db.execute(
        "SELECT id, kind, subject, recipient FROM reminder_episodes WHERE resolved_on IS NULL").fetchall()
        if (row["kind"], row["subject"], row["recipient"]) not in live]
    db.executemany("UPDATE reminder_episodes SET resolved_on=? WHERE id=?", resolved)


def _due(c: Concern, row: Any, person: Person, directory: Directory, today: date, cal: WorkCalendar,
         settings: RemindersConfig, *, acknowledged: bool = False) -> Reminder | None:
    first_seen = date.fromisoformat(row["first_seen"])
    if row["last_sent"]:
        due_day = cal.add_working_days(date.fromisoformat(row["last_sent"]),
                                       settings.setting(c.kind, "repeat_every_days"))
    else:
        due_day = cal.next_working_day(first_seen)
    unresolved = cal.working_days_between(first_seen, today)
    boss = directory.supervisor_of(person.name)
    escalated = bool(boss and boss.email and not acknowledged
                     and unresolved >= settings.setting(c.kind, "escalate_after_days"))
    if escalated and not row["escalated_on"] and due_day > today:
        due_day = today           # the supervisor hears on the day it escalates, not at the next repeat
    if due_day > today:
        return None
    return Reminder(c, person, [boss] if escalated and boss else [], escalated, due_day, row["id"], first_seen,
                    row["sent_count"])


def record_sent(state: State, reminders: list[Reminder], today: date) -> None:
    """After the reminders are queued: remember them, in one transaction."""
    with state.atomic() as db:
        for r in reminders:
            db.execute("UPDATE reminder_episodes SET last_sent=?, sent_count=sent_count+1, "
                       "escalated_on=COALESCE(escalated_on, ?) WHERE id=?",
                       (today.isoformat(), today.isoformat() if r.escalated else None, r.episode))
        db.executemany("INSERT OR IGNORE INTO reminder_days (recipient, order_key, day) VALUES (?, ?, ?)",
                       {(fold_text(r.to.name), r.order_key, today.isoformat()) for r in reminders})


def reminded_before(state: State, person: Person, keys: set[str], today: date) -> dict[str, int]:
    """On how many days before ``today`` ``person`` was reminded of each order (of ``keys``).

    Days are what a person counts ("the third time they tell me about SO-17"), not episodes: an order
    that is due soon twice and then overdue is on its third reminder. Reminders sent before the days
    were kept count through their episodes' ``sent_count``."""
    state.migrate(MIGRATIONS)
    who = fold_text(person.name)
    days: dict[str, int] = {}
    for key, n in state.db.execute("SELECT order_key, count(*) FROM reminder_days WHERE recipient=? AND day<? "
                                   "GROUP BY order_key", (who, today.isoformat())):
        days[key] = n
    for subject, n in state.db.execute("SELECT subject, max(sent_count) FROM reminder_episodes WHERE recipient=? "
                                       "AND (last_sent IS NULL OR last_sent<?) GROUP BY subject",
                                       (who, today.isoformat())):
        key = subject.split("/")[0]
        days[key] = max(days.get(key, 0), n)
    return {k: days.get(k, 0) for k in keys}


# --- data-entry errors ---------------------------------------------------------------------------

@dataclass
class EntryErrorBatch:
    person: Person
    findings: list[Finding]
    keys: list[str]

    @property
    def dedupe_key(self) -> str:
        digest = hashlib.sha1("\n".join(sorted(self.keys)).encode()).hexdigest()[:16]
        return f"entry-errors/{fold_text(self.person.name)}/{digest}"


def finding_key(f: Finding) -> str:
    return "|".join(str(x or "") for x in (f.rule, f.source, f.sheet, f.cell, f.value))


def plan_entry_errors(state: State, report: Report, directory: Directory, now: datetime,
                      settings: RemindersConfig, facts: dict[str, OrderFacts] | None = None,
                      savers: dict[int, str] | None = None) -> list[EntryErrorBatch]:
    """Remember when each error was first seen, forget fixed ones, return the batches due now.

    ``savers``: id(finding) -> who saved its cell; that person is told when the people sheet knows them."""
    state.migrate(MIGRATIONS)
    if "entry_errors" not in settings.enabled:
        return []
    current: dict[tuple[str, str], tuple[Person, Finding]] = {}
    for f in report.findings:
        who = (f.follower or (facts or {}).get(normalise_key(f.order_no), OrderFacts("", "")).follower
               or settings.unassigned_to)  # e.g. an unreadable workbook: nobody's rows, still somebody's job
        saver = directory.find((savers or {}).get(id(f)) or "") if f.severity == ERROR else None
        person = (saver if saver and saver.email else directory.find(who)) if f.severity == ERROR else None
        if person is not None and person.email:
            current[(fold_text(person.name), finding_key(f))] = (person, f)
    stamp = now.isoformat()
    with state.atomic() as db:
        known = {(r["person"], r["fkey"]): r for r in db.execute("SELECT * FROM entry_errors").fetchall()}
        for gone in known.keys() - current.keys():
            db.execute("DELETE FROM entry_errors WHERE person=? AND fkey=?", gone)
        for new in current.keys() - known.keys():
            db.execute("INSERT INTO entry_errors (person, fkey, first_seen) VALUES (?, ?, ?)", (*new, stamp))
        rows = db.execute("SELECT * FROM entry_errors WHERE sent_at IS NULL").fetchall()
        mails = {r["person"]: datetime.fromisoformat(r["last_sent"])
                 for r in db.execute("SELECT * FROM entry_error_mails").fetchall()}
    return _entry_batches(rows, current, mails, now, settings)


def _entry_batches(rows: list[Any], current: dict[tuple[str, str], tuple[Person, Finding]],
                   mails: dict[str, datetime], now: datetime, settings: RemindersConfig) -> list[EntryErrorBatch]:
    delay = timedelta(minutes=settings.entry_error_delay_minutes)
    interval = timedelta(minutes=settings.entry_error_batch_minutes)
    by_person: dict[str, list[Any]] = {}
    for r in rows:
        by_person.setdefault(r["person"], []).append(r)
    out = []
    for who, pending in sorted(by_person.items()):
        oldest = min(datetime.fromisoformat(r["first_seen"]) for r in pending)
        if oldest + delay > now or (who in mails and mails[who] + interval > now):
            continue
        person = current[(who, pending[0]["fkey"])][0]
        found = sorted((current[(who, r["fkey"])][1] for r in pending), key=lambda f: f.sort_key)
        out.append(EntryErrorBatch(person, found, [r["fkey"] for r in pending]))
    return out


def record_entry_errors_sent(state: State, batches: list[EntryErrorBatch], now: datetime) -> None:
    with state.atomic() as db:
        for b in batches:
            who = fold_text(b.person.name)
            db.executemany("UPDATE entry_errors SET sent_at=? WHERE person=? AND fkey=?",
                           [(now.isoformat(), who, k) for k in b.keys])
            db.execute("INSERT INTO entry_error_mails (person, last_sent) VALUES (?, ?) "
                       "ON CONFLICT(person) DO UPDATE SET last_sent=excluded.last_sent", (who, now.isoformat()))
