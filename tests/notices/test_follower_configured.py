"""One register per follower whose name cannot say whose it is: a Google Sheet (its address names no one), a
file named in Latin letters (Anna.xlsx) or by number (register-3.xlsx). ``follower = "Anna"`` under the
register's ``[sources.NAME]`` says it: its orders are Anna's where no column says who, ``check`` says so beside
the sheet, ``doctor`` lists it, and ``run`` mails each follower their own overdue orders over a real SMTP
server, the registers read from a local Google over real HTTP."""

from __future__ import annotations

import json
from datetime import date, datetime
from email import message_from_bytes, policy
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sync.cli import app
from sync.config import load_config
from sync.errors import ConfigError
from tests.fakegoogle import FakeGoogle, service_account_file, to_serial
from tests.smtpserver import MAIL_SECTION, PASSWORD, USER, MailServer

HEADER = ["Order No", "Order Date", "Customer", "Style", "Qty", "Delivery Date", "Status"]
#: source name -> (spreadsheet key, its follower, the prefix of its order numbers)
SHEETS = {"anna": ("1AnnaKey0123456789abcdefghijklmnopqrstuvwx", "Anna", "AN"),
          "bob": ("1BobKey0123456789abcdefghijklmnopqrstuvwxyz", "Bob", "BO")}
EMAILS = {"Anna": "anna@trading.example", "Bob": "bob@trading.example", "王芳": "wang.fang@trading.example"}
TODAY = date(2026, 9, 21)


def orders(prefix: str, serial: bool = True) -> list[list]:
    """No follower column; three orders in production, the first two past due on 2026-09-21."""
    day = (lambda d: to_serial(datetime(d.year, d.month, d.day))) if serial else (lambda d: d)
    return [HEADER] + [[f"{prefix}-{n}", day(date(2026, 8, 1)), "Walmart", f"K{n}", 1000, day(due), "In production"]
                       for n, due in enumerate((date(2026, 9, 10), date(2026, 9, 15), date(2026, 12, 20)), start=1)]


def people(*names: str) -> str:
    return "".join(f'\n[people."{n}"]\nemail = "{EMAILS[n]}"\nrole = "跟单"\n' for n in names)


CONFIG = """[service]
language = "en"
timezone = "Asia/Shanghai"
{sources}
""" + MAIL_SECTION + """
[reminders]
send_after = "00:00"
workdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
{people}"""


def google_sources(**extra: str) -> str:
    return "".join(f'\n[sources.{name}]\nkind = "gsheets"\nkey = "{key}"\nfollower = "{extra.get(name, who)}"\n'
                   for name, (key, who, _) in SHEETS.items())


@pytest.fixture
def google(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("ORDERSYNC_LANG", "ORDERSYNC_CONFIG", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    with FakeGoogle() as fake:
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(service_account_file(tmp_path / "sa.json",
                                                                                      f"{fake.url}/token")))
        monkeypatch.setenv("ORDERSYNC_GOOGLE_API", fake.url)
        monkeypatch.setenv("NO_PROXY", "*")
        for key, _, prefix in SHEETS.values():
            fake.add(key, {"Orders": orders(prefix)})
        yield fake


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), terminal_width=250)
    return result.exit_code, result.output


def write_config(folder: Path, sources: str, *names: str, port: int = 25, cafile: str = "ca.pem") -> Path:
    path = folder / "config.toml"
    path.write_text(CONFIG.format(sources=sources, port=port, user=USER, cafile=cafile, people=people(*names)),
                    encoding="utf-8")
    return path


def test_check_gives_each_google_sheets_orders_to_the_follower_config_names(google, tmp_path):
    write_config(tmp_path, google_sources(), "Anna", "Bob")
    code, out = invoke("check", "--config", "config.toml", "--format", "json", "--today", TODAY.isoformat())
    data = json.loads(out)
    assert {(f["order_no"], f["follower"]) for f in data["findings"] if f["rule"] == "order-overdue"} == {
        ("AN-1", "Anna"), ("AN-2", "Anna"), ("BO-1", "Bob"), ("BO-2", "Bob")}
    assert sorted(s["message"] for s in data["summary"]["sheets"]) == [
        f"orders: header on row 1, key = A Order No, follower = {who} (as config.toml says)" for who in ("Anna", "Bob")]
    code, out = invoke("check", "--config", "config.toml", "--today", TODAY.isoformat())
    assert "inferred" not in out   # config.toml said it: nothing guessed to confirm
    code, out = invoke("doctor", "--config", "config.toml")
    assert "✓ reminders: the people sheet or [people] knows every follower (2)" in " ".join(out.split())


def test_run_mails_each_follower_the_overdue_orders_of_their_own_sheet(google, tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERSYNC_NOW", "2026-09-21T01:30:00Z")    # 09:30 in Shanghai, a Monday
    monkeypatch.setenv("ORDERSYNC_SMTP_PASSWORD", PASSWORD)
    with MailServer(tmp_path / "certs") as server:
        write_config(tmp_path, google_sources(), "Anna", "Bob", port=server.port, cafile=server.cafile.as_posix())
        code, out = invoke("run", "--once", "--config", "config.toml")
        assert code in (0, 1), out
        received = list(server.received)
    mails: dict[str, str] = {}
    for got in received:
        message = message_from_bytes(got.raw, policy=policy.default)
        for to in got.rcpt_tos:
            mails[to] = mails.get(to, "") + f"{message['Subject']}\n{message.get_body(('plain',)).get_content()}"
    assert set(mails) == {EMAILS["Anna"], EMAILS["Bob"]}, sorted(mails)
    for _, who, prefix in SHEETS.values():
        other = "BO" if prefix == "AN" else "AN"
        text = mails[EMAILS[who]]
        assert f"{prefix}-1" in text and f"{prefix}-2" in text, (who, text)
        assert f"{prefix}-3" not in text and f"{other}-1" not in text and f"{other}-2" not in text, (who, text)


def workbook(path: Path, prefix: str, follower_column: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    for row in orders(prefix, serial=False):
        ws.append(row + (["Follower" if row[0] == "Order No" else "王芳"] if follower_column else []))
    wb.save(path)
    return path


def overdue_of(folder: Path, *registers: tuple[str, str, str]) -> set[tuple[str, str]]:
    """``check --config`` of ``registers`` ((source name, file, its follower in config.toml)): the overdue orders
    and their followers."""
    sources = "".join(f'\n[sources.{name}]\npath = "{file}"\nfollower = "{who}"\n' for name, file, who in registers)
    write_config(folder, sources, "Anna", "王芳")
    code, out = invoke("check", "--config", "config.toml", "--format", "json", "--today", TODAY.isoformat())
    return {(f["order_no"], f["follower"]) for f in json.loads(out)["findings"] if f["rule"] == "order-overdue"}


def test_workbooks_named_otherwise_or_after_someone_else(tmp_path, monkeypatch):
    """register-3.xlsx names no one and 张丽.xlsx names 张丽: config.toml's follower goes before either."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    workbook(tmp_path / "register-3.xlsx", "R3")
    workbook(tmp_path / "张丽.xlsx", "ZL")
    assert overdue_of(tmp_path, ("third", "register-3.xlsx", "Anna"), ("zhang", "张丽.xlsx", "王芳")) == {
        ("R3-1", "Anna"), ("R3-2", "Anna"), ("ZL-1", "王芳"), ("ZL-2", "王芳")}


def test_a_follower_column_goes_before_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    workbook(tmp_path / "kept.xlsx", "KP", follower_column=True)
    assert overdue_of(tmp_path, ("kept", "kept.xlsx", "Anna")) == {("KP-1", "王芳"), ("KP-2", "王芳")}


def test_a_blank_follower_is_a_config_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[sources.anna]\npath = "Anna.xlsx"\nfollower = "  "\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "follower" in str(err.value) and "blank" in str(err.value)
