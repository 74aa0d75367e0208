"""The work of ``ordersync demo``: a realistic register, its config, and one run of everything on it.

The register has all seven tabs, a few hundred orders in messy-but-legal
formats, and a dozen seeded data-entry mistakes. The demo then does what the
service does: checks it, records the baseline, plays a customer's change
request (quantity up, due date pulled in) as a second save, and writes the
notices and a digest preview, so every command has something to show.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from rich.console import Console

from sync.cli.report_table import _render
from sync.cli.common import mode
from sync.cli.progress import steps
from sync.cli.session import sources_from_config
from sync.config import load_config
from sync.demo.register import build_register
from sync.errors import UserError
from sync.findings import ERROR, Report
from sync.i18n import check_language, say
from sync.service.daemon import Service, setup_logging

MARKER = "# ordersync demo configuration"
console = Console(highlight=False)

DEMO_CONFIG = MARKER + """ — written by `ordersync demo`. Every key is explained in
# README.md and in the reference config.toml at the root of the ordersync sources.
# Rules: the shipped rule packs, unless a rules/ folder is made next to this file.

[service]
language = "{lang}"
timezone = "Asia/Shanghai"
state = "state/ordersync.db"
log_file = "state/ordersync.log"

[sources.register]
kind = "excel"
path = "register.xlsx"

[tables.orders]
source = "register"
sheet = "{orders}"

[tables.materials]
source = "register"
sheet = "{materials}"

[tables.production]
source = "register"
sheet = "{production}"

[tables.qc]
source = "register"
sheet = "{qc}"

[tables.shipping]
source = "register"
sheet = "{shipping}"

[tables.customers]
source = "register"
sheet = "{customers}"

[tables.people]
source = "register"
sheet = "{people}"

[mail]
backend = "outbox"
outbox = "outbox"
sender = "ordersync@demo.example.com"

# A group bot's messages as files: what a WeCom / DingTalk / Feishu group would get.
# For a real group: kind = "wecom" (or dingtalk, feishu) and webhook_env = "VARIABLE".
[[channels]]
name = "demo-group"
kind = "outbox"
folder = "outbox-chat"
notices = ["entry_errors", "reminders", "digests", "change_requests"]

[reminders]
send_after = "00:00"            # the demo shows its mails at any hour
entry_error_delay_minutes = 0
unassigned_to = "{manager}"

[[digests]]
name = "daily"
to = ["followers"]
at = "08:00"

[[digests]]
name = "weekly"
to = ["manager"]
at = "08:30"
every = "weekly"
day = "mon"
"""


def run_demo(folder: Path, lang: str, orders: int) -> None:
    lang = check_language(lang)
    config_path = folder / "config.toml"
    if config_path.exists() and not config_path.read_text(encoding="utf-8").startswith(MARKER):
        raise UserError(f"{config_path} exists and is not a demo config; not overwriting it",
                        hint="Give the demo another folder: `ordersync demo DIR`.")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in ("state", "outbox", "outbox-chat"):
        _clear(folder / stale)
    with steps(4) as step:
        step(say("生成演示登记表（{n} 个订单）", "building the demo register ({n} orders)", lang, n=orders))
        manifest = build_register(folder / "register.xlsx", orders=orders, lang=lang)
        manager = _manager(folder / "register.xlsx", manifest.sheets["people"])
        config_path.write_text(DEMO_CONFIG.format(lang=lang, manager=manager, **manifest.sheets), encoding="utf-8")
        config = load_config(config_path)
        setup_logging(config, mode().verbose, quiet=True)
        step(say("检查并记录基线", "checking and recording the baseline", lang))
        first = _cycle(config, lang)
        step(say("模拟客户变更", "playing a customer's change request", lang))
        changed = _customer_changes(folder / "register.xlsx", manifest.sheets["orders"])
        step(say("第二次读取", "the second read", lang))
        _cycle(config, lang)
    if mode().quiet:
        console.print(str(config_path))   # the result: where the demo is
        return
    _tell(folder, config_path, manifest, first, changed, lang)


def _tell(folder: Path, config_path: Path, manifest, first: Report, changed: str, lang: str) -> None:
    """What the demo did, step by step, and what to try next."""
    say_ = lambda zh, en, **kw: console.print(say(zh, en, lang, **kw))  # noqa: E731
    say_("[bold]1.[/] 演示登记表：{p}（{n} 个订单，7 个工作表，埋入 {m} 处录入错误）",
         "[bold]1.[/] demo register: {p} ({n} orders, 7 tabs, {m} seeded data-entry mistakes)",
         p=manifest.path, n=manifest.orders, m=len(manifest.mistakes))
    say_("\n[bold]2.[/] 检查结果（只列出错误；警告见 `ordersync check`）：",
         "\n[bold]2.[/] what the check found (errors only; warnings via `ordersync check`):")
    errors = Report([f for f in first.findings if f.severity == ERROR], first.tables)
    _render(console, errors, lang, {})
    say_("共 {w} 个警告（延期风险、缺料等）", "plus {w} warnings (orders at risk, materials late, ...)",
         w=first.count("warning"))
    say_("\n[bold]3.[/] 客户变更：{c}；第二次读取已记入变更台账。",
         "\n[bold]3.[/] customer changes: {c}; the second read recorded them in the ledger.", c=changed)
    outbox = sorted((folder / "outbox").glob("*.html"))
    say_("\n[bold]4.[/] 已生成 {n} 封邮件（发件箱：{o}）", "\n[bold]4.[/] {n} mails written to the outbox: {o}",
         n=len(outbox), o=folder / "outbox")
    chat = sorted((folder / "outbox-chat").glob("*.md"))
    say_("\n[bold]5.[/] 已生成 {n} 条群消息（群机器人发件箱：{o}，企业微信/钉钉/飞书群会收到的内容）",
         "\n[bold]5.[/] {n} group messages written to {o} (what a WeCom / DingTalk / Feishu group would get)",
         n=len(chat), o=folder / "outbox-chat")
    say_("\n[bold]接下来可以试试：[/]", "\n[bold]Try next:[/]")
    cfg = f"--config {config_path}"
    for cmd in (f"ordersync check {cfg}", f"ordersync status {cfg} --at-risk", f"ordersync changes {cfg}",
                f"ordersync digest daily {cfg} --preview", f"ordersync run {cfg}"):
        console.print(f"  {cmd}")


def _cycle(config, lang: str) -> Report:
    service = Service(config, sources_from_config(config), lang=lang)
    service.run(once=True)
    if service.last is None or service.last.report is None:
        raise UserError("the demo cycle failed; run with -v to see why")
    return service.last.report


def _manager(register: Path, sheet: str) -> str:
    book = openpyxl.load_workbook(register, read_only=True)
    try:
        rows = list(book[sheet].iter_rows(min_row=2, values_only=True))
    finally:
        book.close()
    for name, _email, role, *_ in rows:
        if role and ("经理" in str(role) or "manager" in str(role).lower()):
            return str(name)
    return str(rows[0][0]) if rows else ""


def _customer_changes(register: Path, sheet: str) -> str:
    """A customer asks for more pieces on one order and an earlier date on another (客户需求变更)."""
    book = openpyxl.load_workbook(register)
    ws = book[sheet]
    picked = []
    for row in ws.iter_rows(min_row=4):
        status = str(row[12].value or "")
        qty, due = row[6].value, row[9].value
        if status in ("生产中", "In production") and isinstance(qty, (int, float)) and isinstance(due, dt.datetime):
            picked.append(row)
        if len(picked) == 2:
            break
    if len(picked) < 2:
        return "-"
    first, second = picked
    first[6].value = int(first[6].value * 1.2)
    second[9].value = second[9].value - dt.timedelta(days=10)
    book.save(register)
    return f"{first[0].value} {first[6].coordinate} → {first[6].value}; {second[0].value} {second[9].coordinate} −10d"


def _clear(path: Path) -> None:
    if path.is_dir():
        for child in sorted(path.rglob("*"), reverse=True):
            child.unlink() if child.is_file() else child.rmdir()
        path.rmdir()
