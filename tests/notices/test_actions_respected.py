"""What people said (``sync.actions``) in the reminders and digests: an agreed date, a handled item, a decision."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sync.actions import Action, concern_subject, order_subject, record
from sync.changes.requests import ChangeRequest, Impact
from sync.findings import Report
from sync.notices.digests import Recipient, Scope, build_digest
from sync.notices.plan import gather
from sync.orders.people import Person
from sync.state import State
from tests.noticekit import order, read, write_register
from tests.notices.test_digests import NOW, config

AT = datetime(2026, 9, 16, 1, 0, tzinfo=timezone.utc)


def concerns_of(state, cfg, path, no):
    inputs = gather(state, cfg, read(path), now=NOW, lang="zh", report=Report())
    return {c.kind for c in inputs.concerns if c.order_no == no}, inputs


def test_an_agreed_date_replaces_the_due_date_until_the_register_changes_it(tmp_path):
    path = write_register(tmp_path / "register.xlsx", [order("SO-1", date(2026, 9, 10))])
    cfg = config(tmp_path)
    with State(tmp_path / "state.db") as state:
        assert "overdue" in concerns_of(state, cfg, path, "SO-1")[0]
        record(state, Action(order_subject("SO-1"), "new_due", "张伟", AT, "客户邮件同意", date(2026, 9, 30),
                             basis="2026-09-10", origin="web"))
        kinds, inputs = concerns_of(state, cfg, path, "SO-1")
        assert not kinds & {"overdue", "due_soon"}
        zhang = Recipient(Person("张伟", "zhang.wei@example.com"), Scope("follower", "张伟"))
        assert build_digest(cfg.digests[0], zhang, inputs, state, NOW).overdue == []
        write_register(path, [order("SO-1", date(2026, 9, 12))])    # the register's date moved: the agreement is over
        assert "overdue" in concerns_of(state, cfg, path, "SO-1")[0]


def test_digests_leave_out_handled_reminders_and_decided_requests(tmp_path):
    path = write_register(tmp_path / "register.xlsx", [order("SO-1", date(2026, 9, 10)),
                                                        order("SO-2", date(2026, 9, 30))])
    cfg = config(tmp_path)
    request = ChangeRequest("SO-2", "SO-2", "quantity", "1000", "1500",
                            [Impact("materials-shortfall", ("procurement",), "补料", "more material")], "张伟", id=7)
    zhang = Recipient(Person("张伟", "zhang.wei@example.com"), Scope("follower", "张伟"))
    with State(tmp_path / "state.db") as state:
        _, inputs = concerns_of(state, cfg, path, "SO-1")
        inputs.requests = [request]
        before = build_digest(cfg.digests[0], zhang, inputs, state, NOW)
        assert [c.order_no for c in before.reminders] == ["SO-1"] and before.requests == [request]
        record(state, Action(concern_subject("overdue", "SO-1"), "done", "张伟", AT, origin="web"))
        record(state, Action("request:7", "approve", "张伟", AT, origin="web"))
        after = build_digest(cfg.digests[0], zhang, inputs, state, NOW)
        assert after.reminders == [] and after.requests == []
        assert [f.order_no for f in after.overdue] == ["SO-1"]    # handled is not shipped: still overdue
