"""Do the department figures add up: stages against the order and each other, QC's own sum, inspected
against produced, shipped against passed and ordered, materials against what was required.

Each finding names the cells it compared (``compared``), so a figure already wrong on its own cell (an
outlier, an unreadable value) is reported once, with these comparisons listed under it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from sync.checks.reconcile.context import SLACK, Ctx, cells_where, num, order_no, pct, rows_of
from sync.findings import ERROR, WARNING, CellRef, Finding
from sync.orders.facts import awaiting_rework
from sync.orders.view import KEY, POS, STAGE
from sync.tables.table import ROW


def _largest(rows: pd.DataFrame, by: list[str], value: str) -> pd.DataFrame:
    """Per group, the row with the largest ``value`` (ties: the later row)."""
    return rows.sort_values([value, ROW], ascending=False).drop_duplicates(by)


def _largest_at(rows: pd.DataFrame, by: list[str], value: str,
                keys: pd.Series | pd.Index) -> dict[Any, tuple[int, int]]:
    """``_largest`` of the groups of these order keys only: group -> (position, sheet row)."""
    chosen = _largest(rows[rows[KEY].isin(keys)], by, value)
    groups = zip(*(chosen[b].tolist() for b in by)) if len(by) > 1 else chosen[by[0]].tolist()
    return dict(zip(groups, zip(chosen[POS].tolist(), chosen[ROW].tolist())))


def _stage_cells(ctx: Ctx, key: str, stage: Any) -> list[CellRef]:
    """The completed-quantity cells that make up one order's figure of one stage."""
    return ctx.key_cells("production", key, "completed_qty", stage=stage)


def stage_over_ordered(ctx: Ctx) -> Iterator[Finding]:
    view = ctx.view
    prod = view.parts.get("production")
    if prod is None or view.done.empty:
        return
    allowed = np.floor(view.orders["quantity"] * (1 + ctx.s.over_tolerance) + SLACK).reindex(view.done.index)
    over = cells_where(view.done, view.done.to_numpy(dtype=float, na_value=np.nan) > allowed.to_numpy()[:, None])
    if not over:
        return
    rows = _largest_at(view.staged(), [KEY, STAGE], "completed_qty", pd.Index([key for key, _, _ in over]))
    ordered, table = ctx.header("orders", "quantity"), view.tables["production"]
    for key, stage, done in over:
        # the figure's own header: a wide tracker has a column per stage
        gist = f"{table.header_at('completed_qty', int(rows[(key, stage)][0]))} > {ordered}"
        yield ctx.at("stage-over-ordered", ERROR, "production", *rows[(key, stage)], "completed_qty", ctx.say(
            "订单 {no} 的{stage}完成 {done}，超过订单数量 {qty}（允许 +{tol}%）",
            "order {no}: {stage} completed {done}, more than the {qty} ordered (+{tol}% allowed)",
            no=order_no(ctx, key), stage=stage, done=num(done), qty=num(ctx.order_value(key, "quantity")),
            tol=pct(ctx.s.over_tolerance)),
            ctx.say("核对这一行的完成数量", "check this row's completed quantity"), key=key,
            compared=[*_stage_cells(ctx, key, stage), *ctx.order_cells(key, "quantity")], gist=gist)


def stage_ahead(ctx: Ctx) -> Iterator[Finding]:
    view = ctx.view
    prod = view.parts.get("production")
    if prod is None or view.done.empty or len(view.stages) < 2:
        return
    done = view.done.to_numpy(dtype=float, na_value=np.nan)
    # per cell, the column of the nearest stage at or before it that has a figure (-1: none)
    figured = np.maximum.accumulate(np.where(np.isnan(done), -1, np.arange(done.shape[1])), axis=1)
    earlier = np.full(done.shape, -1)
    earlier[:, 1:] = figured[:, :-1]                   # ... strictly before it
    before = np.take_along_axis(done, np.maximum(earlier, 0), axis=1)
    i, j = np.nonzero((earlier >= 0) & (done > before + SLACK))
    keys, stages = view.done.index[i].tolist(), view.done.columns[j].tolist()
    prevs = view.done.columns[earlier[i, j]].tolist()
    rows = _largest_at(view.staged(), [KEY, STAGE], "completed_qty", pd.Index(keys))
    for key, stage, prev, figure, prior in zip(keys, stages, prevs, done[i, j].tolist(), before[i, j].tolist()):
        yield ctx.at("stage-ahead", ERROR, "production", *rows[(key, stage)], "completed_qty", ctx.say(
            "订单 {no} 的{stage}完成 {done}，多于前一道工序{prev}的 {pdone}",
            "order {no}: {stage} completed {done}, ahead of the earlier stage {prev} ({pdone})",
            no=order_no(ctx, key), stage=stage, done=num(figure), prev=prev,
            pdone=num(prior)), ctx.say("后道工序不会多于前道；核对两道工序的数量",
                                       "a later stage cannot pass an earlier one; check both figures"),
            key=key, compared=[*_stage_cells(ctx, key, stage), *_stage_cells(ctx, key, prev)],
            gist=f"{stage} > {prev}")


#: a figure typed with a zero too many or too few: x10, x100, /10, /100
_SLIPS = (10.0, 100.0, 0.1, 0.01)


def qc_slipped(passed: float, failed: float, inspected: float) -> str | None:
    """The one figure of a QC row that, with a zero added or taken away, makes passed + failed = inspected."""
    found = [name for name, fixed in (
        ("passed_qty", lambda k: passed * k + failed - inspected),
        ("inspected_qty", lambda k: passed + failed - inspected * k),
        ("failed_qty", lambda k: passed + failed * k - inspected)) if any(abs(fixed(k)) <= SLACK for k in _SLIPS)]
    return found[0] if len(found) == 1 else None


def qc_sum(ctx: Ctx) -> Iterator[Finding]:
    """Passed + failed = inspected on each QC row; the finding is on the figure with a zero slipped, if one
    has, else on the failed figure (the passed one without a failed column)."""
    qc = ctx.view.parts.get("qc")
    if qc is None or not {"inspected_qty", "passed_qty"} <= set(qc):
        return
    if "failed_qty" in qc:
        wrong = qc[(qc["passed_qty"] + qc["failed_qty"].fillna(0) - qc["inspected_qty"]).abs() > SLACK]
    else:   # without a failed column, passed can at least not exceed inspected
        wrong = qc[qc["passed_qty"] > qc["inspected_qty"] + SLACK]
    usual = "failed_qty" if "failed_qty" in qc else "passed_qty"
    failed = wrong["failed_qty"].tolist() if "failed_qty" in qc else [0] * len(wrong)
    h = {f: ctx.header("qc", f) for f in ("passed_qty", "failed_qty", "inspected_qty")}
    gist = f"{h['passed_qty']} + {h['failed_qty']} ≠ {h['inspected_qty']}" if "failed_qty" in qc else \
        f"{h['passed_qty']} > {h['inspected_qty']}"
    for (key, pos, line, passed, inspected), fail in zip(rows_of(wrong, KEY, POS, ROW, "passed_qty",
                                                                 "inspected_qty"), failed):
        fail = 0.0 if fail != fail else fail   # a blank failed figure: none failed
        slipped = qc_slipped(passed, fail, inspected) if "failed_qty" in qc else None
        field = slipped or usual
        yield ctx.at("qc-sum", ERROR, "qc", pos, line, field, ctx.say(
            "合格 {p} + 不合格 {f} ≠ 检验 {i}", "passed {p} + failed {f} is not the {i} inspected",
            p=num(passed), f=num(fail or 0), i=num(inspected)),
            ctx.say("核对合格、不合格和检验数量", "check the passed, failed and inspected figures"), key=key,
            compared=ctx.row_cells("qc", pos, line, "passed_qty", "failed_qty", "inspected_qty"), gist=gist)


def inspected_over_produced(ctx: Ctx) -> Iterator[Finding]:
    view = ctx.view
    qc = view.parts.get("qc")
    if qc is None or "inspected_qty" not in qc or view.done.empty:
        return
    filled = view.done.ffill(axis=1)
    produced = filled.iloc[:, -1].dropna()
    inspected = view.by_order("qc").agg("inspected_qty", "sum")
    over = inspected[inspected > produced.reindex(inspected.index) + SLACK]
    rows = _largest_at(qc, [KEY], "inspected_qty", over.index)
    made = produced.reindex(over.index).tolist()
    gist = f"{ctx.header('qc', 'inspected_qty')} > {ctx.header('production', 'completed_qty')}"
    for key, count, done in zip(over.index.tolist(), over.tolist(), made):
        last = view.done.loc[key].last_valid_index()   # the stage whose figure is what was produced
        yield ctx.at("inspected-over-produced", ERROR, "qc", *rows[key], "inspected_qty", ctx.say(
            "订单 {no} 检验 {i}，多于生产完成的 {p}", "order {no}: {i} inspected, more than the {p} produced",
            no=order_no(ctx, key), i=num(count), p=num(done)),
            ctx.say("核对检验数量和生产进度", "check the inspected quantity and the production figures"), key=key,
            compared=[*ctx.key_cells("qc", key, "inspected_qty"), *_stage_cells(ctx, key, last)],
            gist=gist)


def shipped_after_failed(ctx: Ctx) -> Iterator[Finding]:
    """Shipped on or after an inspection that failed (不合格, NG, Fail, 复验) and was not settled: the goods went
    out with the last verdict against them. Only where the QC tab keeps a verdict and no passed quantity (with
    one, ``shipped_over`` weighs the quantities)."""
    view = ctx.view
    qc, ship = view.tables.get("qc"), view.parts.get("shipping")
    if qc is None or ship is None or ship.empty or not qc.has("result") or qc.has("passed_qty"):
        return
    waiting = awaiting_rework(qc)
    if not waiting:
        return
    keys = ship[KEY].to_numpy(dtype=object)
    on = pd.to_datetime(ship["shipped_on"]).to_numpy() if "shipped_on" in ship \
        else np.full(len(ship), np.datetime64("NaT", "ns"))
    for key, row in waiting.items():
        inspected = row.get("inspected_on")
        after = keys == key
        if inspected is not None and pd.notna(inspected):
            after &= np.isnat(on) | (on >= np.datetime64(pd.Timestamp(inspected).date(), "ns"))
        if not after.any():
            continue
        i = int(np.flatnonzero(after)[0])
        shipped = ship["shipped_qty"].to_numpy(dtype=float)[after] if "shipped_qty" in ship else np.array([])
        field = "shipped_qty" if "shipped_qty" in ship else "shipped_on"
        yield ctx.at("shipped-after-failed-qc", ERROR, "shipping", ship[POS].iloc[i], ship[ROW].iloc[i], field,
                     ctx.say("订单 {no} 最近一次检验判定为“{r}”（{d}），却已发货{n}",
                             "order {no}: the last inspection says '{r}' ({d}), yet it has shipped{n}",
                             no=order_no(ctx, key), r=row.get("result") or "", d=_when(inspected),
                             n=f" {num(float(np.nansum(shipped)))}" if len(shipped) else ""),
                     ctx.say("确认返工后已复验合格，或在质检记录里写明让步接收", "make sure it passed a re-inspection after "
                             "rework, or record the concession in the QC tab"), key=key,
                     compared=ctx.key_cells("qc", key, "result"), gist="shipped after failed QC")


def _when(day: Any) -> str:
    return str(pd.Timestamp(day).date()) if day is not None and pd.notna(day) else "?"


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
    sent = ctx.header("shipping", "shipped_qty")
    for key, qty, passed_limit, first in zip(keys.tolist(), shipped[flagged].tolist(), limit_p[flagged].tolist(),
                                             over_passed[flagged].tolist()):
        shipments = ctx.key_cells("shipping", key, "shipped_qty")
        if first:
            yield ctx.at("shipped-over-passed", ERROR, "shipping", *rows[key], "shipped_qty", ctx.say(
                "订单 {no} 已发货 {s}，多于质检合格的 {p}", "order {no}: {s} shipped, more than the {p} that passed QC",
                no=order_no(ctx, key), s=num(qty), p=num(passed_limit)),
                ctx.say("核对发货数量和质检记录", "check the shipped quantity and the QC records"), key=key,
                compared=[*shipments, *ctx.key_cells("qc", key, "passed_qty")],
                gist=f"{sent} > {ctx.header('qc', 'passed_qty')}")
        else:
            yield ctx.at("shipped-over-ordered", ERROR, "shipping", *rows[key], "shipped_qty", ctx.say(
                "订单 {no} 已发货 {s}，超过订单数量 {q}（允许 +{tol}%）",
                "order {no}: {s} shipped, more than the {q} ordered (+{tol}% allowed)", no=order_no(ctx, key),
                s=num(qty), q=num(ctx.order_value(key, "quantity")), tol=pct(ctx.s.over_tolerance)), key=key,
                compared=[*shipments, *ctx.order_cells(key, "quantity")],
                gist=f"{sent} > {ctx.header('orders', 'quantity')}")


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
    gist = f"{ctx.header('materials', 'arrived_qty')} < {ctx.header('materials', 'required_qty')}"
    places = mat.groupby([KEY, "_material"], sort=False).indices
    positions, lines = mat[POS].to_numpy(), mat[ROW].to_numpy()
    for (key, material), got, need in zip(short.index.tolist(), short.tolist(), required[is_short].tolist()):
        at = places[(key, material)]
        compared = [c for pos, line in zip(positions[at].tolist(), lines[at].tolist())
                    for c in ctx.row_cells("materials", pos, line, "arrived_qty", "required_qty")]
        yield ctx.at("materials-short", WARNING, "materials", *rows[(key, material)], "arrived_qty", ctx.say(
            "订单 {no} 的{m}到货 {a}，少于需求 {r}", "order {no}: {a} of {m} arrived, short of the {r} required",
            no=order_no(ctx, key), m=material or ctx.say("物料", "material"), a=num(got), r=num(need)),
            ctx.say("跟进供应商补货", "chase the supplier for the rest"), key=key,
            compared=compared, gist=gist)
