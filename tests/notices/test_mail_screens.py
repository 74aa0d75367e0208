"""What a person sees: a reminder and a digest opened in headless Chromium at 390 px (a phone) and 1280 px.

The mails are rendered as the service renders them, written to files and
opened as pages; the assertions read the laid-out page: nothing wider than
the screen, order numbers and dates on one line each, the chart's Chinese
stage names as text in its bars. The screenshots are saved under tmp_path
(their paths are printed: ``pytest -s`` shows them) for a person to look at.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sync.config import Config
from sync.findings import ERROR, Finding, Report
from sync.notices.plan import gather, plan_digest, plan_notices
from sync.state import State
from tests.noticekit import order, read, write_register

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
NOW = datetime(2026, 9, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
STAGES = ("裁剪", "车缝", "整烫")
#: order numbers, dates and figures: each must sit on one line (its text's boxes share one top)
ONE_LINE = ".no, span[style*='nowrap'], td.num, td.key, .nth, .pill, td.bl"
WRAPPED = """sel => [...document.querySelectorAll(sel)].filter(el => {
    const r = document.createRange(); r.selectNodeContents(el);
    const tops = new Set([...r.getClientRects()].filter(b => b.width > 0).map(b => Math.round(b.top)));
    return tops.size > 1; }).map(el => el.textContent.trim())"""


def register(tmp_path: Path):
    orders, production = [], []
    for i, (due, stage, customer) in enumerate([
            (date(2026, 9, 2), "整烫", "Marks & Spencer"), (date(2026, 9, 9), "车缝", "美佳服饰（深圳）有限公司"),
            (date(2026, 9, 17), "裁剪", "UNIQLO JP"), (date(2026, 9, 18), "车缝", "李宁"),
            (date(2026, 10, 20), "裁剪", "GU"), (date(2026, 10, 25), "整烫", "Gap Inc.")], start=1):
        no = f"SO-2609-{i:03d}"
        orders.append(order(no, due, "张伟" if i % 2 else "李娜", customer=customer, product=f"MJ-T26{i:02d}"))
        for step in STAGES[:STAGES.index(stage) + 1]:
            production.append((no, step, date(2026, 9, 20), 400 if step == stage else 1000, None))
    path = write_register(tmp_path / "register.xlsx", orders, production=production,
                          qc=[("SO-2609-001", date(2026, 9, 8), 200, 150, 50, "线头、污渍", "返工")],
                          materials=[("SO-2609-002", "面料", 1000, "华纺面料", date(2026, 9, 5), None, None)])
    return read(path)


@pytest.fixture(scope="module")
def mails(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("mails")
    cfg = Config.model_validate({"reminders": {"send_after": "00:00"},
                                 "mail": {"link_prefix": "\\\\fileserver\\跟单"},
                                 "digests": [{"name": "daily", "to": ["manager"]}]})
    cfg.path = tmp_path / "config.toml"
    report = Report([Finding("quantity-outlier", ERROR, "订单数量 10000 远大于同款其他订单（通常 800–1,200），是否多打了一个 0？",
                             table="orders", source="register.xlsx", sheet="订单登记", row=3, cell="E3",
                             order_no="SO-2609-002", value="10000", follower="李娜")])
    with State(tmp_path / "state.db") as state:
        inputs = gather(state, cfg, register(tmp_path), now=NOW, lang="zh", report=report)
        reminders = plan_notices(state, cfg, inputs, now=NOW, lang="zh").outgoing
        digest, = plan_digest(state, cfg, "daily", inputs, now=NOW, lang="zh").outgoing
    reminder = next(m for m in reminders if m.to[0][0] == "张伟" and m.dedupe_key.startswith("reminder/"))
    out = {}
    for name, mail in (("reminder", reminder), ("digest", digest)):
        out[name] = tmp_path / f"{name}.html"
        out[name].write_text(mail.html, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def look(browser, page_file: Path, width: int, shots: Path) -> tuple:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(page_file.as_uri())
    shot = shots / f"{page_file.stem}-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    return page, shot


@pytest.mark.parametrize("width", [390, 1280])
def test_the_reminder_reads_on_a_phone_and_a_desktop(browser, mails, width, tmp_path):
    page, shot = look(browser, mails["reminder"], width, tmp_path)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert page.evaluate(WRAPPED, ONE_LINE) == []
    cards = page.eval_on_selector_all(".no", "els => els.map(e => e.textContent)")
    assert cards[0] == "SO-2609-001" and len(cards) == len(set(cards)) == 3   # one card each, overdue first
    text = page.inner_text("body")
    assert "下一步" in text and "负责人 张伟" in text and "第 1 次提醒" in text
    assert "register.xlsx › 订单登记!A2" in text
    assert shot.stat().st_size > 10_000
    page.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_digest_reads_on_a_phone_and_a_desktop(browser, mails, width, tmp_path):
    page, shot = look(browser, mails["digest"], width, tmp_path)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert page.evaluate(WRAPPED, ONE_LINE) == []
    assert page.inner_text("h1") == "订单日报"
    labels = page.eval_on_selector_all("table.bars td.bl", "els => els.map(e => e.textContent)")
    assert set(STAGES) <= set(labels)                           # the stage names as typed, as text
    bars = page.eval_on_selector_all("table.bars td.bf", "els => els.map(e => e.getBoundingClientRect().width)")
    assert bars and all(w > 0 for w in bars)
    assert "各工序未完成订单" in page.inner_text("body")
    stacked = page.eval_on_selector("table.stack td", "td => getComputedStyle(td).display")
    assert stacked == ("block" if width == 390 else "table-cell")   # wide tables stack on a phone only
    page.close()
