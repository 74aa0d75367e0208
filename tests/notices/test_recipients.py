"""Recipients come only from the people sheet and config.toml; what resolves to nothing is reported."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from sync.delivery import BadRecipient, MailQueue
from sync.notices.recipients import Recipients
from sync.state import State
from tests.noticekit import read
from tests.delivery.test_delivery_smtp import NOW, digest


@pytest.fixture
def recipients(tmp_path) -> Recipients:
    wb = Workbook()
    ws = wb.active
    ws.title = "人员"
    for row in [("姓名", "邮箱", "角色", "上级"),
                ("张伟", "zhang@factory.example", "跟单员", "赵敏"),
                ("李娜", "li na at factory", "跟单员", "赵敏"),
                ("周丽", "", "质检", "赵敏"),
                ("赵敏", "zhao@factory.example", "经理", "")]:
        ws.append(list(row))
    wb.save(tmp_path / "people.xlsx")
    config_people = {"王芳": {"email": "wang@factory.example", "role": "质检"}}
    return Recipients.from_register(read(tmp_path / "people.xlsx"), config_people, lang="en")


def test_names_roles_and_supervisors_resolve_to_addresses(recipients):
    got = recipients.resolve("张伟", "supervisor:张伟", "role:qc", "zhang@factory.example")
    assert got.addresses == [("张伟", "zhang@factory.example"), ("赵敏", "zhao@factory.example"),
                             ("王芳", "wang@factory.example")]
    assert got.problems == ["周丽 has no email (people.xlsx › 人员 B4)"]


def test_what_resolves_to_nothing_is_reported_with_its_cell_never_guessed(recipients):
    got = recipients.resolve("李娜", "钱七", "outsider@elsewhere.example", "role:shipping")
    assert got.addresses == []
    assert got.problems == [
        "李娜: 'li na at factory' is not an email address (people.xlsx › 人员 B3)",
        "钱七 is in neither the people sheet nor config.toml [people]; not mailed",
        "outsider@elsewhere.example is in neither the people sheet nor config.toml [people]; not mailed",
        "nobody in the people sheet has role shipping"]


def test_messages_in_chinese_by_default(tmp_path, recipients):
    zh = Recipients(recipients.directory, recipients.where)
    assert zh.resolve("钱七").problems == ["钱七 不在人员表或 config.toml [people] 中，不发送"]


def test_the_queue_accepts_only_the_known_addresses(tmp_path, recipients):
    assert recipients.allowed() == {"zhang@factory.example", "zhao@factory.example", "wang@factory.example"}
    with State(tmp_path / "s.db") as state:
        queue = MailQueue(state, "ordersync@factory.example", allowed=recipients.allowed())
        assert queue.enqueue(digest(cc=[]), NOW)
        with pytest.raises(BadRecipient):
            queue.enqueue(digest("k2", cc=[("李娜", "li@factory.example")]), NOW)
