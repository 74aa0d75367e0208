"""Can the tabs be matched to orders at all: tabs without order numbers, rows naming no order, orders a
department should have rows for and has none."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

import pandas as pd

from sync.checks.near import NearPool
from sync.checks.reconcile.context import Ctx, rows_of
from sync.findings import ERROR, INFO, WARNING, Finding
from sync.orders.view import CANCELLED, DONE, KEY, PARTIAL, POS, PRODUCING, SHIPPED
from sync.orders.wide import WideTable
from sync.tables.table import ROW


def not_joined(ctx: Ctx) -> Iterator[Finding]:
    """Said once: the tabs that cannot be matched to orders, and why."""
    view = ctx.view
    orders = view.tables.get("orders")
    names = [f"{t.sheet}" for t in view.unjoined if not t.key]   # a plan by product names no orders by nature
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


def zeros_lost(ctx: Ctx) -> Iterator[Finding]:
    """Said once a tab: its order numbers were matched to the orders' though their leading zeros differ."""
    for table, (n, pos, typed, order) in ctx.view.zeros.items():
        line = ctx.view.tables[table].data[ROW].iloc[pos]
        yield ctx.at("order-no-zeros", WARNING, table, pos, line, "order_no", ctx.say(
            "「{sheet}」有 {n} 行的订单号与订单表的只差开头的 0（如 {typed} 即 {order}），已按订单表的订单对上",
            "{sheet}: {n} rows give order numbers that differ from the orders tab's only in their leading zeros "
            "(e.g. {typed} for {order}); they are matched to those orders", sheet=ctx.sheet(table), n=n,
            typed=typed, order=order), ctx.say(
            "Excel 会去掉数字开头的 0：把订单号列设为文本格式，再照订单表填写",
            "Excel drops the leading zeros of a number: format the order number column as text and type the "
            "numbers as the orders tab has them"), key=order)


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
        for key, pos, line, no in rows_of(orphans, KEY, POS, ROW, "order_no"):
            guess = guesses.get(key)
            hint = ctx.say("是不是 {g}？", "did you mean {g}?", g=ctx.order_value(guess, "order_no")) if guess else \
                ctx.say("先在订单表登记这个订单，或改正订单号", "register the order first, or correct the number")
            yield ctx.at("orphan-row", ERROR, table, pos, line, "order_no", ctx.say(
                "「{sheet}」第 {row} 行的订单号 {no} 不在订单表里", "order {no} in {sheet} row {row} is not in the "
                "orders tab", sheet=ctx.sheet(table), row=int(line), no=no), hint,
                key=guess if guess is not None else key)


_TWINS = str.maketrans("OQDILZSB", "00011258")


class Guesses:
    """Near misses among one set of known order numbers (in their order), worked out once per key.

    The daemon reconciles after every save, and a save seldom changes which orders there are: the twins, the
    pool and each key's answer are kept for the very same known keys (``guesses_for``), so a register of many
    followers' orders does not count 100,000 keys' letters again for the same orphans."""

    def __init__(self, known: pd.Index, cutoff: float) -> None:
        self.known, self.cutoff = known, cutoff
        self.by_twin = {k.translate(_TWINS): k for k in known}
        self._pool: NearPool | None = None     # counted once, and only when a key has no twin
        self._answers: dict[str, str | None] = {}

    def guess(self, key: str) -> str | None:
        if key not in self._answers:
            twin = self.by_twin.get(key.translate(_TWINS))
            if twin is None:
                self._pool = self._pool if self._pool is not None else NearPool(self.known)
                twin = self._pool.closest(key, self.cutoff)   # difflib's close match among keys of about its length
            self._answers[key] = twin
        return self._answers[key]


_last: tuple[str, Guesses] | None = None   # the known keys of the last reconciliation, and their guesses


def guesses_for(known: pd.Index, cutoff: float) -> Guesses:
    """The ``Guesses`` of these known keys: the last ones while the keys (in order) and the cutoff are the same."""
    global _last
    if _last is not None and _last[1].known is known and _last[1].cutoff == cutoff:   # the next tab of one pass
        return _last[1]
    values = pd.util.hash_array(known.to_numpy(dtype=object)).tobytes()
    digest = hashlib.blake2b(values + repr(cutoff).encode(), digest_size=16).hexdigest()
    if _last is None or _last[0] != digest:
        _last = (digest, Guesses(known, cutoff))
    _last[1].known = known     # the same keys: this pass's index is the one the next tabs hand in
    return _last[1]


def suggest(keys: Iterable[str], known: pd.Index, cutoff: float) -> dict[str, str]:
    """Near misses: letter/digit twins (0/O, 1/l) first, then close spellings of the same length."""
    guesses = guesses_for(known, cutoff)
    out: dict[str, str] = {}
    for key in list(keys)[:200]:   # a flood of orphans is a wrong tab, not 10,000 typos
        guess = guesses.guess(key)
        if guess is not None:
            out[key] = guess
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
        # a wide tracker's stages are the orders' own cells: an order with none filled in has not started
        if rows is None or ctx.view.poorly_joined(table) or isinstance(ctx.view.tables.get(table), WideTable):
            continue
        lacking = orders[wanted & (cls != CANCELLED) & ~ctx.view.has_rows(table)]
        names = ("status", "order_date", "order_no", POS, ROW)
        for key, *values in rows_of(lacking, None, *names):
            yield _missing(ctx, table, key, dict(zip(names, values)))


def _missing(ctx: Ctx, table: str, key: str, order: Any) -> Finding:
    """``order``: its row of the order frame (a Series, or a dict of the cells used here)."""
    field = "status" if isinstance(order.get("status"), str) else "order_no"
    why = ctx.say("状态为「{st}」", "its status is {st}", st=order["status"]) if field == "status" else \
        ctx.say("下单已 {d} 天", "it was ordered {d} days ago", d=int((ctx.today - order["order_date"]).days))
    said = ctx.say("订单状态", "the order's status") if field == "status" else ctx.header("orders", "order_date")
    return ctx.finding("missing-department-rows", WARNING, "orders", order, field, ctx.say(
        "订单 {no} {why}，但「{sheet}」里没有它的行", "order {no}: {why}, but {sheet} has no rows for it",
        no=order["order_no"], why=why, sheet=ctx.sheet(table)),
        ctx.say("补录「{sheet}」，或更正订单状态", "fill in {sheet}, or correct the order's status",
                sheet=ctx.sheet(table)), key=key,
        compared=ctx.order_cells(key, "order_date") if field == "order_no" else (),
        gist=ctx.say("{what}与「{sheet}」不符", "{what} vs {sheet}", what=said, sheet=ctx.sheet(table)))


def unknown_stages(ctx: Ctx) -> Iterator[Finding]:
    if ctx.view.unknown_stages:
        names = ", ".join(ctx.view.unknown_stages[:10])
        yield Finding("unknown-stage", INFO, ctx.say(
            "「{sheet}」里的工序 {names} 不在工序顺序里，未计入进度", "stages {names} in {sheet} are not in the stage "
            "list and are left out of progress", sheet=ctx.sheet("production"), names=names), table="production",
            sheet=ctx.sheet("production"), hint=ctx.say("在 config.toml 的 [reconcile] stages 或 stage_aliases 里加上",
                                                       "add them to [reconcile] stages or stage_aliases"))
