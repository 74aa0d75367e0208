"""Change requests (客户需求变更): an order under way whose terms moved.

A change to an order's quantity, due date, product, colour or size is a change
request once the order is under way: its status says it started, production
has reported output, or materials were ordered. Each request carries the
impacts the register already lets us see, and the departments to tell:

- quantity up after materials were bought   -> materials shortfall -> procurement
- due date pulled in before the projected finish -> at risk -> production, follower
- product/colour/size changed once the first stage (cutting, mixing) began -> rework -> production, QC
- quantity down below what was produced     -> surplus -> follower, sales

A request with none of these still goes to the order's follower: the customer
changed their mind on a running order, and someone should know.

Whether an order is under way, who follows it and its projected finish come
from the cycle's order model (``sync.orders.model``): its status is classified
by the one list of status words, as everywhere else. A ``ProjectedFinish``
callable (order key -> date or None) given to ``classify`` decides instead of
the model's projection. Where neither has a projection for an order, the
production tab's own plan stands in: the latest actual finish once every stage
finished, else the latest planned finish.

A stored request has an id; approving or rejecting it is an action on
``request:ID`` (``sync.actions``), and ``pending`` leaves the decided ones out.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date

import pandas as pd

from sync.actions import Action, request_subject
from sync.findings import WARNING, Finding
from sync.i18n import say
from sync.orders.model import OrderModel, order_model
from sync.orders.view import CANCELLED, PENDING, OrderView, declared_unit
from sync.tables.normalize import parse_number_text
from sync.tables.quantities import count_unit, number_and_unit
from sync.tables.register import Register
from sync.changes.change import Change
from sync.changes.snapshot import snapshot_of
from sync.state import Migration


ProjectedFinish = Callable[[str], "date | None"]

REQUEST_FIELDS = ("quantity", "due_date", "product", "color", "size")
SPEC_FIELDS = ("product", "color", "size")
FIELD_LABELS = {"quantity": ("数量", "quantity"), "due_date": ("交期", "due date"), "product": ("款号", "product"),
                "color": ("颜色", "colour"), "size": ("尺码", "size")}
DEPARTMENTS = {"procurement": ("采购", "procurement"), "production": ("生产", "production"),
               "qc": ("品检", "QC"), "follower": ("跟单", "follower"), "sales": ("业务", "sales")}
#: status classes that say an order has not started (or will not): a change to it is just an edit
NOT_STARTED = (PENDING, CANCELLED)

REQUEST_MIGRATIONS = [Migration("change-requests-001", """
CREATE TABLE change_requests (id INTEGER PRIMARY KEY, cycle INTEGER NOT NULL, seen_at TEXT NOT NULL,
    order_key TEXT NOT NULL, order_no TEXT, field TEXT NOT NULL, old TEXT, new TEXT,
    impacts TEXT NOT NULL, departments TEXT NOT NULL, follower TEXT, source TEXT, sheet TEXT, cell TEXT);
CREATE INDEX change_requests_order ON change_requests (order_key);
""")]


@dataclass
class Impact:
    kind: str                       # materials-shortfall | at-risk | rework | surplus
    departments: tuple[str, ...]
    zh: str
    en: str


@dataclass
class Progress:
    """What the register says about how far one order has got."""

    status: str | None = None      # the class of its status (``sync.orders.view.STATUS_WORDS``); None: blank
    follower: str | None = None
    bought: bool = False            # a material was ordered (PO number) or arrived
    cut: float = 0.0                # pieces through the first stage (cut, mixed, blanked) so far
    first_stage: str = ""           # the register's first production stage
    produced: float = 0.0           # the furthest stage's completed pieces
    finish: date | None = None      # the production tab's own idea of the finish

    @property
    def under_way(self) -> bool:
        if self.status in NOT_STARTED:
            return False
        return self.status is not None or self.bought or self.produced > 0


@dataclass
class ChangeRequest:
    order_key: str
    order_no: str
    field: str
    old: str | None
    new: str | None
    impacts: list[Impact] = field(default_factory=list)
    follower: str | None = None
    source: str | None = None
    sheet: str | None = None
    row: int | None = None
    cell: str | None = None
    id: int | None = None           # its row in the state, once stored: what ``decide`` names

    @property
    def departments(self) -> list[str]:
        seen = [d for i in self.impacts for d in i.departments]
        return list(dict.fromkeys(seen)) or ["follower"]

    def finding(self, lang: str = "zh") -> Finding:
        label = FIELD_LABELS[self.field][lang == "en"]
        effect = "；".join(i.zh for i in self.impacts) if lang != "en" else "; ".join(i.en for i in self.impacts)
        message = say("订单 {no} 需求变更：{f} {old} → {new}", "order {no} change request: {f} {old} -> {new}",
                      lang, no=self.order_no, f=label, old=self.old or "∅", new=self.new or "∅")
        if effect:
            message += ("；" if lang != "en" else "; ") + effect
        tell = ("、" if lang != "en" else ", ").join(DEPARTMENTS[d][lang == "en"] for d in self.departments)
        return Finding("change-request", WARNING, message, table="orders", source=self.source, sheet=self.sheet,
                       row=self.row, cell=self.cell, field=self.field, order_no=self.order_no, value=self.new,
                       hint=say("请通知：{d}", "tell: {d}", lang, d=tell), follower=self.follower)

    def to_dict(self) -> dict:
        return {**asdict(self), "departments": self.departments}


def classify(changes: Iterable[Change], register: Register, *, today: date,
             projected_finish: ProjectedFinish | None = None, orders: OrderModel | None = None) -> list[ChangeRequest]:
    """The change requests among a cycle's changes (orders under way only).

    ``orders``: the cycle's order model (worked out here, with the default settings, when not given)."""
    candidates = [c for c in changes if c.table == "orders" and c.kind == "changed" and c.field in REQUEST_FIELDS]
    if not candidates:
        return []
    orders = orders if orders is not None else order_model(register, today=today)
    progress = order_progress(register, {c.order_key for c in candidates}, orders)
    projected_finish = projected_finish or orders.projected_finish
    out = []
    # each order's quantity in pieces as its own register counts them: for registers kept apart, the whole
    # view is not joined for a few orders (it was, on every save, half of a service's cycle over fifty)
    pieces = {key: convert for view, keys in orders.views_of(progress)
              for convert in [_in_pieces(view)] for key in keys}
    for c in candidates:
        p = progress.get(c.order_key, Progress())
        if not p.under_way:
            continue
        finish = (projected_finish(c.order_key) if projected_finish else None) or p.finish
        out.append(ChangeRequest(c.order_key, c.order_no, c.field, c.old, c.new,
                                 impacts(c, p, finish, pieces.get(c.order_key)), p.follower, c.source, c.sheet,
                                 c.row, c.cell))
    return out


def impacts(change: Change, p: Progress, finish: date | None,
            pieces: Callable[[str | None], float | None] | None = None) -> list[Impact]:
    """``pieces``: an order quantity as typed, in the pieces the production figures count (``_in_pieces``)."""
    old, new = change.old, change.new
    if change.field == "quantity":
        before, after = (pieces or _number)(old), (pieces or _number)(new)
        if before is None or after is None:
            return []
        found = []
        if after > before and p.bought:
            found.append(Impact("materials-shortfall", ("procurement",),
                                f"物料已按 {_n(before)} 件采购，需补 {_n(after - before)} 件的料",
                                f"materials were bought for {_n(before)}; {_n(after - before)} more pieces need them"))
        if after < before and p.produced > after:
            found.append(Impact("surplus", ("follower", "sales"),
                                f"已生产 {_n(p.produced)} 件，多出 {_n(p.produced - after)} 件",
                                f"{_n(p.produced)} already made: {_n(p.produced - after)} surplus"))
        return found
    if change.field == "due_date":
        if old and new and new < old and finish and finish.isoformat() > new:
            return [Impact("at-risk", ("production", "follower"),
                           f"交期提前，预计 {finish.isoformat()} 才能完成，赶不上",
                           f"due date pulled in, but the projected finish is {finish.isoformat()}: at risk")]
        return []
    if p.cut > 0:
        done = f"已{p.first_stage} {_n(p.cut)} 件" if not p.first_stage.isascii() else \
            f"{p.first_stage} 已完成 {_n(p.cut)} 件"
        return [Impact("rework", ("production", "qc"), f"{done}，规格变更需返工",
                       f"{_n(p.cut)} pieces already through {p.first_stage}: rework")]
    return []


def order_progress(register: Register, order_keys: set[str], orders: OrderModel) -> dict[str, Progress]:
    """Progress of the given orders: status and follower from the order model, the rest from the materials and
    production tabs."""
    out = {k: Progress() for k in order_keys}
    for key in order_keys:
        p = orders.progress.get(key)
        out[key].status = orders.status_class(key)
        out[key].follower = p.follower if p is not None else None
    mats = _rows_of(register, "materials", order_keys)
    if len(mats):
        bought = pd.Series(False, index=mats.index)
        for col in ("po_no", "arrived_date", "arrived_qty"):
            if col in mats:
                bought |= mats[col].notna() & (mats[col] != 0)
        for key in mats.loc[bought, "_key"]:
            out[key].bought = True
    _production(_rows_of(register, "production", order_keys), out)
    for view, keys in orders.views_of(out):
        _done(view, {k: out[k] for k in keys})
    return out


def _production(prod: pd.DataFrame, out: dict[str, Progress]) -> None:
    for key, rows in prod.groupby("_key"):
        out[key].finish = _plan_finish(rows)


def _done(view: OrderView, out: dict[str, Progress]) -> None:
    """The pieces of the furthest stage, and of the first: the view's, so the stages are the register's
    (a tyre order is mixed before it is anything, not cut) and a wide tracker's stage columns count too."""
    done = view.done
    if done.empty or not view.stages:
        return
    if not done.index.is_unique:
        done = done[~done.index.duplicated(keep="last")]
    done = done.reindex([k for k in out if k in done.index])
    most, first = done.max(axis=1), done[view.stages[0]]
    for key, produced, cut in zip(done.index.tolist(), most.tolist(), first.tolist()):
        out[key].produced = float(produced) if produced == produced else 0.0
        out[key].cut = float(cut) if cut == cut else 0.0
        out[key].first_stage = view.stages[0]


def _plan_finish(rows: pd.DataFrame) -> date | None:
    if "actual_finish" in rows and rows["actual_finish"].notna().all():
        return rows["actual_finish"].max().date()
    if "planned_finish" in rows and rows["planned_finish"].notna().any():
        return rows["planned_finish"].max().date()
    return None


def _rows_of(register: Register, name: str, order_keys: set[str]) -> pd.DataFrame:
    """The rows of one tab whose order key is among ``order_keys``, with that key as ``_key``.

    The keys are the ledger's (``snapshot_of``), worked out already for this cycle's diff."""
    table = register.tables.get(name)
    if table is None or not table.has("order_no"):
        return pd.DataFrame(columns=["_key"])
    keys = snapshot_of(table).order_keys
    wanted = pd.Series(keys, dtype=object).isin(order_keys).to_numpy()   # a hash lookup: np.isin on strings sorts
    rows = table.data[wanted].copy()
    rows["_key"] = keys[wanted]
    return rows


def store_requests(db: sqlite3.Connection, cycle: int, seen_at: str, requests: list[ChangeRequest]) -> None:
    db.executemany(
        "INSERT INTO change_requests (cycle, seen_at, order_key, order_no, field, old, new, impacts, departments, "
        "follower, source, sheet, cell) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((cycle, seen_at, r.order_key, r.order_no, r.field, r.old, r.new,
          json.dumps([asdict(i) for i in r.impacts], ensure_ascii=False), json.dumps(r.departments), r.follower,
          r.source, r.sheet, r.cell) for r in requests))


def stored_requests(db: sqlite3.Connection, order_key: str | None = None, since: str = "") -> list[ChangeRequest]:
    sql, args = "SELECT * FROM change_requests WHERE seen_at >= ?", [since]
    if order_key:
        sql, args = sql + " AND order_key = ?", [*args, order_key]
    return [ChangeRequest(r["order_key"], r["order_no"], r["field"], r["old"], r["new"],
                          [Impact(i["kind"], tuple(i["departments"]), i["zh"], i["en"]) for i in json.loads(r["impacts"])],
                          r["follower"], r["source"], r["sheet"], None, r["cell"], r["id"])
            for r in db.execute(sql + " ORDER BY id", args)]


def decision(said: dict[str, Action], request: ChangeRequest) -> Action | None:
    """The approval or rejection standing for a stored request, if it was decided."""
    action = said.get(request_subject(request.id)) if request.id is not None else None
    return action if action is not None and action.verb in ("approve", "reject") else None


def pending(requests: Iterable[ChangeRequest], said: dict[str, Action]) -> list[ChangeRequest]:
    """The requests still waiting for a decision (``said``: ``sync.actions.standing``)."""
    return [r for r in requests if decision(said, r) is None]


def _number(text: str | None) -> float | None:
    return parse_number_text(text) if text else None


def _in_pieces(view: OrderView) -> Callable[[str | None], float | None]:
    """An order quantity as typed (100, 100打) in pieces, where the view compares the tabs' counts in pieces
    (``sync.orders.view.count_scales``: 数量(打) beside 完成数量(件)); as typed where it does not."""
    if ("orders", "quantity") not in view.scaled:
        return _number
    declared = declared_unit(view.tables["orders"], "quantity")

    def pieces(text: str | None) -> float | None:
        read = number_and_unit(text.strip()) if text else None
        if read is None:
            return None
        unit = count_unit(read[1], declared)   # typed in the cell (100打), else the header's
        return read[0] * (unit.factor if unit is not None else 1.0)
    return pieces


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
