"""The page in a real headless Chromium, and what the next cycles make of what was done on it.

A follower opens the link of a reminder they were mailed, on a phone-sized
screen; marks one overdue order 已处理, acknowledges another (已知晓), snoozes a
third, and approves a customer's quantity change. Then the real cycles run on:
two working days later nothing is sent about the handled order, the
acknowledged one is reminded but not escalated, the snoozed one is quiet, the
departments concerned have the decision; on the snooze's date the snoozed one
is reminded again.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from sync.actions import history
from sync.changes.requests import stored_requests
from sync.state import State
from tests.web.site import Site

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page  # noqa: E402

DAY = date(2026, 11, 4)            # a Wednesday
OVERDUE = "已逾期"


def reminded(mails, order_no: str) -> list:
    """The reminder mails (of a batch) whose text lists ``order_no`` as overdue."""
    return [m for m in mails if f"[{OVERDUE}] {order_no} " in m.text]


def overdue_items(page: Page) -> list[str]:
    return page.locator("[data-subject^='concern:overdue/']").evaluate_all("els => els.map(e => e.dataset.subject)")


def shots(page: Page, name: str, folder: Path) -> None:
    """Screenshots at a phone's and a desktop's width; nothing may scroll sideways on the phone."""
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"web-{name}-{width}.png"), full_page=True)
        if width == 390:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, name


def test_act_on_the_page_and_the_next_cycles_respect_it(tmp_path, browser):
    site = Site(tmp_path, orders=150, today=DAY)
    first = site.cycle(DAY)
    progress = first.last.orders.progress
    late = [p for p in progress.values() if p.open and p.follower and p.due_date and p.due_date < DAY]
    counts = {}
    for p in late:
        counts[p.follower] = counts.get(p.follower, 0) + 1
    person = max(sorted(counts), key=lambda n: counts[n])
    assert counts[person] >= 3, counts
    mail = next(m for m in site.mails() if person in m.header("To") and "订单提醒" in m.header("Subject"))
    # a customer raises the quantity of one of their orders under way: a change request
    running = next(p for p in sorted(progress.values(), key=lambda p: p.order_no)
                   if p.follower == person and p.open and p.percent.get(first.last.orders.view.stages[0], 0) > 0
                   and (p.due_date is None or p.due_date >= DAY))
    row = int(first.last.orders.view.orders.at[running.key, "_row"])
    site.edit("订单登记", row, "订单数量", int(running.quantity) + 500)
    site.cycle(DAY, hour=11)
    site.start()
    shot_dir = Path(os.environ.get("ORDERSYNC_SHOTS", tmp_path))
    try:
        context = browser.new_context(viewport={"width": 390, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.goto(site.link(person, "/me"))        # the link as the reminder mail's recipient gets it
        assert "t=" not in page.url and person in page.inner_text("h1")
        assert person in mail.header("To")
        handled, acked, snoozed = overdue_items(page)[:3]
        card = page.locator(f"[data-subject='{handled}']")
        card.locator("input[name=note]").first.fill("客户已提货")
        card.locator("button[data-verb=done]").click()
        page.wait_for_load_state()
        assert "已处理" in page.locator(f"[data-subject='{handled}']").inner_text()
        page.locator(f"[data-subject='{acked}'] button[data-verb=ack]").click()
        page.wait_for_load_state()
        card = page.locator(f"[data-subject='{snoozed}']")
        card.locator("summary").click()
        until = site.calendar.add_working_days(DAY, 3)
        card.locator("input[name=until]").first.fill(until.isoformat())
        card.locator("button[data-verb=snooze]").click()
        page.wait_for_load_state()
        assert until.isoformat() in page.locator(f"[data-subject='{snoozed}']").inner_text()
        # the change request: its impact is shown before the decision
        request = page.locator(".item", has_text="#").filter(has_text=running.order_no)
        assert request.locator(".impact").count() >= 1
        request.locator("input[name=note]").fill("已与客户确认")
        request.locator("button[data-verb=approve]").click()
        page.wait_for_load_state()
        assert page.locator("button[data-verb=approve]").count() == 0   # no longer waiting
        shots(page, "me", shot_dir)
        page.goto(site.url + f"/order/{running.order_no}")
        assert "已确认" in page.inner_text("body") and "已与客户确认" in page.inner_text("body")
        shots(page, "order", shot_dir)
        page.goto(site.url + "/login")
        page.fill("input[name=name]", "赵敏")
        page.fill("input[name=password]", "manager-password")
        page.click("button")
        page.wait_for_url("**/manager")
        shots(page, "manager", shot_dir)
        context.close()
    finally:
        site.stop()

    with State(site.config.resolve(site.config.service.state)) as state:
        said = {a.subject: a for a in history(state)}
        decided = [r for r in stored_requests(state.db) if r.order_key == running.key]
    assert {said[handled].by, said[acked].by, said[snoozed].by} == {person}
    assert said[handled].verb == "done" and said[handled].note == "客户已提货" and said[handled].origin == "web"

    order_of = {s: s.split("/", 1)[1] for s in (handled, acked, snoozed)}
    nos = {s: progress[k].order_no for s, k in order_of.items()}
    before = {m.path for m in site.mails()}
    later = site.calendar.add_working_days(DAY, 2)     # the day reminders escalate to the supervisor
    site.cycle(later)
    batch = [m for m in site.mails() if m.path not in before]
    assert not reminded(batch, nos[handled]), "a handled order is reminded again"
    assert not reminded(batch, nos[snoozed]), "a snoozed order is reminded before its date"
    told = reminded(batch, nos[acked])
    assert told and all(not m.header("Cc") for m in told), "an acknowledged order is escalated"
    assert any(m.header("Cc") for m in batch if person in m.header("To")), "nothing escalated at all"
    decisions = [m for m in site.mails() if "变更已确认" in m.header("Subject") and running.order_no in m.header("Subject")]
    departments = {"procurement": "郑洁", "production": "孙强", "qc": "周丽"}
    expected = {departments[d] for d in decided[0].departments if d in departments} | {person}
    assert {m.header("To").split(" <")[0].strip('"') for m in decisions} == expected
    assert all("已与客户确认" in m.text for m in decisions)

    before = {m.path for m in site.mails()}
    site.cycle(until)
    batch = [m for m in site.mails() if m.path not in before]
    assert reminded(batch, nos[snoozed]), "the snoozed order does not come back on its date"
    assert not reminded(batch, nos[handled])
