"""``ordersync status --service``: what the running service last did, from its status file."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from sync.cli.session import open_session
from sync.errors import UserError
from sync.i18n import say
from sync.state import disk_problems

console = Console(highlight=False)


def show_service(config_path, lang: str | None, fmt: str) -> None:
    session = open_session(None, config_path, lang, need_config=True)
    cfg, language = session.config, session.lang
    tz = ZoneInfo(cfg.service.timezone)
    path = cfg.resolve(cfg.service.state).with_name("service.json")
    if not path.exists():
        raise UserError(say("服务还没有运行过（没有 {p}）", "the service has not run yet (no {p})", language, p=path),
                        hint="Start it with `ordersync run` (or `ordersync run --once`).")
    data = json.loads(path.read_text(encoding="utf-8"))
    if fmt == "json":
        live = service_problems({}, cfg.resolve(cfg.service.state), tz)
        print(json.dumps(data | {"running": _alive(data.get("pid")), "state_problems": live}, ensure_ascii=False,
                         indent=2))
        return
    running = _alive(data.get("pid"))
    console.print(say("服务：{s}（pid {p}，启动于 {t}，{o} 监视）", "service: {s} (pid {p}, started {t}, {o} observer)",
                      language, s=say("运行中", "running", language) if running else say("未运行", "not running",
                                                                                  language),
                      p=data.get("pid"), t=_short(data.get("started"), tz), o=data.get("observer", "-")))
    table = RichTable(box=box.SIMPLE_HEAD, pad_edge=False)
    for header in (say("数据源", "Source", language), say("上次读取", "Last read", language),
                   say("结果", "Result", language), say("行", "Rows", language),
                   say("错误/发现", "Errors/findings", language), say("请求", "Requests", language)):
        table.add_column(header)
    for name, s in data.get("sources", {}).items():
        opened = say("（有人打开）", " (open elsewhere)", language) if s.get("open_elsewhere") else ""
        failing = say("（自 {t} 起；上次完整读取 {g}）", " (since {t}; last good read {g})", language,
                      t=_short(s.get("failing_since"), tz), g=_short(s.get("last_good"), tz)) \
            if s.get("failing_since") else ""
        table.add_row(name, _short(s.get("last_read"), tz), f"{s.get('result', '')}{failing}{opened}",
                      str(s.get("rows", 0)),
                      f"{s.get('errors', 0)}/{s.get('findings', 0)}", str(s.get("requests", 0)))
    console.print(table)
    console.print(say("待发邮件：{n}", "mail queue: {n} waiting", language, n=data.get("queue_length", 0))
                  + (say("，暂扣 {h}（见 ordersync queue）", ", {h} held (see ordersync queue)", language,
                         h=data["held"]) if data.get("held", 0) > 0 else ""))
    show_channels(data.get("channels") or {}, language, tz)
    for problem in service_problems(data, cfg.resolve(cfg.service.state), tz):
        console.print(f"[red]✗[/] {escape(problem)}", soft_wrap=True)
    for name, when in data.get("next_runs", {}).items():
        console.print(say("下次摘要 {n}：{t}", "next digest {n}: {t}", language, n=name, t=_short(when, tz)))


def service_problems(data: dict, state: Path, tz: ZoneInfo) -> list[str]:
    """What the service said was wrong (its status file), and what is wrong with its state's disk right now
    (a full or read-only disk keeps the service from writing its status file at all)."""
    out = [f"{p['what']}: {p['message']} ({say('自', 'since', 'en')} {_short(p.get('since'), tz)})"
           + (f" — {p['hint']}" if p.get("hint") else "") for p in data.get("problems", [])]
    recorded = data.get("state_file") or []
    if not state.exists():
        out.append(f"{state}: the state file is missing")
    elif recorded and [state.stat().st_dev, state.stat().st_ino] != recorded and _alive(data.get("pid")):
        out.append(f"{state}: the state file was replaced while the service ran; it writes nothing until restarted")
    return out + [p for p in disk_problems(state) if p not in " ".join(out)]


def show_channels(channels: dict[str, dict], language: str, tz: ZoneInfo) -> None:
    """One line per group bot: what waits, what went, and a held bot's reason and what to fix."""
    for name, c in channels.items():
        counts = c.get("counts", {})
        line = say("群机器人 {n}：待发 {p}，已发 {s}，失败 {f}", "channel {n}: {p} waiting, {s} sent, {f} failed", language,
                   n=name, p=counts.get("pending", 0) + counts.get("sending", 0), s=counts.get("sent", 0),
                   f=counts.get("failed", 0))
        if c.get("problem"):
            console.print(f"[red]✗[/] {escape(line)}", soft_wrap=True)
            console.print("   " + escape(say("暂停发送（自 {t}）：{p}", "held since {t}: {p}", language,
                                            t=_short(c.get("since"), tz), p=c["problem"])), soft_wrap=True)
            console.print(f"   {escape(c.get('hint') or '')}", soft_wrap=True)
        else:
            console.print(escape(line))


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError):
        return False
    return True


def _short(stamp: str | None, tz: ZoneInfo) -> str:
    """In the service's timezone, like everything else the user reads."""
    if not stamp:
        return "-"
    try:
        return datetime.fromisoformat(stamp).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp
