"""What people decided about an item: acknowledged, handled, ignored, snoozed, a new date, approved.

An *action* is one person's word about one *subject*, recorded with who, when
and a note, from wherever it was said: the status page, the command line
(``ack``, ``snooze``, ``decide``) or the 处理 column of a findings workbook. The
log is append-only (nothing anyone said is lost); what stands for a subject
is its latest action, and ``reopen`` withdraws it.

Subjects are strings with a prefix, built only by the functions here so every
writer and reader spells them alike:

- ``finding:…``  one finding, identified by what it says about which value
  (rule, table, order, field, typed value), not by its row: a sort keeps it,
  and a changed value is a new finding (so 忽略 lasts until the value changes);
- ``concern:KIND/SUBJECT``  a reminder concern (overdue, due soon, stale …)
  about an order, as ``sync.notices.reminders`` names it;
- ``order:KEY``  an order, for ``new_due`` (the customer agreed a new date);
- ``request:ID``  a change request, for ``approve`` / ``reject``.

How reminders treat what stands: ``ack`` (已知晓) stops escalation but not the
reminder; ``done`` (已处理), ``ignore`` (忽略) and a ``snooze`` before its date
silence it; ``new_due`` replaces the order's due date for reminders while the
register's due date is still the one it was given against (its ``basis``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from sync.errors import UserError
from sync.state import Migration, State

if TYPE_CHECKING:
    from sync.findings import Finding

#: every verb, in the order a form shows them
VERBS = ("ack", "done", "ignore", "snooze", "new_due", "approve", "reject", "note", "reopen")
#: verbs that need a date (``until``)
DATED = frozenset({"snooze", "new_due"})
#: where an action was said
ORIGINS = frozenset({"web", "cli", "workbook", "sheet"})

MIGRATIONS = [
    Migration("actions-001-log", """
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY, subject TEXT NOT NULL, verb TEXT NOT NULL,
            by TEXT NOT NULL, at TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
            until TEXT, basis TEXT, origin TEXT NOT NULL);
        CREATE INDEX actions_subject ON actions (subject, id);
    """),
]


@dataclass(frozen=True)
class Action:
    subject: str
    verb: str
    by: str                          # the person's name as in the people sheet, or a login
    at: datetime
    note: str = ""
    until: date | None = None        # snooze: quiet until this day; new_due: the agreed due date
    basis: str | None = None         # new_due: the register's due date it was agreed against (ISO)
    origin: str = "cli"
    id: int | None = None

    def in_force(self, today: date) -> bool:
        """Whether this action still stands on ``today`` (a snooze ends on its date)."""
        if self.verb == "snooze":
            return self.until is not None and today < self.until
        return self.verb not in ("note", "reopen")

    @property
    def silences(self) -> bool:
        """Reminders about the subject stay quiet (snooze: while in force)."""
        return self.verb in ("done", "ignore", "snooze", "approve", "reject")

    @property
    def stops_escalation(self) -> bool:
        """Nobody above the recipient hears about the subject."""
        return self.verb == "ack" or self.silences


# -- subjects ---------------------------------------------------------------

def _part(value: object) -> str:
    return str(value if value is not None else "").replace("|", "¦").strip()


def finding_subject(f: Finding) -> str:
    """A finding's subject: what it says about which value, not where the row is now."""
    return "finding:" + "|".join(_part(x) for x in (f.rule, f.table, f.order_no, f.field or f.column, f.value))


def concern_subject(kind: str, subject: str) -> str:
    return f"concern:{kind}/{subject}"


def order_subject(order_key: str) -> str:
    return f"order:{order_key}"


def request_subject(request_id: int | str) -> str:
    return f"request:{request_id}"


# -- the log ----------------------------------------------------------------

def validate(action: Action) -> Action:
    """Raise UserError for an action that cannot stand; return it with its text trimmed."""
    if action.verb not in VERBS:
        raise UserError(f"unknown action {action.verb!r}; expected one of {', '.join(VERBS)}")
    if action.origin not in ORIGINS:
        raise UserError(f"unknown origin {action.origin!r}")
    if not action.subject or ":" not in action.subject:
        raise UserError(f"not a subject: {action.subject!r}")
    if not action.by.strip():
        raise UserError("an action needs who took it")
    if action.verb in DATED and action.until is None:
        raise UserError(f"{action.verb} needs a date")
    if action.verb in ("approve", "reject") and not action.subject.startswith("request:"):
        raise UserError(f"{action.verb} is for change requests, not {action.subject}")
    if action.verb == "new_due" and not action.subject.startswith("order:"):
        raise UserError(f"a new due date is for an order, not {action.subject}")
    return replace(action, by=action.by.strip(), note=action.note.strip())


def record(state: State, action: Action) -> Action:
    """Append one action; return it with its id. Nothing is ever overwritten."""
    state.migrate(MIGRATIONS)
    action = validate(action)
    at = action.at if action.at.tzinfo else action.at.replace(tzinfo=timezone.utc)
    with state.atomic() as db:
        cur = db.execute(
            "INSERT INTO actions (subject, verb, by, at, note, until, basis, origin) VALUES (?,?,?,?,?,?,?,?)",
            (action.subject, action.verb, action.by, at.isoformat(), action.note,
             action.until.isoformat() if action.until else None, action.basis, action.origin))
    return replace(action, at=at, id=cur.lastrowid)


def history(state: State, subject: str | None = None, *, prefix: str | None = None) -> list[Action]:
    """Every action, oldest first: about one subject, or about every subject starting with ``prefix``."""
    state.migrate(MIGRATIONS)
    if subject is not None:
        rows = state.db.execute("SELECT * FROM actions WHERE subject=? ORDER BY id", (subject,))
    elif prefix is not None:
        rows = state.db.execute("SELECT * FROM actions WHERE subject >= ? AND subject < ? ORDER BY id",
                                (prefix, prefix + "\U0010ffff"))
    else:
        rows = state.db.execute("SELECT * FROM actions ORDER BY id")
    return [_action(r) for r in rows.fetchall()]


def standing(state: State, today: date) -> dict[str, Action]:
    """The action that stands for each subject on ``today`` (notes don't replace a decision)."""
    state.migrate(MIGRATIONS)
    rows = state.db.execute(
        "SELECT a.* FROM actions a JOIN (SELECT subject, MAX(id) AS id FROM actions WHERE verb != 'note' "
        "GROUP BY subject) last ON a.id = last.id").fetchall()
    out = {}
    for r in rows:
        action = _action(r)
        if action.in_force(today):
            out[action.subject] = action
    return out


def agreed_due(standing_actions: dict[str, Action], order_key: str, register_due: date | None) -> date | None:
    """The due date reminders use for an order: the agreed one while the register still says what it did."""
    action = standing_actions.get(order_subject(order_key))
    if action is None or action.verb != "new_due":
        return register_due
    basis = register_due.isoformat() if register_due else ""
    return action.until if (action.basis or "") == basis else register_due


def _action(row) -> Action:
    return Action(subject=row["subject"], verb=row["verb"], by=row["by"], at=datetime.fromisoformat(row["at"]),
                  note=row["note"], until=date.fromisoformat(row["until"]) if row["until"] else None,
                  basis=row["basis"], origin=row["origin"], id=row["id"])
