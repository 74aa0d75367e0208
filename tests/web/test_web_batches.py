"""A delivery batch's reminder on the page, in a real headless Chromium: the follower reads the batch and what is due
by it, can snooze it (there is no "customer agreed a new date" form: that date is the order's, not the batch's),
and the next cycle respects the snooze."""

from __future__ import annotations

import email
import threading
import time
from datetime import date, datetime, timezone
from pathlib import Path

from sync.cli.session import sources_from_config
from sync.config import load_config
from sync.web.board import OwnBoard
from sync.web.server import make_server
from tests.notices.test_batch_reminders import register
from tests.smtpserver import free_port
from tests.web.site import TZ, ClockedService, Mail

MONDAY = date(2026, 9, 21)


def config_for(folder: Path, port: int) -> None:
    (folder / "config.toml").write_text(
        '[service]\ntimezone = "Asia/Shanghai"\n\n[sources.book]\nkind = "excel"\npath = "分批.xlsx"\n\n'
        '[mail]\noutbox = "outbox"\n\n[reminders]\nsend_after = "00:00"\n\n'
        f'[web]\nlisten = "127.0.0.1:{port}"\nbase_url = "http://127.0.0.1:{port}"\n\n'
        '[people."张伟"]\nemail = "zhang.wei@example.com"\nrole = "跟单"\n', encoding="utf-8")


def cycle(config, day: date, hour: int = 10) -> datetime:
    service = ClockedService(config, sources_from_config(config), lang="zh")
    service.moment = datetime(day.year, day.month, day.day, hour, tzinfo=TZ).astimezone(timezone.utc)
    assert service.run(once=True) == 0
    return service.moment


def reminder_texts(folder: Path, seen: set[Path]) -> list[str]:
    """The text of each mail the outbox got since ``seen``."""
    new = sorted(p for p in (folder / "outbox").rglob("*.eml") if p not in seen)
    seen.update(new)
    return [Mail(p, email.message_from_bytes(p.read_bytes())).text for p in new]


def test_a_batch_reminder_is_snoozed_on_the_page_and_the_next_cycle_keeps_quiet(tmp_path, browser, monkeypatch):
    # the day replayed: the link the mail carries was made on it, and opens on it
    monkeypatch.setenv("ORDERSYNC_NOW", "2026-09-21T02:00:00Z")
    register(tmp_path / "分批.xlsx")
    port = free_port()
    config_for(tmp_path, port)
    config = load_config(tmp_path / "config.toml")
    seen: set[Path] = set()
    moment = cycle(config, MONDAY)
    (first,) = reminder_texts(tmp_path, seen)
    assert "第一批交期 2026-09-10，已逾期 11 天（到这一批共 500 件，已发货 0）" in first
    link = next(w for w in first.split() if w.startswith(f"http://127.0.0.1:{port}/"))

    server = make_server(config, OwnBoard(config, sources_from_config(config), "zh", look_every=0.0,
                                          clock=lambda: moment))
    threading.Thread(target=server.run, daemon=True).start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        page = browser.new_context(viewport={"width": 390, "height": 900}, locale="zh-CN").new_page()
        page.goto(link)
        card = page.locator("[data-subject='concern:overdue/HT-2/第一批交期']")
        assert "第一批交期 2026-09-10，已逾期 11 天（到这一批共 500 件，已发货 0）" in card.inner_text()
        assert "与生产确认这一批的进度" in card.inner_text()
        assert card.locator("button[data-verb=new_due]").count() == 0      # the order's date is not the batch's
        soon = page.locator("[data-subject='concern:due_soon/HT-3/第一批交期']")
        assert "第一批交期 2026-09-23，还剩 2 个工作日（到这一批共 300 件）" in soon.inner_text()
        card.locator("summary").click()
        card.locator("input[name=until]").first.fill("2026-09-25")
        card.locator("button[data-verb=snooze]").click()
        page.wait_for_load_state()
        assert "2026-09-25" in page.locator("[data-subject='concern:overdue/HT-2/第一批交期']").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.context.close()
    finally:
        server.should_exit = True

    cycle(config, date(2026, 9, 22))      # the next working day: HT-3's batch is reminded again, HT-2's is quiet
    texts = "\n".join(reminder_texts(tmp_path, seen))
    assert "HT-3" in texts and "HT-2" not in texts
