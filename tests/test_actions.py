"""People's actions in a real SQLite state: appended, never lost; what stands is the latest word."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from sync.actions import (Action, agreed_due, concern_subject, finding_subject, history, order_subject, record,
                          request_subject, standing)
from sync.errors import UserError
from sync.findings import Finding
from sync.state import State

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def state(tmp_path):
    with State(tmp_path / "state.db") as s:
        yield s


def test_latest_word_stands_and_every_word_is_kept(state):
    subject = concern_subject("overdue", "A-100")
    record(state, Action(subject, "ack", "王芳", NOW, note="客户已知晓"))
    record(state, Action(subject, "note", "王芳", NOW, note="周五再问"))
    assert standing(state, date(2026, 12, 3))[subject].verb == "ack"     # a note does not replace a decision
    record(state, Action(subject, "reopen", "李强", NOW))
    assert subject not in standing(state, date(2026, 12, 3))
    assert [a.verb for a in history(state, subject)] == ["ack", "note", "reopen"]


def test_snooze_ends_on_its_date(state):
    subject = concern_subject("stale", "A-7")
    record(state, Action(subject, "snooze", "王芳", NOW, until=date(2026, 12, 10)))
    assert standing(state, date(2026, 12, 9))[subject].silences
    assert subject not in standing(state, date(2026, 12, 10))


def test_a_finding_keeps_its_subject_when_its_row_moves_and_loses_it_when_its_value_changes():
    f = Finding("qty-positive", "error", "数量必须大于 0", table="orders", sheet="订单", row=5, cell="E5",
                field="quantity", order_no="A-1", value="-3")
    moved = Finding(**{**f.__dict__, "row": 40, "cell": "E40"})
    changed = Finding(**{**f.__dict__, "value": "-4"})
    assert finding_subject(f) == finding_subject(moved) != finding_subject(changed)


def test_agreed_due_lasts_while_the_register_says_what_it_said(state):
    record(state, Action(order_subject("A-1"), "new_due", "王芳", NOW, until=date(2026, 12, 20), basis="2026-12-05"))
    now = standing(state, date(2026, 12, 3))
    assert agreed_due(now, "A-1", date(2026, 12, 5)) == date(2026, 12, 20)
    assert agreed_due(now, "A-1", date(2026, 12, 8)) == date(2026, 12, 8)     # the register moved: it wins
    assert agreed_due(now, "B-2", date(2026, 12, 5)) == date(2026, 12, 5)


@pytest.mark.parametrize("action, says", [
    (Action(order_subject("A"), "approve", "x", NOW), "change requests"),
    (Action(request_subject(3), "snooze", "x", NOW), "needs a date"),
    (Action(request_subject(3), "shout", "x", NOW), "unknown action"),
    (Action(request_subject(3), "approve", " ", NOW), "who took it"),
])
def test_an_action_that_cannot_stand_is_refused_with_the_reason(state, action, says):
    with pytest.raises(UserError, match=says):
        record(state, action)
    assert history(state) == []
