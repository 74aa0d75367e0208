"""Where is each order, and will it be late?

For each order: the current stage, how much of each stage is done, and a
projected finish from the pace of its production rows, compared with the due
date. The pace comes from the rows alone: the pieces completed over the days
the rows span (the recent window when a tab logs daily output). A pace from
the state's snapshot history can replace it later through ``rates=``.

An order is *at risk* as soon as its projection passes the due date — the
warning comes before the date, not after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from sync.findings import WARNING, Finding
from sync.i18n import say
from sync.orders.view import (CLOSED, DONE, FINISHED, KEY, PARTIAL, POS, PRODUCED, PRODUCING, SHIPPED, STAGE, OrderView,
                              build_view, cumulative_column, settings_from)
from sync.tables.register import Register
from sync.tables.table import ROW

#: the ids of the warnings ``risk_findings`` gives
RISK_IDS = frozenset({"order-at-risk", "order-overdue", "material-late"})
NOT_STARTED, QC, SHIPPING, DONE_ALL = "not-started", "qc", "shipping", "shipped"
#: how a stage id reads to a person; production stages read as themselves
STAGE_LABELS = {NOT_STARTED: ("未开始", "not started"), QC: ("质检", "QC"), SHIPPING: ("待发货", "to ship"),
                DONE_ALL: ("已发货", "shipped"), PRODUCED: ("生产", "production")}


@dataclass
class MaterialRisk:
    material: str
    expected: dt.date
    production_start: dt.date
    row: int          # the materials row, 1-based
    cell: str | None
    sheet: str = ""   # the tab it is on (a materials table may span several tabs and workbooks) ...
    source: str = ""  # ... and the workbook


@dataclass(slots=True)   # one per order: a hundred thousand of them on a big register
class OrderProgress:
    key: str
    order_no: str
    customer: str | None
    follower: str | None
    quantity: float | None
    due_date: dt.date | None
    status: str | None
    open: bool
    current_stage: str
    percent: Mapping[str, float]            # production stage (and "qc", "shipped") -> 0..100+
    projected_finish: dt.date | None = None
    days_late: int | None = None
    at_risk: bool = False
    rate: float | None = None               # pieces of stage work per day
    material_risk: list[MaterialRisk] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["percent"] = dict(self.percent)
        for k in ("due_date", "projected_finish"):
            out[k] = out[k].isoformat() if out[k] else None
        out["material_risk"] = [asdict(m) for m in self.material_risk]
        for m in out["material_risk"]:   # where: its sheet and cell (the source's name is how it was opened)
            m["expected"], m["production_start"] = m["expected"].isoformat(), m["production_start"].isoformat()
            del m["source"]
        return out


class Percents(Mapping[str, float]):
    """One order's stage -> percent done (the stages without a figure left out), read from a row of one float
    array all the orders share: on a register of a hundred thousand orders, a dict of floats each was 30 MiB."""

    __slots__ = ("_of", "_at")

    def __init__(self, of: _PercentRows, at: int) -> None:
        self._of, self._at = of, at

    def __getitem__(self, stage: str) -> float:
        j = self._of.place.get(stage)
        value = float(self._of.values[self._at, j]) if j is not None else float("nan")
        if value != value:
            raise KeyError(stage)
        return value

    def __iter__(self) -> Iterator[str]:
        row = self._of.values[self._at]
        return iter([name for name, value in zip(self._of.names, row.tolist()) if value == value])

    def __len__(self) -> int:
        return int((~np.isnan(self._of.values[self._at])).sum())

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass(frozen=True)
class _PercentRows:
    names: list[str]
    place: dict[str, int]
    values: np.ndarray    # orders x stages, NaN: no figure


def stage_label(stage: str, lang: str) -> str:
    zh, en = STAGE_LABELS.get(stage, (stage, stage))
    return say(zh, en, lang)


Rates = Callable[[OrderView, pd.Timestamp], "Pace"]


def progress(register: Register, config: Any = None, *, today: dt.date | None = None,
             rates: Rates | None = None) -> dict[str, OrderProgress]:
    """Every order's progress, keyed by its normalised order number, worked out from scratch.

    A cycle does not call this: it works out its ``sync.orders.model.OrderModel`` once and hands it on.
    """
    return progress_of_view(build_view(register, settings_from(config)), today=today, rates=rates)


def progress_of_view(view: OrderView, *, today: dt.date | None = None,
                     rates: Rates | None = None) -> dict[str, OrderProgress]:
    now = pd.Timestamp(today or dt.date.today())
    orders = view.orders
    if orders.empty:
        return {}
    pace = (rates or rates_from_rows)(view, now)
    finish = project(view, pace, now)
    materials = _material_risks(view)
    shipped = view.totals["shipped"] if "shipped" in view.totals else pd.Series(dtype=float)
    # whole columns first, as plain Python values; then one pass over the orders
    pct = _percent(view).round(1)
    percents = _percents(pct)
    stages = _said_stages(view, _current_stages(view, pct, percents))
    ends = _finish_days(finish, orders.index, now, view.settings.ship_lag_days)
    paces = _current_rates(pace.rate, orders.index, stages)
    has_qty = orders["quantity"].notna().to_numpy()
    qty = orders["quantity"].to_numpy(dtype=float, na_value=np.nan)
    sent = shipped.reindex(orders.index).to_numpy(dtype=float, na_value=np.nan)
    complete = has_qty & (sent >= qty * (1 - view.settings.short_tolerance))
    still = ~(orders["status_class"].isin(FINISHED).to_numpy() | complete)
    day, shipping, nothing = now.date(), "shipping" in view.parts, [None] * len(orders)
    out: dict[str, OrderProgress] = {}
    for key, no, customer, follower, q, due, status, is_open, stage, percent, end, rate in zip(
            orders.index.tolist(), map(str, orders["order_no"].tolist()), _texts(orders, "customer"),
            _texts(orders, "follower"), np.where(has_qty, qty, None).tolist(),
            _dates(orders["due_date"]) if "due_date" in orders else nothing, _texts(orders, "status"),
            still.tolist(), np.where(complete, DONE_ALL, np.asarray(stages, dtype=object)).tolist(), percents,
            ends, paces):
        no = key if no == key else no   # most numbers are their own key: one string for both
        p = OrderProgress(key, no, customer, follower, q, due, status, is_open, stage, percent)
        if is_open:
            _project(p, end, rate, day, shipping)
            p.material_risk = materials.get(key, [])
        out[key] = p
    return out


def _percents(pct: pd.DataFrame) -> list[Mapping[str, float]]:
    """Per order (a row of ``pct``): stage -> percent, the stages without a figure left out."""
    if not pct.columns.is_unique:
        return [{k: float(v) for k, v in row.items() if pd.notna(v)} for row in pct.to_dict("index").values()]
    names = pct.columns.tolist()
    rows = _PercentRows(names, {name: j for j, name in enumerate(names)}, pct.to_numpy(dtype=float, na_value=np.nan))
    return [Percents(rows, at) for at in range(len(pct))]


def _current_stages(view: OrderView, pct: pd.DataFrame, percents: list[Mapping[str, float]]) -> list[str]:
    """``_current`` of every order (a row of ``pct``), over whole columns."""
    if not pct.columns.is_unique or len(set(view.stages)) < len(view.stages):
        return [_current(view, p) for p in percents]
    full = 100 * (1 - view.settings.short_tolerance)

    def figure(name: str) -> np.ndarray:   # as percent.get(name, nan)
        return pct[name].to_numpy(dtype=float, na_value=np.nan) if name in pct else np.full(len(pct), np.nan)

    qc = np.nan_to_num(figure("qc"))
    started = qc != 0
    later = np.zeros(len(pct), dtype=bool)   # a later stage has work: a stage without a figure is not on its route
    out = np.where(qc < full, QC, SHIPPING).astype(object)
    for stage in reversed(view.stages):   # the first stage not yet done is the last one written
        values = figure(stage)
        done = np.nan_to_num(values)
        started |= done > 0
        out[(done < full) & ~(np.isnan(values) & later)] = stage
        later |= done > 0
    shipped = np.nan_to_num(figure("shipped")) > 0   # no figures but shipments: it is being shipped
    out[~started & shipped] = SHIPPING
    out[~started & ~shipped] = NOT_STARTED
    return out.tolist()


def _said_stages(view: OrderView, stages: list[str]) -> list[str]:
    """A register that keeps no production figures (no production tab, no stage columns) still tells how far
    each order got, by its status (生产中, 待出货, 已出货, 完结): 未开始 beside 待出货 would gainsay it. Where there
    are figures, an order without any has not started as far as they say, whatever its status. A production
    tab with no rows yet (its header only) keeps no figures."""
    if "status_class" not in view.orders or view.keeps_figures:
        return stages
    said = {PRODUCING: view.stages[0] if view.stages else PRODUCED, DONE: SHIPPING, PARTIAL: SHIPPING,
            SHIPPED: DONE_ALL, CLOSED: DONE_ALL}
    return [said.get(c, stage) if stage == NOT_STARTED else stage
            for stage, c in zip(stages, view.orders["status_class"].tolist())]


def _current(view: OrderView, percent: Mapping[str, float]) -> str:
    """The first stage not yet done, once any work has been recorded; a stage the order has no figure for
    while a later one has work is not on its route (a part that is milled, not turned)."""
    full = 100 * (1 - view.settings.short_tolerance)
    if not any(percent.get(s, 0) > 0 for s in view.stages) and not percent.get("qc"):
        return SHIPPING if percent.get("shipped", 0) > 0 else NOT_STARTED
    for i, stage in enumerate(view.stages):
        skipped = stage not in percent and any(percent.get(s, 0) > 0 for s in view.stages[i + 1:])
        if percent.get(stage, 0) < full and not skipped:   # a stage without a figure before later work: off route
            return stage
    return QC if percent.get("qc", 0) < full else SHIPPING


def _percent(view: OrderView) -> pd.DataFrame:
    qty = view.orders["quantity"].where(view.orders["quantity"] > 0)
    frame = view.done.reindex(view.orders.index)
    totals = view.totals[[c for c in ("inspected", "shipped") if c in view.totals]].reindex(view.orders.index)
    for name, col in (("qc", "inspected"), ("shipped", "shipped")):
        frame[name] = totals[col] if col in totals else np.nan
    return frame.div(qty, axis=0) * 100


@dataclass
class Pace:
    """Per order and stage (frames indexed by order key, one column per stage)."""

    rate: pd.DataFrame     # pieces per day
    seen: pd.DataFrame     # the last day the stage's rows speak of


def rates_from_rows(view: OrderView, now: pd.Timestamp) -> Pace:
    """Each stage's pace from its own rows: pieces completed over the days from its start to its last date."""
    prod = view.parts.get("production")
    index = view.done.index
    if prod is None or view.done.empty:
        empty = pd.DataFrame(index=index, columns=view.stages, dtype=float)
        return Pace(empty, empty.astype("datetime64[ns]"))
    prod = view.staged()
    event = _col(prod, "actual_finish").fillna(_col(prod, "updated_on"))
    by = view.by_stage()
    seen = by.agg_values(event, "max").unstack(STAGE).reindex(index=index, columns=view.stages)
    undated = seen.isna()   # no day of its own: counted from the order date, as if it had run all along
    seen = seen.apply(lambda c: pd.to_datetime(c).fillna(now).clip(upper=now))
    start = pd.concat([by.agg("planned_start", "min") if "planned_start" in prod else by.agg_values(event, "min"),
                       by.agg_values(event, "min")], axis=1).min(axis=1).unstack(STAGE)
    start = start.reindex(index=index, columns=view.stages).ffill(axis=1)   # a stage starts no earlier than the one before
    ordered = view.orders["order_date"].reindex(index)   # a stage with no date of its own starts with the order
    start = start.apply(lambda c: pd.to_datetime(c).fillna(ordered))
    days = (seen - start).apply(lambda c: c.dt.days).clip(lower=1)
    done = view.done
    if _logs_daily(view, prod):
        window = view.settings.rate_window_days
        last = prod.assign(_event=event).join(seen.stack().rename("_last"), on=[KEY, STAGE])
        recent = last[last["_event"] > last["_last"] - pd.Timedelta(days=window)]
        done = recent.groupby([KEY, STAGE])["completed_qty"].sum().unstack(STAGE).reindex_like(view.done)
        # a day's row counts that day's output, so the first and the last day both count
        days = ((seen - start).apply(lambda c: c.dt.days) + 1).clip(lower=1, upper=window)
    return Pace(_trusted(_behind(done / days, undated, view.stages), view, days), seen)


def _behind(rate: pd.DataFrame, undated: pd.DataFrame, stages: list[str]) -> pd.DataFrame:
    """A stage with no day of its own (a tracker's 包装 column: a figure, no date) is timed from the order date,
    though it only began once the stage before it had work to hand on: over that span its pace reads slower
    than it runs. It keeps at least the pace of the stage before it."""
    out = rate.copy()
    for before, stage in zip(stages, stages[1:]):
        faster = out[before].where(undated[stage] & (out[before] > out[stage]))
        out[stage] = faster.fillna(out[stage])
    return out


def _trusted(rate: pd.DataFrame, view: OrderView, days: pd.DataFrame) -> pd.DataFrame:
    """A stage that has only just started says little about its pace: it takes the pace of the stage before it
    until it has run ``min_pace_days`` or done a fifth of the order (the first stage has no pace until then)."""
    qty = view.orders["quantity"].reindex(rate.index)
    share = view.done.reindex_like(rate).div(qty, axis=0)
    trusted = (days >= view.settings.min_pace_days) | (share >= 0.2)
    out = rate.copy()
    first = view.stages[0]
    out[first] = out[first].where(trusted[first])
    for before, stage in zip(view.stages, view.stages[1:]):
        out[stage] = out[stage].where(trusted[stage] | out[before].isna(), out[before])
    return out


def _logs_daily(view: OrderView, prod: pd.DataFrame) -> bool:
    """A tab that logs each day's output has several rows per order and stage, each adding to the total."""
    if "completed_qty" not in prod or cumulative_column(view.tables.get("production"), "completed_qty"):
        return False
    return bool(view.by_stage().agg(None, "size").gt(1).any())


def project(view: OrderView, pace: Pace, now: pd.Timestamp) -> pd.Series:
    """Per order, the day its last stage should finish: each stage at its own pace, never before the stage
    ahead of it plus ``stage_lag_days``; a stage not started yet follows its predecessor by that lag.
    Without a pace, the latest planned finish of the order's rows stands in."""
    s = view.settings
    qty = view.orders["quantity"].reindex(view.done.index)
    lag = pd.Timedelta(days=s.stage_lag_days)
    finish = pd.Series(pd.NaT, index=view.done.index, dtype="datetime64[ns]")
    for i, stage in enumerate(view.stages):
        done = view.done[stage]
        remaining = (qty - done.fillna(0)).clip(lower=0)
        rate = pace.rate[stage].where(pace.rate[stage] > 0)
        own = pace.seen[stage] + pd.to_timedelta(np.ceil(remaining / rate), unit="D")
        own = own.where(done < qty * (1 - s.short_tolerance), pace.seen[stage].where(done.notna()))
        chain = finish + lag if i else pd.Series(pd.NaT, index=finish.index, dtype="datetime64[ns]")
        finish = pd.concat([own, chain], axis=1).max(axis=1)
    prod = view.parts.get("production")
    if prod is not None and "planned_finish" in prod:   # no pace yet: the plan is the best word there is
        plan = view.by_order("production").agg("planned_finish", "max")
        finish = finish.reindex(finish.index.union(plan.index)).fillna(plan)
    return finish


def _finish_days(finish: pd.Series, index: pd.Index, now: pd.Timestamp, lag_days: int) -> list[dt.date | None]:
    """Per order, the day it should ship: its projected finish (not before today) and the shipping lag."""
    if not finish.index.is_unique:   # the last of a repeated key, as a dict of them would have it
        finish = finish[~finish.index.duplicated(keep="last")]
    finish, lag = finish.reindex(index), pd.Timedelta(days=lag_days)
    if isinstance(finish.dtype, np.dtype) and finish.dtype.kind == "M":
        return _dates(finish.clip(lower=now) + lag)
    return [(max(pd.Timestamp(f), now) + lag).date() if pd.notna(f) else None for f in finish.tolist()]


def _current_rates(rate: pd.DataFrame, index: pd.Index, stages: list[str]) -> list[float | None]:
    """Per order, the pace of its current stage (None without one)."""
    if not rate.columns.is_unique:
        rate = rate.loc[:, ~rate.columns.duplicated(keep="last")]
    rate = rate.reindex(index)
    current = np.asarray(stages, dtype=object)
    out = np.full(len(index), np.nan)
    for name in rate.columns:
        here = current == name
        if here.any():
            out[here] = rate[name].to_numpy(dtype=float, na_value=np.nan)[here]
    return [None if r != r else r for r in out.tolist()]


def said_open(status: str | None, shipping: bool, projected: dt.date | None = None) -> bool:
    """The register says an order not finished is still open: by its status, by a shipping tab that would have
    its shipments, or by production figures its finish is projected from. An orders tab with none of them is a
    list of past orders as much as of late ones: an order past its date there is not called late (by the check,
    the reminders or the digest)."""
    return bool(status or shipping or projected)


def _project(p: OrderProgress, finish: dt.date | None, rate: float | None, today: dt.date, shipping: bool) -> None:
    """``finish``: the projection, with the shipping lag; ``shipping``: the register has a shipping tab."""
    if p.quantity and finish is not None:
        p.projected_finish = finish
        p.rate = round(rate, 1) if rate is not None else None
    elif p.due_date and p.due_date < today and said_open(p.status, shipping):
        # no pace to go on, but the date has passed; and a status or the shipping tab says it is still open
        p.days_late, p.at_risk = (today - p.due_date).days, True
        return
    if p.projected_finish and p.due_date:
        p.days_late = (p.projected_finish - p.due_date).days
        p.at_risk = p.days_late > 0


def _material_risks(view: OrderView) -> dict[str, list[MaterialRisk]]:
    """Materials not yet arrived whose expected date is after the order's planned production start."""
    mat, prod = view.parts.get("materials"), view.parts.get("production")
    if mat is None or prod is None or "expected_date" not in mat or "planned_start" not in prod:
        return {}
    # each row's order's planned production start (none: the order has no production rows)
    start = view.on_rows("materials", view.by_order("production").agg("planned_start", "min", labelled=False))
    is_late = (_col(mat, "arrived_date").isna() & (mat["expected_date"] > start)).to_numpy()
    late = mat[is_late]
    table = view.tables["materials"]
    material = late["material"].tolist() if "material" in late else [None] * len(late)
    out: dict[str, list[MaterialRisk]] = {}
    for key, row, pos, m, expected, begins in zip(late[KEY].tolist(), late[ROW].tolist(), late[POS].tolist(),
                                                  material, late["expected_date"].tolist(), start[is_late].tolist()):
        out.setdefault(key, []).append(MaterialRisk(_text(m) or "", expected.date(), begins.date(), int(row),
                                                    table.cell("expected_date", int(row)), table.sheet_at(int(pos)),
                                                    table.source_at(int(pos))))
    return out


def risk_findings(progresses: dict[str, OrderProgress], view: OrderView, *, lang: str = "zh",
                  today: dt.date | None = None) -> list[Finding]:
    """The warnings a follower gets: orders heading past their due date, materials due after production starts."""
    out: list[Finding] = []
    orders = view.tables["orders"]
    risky = [p.key for p in progresses.values() if p.at_risk]
    at = view.orders.index.get_indexer(risky) if risky else np.zeros(0, dtype=np.intp)   # each one's line
    rows, places = view.orders[ROW].to_numpy(), view.orders[POS].to_numpy()
    where = {key: (rows[i], places[i]) for key, i in zip(risky, at.tolist()) if i >= 0}
    # the advice is the same for every order: said once
    at_risk = say("与生产确认进度，必要时提前告知客户", "confirm the pace with production and tell the customer early "
                  "if needed", lang)
    late = say("催供应商提前，或与生产调整排期", "ask the supplier to bring it forward, or move the schedule", lang)
    for p in progresses.values():
        if p.at_risk:
            out.append(_at_risk(p, orders, where[p.key], lang, today, hint=at_risk))
        for m in p.material_risk:
            out.append(_material_late(p, m, view, lang, hint=late))
    return out


def _at_risk(p: OrderProgress, orders: Any, at: tuple[int, int], lang: str, today: dt.date | None,
             hint: str) -> Finding:
    """``at``: the order's sheet row and position in its table."""
    row, pos = int(at[0]), int(at[1])
    rule = "order-at-risk"
    if today is not None and p.due_date is not None and p.due_date < today:
        # past its date already: that is not a risk any more, it is overdue, and says so
        rule = "order-overdue"
        late = (today - p.due_date).days
        message = say("订单 {no} 已逾期 {n} 天（交期 {due}），尚未完成", "order {no} is {n} days overdue (due {due}) "
                      "and not finished", lang, no=p.order_no, n=late, due=p.due_date)
        if p.projected_finish:
            message += say("，预计 {pf} 完成", "; projected finish {pf}", lang, pf=p.projected_finish)
    elif p.projected_finish:
        message = say("订单 {no} 有延期风险，预计晚约 {n} 天：预计 {pf} 完成，交期 {due}",
                      "order {no} at risk, about {n} days late: projected finish {pf}, due {due}", lang,
                      no=p.order_no, n=p.days_late, pf=p.projected_finish, due=p.due_date)
    else:
        message = say("订单 {no} 已过交期 {due} {n} 天，尚未完成", "order {no} is {n} days past its due date {due} "
                      "and not finished", lang, no=p.order_no, n=p.days_late, due=p.due_date)
    has = orders.has("due_date")
    return Finding(rule, WARNING, message, table="orders", source=orders.source_at(pos), sheet=orders.sheet_at(pos),
                   row=row, column=orders.columns["due_date"].header if has else None,
                   cell=orders.cell("due_date", row) if has else None, field="due_date", order_no=p.order_no,
                   value=orders.raw_text("due_date", pos) if has else None, follower=p.follower,
                   hint=hint)


def _material_late(p: OrderProgress, m: MaterialRisk, view: OrderView, lang: str, hint: str) -> Finding:
    t = view.tables["materials"]
    return Finding("material-late", WARNING, say(
        "订单 {no} 的{m}预计 {e} 到货，晚于计划开产 {s}，有缺料风险",
        "order {no}: {m} expected {e}, after production is planned to start on {s} — a shortage risk", lang,
        no=p.order_no, m=m.material or say("物料", "material", lang), e=m.expected, s=m.production_start),
        table="materials", source=m.source or t.source, sheet=m.sheet or t.sheet, row=m.row,
        column=t.columns["expected_date"].header,
        cell=m.cell, field="expected_date", order_no=p.order_no, value=m.expected.isoformat(), follower=p.follower,
        hint=hint)


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df else pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")


def _dates(values: pd.Series) -> list[dt.date | None]:
    """``_date`` of each value."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "M":
        return _each_distinct(values.dt.normalize(), lambda day: day.date())
    return [_date(v) for v in values.tolist()]


def _texts(frame: pd.DataFrame, name: str) -> list[str | None]:
    """``_text`` of each value of the column (None for all without it)."""
    if name not in frame:
        return [None] * len(frame)
    values = frame[name]
    if isinstance(values.dtype, pd.StringDtype):   # text or missing
        return _each_distinct(values, lambda text: text or None)
    return [_text(v) for v in values.tolist()]


def _each_distinct(values: pd.Series, func: Callable[[Any], Any]) -> list[Any]:
    """``func`` of each value (None where missing), one object per distinct value: a customer, a status or a due
    date recurs over thousands of orders, and each order's progress holds it (one copy each would be a few
    tens of MiB on a big register)."""
    codes, uniques = pd.factorize(values)
    made = np.empty(len(uniques) + 1, dtype=object)   # the last stays None: the code of a missing value is -1
    made[:-1] = [func(u) for u in uniques]
    return made[codes].tolist()


def _date(v: Any) -> dt.date | None:
    return pd.Timestamp(v).date() if pd.notna(v) else None


def _text(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None
