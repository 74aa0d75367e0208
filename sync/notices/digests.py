"""Digests: what one person should read this morning, exceptions first.

A digest is data (``Digest``) built for one recipient and scope, then rendered
by ``sync.notices.render``. Scope follows who the reader is: a follower sees only the
orders they follow; a department (production, qc, shipping, procurement) sees
its own tab and the reminders its work can resolve; a manager sees everything.

KPIs are computed from the dates in the register for this period and the one
before it (``kpi_days``, 7 by default), so even the first digest has something
to compare with; open orders by stage is a snapshot and is compared with the
figures stored when the previous digest went out.

What people said stands here too (``sync.actions``): reminders handled or
snoozed are left out, an agreed due date decides what is overdue, and a
decided change request is no longer listed as waiting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sync.actions import Action, agreed_due, standing
from sync.config import DigestConfig
from sync.errors import ConfigError
from sync.findings import ERROR, Finding, Report
from sync.tables.normalize import fold_text, normalise_key
from sync.orders.facts import DEPARTMENTS, OrderFacts
from sync.orders.model import OrderModel
from sync.orders.view import KEY
from sync.orders.people import Directory, Person, names_in
from sync.tables.kinds import kind_of
from sync.tables.register import Register
from sync.changes.requests import pending
from sync.notices.reminders import Concern, said_about
from sync.state import Migration, State

MIGRATIONS = [Migration("digests-001-runs", """
    CREATE TABLE digest_runs (name TEXT NOT NULL, recipient TEXT NOT NULL, at TEXT NOT NULL, figures TEXT NOT NULL,
                              PRIMARY KEY (name, recipient, at));
""")]
FOLLOWER_WORDS = {"followers", "follower", "跟单员", "跟单", "merchandisers"}
MANAGER_WORDS = {"manager", "managers", "management", "经理", "管理层"}
#: reminder kinds a department can act on
DEPARTMENT_KINDS = {"production": {"behind_plan", "stale"}, "qc": {"qc_failed"},
                    "shipping": {"due_soon", "overdue"}, "procurement": {"material_late"}}


@dataclass(frozen=True)
class Scope:
    kind: str          # follower | department | all
    name: str = ""     # the follower's name or the department

    def orders(self, facts: dict[str, OrderFacts], concerns: list[Concern]) -> set[str]:
        if self.kind == "follower":
            me = fold_text(self.name)
            return {k for k, f in facts.items() if me in names_in(f.follower)}
        if self.kind == "department":
            return {c.subject.split("/")[0] for c in concerns if c.kind in DEPARTMENT_KINDS[self.name]}
        return set(facts)

    def finding(self, f: Finding, mine: set[str], who: str | None = None, key: str | None = None,
                kinds: dict[str, str] | None = None) -> bool:
        """``who``/``key``: the finding's folded follower and order key, when already worked out; ``kinds``:
        the register's table names -> kinds (a second production table, production_x, is production's)."""
        if self.kind == "follower":
            who = fold_text(f.follower or "") if who is None else who
            key = normalise_key(f.order_no) if key is None else key
            return who == fold_text(self.name) or key in mine or fold_text(self.name) in names_in(f.follower)
        if self.kind == "department":
            return kind_of(f.table, kinds) == DEPARTMENTS[self.name]
        return True

    def concern(self, c: Concern) -> bool:
        if self.kind == "follower":
            return fold_text(self.name) in names_in(c.follower)
        return self.kind == "all" or c.kind in DEPARTMENT_KINDS[self.name]


@dataclass
class Recipient:
    person: Person
    scope: Scope


def recipients(spec: DigestConfig, directory: Directory) -> list[Recipient]:
    """``to = ["followers", "production", "赵敏", "boss@example.com"]`` -> who gets which scope."""
    out: dict[str, Recipient] = {}
    for entry in spec.to:
        for r in _expand(entry, directory, spec.name):
            out.setdefault(fold_text(r.person.email or r.person.name), r)
    return list(out.values())


def _expand(entry: str, directory: Directory, name: str) -> list[Recipient]:
    word = fold_text(entry)
    if word in FOLLOWER_WORDS:
        return [Recipient(p, Scope("follower", p.name)) for p in directory.of_kind("follower")]
    if word in MANAGER_WORDS:
        return [Recipient(p, Scope("all")) for p in directory.of_kind("manager")]
    if word in DEPARTMENTS:
        return [Recipient(p, Scope("department", word)) for p in directory.of_kind(word)]
    person = directory.find(entry)
    if person is not None:
        return [Recipient(person, scope_of(person))]
    if "@" in entry:
        return [Recipient(Person(entry, entry, "", "manager"), Scope("all"))]
    raise ConfigError(f"[[digests]] {name}: to = {entry!r} is neither a person in the people sheet nor one of "
                      f"followers, production, qc, shipping, procurement, manager, nor an email address")


def scope_of(person: Person) -> Scope:
    if person.kind == "follower":
        return Scope("follower", person.name)
    if person.kind in DEPARTMENTS:
        return Scope("department", person.kind)
    return Scope("all")


@dataclass
class Kpi:
    name: str
    value: float | None
    previous: float | None
    unit: str = "%"          # % | days | orders
    higher_is_better: bool = True

    @property
    def delta(self) -> float | None:
        return None if self.value is None or self.previous is None else self.value - self.previous

    @property
    def trend(self) -> str:
        """good | bad | same | none: what the change means, not just its sign."""
        d = self.delta
        if d is None:
            return "none"
        if abs(d) < 0.05:   # below what the mail shows (one decimal)
            return "same"
        return "good" if (d > 0) == self.higher_is_better else "bad"


@dataclass
class Digest:
    name: str
    recipient: Recipient
    period: tuple[date, date]
    previous_period: tuple[date, date]
    generated: datetime
    since: str | None
    errors: list[Finding] = field(default_factory=list)
    overdue: list[OrderFacts] = field(default_factory=list)
    at_risk: list[OrderFacts] = field(default_factory=list)
    reminders: list[Concern] = field(default_factory=list)
    changes: list[Any] = field(default_factory=list)          # sync.changes.ledger.Change
    requests: list[Any] = field(default_factory=list)         # sync.changes.requests.ChangeRequest
    kpis: list[Kpi] = field(default_factory=list)
    by_stage: dict[str, tuple[int, int | None]] = field(default_factory=dict)   # stage -> (now, before)
    by_customer: list[tuple[str, int, int]] = field(default_factory=list)       # name, late orders, days late
    by_product: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.errors or self.overdue or self.at_risk or self.reminders or self.changes or self.requests)


@dataclass
class Inputs:
    """Everything a digest is made of, read once per run and shared by every recipient."""

    register: Register
    report: Report
    facts: dict[str, OrderFacts]
    concerns: list[Concern]
    changes: list[Any] = field(default_factory=list)
    requests: list[Any] = field(default_factory=list)
    orders: OrderModel | None = None     # the model the facts were read from
    _errors: list[tuple[Finding, str, str]] | None = field(default=None, init=False, repr=False)

    def kinds(self) -> dict[str, str]:
        """The register's table names -> their kinds."""
        return {name: t.kind for name, t in self.register.tables.items()}

    def errors(self) -> list[tuple[Finding, str, str]]:
        """The errors in sheet order, each with its folded follower and order key: worked out once for all
        the recipients (a big register has tens of thousands of findings)."""
        if self._errors is None:
            found = sorted((f for f in self.report.findings if f.severity == ERROR), key=lambda f: f.sort_key)
            self._errors = [(f, fold_text(f.follower or ""), normalise_key(f.order_no)) for f in found]
        return self._errors


def build_digest(spec: DigestConfig, recipient: Recipient, inputs: Inputs, state: State, now: datetime) -> Digest:
    state.migrate(MIGRATIONS)
    scope, today = recipient.scope, now.date()
    days = spec.kpi_days
    period = (today - timedelta(days=days), today - timedelta(days=1))
    before = (period[0] - timedelta(days=days), period[0] - timedelta(days=1))
    last = _last_run(state, spec.name, recipient)
    mine = scope.orders(inputs.facts, inputs.concerns)
    facts = [inputs.facts[k] for k in sorted(mine) if k in inputs.facts]
    open_ = [f for f in facts if not f.closed]
    said = standing(state, today)   # handled and snoozed items, agreed dates, decided requests
    d = Digest(spec.name, recipient, period, before, now, last[0] if last else None)
    kinds = inputs.kinds()
    d.errors = [f for f, who, key in inputs.errors() if scope.finding(f, mine, who, key, kinds)]
    d.overdue = sorted((f for f in open_ if f.known_open and _late(f, said, today)), key=lambda f: f.due_date)
    late = {f.key for f in d.overdue}      # by key: comparing the facts field by field made this quadratic
    d.at_risk = [f for f in open_ if f.key not in late and (f.at_risk or _projected_late(f))]
    d.reminders = [c for c in inputs.concerns if scope.concern(c) and not _quiet(said, c)]
    since = d.since or datetime.combine(period[0], datetime.min.time()).isoformat()
    d.changes = [c for c in inputs.changes if c.seen_at >= since and _change_in_scope(c, scope, mine, kinds)]
    d.requests = [r for r in pending(inputs.requests, said) if request_in_scope(r, scope, mine)]
    d.kpis = kpis(facts, inputs.orders, mine, period, before, today)
    d.by_stage = _by_stage(open_, last[1] if last else None, _stage_order(inputs))
    d.by_customer = _delays(facts, period, today, "customer")
    d.by_product = _delays(facts, period, today, "product")
    return d


def record_digest(state: State, digest: Digest) -> None:
    figures = {"by_stage": {k: v[0] for k, v in digest.by_stage.items()}}
    with state.atomic() as db:
        db.execute("INSERT OR REPLACE INTO digest_runs (name, recipient, at, figures) VALUES (?, ?, ?, ?)",
                   (digest.name, _who(digest.recipient), digest.generated.isoformat(), json.dumps(figures)))


def _who(r: Recipient) -> str:
    return fold_text(r.person.email or r.person.name)


def _last_run(state: State, name: str, r: Recipient) -> tuple[str, dict[str, int]] | None:
    row = state.db.execute("SELECT at, figures FROM digest_runs WHERE name=? AND recipient=? ORDER BY at DESC "
                           "LIMIT 1", (name, _who(r))).fetchone()
    return (row["at"], json.loads(row["figures"])["by_stage"]) if row else None


def _late(f: OrderFacts, said: dict[str, Action], today: date) -> bool:
    """Past due, by the date the customer agreed when there is one."""
    due = agreed_due(said, f.key, f.due_date)
    return bool(due and due < today)


def _quiet(said: dict[str, Action], c: Concern) -> bool:
    action = said_about(said, c)
    return action is not None and action.silences


def _projected_late(f: OrderFacts) -> bool:
    return bool(f.projected_finish and f.due_date and f.projected_finish > f.due_date)


def _change_in_scope(c: Any, scope: Scope, mine: set[str], kinds: dict[str, str] | None = None) -> bool:
    if scope.kind == "department":
        return kind_of(c.table, kinds) == DEPARTMENTS[scope.name]
    return scope.kind == "all" or (c.order_key or normalise_key(c.order_no)) in mine


def request_in_scope(r: Any, scope: Scope, mine: set[str]) -> bool:
    if scope.kind == "department":
        return scope.name in r.departments or DEPARTMENTS[scope.name] in r.departments
    return scope.kind == "all" or r.order_key in mine


def kpis(facts: list[OrderFacts], orders: OrderModel | None, mine: set[str], period: tuple[date, date],
         before: tuple[date, date], today: date) -> list[Kpi]:
    now, prev = _delivery(facts, period), _delivery(facts, before)
    return [
        Kpi("completion_rate", now[0], prev[0]),
        Kpi("on_time_rate", now[1], prev[1]),
        Kpi("avg_days_late", now[2], prev[2], "days", higher_is_better=False),
        Kpi("first_pass_yield", _fpy(orders, mine, period), _fpy(orders, mine, before)),
    ]


def _delivery(facts: list[OrderFacts], window: tuple[date, date]) -> tuple[float | None, ...]:
    """(completion rate, on-time rate, average days late of the late ones) for orders in the window."""
    start, end = window
    due = [f for f in facts if f.due_date and start <= f.due_date <= end]
    done = [f for f in due if f.closed and (f.last_shipped is None or f.last_shipped <= end)]
    shipped = [f for f in facts if f.closed and f.last_shipped and start <= f.last_shipped <= end and f.due_date]
    late = [f.days_late(end) for f in shipped if f.days_late(end) > 0]
    return (_pct(len(done), len(due)), _pct(len(shipped) - len(late), len(shipped)),
            sum(late) / len(late) if late else (0.0 if shipped else None))


def _fpy(orders: OrderModel | None, mine: set[str], window: tuple[date, date]) -> float | None:
    """Passed over inspected, counting each order's first inspection only, when it fell in the window
    (the QC rows as the order model joined them)."""
    qc = orders.view.parts.get("qc") if orders is not None else None
    if qc is None or not {"inspected_on", "inspected_qty", "passed_qty"} <= set(qc):
        return None
    df = qc.dropna(subset=["inspected_on"])
    df = df[df[KEY].isin(mine)].sort_values("inspected_on", kind="stable").drop_duplicates(KEY)
    days = df["inspected_on"].dt.date
    df = df[(days >= window[0]) & (days <= window[1])]
    inspected = df["inspected_qty"].sum()
    return float(100 * df["passed_qty"].sum() / inspected) if inspected else None


def _pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def _stage_order(inputs: Inputs) -> list[str]:
    """Stages as the work flows: not started, the production stages in order (as the progress names them), QC,
    to ship."""
    stages = inputs.orders.view.stages if inputs.orders is not None else []
    return ["not-started", *[str(s) for s in stages], "qc", "shipping"]


def _by_stage(open_: list[OrderFacts], before: dict[str, int] | None,
              order: list[str]) -> dict[str, tuple[int, int | None]]:
    now: dict[str, int] = {}
    for f in open_:
        now[f.stage or "not-started"] = now.get(f.stage or "not-started", 0) + 1
    stages = list(now) + [s for s in (before or {}) if s not in now]
    stages.sort(key=lambda s: order.index(s) if s in order else len(order))
    return {s: (now.get(s, 0), (before or {}).get(s) if before is not None else None) for s in stages}


def _delays(facts: list[OrderFacts], period: tuple[date, date], today: date, by: str) -> list[tuple[str, int, int]]:
    """Open overdue orders and orders shipped late in the period, per customer or product."""
    out: dict[str, list[int]] = {}
    for f in facts:
        late_open = f.known_open and f.due_date and f.due_date < today
        late_shipped = f.closed and f.last_shipped and period[0] <= f.last_shipped <= period[1] and f.days_late(today)
        if late_open or late_shipped:
            name = getattr(f, by) or "?"
            out.setdefault(name, []).append(f.days_late(today))
    return sorted(((k, len(v), sum(v)) for k, v in out.items()), key=lambda t: (-t[1], -t[2], t[0]))[:10]
