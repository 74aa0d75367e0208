"""The work of ``ordersync status [ORDER_NO] [WORKBOOK...]``: where each order is, and which will be late."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from sync.cli.session import Session
from sync.errors import UserError
from sync.findings import INFO
from sync.i18n import check_language, say
from sync.tables.normalize import fold_text, normalise_key
from sync.orders.timeline import Event, timeline
from sync.orders.model import first_of, order_model
from sync.orders.people import names_in
from sync.orders.view import OrderView, build_view, settings_from
from sync.orders.progress import OrderProgress, progress_of_view, stage_label
from sync.checks.reconcile import Ctx, RULES
from sync.tables.reading import read_sources
from sync.tables.register import Register

import pandas as pd

console = Console()


def run_status(session: Session, order_no: str | None, follower: str | None, at_risk: bool, show_all: bool,
               fmt: str, today: str | None) -> None:
    """Per-order progress, projected finish and risk; one order's timeline (``order_no``) when asked."""
    day = session.today(today)
    register, lanes = session.registers()
    # unless asked or configured, speak the register's language (English headers: English)
    language = check_language(session.speaking(read_sources(session.sources, register, others=not register.tables)))
    view = build_view(register, settings_from(session.config))
    if lanes:   # workbooks kept apart: each order's progress as its own workbook has it (sync.checks.lanes)
        progresses = first_of(order_model(lane, session.config, today=day).progress for lane in lanes.values())
    else:
        progresses = progress_of_view(view, today=day)
    notes = _notes(register, view, language, day)
    if order_no is not None:
        _one_order(view, progresses, order_no, fmt, language, day)
    else:
        chosen = _select(progresses, follower, at_risk, show_all)
        _show_list(chosen, notes, fmt, language, day, len(progresses))


def _notes(register: Register, view: OrderView, lang: str, day: dt.date) -> list[str]:
    """What stops the tabs from being followed: said once each, plainly."""
    out = [p.message for p in register.problems]
    if "orders" not in view.tables:
        out.append(say("没有找到订单表，无法跟踪订单", "no orders tab found; there is nothing to follow", lang))
    ctx = Ctx(view, lang, pd.Timestamp(day))
    out += [f.message for rule in RULES for f in rule(ctx) if f.severity == INFO]
    return out


def _select(progresses: dict[str, OrderProgress], follower: str | None, at_risk: bool,
            show_all: bool) -> list[OrderProgress]:
    chosen = [p for p in progresses.values() if show_all or p.open]
    if follower:
        chosen = [p for p in chosen if fold_text(follower) in names_in(p.follower)]
    if at_risk:
        chosen = [p for p in chosen if p.at_risk or p.material_risk]
    far = dt.date.max
    return sorted(chosen, key=lambda p: (not p.at_risk, -(p.days_late or 0), p.due_date or far, p.order_no))


def _show_list(chosen: list[OrderProgress], notes: list[str], fmt: str, lang: str, day: dt.date,
               total: int) -> None:
    if fmt == "json":
        print(json.dumps({"today": day.isoformat(), "orders": [p.to_dict() for p in chosen], "notes": notes},
                         ensure_ascii=False, indent=2))
        return
    table = RichTable(box=box.SIMPLE_HEAD, pad_edge=False, title=say(
        "订单进度（{d}）", "Order progress ({d})", lang, d=day.isoformat()))
    for header, kw in ((say("订单号", "Order", lang), {"no_wrap": True}), (say("跟单", "Follower", lang), {}),
                       (say("工序", "Stage", lang), {}), (say("进度", "Done", lang), {"justify": "right"}),
                       (say("交期", "Due", lang), {"no_wrap": True}), (say("预计完成", "Projected", lang),
                                                                       {"no_wrap": True}),
                       (say("风险", "Risk", lang), {})):
        table.add_column(header, **kw)
    for p in chosen:
        table.add_row(escape(p.order_no), escape(p.follower or ""), stage_label(p.current_stage, lang), _done(p),
                      _date(p.due_date), _date(p.projected_finish), _risk(p, lang))
    if chosen:
        console.print(table)
    console.print(say("{n} 个订单，{r} 个有风险（共 {t} 个）", "{n} orders, {r} at risk (of {t})", lang,
                      n=len(chosen), r=sum(p.at_risk for p in chosen), t=total), highlight=False)
    for note in notes:
        console.print(f"[yellow]•[/] {escape(note)}", highlight=False)


def _done(p: OrderProgress) -> str:
    value = p.percent.get(p.current_stage)
    if p.current_stage == "shipping":
        value = p.percent.get("shipped", 0.0)
    return f"{value:.0f}%" if value is not None else "—"


def _risk(p: OrderProgress, lang: str) -> str:
    parts = []
    if p.at_risk:
        parts.append(say("[red]约晚 {n} 天[/]", "[red]~{n} days late[/]", lang, n=p.days_late))
    if p.material_risk:
        parts.append(say("[yellow]缺料[/]", "[yellow]materials[/]", lang))
    return " ".join(parts) or "—"


def _date(d: dt.date | None) -> str:
    return d.isoformat() if d else "—"


# --- one order --------------------------------------------------------------------


def _one_order(view: OrderView, progresses: dict[str, OrderProgress], order_no: str, fmt: str, lang: str,
               day: dt.date) -> None:
    key = normalise_key(order_no)
    p = progresses.get(key)
    if p is None:
        raise UserError(say("订单表里没有订单 {no}", "order {no} is not in the orders tab", lang, no=order_no))
    events = timeline(view, key)
    ctx = Ctx(view, lang, pd.Timestamp(day))
    findings = [f for rule in RULES for f in rule(ctx) if f.order_no and normalise_key(f.order_no) == key]
    if fmt == "json":
        print(json.dumps({"today": day.isoformat(), "order": p.to_dict(), "timeline": [e.to_dict() for e in events],
                          "findings": [f.to_dict() for f in findings]}, ensure_ascii=False, indent=2))
        return
    console.print(_headline(p, lang), highlight=False)
    console.print(_stages(p, view, lang), highlight=False)
    table = RichTable(box=box.SIMPLE_HEAD, pad_edge=False)
    for header in (say("日期", "Date", lang), say("事项", "What", lang), say("数量", "Qty", lang),
                   say("位置", "Where", lang)):
        table.add_column(header)
    for e in events:
        table.add_row(_date(e.day), escape(_what(e, lang)), _qty(e), escape(f"{e.sheet}!{e.cell or e.row}"))
    console.print(table)
    for f in findings:
        mark = "[red]✗[/]" if f.severity == "error" else "[yellow]![/]"
        console.print(f"{mark} {escape(f'{f.sheet}!{f.cell or f.row}  {f.message}')}", highlight=False)


def _headline(p: OrderProgress, lang: str) -> str:
    head = say("订单 {no}  {c}  跟单 {f}  数量 {q}  交期 {d}  状态 {s}",
               "Order {no}  {c}  follower {f}  qty {q}  due {d}  status {s}", lang, no=escape(p.order_no),
               c=escape(p.customer or ""), f=escape(p.follower or "—"), q=_qty_text(p.quantity), d=_date(p.due_date),
               s=escape(p.status or "—"))
    if p.projected_finish:
        head += "\n" + say("预计 {pf} 完成", "projected finish {pf}", lang, pf=p.projected_finish)
    if p.at_risk:
        head += "  " + _risk(p, lang)
    return head


def _stages(p: OrderProgress, view: OrderView, lang: str) -> str:
    steps = [*view.stages, "qc", "shipped"]
    names = {"qc": say("质检", "QC", lang), "shipped": say("发货", "shipped", lang)}
    names.update({s: stage_label(s, lang) for s in view.stages})   # "produced": a tab without a stage column
    return "  →  ".join(f"{names.get(s, s)} {p.percent[s]:.0f}%" if s in p.percent else f"{names.get(s, s)} —"
                        for s in steps)


KINDS = {"ordered": ("下单", "ordered"), "due": ("交期", "due"), "batch": ("分批", "batch"),
         "material": ("物料", "material"), "stage": ("生产", "production"), "inspected": ("质检", "inspected"),
         "shipped": ("发货", "shipped")}


def _what(e: Event, lang: str) -> str:
    zh, en = KINDS[e.kind]
    text = say(zh, en, lang)
    if e.label:
        text += f" {e.label}"
    if e.kind == "material" and e.extra.get("date_field") == "expected_date":
        text += say("（预计到货）", " (expected)", lang)
    if e.kind == "stage" and e.extra.get("date_field") == "planned_finish":
        text += say("（计划完成）", " (planned)", lang)
    if e.kind == "inspected" and "passed" in e.extra:
        text += say(" 合格 {p}", " passed {p}", lang, p=_qty_text(e.extra["passed"]))
    return text


def _qty(e: Event) -> str:
    return _qty_text(e.qty) if e.qty is not None else ""


def _qty_text(q: Any) -> str:
    if q is None:
        return "—"
    return str(int(q)) if float(q).is_integer() else f"{q:.1f}"
