"""``ordersync ack``, ``snooze`` and ``decide``: the same actions as the page, from the command line."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from sync.actions import history, standing
from sync.changes.requests import pending, stored_requests
from sync.cli import app
from sync.state import State
from tests.web.site import Site

DAY = date(2026, 11, 4)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("web-cli"), today=DAY)
    first = site.cycle(DAY)
    model = first.last.orders
    site.late = next(p for p in sorted(model.progress.values(), key=lambda p: p.order_no)
                     if p.open and p.follower and p.due_date and p.due_date < DAY)
    running = next(p for p in sorted(model.progress.values(), key=lambda p: p.order_no)
                   if p.open and p.percent.get(model.view.stages[0], 0) > 0 and p.quantity)
    site.edit("订单登记", int(model.view.orders.at[running.key, "_row"]), "订单数量", int(running.quantity) + 300)
    site.cycle(DAY, hour=11)
    site.running = running
    return site


def invoke(site: Site, *args: str):
    return CliRunner().invoke(app, [*args, "--config", str(site.folder / "config.toml")])


def state(site: Site) -> State:
    return State(site.config.resolve(site.config.service.state))


def test_ack_an_order_speaks_of_each_of_its_open_reminders(site, monkeypatch):
    monkeypatch.setenv("LOGNAME", "zhang.wei")    # the OS user: zhang.wei@demo.example.com is 张伟
    result = invoke(site, "ack", site.late.order_no, "--note", "客户知道")
    assert result.exit_code == 0, result.output
    with state(site) as st:
        said = [a for a in history(st, prefix="concern:") if a.subject.endswith(site.late.key)]
    assert said and {(a.verb, a.by, a.note, a.origin) for a in said} == {("ack", "张伟", "客户知道", "cli")}
    assert "concern:overdue/" + site.late.key in result.output


def test_snooze_until_a_date_and_done(site):
    result = invoke(site, "snooze", "concern:overdue/" + site.late.key, "--until", "2026-11-09", "--by", "李娜")
    assert result.exit_code == 0, result.output
    with state(site) as st:
        action = standing(st, DAY)["concern:overdue/" + site.late.key]
        assert (action.verb, action.until, action.by) == ("snooze", date(2026, 11, 9), "李娜")
        assert "concern:overdue/" + site.late.key not in standing(st, date(2026, 11, 9))
    assert invoke(site, "ack", "concern:overdue/" + site.late.key, "--done", "--by", "李娜").exit_code == 0
    with state(site) as st:
        assert standing(st, DAY)["concern:overdue/" + site.late.key].verb == "done"


def test_decide_approves_and_queues_the_decision_for_the_departments(site):
    with state(site) as st:
        request = next(r for r in stored_requests(st.db) if r.order_key == site.running.key)
    result = invoke(site, "decide", str(request.id), "approve", "--note", "客户书面确认", "--by", "赵敏")
    assert result.exit_code == 0, result.output
    with state(site) as st:
        assert request.id not in [r.id for r in pending(stored_requests(st.db), standing(st, DAY))]
        queued = st.db.execute("SELECT subject, recipients FROM mail_queue WHERE dedupe_key LIKE ?",
                               (f"decision/{request.id}/%",)).fetchall()
    assert queued and all("变更已确认" in q["subject"] for q in queued)


def test_wrong_input_is_a_clear_message(site):
    missing = invoke(site, "decide", "9999", "approve", "--by", "赵敏")
    assert missing.exit_code == 2 and "9999" in missing.output
    assert invoke(site, "decide", "1", "maybe").exit_code == 2
    nothing = invoke(site, "ack", "SO-0000-000", "--by", "赵敏")
    assert nothing.exit_code == 2 and "SO-0000-000" in nothing.output
    bad_day = invoke(site, "snooze", "concern:overdue/X", "--until", "soon", "--by", "赵敏")
    assert bad_day.exit_code == 2 and "2026-12-31" in bad_day.output
