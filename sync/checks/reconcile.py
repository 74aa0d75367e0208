"""Do the department tabs agree with the orders tab and with each other?

``reconcile`` joins the register by order number (``sync.orders.view``) and runs
small cross-tab rules over whole columns. Each finding points at the row that
is wrong — the department row whose figure breaks the chain, or the orders row
whose status contradicts the tabs — and carries the follower of the order.
Where several rows add up to a wrong total, the largest of them is named:
a typo inflates a number far more often than it shrinks one.

Each rule's ids are in ``RULE_IDS`` and can be switched off in ``[rules]
disable`` like any rule of a pack: a rule whose ids are all off is not run.
The view and the progress come from the cycle's ``OrderModel`` when it has one.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as member
from typing import Any

import numpy as np
import pandas as pd

from sync.findings import ERROR, INFO, WARNING, Finding
from sync.i18n import say
from sync.orders.model import OrderModel, order_model
from sync.orders.progress import RISK_IDS, risk_findings
from sync.orders.view import (CANCELLED, DONE, FINISHED, KEY, PARTIAL, POS, PRODUCING, SHIPPED, STAGE,
                              OrderView, Settings)
from sync.tables.register import Register
from sync.tables.table import ROW

SLACK = 0.5   # counts are whole pieces; half a piece is rounding, not a mistake


@dataclass
class Ctx:
    view: OrderView
    lang: str
    today: pd.Timestamp
    _by_key: dict[str, dict[str, Any]] = member(default_factory=dict, init=False, repr=False)

    @property
    def s(self) -> Settings:
        return self.view.settings

    def say(self, zh: str, en: str, **kw: Any) -> str:
        return say(zh, en, self.lang, **kw)

    def sheet(self, table: str) -> str:
        return self.view.tables[table].sheet

    def finding(self, rule: str, severity: str, table: str, row: Any, field: str, message: str,
                hint: str = "", key: str | None = None) -> Finding:
        """A finding at ``field`` of one table row (a Series or dict with POS, _row and KEY)."""
        key = key if key is not None else row.get(KEY)
        return self.at(rule, severity, table, row[POS], row[ROW], field, message, hint, key)

    def at(self, rule: str, severity: str, table: str, pos: int, line: int, field: str, message: str,
           hint: str = "", key: str | None = None) -> Finding:
        """A finding at ``field`` of the row at position ``pos`` (sheet row ``line``) of a table."""
        t = self.view.tables[table]
        pos, line = int(pos), int(line)
        col = t.columns.get(field)
        return Finding(rule, severity, message, table=table, source=t.source_at(pos), sheet=t.sheet_at(pos),
                       row=line, column=t.header_at(field, pos) if col else None,
                       cell=t.cell_at(field, pos, line) if col else None,
                       field=field, order_no=t.raw_text("order_no", pos) or None,
                       value=t.raw_text(field, pos) if col else None, hint=hint, follower=self.follower(key))

    def follower(self, key: str | None) -> str | None:
        value = self.order_value(key, "follower") if key is not None else None
        return value if isinstance(value, str) and value else None

    def order_row(self, key: str) -> pd.Series:
        return self.view.orders.loc[key]

    def order_value(self, key: str, name: str) -> Any:
        """One cell of the order frame (None when there is no such order or column)."""
        if name not in self._by_key:   # a dict per column: a finding asks for a cell or two, thousands of times
            orders = self.view.orders
            self._by_key[name] = dict(zip(orders.index.tolist(), orders[name].tolist())) if name in orders else {}
        return self._by_key[name].get(key)


def reconcile(register: Register, config: Any = None, *, lang: str = "zh", today: dt.date | None = None,
              risk: bool = True, orders: OrderModel | None = None,
              disable: Iterable[str] | None = None) -> list[Finding]:
    """Every cross-tab finding of the register; with ``risk``, the at-risk warnings of ``sync.orders.progress`` too.

    ``orders``: the pass's order model (worked out here when not given); ``disable``: rule ids switched off
    (by default the config's ``[rules] disable``)."""
    today = today or dt.date.today()
    orders = orders if orders is not None else order_model(register, config, today=today)
    off = set(disable if disable is not None else (config.rules.disable if config is not None else ()))
    ctx = Ctx(orders.view, lang, pd.Timestamp(today))
    findings = [f for rule in RULES if not RULE_IDS[rule.__name__] <= off for f in rule(ctx)]
    if risk and "orders" in orders.view.tables and not RISK_IDS <= off:
        findings += risk_findings(orders.progress, orders.view, lang=lang, today=today)
    return [f for f in findings if f.rule not in off]


# --- joining ---------------------------------------------------------------------


def not_joined(ctx: Ctx) -> Iterator[Finding]:
    """Said once: the tabs that cannot be matched to orders, and why."""
    view = ctx.view
    orders = view.tables.get("orders")
    names = [f"{t.sheet}" for t in view.unjoined]
    if not names:
        return
    if orders is None or not orders.has("order_no"):
        why = ctx.say("没有带订单号列的订单表", "there is no orders tab with an order number column")
    else:
        why = ctx.say("这些表没有订单号列", "these tabs have no order number column")
    yield Finding("tabs-not-joined", INFO, ctx.say(
        "无法按订单核对 {tabs}：{why}", "cannot match {tabs} to orders: {why}", tabs="、".join(names)
        if ctx.lang != "en" else ", ".join(names), why=why), sheet=names[0],
        hint=ctx.say("在表里加一列订单号，或在 config.toml 的 [tables.X.columns] 指定订单号列",
                     "add an order number column, or name it under [tables.X.columns] order_no in config.toml"))


def orphan_rows(ctx: Ctx) -> Iterator[Finding]:
    known = ctx.view.orders.index
    for table, rows in ctx.view.parts.items():
        orphans = rows[~ctx.view.known(table)]
        if orphans.empty:
            continue
        if ctx.view.poorly_joined(table) and len(rows) > 3:
            examples = ", ".join(orphans["order_no"].drop_duplicates().head(3).astype(str))
            yield Finding("tabs-not-joined", INFO, ctx.say(
                "「{sheet}」{n}/{total} 行的订单号不在订单表里（如 {ex}），无法逐行核对",
                "{n} of {total} rows in {sheet} name orders that are not in the orders tab (e.g. {ex}); "
                "they cannot be reconciled row by row", sheet=ctx.sheet(table), n=len(orphans), total=len(rows),
                ex=examples), table=table, sheet=ctx.sheet(table), source=ctx.view.tables[table].source,
                hint=ctx.say("确认这张表和订单表说的是同一批订单", "check that this tab and the orders tab cover the "
                             "same orders"))
            continue
        guesses = suggest(orphans[KEY].unique(), known, ctx.s.suggest_cutoff)
        for key, pos, line, no in _rows(orphans, KEY, POS, ROW, "order_no"):
            guess = guesses.get(key)
            hint = ctx.say("是不是 {g}？", "did you mean {g}?", g=ctx.order_value(guess, "order_no")) if guess else \
                ctx.say("先在订单表登记这个订单，或改正订单号", "register the order first, or correct the number")
            yield ctx.at("orphan-row", ERROR, table, pos, line, "order_no", ctx.say(
                "「{sheet}」第 {row} 行的订单号 {no} 不在订单表里", "order {no} in {sheet} row {row} is not in the "
                "orders tab", sheet=ctx.sheet(table), row=int(line), no=no), hint,
                key=guess if guess is not None else key)


_TWINS = str.maketrans("OQDILZSB", "00011258")


def suggest(keys: Iterable[str], known: pd.Index, cutoff: float) -> dict[str, str]:
    """Near misses: letter/digit twins (0/O, 1/l) first, then close spellings of the same length."""
    by_twin = {k.translate(_TWINS): k for k in known}
    by_len: dict[int, list[str]] = {}
    for k in known:
        by_len.setdefault(len(k), []).append(k)
    out: dict[str, str] = {}
    for key in list(keys)[:200]:   # a flood of orphans is a wrong tab, not 10,000 typos
        if (twin := by_twin.get(key.translate(_TWINS))) is not None:
            out[key] = twin
            continue
        pool = [k for n in (len(key) - 1, len(key), len(key) + 1) for k in by_len.get(n, [])]
        close = difflib.get_close_matches(key, pool, n=1, cutoff=cutoff)
        if close:
            out[key] = close[0]
    return out


def missing_rows(ctx: Ctx) -> Iterator[Finding]:
    """Orders whose status or age says a department should have rows, and it has none."""
    orders, s = ctx.view.orders, ctx.s
    if orders.empty:
        return
    cls = orders["status_class"]
    age = (ctx.today - orders["order_date"]).dt.days
    unknown = cls.isna() | (cls == "open")
    expect = {
        "materials": (age >= s.expect_materials_after_days) if s.expect_materials_after_days is not None
        else cls.isin([]),
        "production": cls.isin([PRODUCING, DONE, PARTIAL, SHIPPED]) | (
            unknown & (age >= s.expect_production_after_days) if s.expect_production_after_days is not None
            else False),
        "qc": cls.isin([DONE, PARTIAL, SHIPPED]),
    }
    for table, wanted in expect.items():
        rows = ctx.view.parts.get(table)
        if rows is None or ctx.view.poorly_joined(table):
            continue
        lacking = orders[wanted & (cls != CANCELLED) & ~ctx.view.has_rows(table)]
        names = ("status", "order_date", "order_no", POS, ROW)
        for key, *values in _rows(lacking, None, *names):
            yield _missing(ctx, table, key, dict(zip(names, values)))


def _missing(ctx: Ctx, table: str, key: str, order: Any) -> Finding:
    """``order``: its row of the order frame (a Series, or a dict of the cells used here)."""
    field = "status" if isinstance(order.get("status"), str) else "order_no"
    why = ctx.say("状态为「{st}」", "its status is {st}", st=order["status"]) if field == "status" else \
        ctx.say("下单已 {d} 天", "it was ordered {d} days ago", d=int((ctx.today - order["order_date"]).days))
    return ctx.finding("missing-department-rows", WARNING, "orders", order, field, ctx.say(
        "订单 {no} {why}，但「{sheet}」里没有它的行", "order {no}: {why}, but {sheet} has no rows for it",
        no=order["order_no"], why=why, sheet=ctx.sheet(table)),
        ctx.say("补录「{sheet}」，或更正订单状态", "fill in {sheet}, or correct the order's status",
                sheet=ctx.sheet(table)), key=key)


# --- quantities ------------------------------------------------------------------


def _largest(rows: pd.DataFrame, by: list[str], value: str) -> pd.DataFrame:
    """Per group, the row with the largest ``value`` (ties: the later row)."""
    return rows.sort_values([value, ROW], ascending=False).drop_duplicates(by)


def _largest_at(rows: pd.DataFrame, by: list[str], value: str,
                keys: pd.Series | pd.Index) -> dict[Any, tuple[int, int]]:
    """``_largest`` of the groups of these order keys only: group -> (position, sheet row)."""
    chosen = _largest(rows[rows[KEY].isin(keys)], by, value)
    groups = zip(*(chosen[b].tolist() for b in by)) if len(by) > 1 else chosen[by[0]].tolist()
    return dict(zip(groups, zip(chosen[POS].tolist(), chosen[ROW].tolist())))


def stage_over_ordered(ctx: Ctx) -> Iterator[Finding]:
    view = ctx.view
    prod = view.parts.get("production")
    if prod is None or view.done.empty:
        return
    allowed = np.floor(view.orders["quantity"] * (1 + ctx.s.over_tolerance) + SLACK).reindex(view.done.index)
    over = _cells(view.done, view.done.to_numpy(dtype=float, na_value=np.nan) > allowed.to_numpy()[:, None])
    if not over:
        return
    rows = _largest_at(view.staged(), [KEY, STAGE], "completed_qty", pd.Index([key for key, _, _ in over]))
    for key, stage, done in over:
        yield ctx.at("stage-over-ordered", ERROR, "production", *rows[(key, stage)], "completed_qty", ctx.say(
            "订单 {no} 的{stage}完成 {done}，超过订单数量 {qty}（允许 +{tol}%）",
            "order {no}: {stage} completed {done}, more than the {qty} ordered (+{tol}% allowed)",
            no=_no(ctx, key), stage=stage, done=_n(done), qty=_n(ctx.order_value(key, "quantity")),
            tol=_pct(ctx.s.over_tolerance)),
            ctx.say("核对这一行的完成数量", "check this row's completed quantity"), key=key)


def stage_ahead(ctx: Ctx) -> Iterator[Finding]:
    view = ctx.view
    prod = view.parts.get("production")
    if prod is None or view.done.empty or len(view.stages) < 2:
        return
    before = view.done.ffill(axis=1).shift(1, axis=1)   # the nearest earlier stage that has a figure
    ahead = _cells(view.done, (view.done > before + SLACK).to_numpy())
    rows = _largest_at(view.staged(), [KEY, STAGE], "completed_qty", pd.Index([key for key, _, _ in ahead]))
    for key, stage, _ in ahead:
        earlier = view.done.loc[key, :stage].iloc[:-1].dropna()
        yield ctx.at("stage-ahead", ERROR, "production", *rows[(key, stage)], "completed_qty", ctx.say(
            "订单 {no} 的{stage}完成 {done}，多于前一道工序{prev}的 {pdone}",
            "order {no}: {stage} completed {done}, ahead of the earlier stage {prev} ({pdone})",
            no=_no(ctx, key), stage=stage, done=_n(view.done.at[key, stage]), prev=earlier.index[-1],
            pdone=_n(earlier.iloc[-1])), ctx.say("后道工序不会多于前道；核对两道工序的数量",
                                                 "a later stage cannot pass an earlier one; check both figures"),
            key=key)


def qc_sum(ctx: Ctx) -> Iterator[Finding]:
    qc = ctx.view.parts.get("qc")
    if qc is None or not {"inspected_qty", "passed_qty"} <= set(qc):
        return
    if "failed_qty" in qc:
        wrong = qc[(qc["passed_qty"] + qc["failed_qty"].fillna(0) - qc["inspected_qty"]).abs() > SLACK]
    else:   # without a failed column, passed can at least not exceed inspected
        wrong = qc[qc["passed_qty"] > qc["inspected_qty"] + SLACK]
    field = "failed_qty" if "failed_qty" in qc else "passed_qty"
    failed = wrong["failed_qty"].tolist() if "failed_qty" in qc else [0] * len(wrong)
    for (key, pos, line, passed, inspected), fail in zip(_rows(wrong, KEY, POS, ROW, "passed_qty", "inspected_qty"),
                                                         failed):
        yield ctx.at("qc-sum", ERROR, "qc", pos, line, field, ctx.say(
            "合格 {p} + 不合格 {f} ≠ 检验 {i}", "passed {p} + failed {f} is not the {i} inspected",
            p=_n(passed), f=_n(fail or 0), i=_n(inspected)),
            ctx.say("核对合格、不合格和检验数量", "check the passed, failed and inspected figures"), key=key)


def inspected_over_produced(ctx: Ctx) -> Iterator[Finding]:
    view = ctx.view
    qc = view.parts.get("qc")
    if qc is None or "inspected_qty" not in qc or view.done.empty:
        return
    produced = view.done.ffill(axis=1).iloc[:, -1].dropna()
    inspected = view.by_order("qc").agg("inspected_qty", "sum")
    over = inspected[inspected > produced.reindex(inspected.index) + SLACK]
    rows = _largest_at(qc, [KEY], "inspected_qty", over.index)
    made = produced.reindex(over.index).tolist()
    for key, count, done in zip(over.index.tolist(), over.tolist(), made):
        yield ctx.at("inspected-over-produced", ERROR, "qc", *rows[key], "inspected_qty", ctx.say(
            "订单 {no} 检验 {i}，多于生产完成的 {p}", "order {no}: {i} inspected, more than the {p} produced",
            no=_no(ctx, key), i=_n(count), p=_n(done)),
            ctx.say("核对检验数量和生产进度", "check the inspected quantity and the production figures"), key=key)


def shipped_over(ctx: Ctx) -> Iterator[Finding]:
    """Shipped more than passed QC, or more than ordered beyond the tolerance."""
    view = ctx.view
    ship = view.parts.get("shipping")
    if ship is None or "shipped_qty" not in ship:
        return
    shipped = view.by_order("shipping").agg("shipped_qty", "sum")
    passed = view.totals["passed"] if "passed" in view.totals else pd.Series(dtype=float)
    if "passed_qty" in view.rows("qc") and not view.poorly_joined("qc"):
        passed = passed.reindex(shipped.index).fillna(0)   # QC is kept, and has no row: nothing passed
    allowed = np.floor(view.orders["quantity"] * (1 + ctx.s.over_tolerance) + SLACK)
    limit_p, limit_o = passed.reindex(shipped.index), allowed.reindex(shipped.index)
    over_passed = (shipped > limit_p + SLACK).to_numpy()
    flagged = over_passed | (shipped > limit_o).to_numpy()
    keys = shipped.index[flagged]
    rows = _largest_at(ship, [KEY], "shipped_qty", keys)
    for key, qty, passed_limit, first in zip(keys.tolist(), shipped[flagged].tolist(), limit_p[flagged].tolist(),
                                             over_passed[flagged].tolist()):
        if first:
            yield ctx.at("shipped-over-passed", ERROR, "shipping", *rows[key], "shipped_qty", ctx.say(
                "订单 {no} 已发货 {s}，多于质检合格的 {p}", "order {no}: {s} shipped, more than the {p} that passed QC",
                no=_no(ctx, key), s=_n(qty), p=_n(passed_limit)),
                ctx.say("核对发货数量和质检记录", "check the shipped quantity and the QC records"), key=key)
        else:
            yield ctx.at("shipped-over-ordered", ERROR, "shipping", *rows[key], "shipped_qty", ctx.say(
                "订单 {no} 已发货 {s}，超过订单数量 {q}（允许 +{tol}%）",
                "order {no}: {s} shipped, more than the {q} ordered (+{tol}% allowed)", no=_no(ctx, key),
                s=_n(qty), q=_n(ctx.order_value(key, "quantity")), tol=_pct(ctx.s.over_tolerance)), key=key)


def materials_short(ctx: Ctx) -> Iterator[Finding]:
    mat = ctx.view.parts.get("materials")
    if mat is None or not {"required_qty", "arrived_qty"} <= set(mat):
        return
    mat = mat.assign(_material=mat["material"].fillna("") if "material" in mat else "")
    g = ctx.view.grouped(mat, ctx.view.ranks("materials"), "_material")
    # several delivery rows often restate the same requirement; add it up only when the rows differ
    required = g.agg("required_qty", "max").where(g.agg("required_qty", "nunique") <= 1, g.agg("required_qty", "sum"))
    arrived = g.agg("arrived_qty", "sum", min_count=1)
    is_short = (arrived < required * (1 - ctx.s.short_tolerance) - SLACK).to_numpy()
    short = arrived[is_short]
    keys = short.index.get_level_values(0)
    mat = mat[mat[KEY].isin(keys)]
    last = mat.sort_values(ROW).drop_duplicates([KEY, "_material"], keep="last")
    rows = dict(zip(zip(last[KEY].tolist(), last["_material"].tolist()), zip(last[POS].tolist(), last[ROW].tolist())))
    for (key, material), got, need in zip(short.index.tolist(), short.tolist(), required[is_short].tolist()):
        yield ctx.at("materials-short", WARNING, "materials", *rows[(key, material)], "arrived_qty", ctx.say(
            "订单 {no} 的{m}到货 {a}，少于需求 {r}", "order {no}: {a} of {m} arrived, short of the {r} required",
            no=_no(ctx, key), m=material or ctx.say("物料", "material"), a=_n(got), r=_n(need)),
            ctx.say("跟进供应商补货", "chase the supplier for the rest"), key=key)


# --- dates -----------------------------------------------------------------------


def planned_after_due(ctx: Ctx) -> Iterator[Finding]:
    prod = ctx.view.parts.get("production")
    if prod is None or "planned_finish" not in prod:
        return
    orders = ctx.view.orders
    sane = ((orders["due_date"] >= orders["order_date"]) | orders["order_date"].isna()) & \
        ~orders["status_class"].isin(FINISHED)
    due = orders["due_date"][sane].reindex(prod[KEY]).set_axis(prod.index)   # each row's order's, if it is kept
    is_late = (prod["planned_finish"] > due).to_numpy()
    late = prod[is_late]
    stages = late["stage"].tolist() if "stage" in late else [None] * len(late)
    for (key, pos, line, planned), due, stage in zip(_rows(late, KEY, POS, ROW, "planned_finish"),
                                                     due[is_late].tolist(), stages):
        yield ctx.at("planned-after-due", WARNING, "production", pos, line, "planned_finish", ctx.say(
            "订单 {no} 计划 {pf} 完成{stage}，晚于交期 {due}", "order {no}: {stage} planned to finish {pf}, after "
            "the due date {due}", no=_no(ctx, key), pf=_d(planned), due=_d(due), stage=stage or ""),
            ctx.say("与生产协调提前，或与客户商量交期", "bring the plan forward, or agree a new date with the customer"),
            key=key)


def shipped_early(ctx: Ctx) -> Iterator[Finding]:
    """Shipped before the order was placed, or before its first inspection."""
    ship = ctx.view.parts.get("shipping")
    if ship is None or "shipped_on" not in ship:
        return
    # per shipping row: its order's date, and its order's first inspection (if QC keeps dates)
    ordered = ctx.view.orders["order_date"].reindex(ship[KEY]).set_axis(ship.index)
    qc = ctx.view.parts.get("qc")
    first_qc = ctx.view.on_rows("shipping", ctx.view.by_order("qc").agg("inspected_on", "min", labelled=False)) \
        if qc is not None and "inspected_on" in qc else pd.Series(pd.NaT, index=ship.index)
    before_order = (ship["shipped_on"] < ordered).to_numpy()
    flagged = (ship["shipped_on"].notna() & (before_order | (ship["shipped_on"] < first_qc))).to_numpy()
    for (key, pos, line, shipped), ordered_on, inspected, first in zip(
            _rows(ship[flagged], KEY, POS, ROW, "shipped_on"), ordered[flagged].tolist(), first_qc[flagged].tolist(),
            before_order[flagged]):
        if first:
            yield ctx.at("shipped-before-order", ERROR, "shipping", pos, line, "shipped_on", ctx.say(
                "订单 {no} 发货日期 {s} 早于下单日期 {o}", "order {no} shipped on {s}, before it was ordered on {o}",
                no=_no(ctx, key), s=_d(shipped), o=_d(ordered_on)),
                ctx.say("核对发货日期", "check the shipping date"), key=key)
        else:
            yield ctx.at("shipped-before-inspection", WARNING, "shipping", pos, line, "shipped_on", ctx.say(
                "订单 {no} 发货日期 {s} 早于首次检验 {q}", "order {no} shipped on {s}, before its first inspection "
                "on {q}", no=_no(ctx, key), s=_d(shipped), q=_d(inspected)),
                ctx.say("核对发货日期和检验日期", "check the shipping and inspection dates"), key=key)


ACTUAL_DATES = {"materials": ("arrived_date",), "production": ("actual_finish", "updated_on"),
                "qc": ("inspected_on",), "shipping": ("shipped_on", "delivered_on")}


def date_in_future(ctx: Ctx) -> Iterator[Finding]:
    for table, fields in ACTUAL_DATES.items():
        rows = ctx.view.parts.get(table)
        for f in fields:
            if rows is None or f not in rows:
                continue
            for key, pos, line, day in _rows(rows[rows[f].dt.normalize() > ctx.today], KEY, POS, ROW, f):
                yield ctx.at("date-in-future", ERROR, table, pos, line, f, ctx.say(
                    "实际日期 {d} 还没到（今天 {t}）", "the actual date {d} is in the future (today is {t})",
                    d=_d(day), t=_d(ctx.today)), ctx.say("计划日期请填在计划列", "put planned dates in a plan column"),
                    key=key)


# --- status ----------------------------------------------------------------------


def status_contradictions(ctx: Ctx) -> Iterator[Finding]:
    view = ctx.view
    if "shipping" not in view.parts or "status" not in view.tables["orders"].columns:
        return
    shipped = view.by_order("shipping").agg("shipped_qty", "sum") if "shipped_qty" in view.parts["shipping"] \
        else view.by_order("shipping").agg(None, "size").astype(float)
    orders = view.orders.join(shipped.rename("shipped_total"), how="left")
    says = orders["status_class"].isin([SHIPPED, PARTIAL])
    for key, pos, line, no, status in _rows(orders[says & ~(orders["shipped_total"] > 0)], None, POS, ROW,
                                            "order_no", "status"):
        yield ctx.at("status-shipped-nothing-shipped", ERROR, "orders", pos, line, "status", ctx.say(
            "订单 {no} 状态为「{st}」，但发货记录里没有发货", "order {no} says {st}, but nothing is shipped in {sheet}",
            no=no, st=status, sheet=ctx.sheet("shipping")),
            ctx.say("补录发货记录，或更正状态", "record the shipment, or correct the status"), key=key)
    full = orders["shipped_total"] >= orders["quantity"] * (1 - ctx.s.short_tolerance) - SLACK
    still = orders["status"].notna() & ~orders["status_class"].isin(FINISHED)
    for key, pos, line, no, status, sent, qty in _rows(orders[full & still], None, POS, ROW, "order_no", "status",
                                                       "shipped_total", "quantity"):
        yield ctx.at("status-open-all-shipped", WARNING, "orders", pos, line, "status", ctx.say(
            "订单 {no} 已全部发货（{s}/{q}），状态仍为「{st}」", "order {no} is fully shipped ({s} of {q}) but still "
            "says {st}", no=no, s=_n(sent), q=_n(qty), st=status),
            ctx.say("把状态改为已发货或结案", "mark it shipped or closed"), key=key)


def unknown_stages(ctx: Ctx) -> Iterator[Finding]:
    if ctx.view.unknown_stages:
        names = ", ".join(ctx.view.unknown_stages[:10])
        yield Finding("unknown-stage", INFO, ctx.say(
            "「{sheet}」里的工序 {names} 不在工序顺序里，未计入进度", "stages {names} in {sheet} are not in the stage "
            "list and are left out of progress", sheet=ctx.sheet("production"), names=names), table="production",
            sheet=ctx.sheet("production"), hint=ctx.say("在 config.toml 的 [reconcile] stages 或 stage_aliases 里加上",
                                                       "add them to [reconcile] stages or stage_aliases"))


def _cells(frame: pd.DataFrame, where: np.ndarray) -> list[tuple[Any, Any, Any]]:
    """(row label, column label, value) of the cells of ``frame`` where ``where`` holds, row by row (in the
    order of ``frame.stack()``)."""
    rows, columns = np.nonzero(where)
    return list(zip(frame.index[rows].tolist(), frame.columns[columns].tolist(),
                    frame.to_numpy()[rows, columns].tolist()))


def _rows(frame: pd.DataFrame, *names: str | None) -> Iterator[tuple[Any, ...]]:
    """The rows of ``frame`` as tuples of plain values of these columns (None: the index); iterrows, but fast."""
    return zip(*(frame.index.tolist() if n is None else frame[n].tolist() for n in names))


def _no(ctx: Ctx, key: str) -> str:
    return str(ctx.order_value(key, "order_no")) if key in ctx.view.orders.index else key


def _n(x: Any) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "—"
    return str(int(x)) if float(x).is_integer() else f"{float(x):.1f}"


def _pct(x: float) -> str:
    return _n(round(x * 100, 1))


def _d(ts: Any) -> str:
    return pd.Timestamp(ts).date().isoformat() if pd.notna(ts) else "—"


RULES: tuple[Callable[[Ctx], Iterable[Finding]], ...] = (
    not_joined, orphan_rows, missing_rows, stage_over_ordered, stage_ahead, qc_sum, inspected_over_produced,
    shipped_over, materials_short, planned_after_due, shipped_early, date_in_future, status_contradictions,
    unknown_stages,
)

#: each rule's finding ids: what ``[rules] disable`` can name
RULE_IDS: dict[str, frozenset[str]] = {
    "not_joined": frozenset({"tabs-not-joined"}),
    "orphan_rows": frozenset({"tabs-not-joined", "orphan-row"}),
    "missing_rows": frozenset({"missing-department-rows"}),
    "stage_over_ordered": frozenset({"stage-over-ordered"}),
    "stage_ahead": frozenset({"stage-ahead"}),
    "qc_sum": frozenset({"qc-sum"}),
    "inspected_over_produced": frozenset({"inspected-over-produced"}),
    "shipped_over": frozenset({"shipped-over-passed", "shipped-over-ordered"}),
    "materials_short": frozenset({"materials-short"}),
    "planned_after_due": frozenset({"planned-after-due"}),
    "shipped_early": frozenset({"shipped-before-order", "shipped-before-inspection"}),
    "date_in_future": frozenset({"date-in-future"}),
    "status_contradictions": frozenset({"status-shipped-nothing-shipped", "status-open-all-shipped"}),
    "unknown_stages": frozenset({"unknown-stage"}),
}
#: every id reconciliation can report, the risk warnings included
RECONCILE_IDS: frozenset[str] = frozenset().union(*RULE_IDS.values(), RISK_IDS)
