"""A real site to test the status page against: a demo register, a real cycle, uvicorn on 127.0.0.1.

``Site`` builds a small demo register (``sync.demo``), writes its config with a
[web] section, runs real service cycles at chosen moments (``Service`` with its
clock set: the daemon's own code, one ``run --once`` each) and serves the page
as ``ordersync serve`` does, in a thread on a free port.
"""

from __future__ import annotations

import email
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.message import Message
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import requests

from sync.calendar import calendar_from
from sync.cli.demo_tour import DEMO_CONFIG
from sync.cli.session import sources_from_config
from sync.config import load_config
from sync.demo.register import build_register
from sync.links import page_link
from sync.service.daemon import Service
from sync.web.board import OwnBoard
from sync.web.server import make_server
from tests.smtpserver import free_port

SECRET = "test-secret-0123456789abcdef"
PASSWORD = "manager-password"
TZ = ZoneInfo("Asia/Shanghai")
SHEETS = dict(orders="订单登记", materials="物料采购", production="生产进度", qc="质检记录", shipping="发货记录",
              customers="客户资料", people="人员")


class ClockedService(Service):
    """The daemon with its clock set to the moment a test wants."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment


@dataclass
class Mail:
    path: Path
    message: Message

    @property
    def text(self) -> str:
        for part in self.message.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        return ""

    def header(self, name: str) -> str:
        value = self.message.get(name, "")
        return str(email.header.make_header(email.header.decode_header(value))) if value else ""


class Site:
    def __init__(self, folder: Path, *, orders: int = 80, today: date | None = None) -> None:
        self.folder = folder
        self.today = today or date.today()
        self.book = folder / "register.xlsx"
        self.manifest = build_register(self.book, orders=orders, seed=17, today=self.today, fast=True)
        self.port = free_port()
        text = DEMO_CONFIG.format(lang="zh", manager="赵敏", **SHEETS)
        text += (f'\n[web]\nlisten = "127.0.0.1:{self.port}"\nbase_url = "http://127.0.0.1:{self.port}"\n'
                 'managers = ["赵敏"]\n')
        (folder / "config.toml").write_text(text, encoding="utf-8")
        self.config = load_config(folder / "config.toml")
        self.server = None
        self.moment = datetime.now(timezone.utc)   # the clock the page reads the register by
        self.calendar = calendar_from(self.config.reminders)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cycle(self, day: date, hour: int = 10) -> ClockedService:
        """One real cycle (``run --once``) at ``hour`` o'clock, local time, on ``day``."""
        service = ClockedService(self.config, sources_from_config(self.config), lang="zh")
        service.moment = self.moment = datetime(day.year, day.month, day.day, hour, tzinfo=TZ).astimezone(timezone.utc)
        assert service.run(once=True) == 0
        assert service.last is not None and service.last.report is not None
        return service

    def start(self) -> None:
        """Serve the page as ``ordersync serve`` does (its own reading of the register)."""
        board = OwnBoard(self.config, sources_from_config(self.config), "zh", look_every=0.0,
                         clock=lambda: self.moment)
        self.server = make_server(self.config, board)
        threading.Thread(target=self.server.run, daemon=True).start()
        for _ in range(200):
            if self.server.started:
                return
            time.sleep(0.05)
        raise RuntimeError("uvicorn did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True

    def link(self, person: str, path: str = "/me", *, now: datetime | None = None) -> str:
        made = page_link(self.config.web, person, path, now=now)
        assert made is not None
        return made

    def login(self, session: requests.Session | None = None) -> requests.Session:
        session = session or requests.Session()
        page = session.get(self.url + "/login")
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        done = session.post(self.url + "/login", data={"csrf": csrf, "name": "赵敏", "password": PASSWORD})
        assert done.status_code == 200 and "/manager" in done.url, done.text[:500]
        return session

    def edit(self, sheet: str, row: int, header: str, value: object) -> None:
        """Type ``value`` into the cell under ``header`` of ``row``, as a person saving the workbook would."""
        book = openpyxl.load_workbook(self.book)
        ws = book[sheet]
        for top in range(1, 6):
            headers = [c.value for c in ws[top]]
            if header in headers:
                ws.cell(row=row, column=headers.index(header) + 1, value=value)
                book.save(self.book)
                return
        raise KeyError(header)

    def mails(self) -> list[Mail]:
        out = self.folder / "outbox"
        return [Mail(p, email.message_from_bytes(p.read_bytes())) for p in sorted(out.rglob("*.eml"))]
