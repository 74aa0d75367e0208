"""One register per follower, named after them, with no follower column (张丽.xlsx, 王芳的订单.xlsx): each
workbook's orders are its follower's. ``check --follower`` finds them, ``status`` shows whose they are,
``doctor`` says where the followers come from, and ``run`` mails each follower their own overdue orders over
a real SMTP server."""

from __future__ import annotations

import json
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sync.cli import app
from sync.sources import open_path
from sync.tables.given import finished_tab, owner_named
from sync.tables.register import load
from tests.smtpserver import MAIL_SECTION, PASSWORD, USER, MailServer

#: file name -> (the follower it names, the prefix of its order numbers)
BOOKS = {"张丽.xlsx": ("张丽", "ZL"), "王芳的订单.xlsx": ("王芳", "WF"), "订单跟踪-李娜-2026.xlsx": ("李娜", "LN")}
EMAILS = {"张丽": "zhang.li@factory.example", "王芳": "wang.fang@factory.example", "李娜": "li.na@factory.example"}
TODAY = date(2026, 9, 21)


def register_of(path: Path, prefix: str, customer: str = "优衣库") -> None:
    """A follower's own register: no 跟单员 column; three orders, two of them past due and still in production."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单登记"
    ws.append(["订单号", "下单日期", "客户", "款号", "订单数量", "交货日期", "状态"])
    for n, due in enumerate((date(2026, 9, 10), date(2026, 9, 15), date(2026, 12, 20)), start=1):
        ws.append([f"{prefix}-{n}", date(2026, 8, 1), customer, f"K{n}", 1000, due, "生产中"])
    wb.save(path)


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORDERSYNC_LANG", raising=False)
    monkeypatch.delenv("ORDERSYNC_CONFIG", raising=False)
    (tmp_path / "registers").mkdir()
    for name, (_, prefix) in BOOKS.items():
        register_of(tmp_path / "registers" / name, prefix)
    return tmp_path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), terminal_width=250)
    return result.exit_code, result.output


@pytest.mark.parametrize(("name", "owner"), [
    ("张丽.xlsx", "张丽"), ("王芳的订单.xlsx", "王芳"), ("订单跟踪-李娜-2026.xlsx", "李娜"), ("2026年陈静订单.xlsx", "陈静"),
    ("跟单员-刘洋.xlsx", "刘洋"), ("欧阳娜娜 - 副本.xlsx", "欧阳娜娜"), ("王月.xlsx", "王月"), ("赵敏9月订单表.xlsx", "赵敏"),
    ("订单登记.xlsx", None), ("生产进度.xlsx", None), ("周报.xlsx", None), ("单品.xlsx", None),
    ("生产时效性统计表-20211001.xlsx", None), ("张丽和王芳.xlsx", None), ("Anna.xlsx", None), ("register.xlsx", None),
    ("大货跟单表2026.xlsx", None), ("https://docs.google.com/spreadsheets/d/张丽", None),
    ("包装.xlsx", None), ("车缝.xlsx", None), ("宁波.xlsx", None), ("温州订单.xlsx", None), ("颜色.xlsx", None),
    ("阳光.xlsx", None), ("王秀英.xlsx", "王秀英"), ("李建华的订单.xlsx", "李建华"),
])
def test_which_file_names_name_a_follower(name, owner):
    assert owner_named(name) == owner


def test_a_name_that_is_one_of_the_workbooks_customers_is_no_follower(tmp_path):
    register_of(tmp_path / "华为.xlsx", "HW", customer="华为技术")
    register_of(tmp_path / "李宁.xlsx", "LI", customer="李宁")
    register_of(tmp_path / "张丽.xlsx", "ZL", customer="李宁")
    for name, owner in (("华为.xlsx", None), ("李宁.xlsx", None), ("张丽.xlsx", "张丽")):
        orders = load([open_path(tmp_path / name)]).tables["orders"]
        assert orders.holds("follower") == (owner is not None) and not orders.has("follower"), name
        if owner:
            assert orders.data["follower"].tolist() == [owner] * 3


def test_check_and_status_give_each_workbooks_orders_to_its_follower(folder):
    books = [str(folder / "registers" / name) for name in BOOKS]
    code, out = invoke("check", *books, "--format", "json", "--today", TODAY.isoformat(), "--lang", "en")
    data = json.loads(out)
    overdue = {(f["order_no"], f["follower"]) for f in data["findings"] if f["rule"] == "order-overdue"}
    assert overdue == {(f"{prefix}-{n}", who) for who, prefix in BOOKS.values() for n in (1, 2)}
    said = sorted(s["message"] for s in data["summary"]["sheets"])
    assert said == sorted(f"orders: header on row 1, key = A 订单号, follower = {who} (from the file name)"
                          for who, _ in BOOKS.values())

    code, out = invoke("check", *books, "--follower", "王芳", "--today", TODAY.isoformat(), "--lang", "en")
    assert "WF-1" in out and "WF-2" in out and "ZL-1" not in out and "LN-1" not in out
    assert "showing 2 of 8 findings" in " ".join(out.split())

    code, out = invoke("status", *books, "--format", "json", "--today", TODAY.isoformat())
    assert code == 0, out
    whose = {o["order_no"]: o["follower"] for o in json.loads(out)["orders"]}
    assert whose == {f"{prefix}-{n}": who for who, prefix in BOOKS.values() for n in (1, 2, 3)}


CONFIG = """[service]
language = "en"
timezone = "Asia/Shanghai"

[sources.registers]
kind = "excel"
path = "registers/*.xlsx"

""" + MAIL_SECTION + """
[reminders]
send_after = "00:00"
workdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
{people}"""


def people(*names: str) -> str:
    return "".join(f'\n[people."{n}"]\nemail = "{EMAILS[n]}"\nrole = "跟单"\n' for n in names)


def test_doctor_says_each_workbook_gives_its_follower_and_who_nobody_knows(folder):
    register_of(folder / "registers" / "汇总.xlsx", "HZ")
    (folder / "config.toml").write_text(CONFIG.format(port=25, user=USER, cafile="ca.pem",
                                                      people=people("张丽", "王芳")), encoding="utf-8")
    code, out = invoke("doctor", "--config", "config.toml")
    out = " ".join(out.split())
    assert ("✓ reminders: the orders tab has no follower column; the names of the workbooks or tabs give their "
            "followers: "
            "张丽.xlsx → 张丽, 王芳的订单.xlsx → 王芳, 订单跟踪-李娜-2026.xlsx → 李娜; the names of 汇总.xlsx name no "
            "one, so their orders have no follower") in out
    assert ("✗ reminders: 3 order lines name followers neither the people sheet nor [people] knows: 李娜（3）; "
            "their reminders go to nobody") in out


def test_run_mails_each_follower_the_overdue_orders_of_their_own_workbook(folder, monkeypatch):
    monkeypatch.setenv("ORDERSYNC_NOW", "2026-09-21T01:30:00Z")    # 09:30 in Shanghai, a Monday
    monkeypatch.setenv("ORDERSYNC_SMTP_PASSWORD", PASSWORD)
    with MailServer(folder / "certs") as server:
        (folder / "config.toml").write_text(
            CONFIG.format(port=server.port, user=USER, cafile=server.cafile.as_posix(),
                          people=people("张丽", "王芳", "李娜")), encoding="utf-8")
        code, out = invoke("run", "--once", "--config", "config.toml")
        assert code in (0, 1), out
        received = list(server.received)
    mails: dict[str, list[str]] = {}
    for got in received:
        message = message_from_bytes(got.raw, policy=policy.default)
        body = message.get_body(("plain",)).get_content()
        for to in got.rcpt_tos:
            mails.setdefault(to, []).append(f"{message['Subject']}\n{body}")
    assert set(mails) == set(EMAILS.values()), sorted(mails)
    for who, prefix in BOOKS.values():
        text = "\n".join(mails[EMAILS[who]])
        mine = {f"{prefix}-1", f"{prefix}-2"}
        assert all(no in text for no in mine), (who, text)
        others = {f"{p}-{n}" for _, p in BOOKS.values() if p != prefix for n in (1, 2, 3)} | {f"{prefix}-3"}
        assert not [no for no in others if no in text], (who, text)


def tabs_book(path: Path, tabs: tuple[tuple[str, str, str], ...]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for tab, prefix, customer in tabs:
        ws = wb.create_sheet(tab)
        ws.append(["订单号", "下单日期", "客户", "款号", "订单数量", "交货日期", "状态"])
        ws.append([f"{prefix}-1", date(2026, 8, 1), customer, "K1", 1000, date(2026, 9, 10), "生产中"])
    wb.save(path)
    return path


def test_one_tab_per_follower_gives_each_tabs_orders_to_the_person_it_is_named_after(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tabs_book(tmp_path / "跟单台账.xlsx", (("张伟", "ZW", "优衣库"), ("李娜的订单", "LN", "优衣库"), ("王芳", "WF", "ZARA")))
    code, out = invoke("check", "跟单台账.xlsx", "--format", "json", "--today", TODAY.isoformat(), "--lang", "en")
    data = json.loads(out)
    assert {s["sheet"]: s["message"] for s in data["summary"]["sheets"]} == {
        "张伟": "orders: header on row 1, key = A 订单号, follower = 张伟 (from the tab's name)",
        "李娜的订单": "orders: header on row 1, key = A 订单号, follower = 李娜 (from the tab's name)",
        "王芳": "orders: header on row 1, key = A 订单号, follower = 王芳 (from the tab's name)"}
    assert {(f["order_no"], f["follower"]) for f in data["findings"] if f["rule"] == "order-overdue"} == {
        ("ZW-1", "张伟"), ("LN-1", "李娜"), ("WF-1", "王芳")}
    (tmp_path / "config.toml").write_text(CONFIG.format(port=25, user=USER, cafile="ca.pem", people=people("李娜"))
                                          .replace("registers/*.xlsx", "跟单台账.xlsx"), encoding="utf-8")
    code, out = invoke("doctor", "--config", "config.toml")
    assert ("✓ reminders: the orders tab has no follower column; the names of the workbooks or tabs give their "
            "followers: 跟单台账.xlsx › 张伟 → 张伟, 跟单台账.xlsx › 李娜的订单 → 李娜, 跟单台账.xlsx › 王芳 → 王芳") \
        in " ".join(out.split())


@pytest.mark.parametrize("tabs", [
    (("张伟", "ZW", "优衣库"), ("宁波", "NB", "优衣库")),                # a branch's tab beside a person's
    (("张伟", "ZW", "优衣库"), ("李宁", "LI", "李宁")),                  # a tab for the customer of that name
    (("张伟", "ZW", "优衣库"),),                                        # one tab alone says nothing of the sort
    (("包装", "BZ", "优衣库"), ("车缝", "CF", "优衣库")),                # a surname and any character is no name
])
def test_tabs_not_all_named_after_people_give_no_follower(tmp_path, tabs):
    book = tabs_book(tmp_path / "订单.xlsx", tabs)
    orders = load([open_path(book)]).tables["orders"]
    assert not orders.holds("follower")


def test_check_says_under_its_findings_whose_each_workbook_was_taken_to_be(folder):
    books = [str(folder / "registers" / name) for name in BOOKS]
    code, out = invoke("check", *books, "--today", TODAY.isoformat())
    for name, (who, _) in BOOKS.items():
        assert f"• {name} › 订单登记: 没有跟单员列：跟单员按名字取为 {who}（推断）" in out
