"""The work of reading the ledger: ``history ORDER_NO`` and ``changes [--since 1d] [--table T]``.

Both read the state file named by ``[service] state`` in config.toml (relative
to the config's folder) and never create it: no state yet means no cycle ran.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text as RichText

from sync.changes import ledger
from sync.changes.requests import stored_requests
from sync.config import Config, find_config, load_config
from sync.errors import UserError
from sync.tables.fields import TABLES
from sync.i18n import say
from sync.tables.normalize import normalise_key
from sync.state import State

console = Console()
KINDS = {ledger.ADDED: ("新增", "added"), ledger.CHANGED: ("修改", "changed"), ledger.REMOVED: ("删除", "removed")}
_SPAN = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def show_history(order_no: str, format: str, config: Path | None, lang: str | None) -> None:
    """The change ledger of one order across all tabs."""
    cfg, language = _open(config, lang, format)
    key = normalise_key(order_no)
    with _state(cfg, language) as state:
        found, seen = ledger.history(state, key), ledger.first_seen(state, key)
        requests = stored_requests(state.db, key)
    if not found and not seen:
        raise UserError(say("账本中没有订单 {no}", "order {no} is not in the ledger", language, no=order_no),
                        hint=say("检查订单号，或等下一轮读取之后再查。", "Check the number, or look again after the next cycle.",
                                 language))
    if format == "json":
        typer.echo(json.dumps({"order_no": order_no, "first_seen": seen, "changes": [c.to_dict() for c in found],
                               "change_requests": [r.to_dict() for r in requests]}, ensure_ascii=False, indent=2))
        return
    tz = _zone(cfg)
    if seen:
        console.print(escape(say("订单 {no}：首次见到 {t}", "order {no}: first seen {t}", language, no=order_no,
                                 t=_local(seen, tz))), highlight=False)
    _print_changes(found, language, tz, show_order=False)
    for r in requests:
        f = r.finding(language)
        console.print(f"[yellow]![/] {escape(f.message)} — {escape(f.hint)}", highlight=False, soft_wrap=True)


def show_changes(since: str, table: str | None, format: str, confirm: str | None, config: Path | None,
                 lang: str | None) -> None:
    """Recent changes across the register; ``confirm`` lifts the safety brake on one table."""
    cfg, language = _open(config, lang, format)
    for name in (table, confirm):
        if name is not None and name not in TABLES:
            raise UserError(say("没有名为 {t} 的表", "no table named {t}", language, t=name),
                            hint=", ".join(TABLES))
    with _state(cfg, language) as state:
        if confirm:
            _confirm(state, confirm, language)
            return
        found = ledger.changes_since(state, parse_since(since, _zone(cfg)), table)
        held = ledger.brake_findings(state, language)
    if format == "json":
        typer.echo(json.dumps({"changes": [c.to_dict() for c in found], "held": [f.to_dict() for f in held]},
                              ensure_ascii=False, indent=2))
        return
    if not found:
        console.print(say("{s} 以来没有变更", "no changes since {s}", language, s=since), highlight=False)
    _print_changes(found, language, _zone(cfg), show_order=True)
    for f in held:
        console.print(f"[yellow]⚠[/] {escape(f.message)}\n   {escape(f.hint)}", highlight=False, soft_wrap=True)


def parse_since(text: str, tz: ZoneInfo) -> str:
    """'1d' '2h' '30m' '1w' back from now, or a date (midnight, local time) -> UTC ISO."""
    if m := _SPAN.match(text):
        start = datetime.now(timezone.utc) - timedelta(**{_UNITS[m[2]]: int(m[1])})
    else:
        try:
            start = datetime.fromisoformat(text.strip())
        except ValueError:
            raise UserError(f"--since {text!r}: expected 1d, 2h, 30m, 1w or a date like 2026-11-01") from None
        start = start if start.tzinfo else start.replace(tzinfo=tz)
    return ledger.iso(start)


def _confirm(state: State, table: str, lang: str) -> None:
    if not ledger.confirm_brake(state, table):
        raise UserError(say("表 {t} 没有被暂停记录删除", "table {t} is not held by the safety brake", lang, t=table))
    console.print(escape(say("已确认：下一轮将记录 {t} 中缺失的行为删除", "confirmed: the next cycle records the rows "
                             "missing from {t} as deleted", lang, t=table)), highlight=False)


def _print_changes(found: list[ledger.Change], lang: str, tz: ZoneInfo, *, show_order: bool) -> None:
    if not found:
        return
    en = lang == "en"
    out = RichTable(show_edge=False, pad_edge=False)
    who = any(c.saved_by for c in found)   # the workbook said who saved it (docProps): a column for it
    headers = [("时间", "when")] + ([("订单", "order")] if show_order else []) + [
        ("表", "table"), ("变更", "change"), ("字段", "field"), ("旧值 → 新值", "old -> new"), ("位置", "where")] + (
        [("保存人", "saved by")] if who else [])
    for h in headers:
        out.add_column(h[en])
    for c in found:
        cells = [_local(c.seen_at, tz)] + ([c.order_no] if show_order else []) + [
            TABLES[c.table].en if en and c.table in TABLES else (TABLES[c.table].zh if c.table in TABLES else c.table),
            KINDS[c.kind][en], _label(c.table, c.field, en) if c.field else "", _values(c, en), c.where] + (
            [c.saved_by or ""] if who else [])
        out.add_row(*(RichText(str(cell)) for cell in cells))   # sheet text, never markup
    console.print(out)


def _values(c: ledger.Change, en: bool) -> str:
    if c.kind == ledger.CHANGED:
        return f"{c.old or '∅'} -> {c.new or '∅'}" if en else f"{c.old or '∅'} → {c.new or '∅'}"
    row = json.loads(c.new or c.old or "{}")
    text = ", ".join(f"{_label(c.table, k, en)}={v}" for k, v in row.items() if k != "order_no")
    return text if len(text) <= 80 else text[:79] + "…"


def _label(table: str, name: str, en: bool) -> str:
    spec = TABLES.get(table)
    if en or spec is None or name not in spec.fields or not spec.fields[name].aliases:
        return name
    return spec.fields[name].aliases[0]


def _open(config_path, lang: str | None, format: str) -> tuple[Config, str]:
    path = find_config(config_path)
    if path is None:
        raise UserError("no config.toml found", hint="Pass --config, set $ORDERSYNC_CONFIG, or run `ordersync init`.")
    cfg = load_config(path)
    if format not in ("table", "json"):
        raise UserError(f"--format {format!r}: expected table or json")
    return cfg, lang or cfg.service.language


def _state(cfg: Config, lang: str) -> State:
    path = cfg.resolve(cfg.service.state)
    if not path.exists():
        raise UserError(say("还没有状态文件 {p}：服务尚未运行过", "no state file yet at {p}: the service has not run a cycle",
                            lang, p=path), hint="ordersync run --once")
    return State(path)


def _zone(cfg: Config) -> ZoneInfo:
    try:
        return ZoneInfo(cfg.service.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"[service] timezone = {cfg.service.timezone!r} is not a known time zone") from None


def _local(stamp: str, tz: ZoneInfo) -> str:
    return datetime.fromisoformat(stamp).astimezone(tz).strftime("%Y-%m-%d %H:%M")

