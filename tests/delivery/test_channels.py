"""[[channels]] as config.toml says it, which notes each channel takes, the outbox channel's files, and
fitting text into a platform's bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.config import ChannelConfig, Config, load_config
from sync.delivery.channels import ChannelQueue, make_channel, wants
from sync.delivery.chattext import fit, size
from sync.delivery.message import ChatNote, Mention
from sync.errors import ConfigError
from sync.state import State


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_channels_are_typed_and_say_what_is_wrong_where(tmp_path):
    path = write(tmp_path, '[[channels]]\nkind = "wecom"\nwebhook_env = "X"\nsecert_env = "Y"\n\n'
                           '[[channels]]\nkind = "dingtalk"\n\n'
                           '[[channels]]\nkind = "lark"\nwebhook = "http://x"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    lines = str(err.value).splitlines()
    assert lines[0].endswith('line 4: [[channels]] secert_env: unknown key (did you mean "secret_env"?)')
    assert "line 6: [[channels]] (item 2): dingtalk: set webhook or webhook_env (one of them)" in lines[1]
    assert "[[channels]] kind: expected one of 'wecom', 'dingtalk', 'feishu' or 'outbox'" in lines[2]


def test_two_channels_need_two_names(tmp_path):
    path = write(tmp_path, '[[channels]]\nkind = "outbox"\n\n[[channels]]\nkind = "outbox"\nfolder = "b"\n')
    with pytest.raises(ConfigError, match="more than one channel is called outbox; give each a name"):
        load_config(path)


def note(kind: str = "reminders", followers=("张伟",), departments=("follower", "shipping")) -> ChatNote:
    return ChatNote(key="k", kind=kind, title="t", lines=["l"], followers=list(followers),
                    departments=list(departments))


def test_a_channel_takes_the_notes_it_asks_for():
    everything = ChannelConfig(kind="outbox")
    assert all(wants(everything, note(k)) for k in ("entry_errors", "reminders", "digests", "change_requests"))
    sales = ChannelConfig(kind="outbox", notices=["reminders"], followers=["张 伟"])
    assert wants(sales, note()) and not wants(sales, note("digests")) and not wants(sales, note(followers=["李娜"]))
    production = ChannelConfig(kind="outbox", departments=["生产"])
    assert wants(production, note(departments=["production"])) and not wants(production, note())
    assert not wants(production, note("digests", departments=[])), "a manager's digest is for no department"


def test_the_outbox_channel_writes_what_a_group_would_get(tmp_path):
    config = Config(channels=[ChannelConfig(kind="outbox", folder=str(tmp_path / "chat"), link="http://s.lan")])
    channel = make_channel(config.channels[0], config)
    with State(tmp_path / "state.db") as state:
        queue = ChannelQueue(state)
        msg = ChatNote(key="reminder/x", kind="reminders", title="订单 SO-1：已逾期", lines=["**已逾期** 交期 2026-11-20"],
                       mentions=[Mention("张伟", mobile="13800001111")], path="/order/SO-1")
        queue.enqueue(msg, channel)
        assert len(queue.deliver_due([channel]).sent) == 1
        queue.enqueue(msg, channel)
        assert queue.deliver_due([channel]).sent == [], "once per notice"
    [file] = (tmp_path / "chat").glob("*.md")
    assert file.name.startswith("订单-SO-1-已逾期")
    assert file.read_text(encoding="utf-8") == ("**订单 SO-1：已逾期**\n**已逾期** 交期 2026-11-20\n"
                                                "[查看详情](http://s.lan/order/SO-1)\n@张伟 (13800001111)\n")


def test_a_group_message_links_to_the_page_as_the_person_it_mentions(tmp_path, monkeypatch):
    """With [web], the link opens the status page without a password, as the follower it @-mentions."""
    from urllib.parse import parse_qs, urlparse

    from sync.config import WebConfig
    from sync.links import read_token

    monkeypatch.setenv("ORDERSYNC_WEB_SECRET", "a-secret-of-sixteen+")
    config = Config(channels=[ChannelConfig(kind="outbox", folder=str(tmp_path / "chat"))],
                    web=WebConfig(base_url="http://10.0.0.5:8765"))
    channel = make_channel(config.channels[0], config)
    with State(tmp_path / "state.db") as state:
        queue = ChannelQueue(state)
        queue.enqueue(ChatNote(key="reminder/y", kind="reminders", title="订单 SO-2：已逾期", lines=["x"],
                               mentions=[Mention("张伟", mobile="13800001111")], path="/order/SO-2"), channel)
        queue.deliver_due([channel])
    [file] = (tmp_path / "chat").glob("*.md")
    link = file.read_text(encoding="utf-8").split("](", 1)[1].split(")", 1)[0]
    url = urlparse(link)
    assert (url.netloc, url.path) == ("10.0.0.5:8765", "/order/SO-2")
    assert read_token(b"a-secret-of-sixteen+", parse_qs(url.query)["t"][0]).person == "张伟"


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.text(min_size=0, max_size=300), max_size=60), budget=st.integers(60, 5000))
def test_fitting_keeps_to_the_budget_and_the_head_and_tail(lines, budget):
    head, tail, more = ["**标题**"], ["[查看详情](http://x)", "<@zhang>"], "…更多见报告"
    out = fit(head, lines, tail, more, budget)
    assert size(out) <= max(budget, size("\n".join([*head, more, *tail])))
    assert out.startswith("**标题**") and out.endswith("<@zhang>")
    if size("\n".join([*head, *lines, *tail])) > budget:
        assert more in out


def test_sheet_text_cannot_mention_everyone_or_forge_a_link():
    from sync.notices.chat import entry_notes, mention
    from sync.orders.people import Person

    rogue = Person("<@all>[x](http://evil)", "a@b.c></at><at id=all", wecom_id="@all", mobile="all",
                   dingtalk_id="all", feishu_id="all")
    [note] = entry_notes([type("Batch", (), {"person": rogue, "findings": [], "dedupe_key": "k"})()], "zh")
    assert note.mentions == [mention(rogue)]
    config = Config(channels=[ChannelConfig(kind=k, name=k, webhook="http://127.0.0.1:9/x")
                              for k in ("wecom", "dingtalk", "feishu")])
    bodies = [str(make_channel(cfg, config).render(note)) for cfg in config.channels]
    for body in bodies:
        assert "<@all>" not in body and "id=all" not in body and "](http://evil)" not in body, body
    assert "'atMobiles': [], 'atUserIds': []" in bodies[1]
