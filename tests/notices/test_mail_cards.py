"""Reminder mails as a person reads them: one card per order, the most urgent first, a true count, links
that open, a length cap with the rest attached, and no mail past what Gmail shows (issue 16)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from sync.config import Config
from sync.findings import Report
from sync.links import read_token
from sync.notices.cards import CARDS_SHOWN
from sync.notices.mails import HTML_BUDGET
from sync.notices.plan import gather, plan_digest, plan_notices
from sync.state import State
from tests.noticekit import order, read, write_register

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 9, 14, 9, 0, tzinfo=TZ)


def config(tmp_path: Path, **sections) -> Config:
    cfg = Config.model_validate({"reminders": {"send_after": "00:00"}, **sections})
    cfg.path = tmp_path / "config.toml"
    return cfg


def reminders(tmp_path: Path, register, cfg: Config, now: datetime = MONDAY, lang: str = "zh"):
    with State(tmp_path / "state.db") as state:
        inputs = gather(state, cfg, register, now=now, lang=lang, report=Report([]))
        plan = plan_notices(state, cfg, inputs, now=now, lang=lang)
        plan.record()
    return {m.to[0][0]: m for m in plan.outgoing if m.dedupe_key.startswith("reminder/")}


def cards_in(html: str) -> list[str]:
    """The order numbers heading the cards, in order."""
    return re.findall(r'class="no"[^>]*>([^<]+)<', html)


def test_one_card_per_order_with_every_concern_its_owner_and_the_next_step(tmp_path):
    path = write_register(tmp_path / "register.xlsx", [
        order("SO-1", date(2026, 9, 4), "张伟", customer="美佳服饰"),                  # overdue 10 days
        order("SO-2", date(2026, 9, 15), "张伟", customer="华联"),                    # due tomorrow
    ], qc=[("SO-1", date(2026, 9, 1), 100, 80, 20, "线头", "返工")],
        materials=[("SO-1", "面料", 100, "华纺", date(2026, 9, 1), None, None)])
    mail = reminders(tmp_path, read(path), config(tmp_path))["张伟"]
    assert cards_in(mail.html) == ["SO-1", "SO-2"]                     # SO-1 once, though three things are wrong
    assert mail.subject == "【订单提醒】2 个订单需要跟进"
    so1 = mail.text.split("== SO-1")[1].split("== SO-2")[0]
    assert "负责人: 张伟" in so1 and "交期 2026-09-04" in so1
    assert "[已逾期] 交期 2026-09-04，已逾期 10 天" in so1
    assert "[质检不合格待返工]" in so1 and "[物料未到] 面料（华纺）" in so1
    assert "下一步: 安排发货并登记发货记录" in so1                      # the most urgent concern's next step
    assert "第 1 次提醒" in so1
    assert "/Users" not in mail.html and str(tmp_path) not in mail.html   # never the server's own path
    assert '交期 <span style="white-space:nowrap">2026-09-04</span>，已逾期 10 天' in mail.html   # a date never breaks
    assert "&lt;span" not in mail.html


def test_the_count_is_the_days_the_order_was_reminded_whatever_about(tmp_path):
    """Due soon on Monday and Tuesday, overdue on Thursday: Thursday's is the third reminder of SO-1,
    not the first of a new kind (each kind's episode starts from zero)."""
    path = write_register(tmp_path / "register.xlsx", [order("SO-1", date(2026, 9, 16), "张伟")])
    cfg = config(tmp_path)
    seen = []
    for day in (14, 15, 17):
        mail = reminders(tmp_path, read(path), cfg, MONDAY.replace(day=day))["张伟"]
        seen.append(re.search(r"第 (\d+) 次提醒", mail.html)[1])
    assert seen == ["1", "2", "3"]
    assert "[已逾期]" in mail.text


def test_the_30_most_urgent_then_a_count_and_the_rest_attached(tmp_path):
    rows = [order(f"SO-{i:03d}", date(2026, 9, 13) - timedelta(days=i), "李娜") for i in range(1, 46)]
    mail = reminders(tmp_path, read(write_register(tmp_path / "register.xlsx", rows)), config(tmp_path))["李娜"]
    shown = cards_in(mail.html)
    assert len(shown) == CARDS_SHOWN
    assert shown[:2] == ["SO-045", "SO-044"]                         # the longest overdue first
    assert "另有 15 个订单没有列出，见附件 reminders.xlsx" in mail.html
    (name, data, kind), = mail.attachments
    assert name == "reminders.xlsx" and kind.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(data)).active
    header, *rest = list(sheet.values)
    assert header[:4] == ("订单号", "客户", "跟单员", "事项")
    assert [r[0] for r in rest] == [f"SO-{i:03d}" for i in range(15, 0, -1)]   # the 15 least urgent, in order
    assert all(r[3] == "已逾期" and r[5].startswith("安排发货") for r in rest)


def test_a_big_demo_register_gives_mails_under_100kb(tmp_path):
    """Issue 16: a 20,000-order register made 1 MB reminder mails (1,106 rows) that Gmail clips. The demo
    generator at a size that gives each follower far more than a mail can show (bench/mail_size.py runs 20,000)."""
    from sync.checks.pipeline import check_register
    from sync.demo.register import build_register

    today = date(2026, 9, 15)
    path = build_register(tmp_path / "big.xlsx", orders=900, today=today, fast=True).path
    cfg = config(tmp_path, digests=[{"name": "daily", "to": ["followers", "manager"]}])
    register = read(path)
    now = datetime(2026, 9, 15, 9, 0, tzinfo=TZ)
    with State(tmp_path / "state.db") as state:
        inputs = gather(state, cfg, register, now=now, lang="zh",
                        report=check_register(register, cfg, lang="zh", today=today))
        mails = plan_notices(state, cfg, inputs, now=now, lang="zh").outgoing
        mails += plan_digest(state, cfg, "daily", inputs, now=now, lang="zh").outgoing
    sizes = {m.subject: len(m.html.encode()) for m in mails}
    print(sizes)
    capped = [m for m in mails if m.dedupe_key.startswith("reminder/") and m.attachments]
    assert capped, "no follower had more orders than a mail shows: make the register bigger"
    assert all(len(cards_in(m.html)) <= CARDS_SHOWN for m in capped)
    assert max(sizes.values()) <= HTML_BUDGET


# --- links --------------------------------------------------------------------------------------

def one_order(tmp_path: Path) -> Path:
    folder = tmp_path / "跟单 2026"
    folder.mkdir()
    return write_register(folder / "张伟.xlsx", [order("SO-7", date(2026, 9, 4), "张伟")])


@pytest.mark.parametrize("sections, expected", [
    ({"sources": {"reg": {"path": "跟单 2026/*.xlsx", "share": "\\\\fileserver\\跟单\\"}}},
     "file://fileserver/跟单/张伟.xlsx#'订单登记'!A2"),
    ({"sources": {"reg": {"path": "跟单 2026/张伟.xlsx", "share": "https://nas.local/跟单/"}}},
     "https://nas.local/跟单/张伟.xlsx#'订单登记'!A2"),
    ({"mail": {"link_prefix": "https://nas.local/ordersync"}},
     "https://nas.local/ordersync/跟单%202026/张伟.xlsx#'订单登记'!A2"),
])
def test_an_excel_order_links_to_its_row_through_the_share_people_open(tmp_path, sections, expected):
    mail = reminders(tmp_path, read(one_order(tmp_path)), config(tmp_path, **sections))["张伟"]
    assert f'href="{expected}"' in mail.html.replace("&#39;", "'")
    assert "张伟.xlsx › 订单登记!A2" in mail.text


def test_without_a_share_the_mail_names_the_cell_and_links_nowhere_local(tmp_path):
    mail = reminders(tmp_path, read(one_order(tmp_path)), config(tmp_path))["张伟"]
    assert "张伟.xlsx › 订单登记!A2" in mail.html
    assert "href" not in mail.html.split("SO-7")[0].rsplit("<div", 1)[1]   # the number is not a link
    assert str(tmp_path) not in mail.html and "file://" not in mail.html


def test_with_the_status_page_configured_each_order_links_to_its_page_for_the_reader(tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERSYNC_WEB_SECRET", "a-secret-of-twenty-chars")
    cfg = config(tmp_path, web={"base_url": "http://ordersync.lan:8765"})
    mail = reminders(tmp_path, read(one_order(tmp_path)), cfg)["张伟"]
    link = re.search(r'<a class="no" href="([^"]+)"', mail.html)[1].replace("&amp;", "&")
    url = urlparse(link)
    assert (url.netloc, url.path) == ("ordersync.lan:8765", "/order/SO-7")
    assert read_token(b"a-secret-of-twenty-chars", parse_qs(url.query)["t"][0], MONDAY).person == "张伟"


def test_a_google_sheet_links_to_the_exact_range(monkeypatch):
    from sync.notices.links import google_url
    from sync.sources import google_addresses

    monkeypatch.setitem(google_addresses._GIDS, ("KEY123", "订单"), 918273)
    url = google_url("https://docs.google.com/spreadsheets/d/KEY123", "订单", "C7")
    assert url == "https://docs.google.com/spreadsheets/d/KEY123/edit#gid=918273&range=C7"


# --- charts and titles --------------------------------------------------------------------------

def test_a_chart_that_would_merge_two_bars_is_left_out_with_a_line_saying_so():
    from sync.notices.charts import bar_chart
    from sync.notices.render import environment

    chart = bar_chart(["裁剪", "车缝", "裁剪"], [3, 5, 2], title="各工序未完成订单", lang="zh")
    assert not chart.drawn and "裁剪" in chart.problem and "未画出" in chart.problem
    env = environment()
    env.globals["c"] = chart
    html = env.from_string('{% import "bars.j2" as B with context %}{{ B.chart(c) }}').render(tr=None, html=True)
    assert "各工序未完成订单" in html and "未画出" in html and "<table" not in html
    good = bar_chart(["裁剪", "车缝"], [3, 6], title="t", lang="en")
    assert [(b.label, b.width) for b in good.bars] == [("裁剪", 50.0), ("车缝", 100.0)]
    assert bar_chart(["a"], [float("nan")], title="t", lang="en").problem.startswith("The chart has values")


@pytest.mark.parametrize("lang, title, chart_title, stage", [
    ("zh", "订单日报", "各工序未完成订单", "未开始"), ("en", "Daily order report", "Open orders by stage", "not started")])
def test_the_digest_is_titled_by_its_display_name_and_its_charts_speak_its_language(tmp_path, lang, title,
                                                                                     chart_title, stage):
    path = write_register(tmp_path / "register.xlsx", [order("SO-1", date(2026, 9, 4), "张伟", status="待生产")])
    cfg = config(tmp_path, digests=[{"name": "daily", "to": ["manager"]}])
    with State(tmp_path / "state.db") as state:
        inputs = gather(state, cfg, read(path), now=MONDAY, lang=lang, report=Report([]))
        mail, = plan_digest(state, cfg, "daily", inputs, now=MONDAY, lang=lang).outgoing
    assert mail.subject == f"{title} · 2026-09-14"
    assert f"<h1>{title}</h1>" in re.sub(r"<h1[^>]*>", "<h1>", mail.html)
    bars = mail.html.split('class="ctitle"')[1]
    assert chart_title in bars and stage in bars.split("</table>")[0]
    assert not mail.inline_images and "cid:" not in mail.html


def test_an_entry_error_mail_too_long_for_a_phone_lists_what_fits_and_attaches_all(tmp_path):
    from types import SimpleNamespace

    from sync.findings import ERROR, Finding
    from sync.notices.mails import entry_mail
    from sync.notices.render import environment

    found = [Finding("quantity-outlier", ERROR, f"订单数量 {i}0000 远大于同款其他订单，是否多打了一个 0？" * 3,
                     table="orders", source="register.xlsx", sheet="订单登记", row=i + 2, cell=f"E{i + 2}",
                     order_no=f"SO-{i:04d}", value=f"{i}0000", hint="核对订单数量") for i in range(600)]
    person = SimpleNamespace(name="张伟", email="zhang.wei@example.com")
    mail, broken = entry_mail(environment(), SimpleNamespace(person=person, findings=found, dedupe_key="k"), "zh")
    assert broken is None
    assert len(mail.html.encode()) <= HTML_BUDGET
    listed = mail.html.count("订单登记!E")
    assert 0 < listed < 600 and f"另有 {600 - listed} 处没有列出" in mail.html
    (name, data, _), = mail.attachments
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert name == "findings.xlsx" and sum("SO-0599" in str(r) for r in rows) == 1
    assert mail.text.count("订单登记!E") == 600                        # plain text is small: it keeps them all


def test_a_reminder_template_that_does_not_render_holds_that_mail_only(tmp_path):
    own = tmp_path / "templates"
    own.mkdir()
    (own / "reminder.html.j2").write_text("{{ cards[0].no_such_field.x }}", encoding="utf-8")
    path = write_register(tmp_path / "register.xlsx", [order("SO-1", date(2026, 9, 4), "张伟"),
                                                       order("SO-2", date(2026, 9, 4), "李娜")])
    cfg = config(tmp_path)
    with State(tmp_path / "state.db") as state:
        inputs = gather(state, cfg, read(path), now=MONDAY, lang="zh", report=Report([]))
        plan = plan_notices(state, cfg, inputs, now=MONDAY, lang="zh")
    assert not [m for m in plan.outgoing if m.dedupe_key.startswith("reminder/")]
    held = {m.to[0][0]: why for m, why in plan.held}
    assert set(held) == {"张伟", "李娜"} and all("reminder.html.j2" in why for why in held.values())


def test_an_order_read_from_google_sheets_links_to_its_tab_and_cell(tmp_path):
    from sync.notices.links import Links
    from sync.sources.gsheets import GSheetsSource
    from sync.tables.register import load
    from tests.fakegoogle import FakeGoogle

    head = ["订单号", "客户", "订单数量", "交货日期", "跟单员"]
    with FakeGoogle() as google:
        google.add("sheet-key-0123456789", {"说明": [["见订单登记"]],
                                            "订单登记": [head, ["SO-1", "美佳", 500, 46157, "张伟"],
                                                        ["SO-2", "华联", 300, 46160, "李娜"]]})
        register = load([GSheetsSource("book", "sheet-key-0123456789", session=google.session())])
    place = Links(config(tmp_path), register).order("SO-2")
    assert place.label == "订单登记!A3"          # a Google Sheet has no file name to show
    assert place.url == "https://docs.google.com/spreadsheets/d/sheet-key-0123456789/edit#gid=1001&range=A3"
