"""Group bots over real HTTP: each platform's test server checks keys, signatures, sizes and rate limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from sync.config import ChannelConfig, Config
from sync.delivery.channels import ChannelQueue, make_channel
from sync.delivery.message import ChatNote, Mention
from sync.state import State
from tests.delivery.chatbots import Bots, ChatbotServer, Clock

SECRET = "SECc0ffee0123456789abcdef"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(clock: Clock) -> Iterator[ChatbotServer]:
    bots = Bots(clock, wecom_keys={"good-key"}, dingtalk={"tok": SECRET, "plain": None},
                feishu={"hook": SECRET})
    with ChatbotServer(bots) as srv:
        yield srv


@pytest.fixture
def state(tmp_path) -> Iterator[State]:
    with State(tmp_path / "state.db") as st:
        yield st


def channel(server: ChatbotServer, kind: str, **cfg):
    url = {"wecom": f"{server.base}/wecom?key=good-key", "dingtalk": f"{server.base}/dingtalk?access_token=tok",
           "feishu": f"{server.base}/feishu/hook"}[kind]
    env = {"SECRET": cfg.pop("secret", SECRET)}
    config = Config(channels=[ChannelConfig(kind=kind, name=kind, webhook=cfg.pop("webhook", url),
                                            secret_env="SECRET" if kind != "wecom" else None, **cfg)])
    return make_channel(config.channels[0], config, env)


def note(i: int, **kw) -> ChatNote:
    defaults = dict(key=f"reminder/SO-{i}", kind="reminders", title=f"订单 SO-{i}：逾期 2 天",
                    lines=[f"**SO-{i}** 逾期 2 天 · 交期 2026-11-24", "跟单：李强"],
                    mentions=[Mention("李强", mobile="13800001111", wecom_id="liqiang", dingtalk_id="ding-li",
                                      feishu_id="ou_li")], path=f"/order/SO-{i}")
    return ChatNote(**(defaults | kw))


def drain(queue: ChannelQueue, ch, clock: Clock, step: float, rounds: int = 10_000) -> int:
    """Deliver, let time pass, until nothing waits; how many rounds it took."""
    for n in range(rounds):
        queue.deliver_due([ch], clock.now())
        if not queue.counts().get(ch.name, {}).get("pending"):
            return n
        clock.advance(step)
    raise AssertionError("the queue never emptied")


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_a_message_is_signed_and_taken(server, state, clock, kind):
    ch = channel(server, kind)
    queue = ChannelQueue(state)
    assert queue.enqueue(note(1), ch, clock.now())
    assert not queue.enqueue(note(1), ch, clock.now()), "the same notice twice on one channel is queued once"
    result = queue.deliver_due([ch], clock.now())
    assert result.sent == [f"chat/{kind}/reminder/SO-1"] and not result.deferred
    assert [r.platform for r in server.bots.received] == [kind]
    assert "SO-1" in server.bots.texts()[0]


@pytest.mark.parametrize(("kind", "code"), [("dingtalk", 310000), ("feishu", 19021)])
def test_a_wrong_secret_holds_the_channel_with_the_reason(server, state, clock, kind, code):
    ch = channel(server, kind, secret="SECwrong")
    queue = ChannelQueue(state)
    queue.enqueue(note(1), ch, clock.now())
    queue.enqueue(note(2), ch, clock.now())
    result = queue.deliver_due([ch], clock.now())
    assert not result.sent and len(result.deferred) == 1 and str(code) in result.deferred[0].error
    assert server.bots.answers == [(kind, code)], "held after the first refusal: the second waits unsent"
    [health] = queue.health()
    assert health.channel == kind and str(code) in health.problem and "config.toml" in health.hint
    clock.advance(120)
    queue.deliver_due([ch], clock.now())
    assert len(server.bots.answers) == 1, "a held channel does not hammer the platform"
    mended = channel(server, kind)          # the secret is mended: the hold lifts at once
    assert queue.deliver_due([mended], clock.now()).sent == [f"chat/{kind}/reminder/SO-1", f"chat/{kind}/reminder/SO-2"]
    assert queue.health()[0].problem is None


def test_a_wecom_key_that_is_not_one_is_held(server, state, clock):
    ch = channel(server, "wecom", webhook=f"{server.base}/wecom?key=revoked")
    queue = ChannelQueue(state)
    queue.enqueue(note(1), ch, clock.now())
    queue.deliver_due([ch], clock.now())
    assert "93000" in queue.health()[0].problem
    assert queue.counts() == {"wecom": {"pending": 1}}


def test_a_dingtalk_timestamp_an_hour_off_is_refused(server, state, clock):
    ch = channel(server, "dingtalk")
    queue = ChannelQueue(state)
    queue.enqueue(note(1), ch, clock.now())
    server.bots.clock = Clock(clock.now() + timedelta(hours=2))   # our clock two hours behind the platform's
    queue.deliver_due([ch], clock.now())
    assert server.bots.answers == [("dingtalk", 310000)]


@pytest.mark.parametrize(("kind", "step"), [("wecom", 7.0), ("dingtalk", 7.0), ("feishu", 0.25)])
def test_a_burst_of_200_never_exceeds_the_limit(server, state, clock, kind, step):
    ch = channel(server, kind)
    queue = ChannelQueue(state)
    for i in range(200):
        queue.enqueue(note(i), ch, clock.now())
    drain(queue, ch, clock, step)
    assert server.bots.throttled() == 0, "the platform never had to say 'too fast'"
    texts = server.bots.texts(kind)
    assert len(texts) == 200 and len({t for t in texts}) == 200, "every notice once, none twice"
    assert queue.counts()[kind] == {"sent": 200}


def test_a_restart_does_not_burst(server, state, clock, tmp_path):
    ch = channel(server, "wecom")
    queue = ChannelQueue(state)
    for i in range(30):
        queue.enqueue(note(i), ch, clock.now())
    assert len(queue.deliver_due([ch], clock.now()).sent) == 20
    state.close()
    with State(tmp_path / "state.db") as again:               # the service restarts a second later
        clock.advance(1)
        assert ChannelQueue(again).deliver_due([ch], clock.now()).sent == []
        clock.advance(62)
        assert len(ChannelQueue(again).deliver_due([ch], clock.now()).sent) == 10
    assert server.bots.throttled() == 0


@pytest.mark.parametrize(("kind", "pause"), [("wecom", 60), ("dingtalk", 600), ("feishu", 60)])
def test_a_throttle_answer_means_later_and_nothing_lost_or_twice(server, state, clock, kind, pause):
    ch = channel(server, kind)
    queue = ChannelQueue(state)
    for i in range(3):
        queue.enqueue(note(i), ch, clock.now())
    server.bots.throttle_next = 1
    result = queue.deliver_due([ch], clock.now())
    assert not result.sent and len(result.deferred) == 1 and not result.failed
    clock.advance(pause - 5)
    assert queue.deliver_due([ch], clock.now()).sent == [], "the channel waits out the platform's pause"
    clock.advance(10)
    assert len(queue.deliver_due([ch], clock.now()).sent) == 3
    assert sorted(server.bots.texts(kind)) == sorted(set(server.bots.texts(kind))) and len(server.bots.received) == 3


def test_no_answer_means_later(state, clock):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]              # nothing listens there once closed
    config = Config(channels=[ChannelConfig(kind="wecom", name="down", webhook=f"http://127.0.0.1:{port}/wecom?key=k",
                                            timeout=2)])
    ch = make_channel(config.channels[0], config, {})
    queue = ChannelQueue(state)
    queue.enqueue(note(1), ch, clock.now())
    result = queue.deliver_due([ch], clock.now())
    assert result.deferred and "no answer" in result.deferred[0].error and "good-key" not in result.deferred[0].error
    assert queue.counts() == {"down": {"pending": 1}}
    assert queue.health() == [] or queue.health()[0].problem is None, "a network error is not a config error"


def test_mentions_carry_the_people_ids(server, state, clock):
    queue = ChannelQueue(state)
    by_id = note(1)
    by_mobile = note(2, mentions=[Mention("王芳", mobile="13900002222", email="wang@example.com")])
    for kind in ("wecom", "dingtalk", "feishu"):
        ch = channel(server, kind)
        queue.enqueue(by_id, ch, clock.now())
        queue.enqueue(by_mobile, ch, clock.now())
        queue.deliver_due([ch], clock.now())
    got = {(r.platform, r.body.get("msgtype") or r.body.get("msg_type")): r.body for r in server.bots.received}
    wecom_md, wecom_text = got[("wecom", "markdown")], got[("wecom", "text")]
    assert "<@liqiang>" in wecom_md["markdown"]["content"]
    assert wecom_text["text"]["mentioned_mobile_list"] == ["13900002222"], "markdown cannot @ by mobile: text can"
    dings = [r.body for r in server.bots.received if r.platform == "dingtalk"]
    assert dings[0]["at"] == {"atMobiles": ["13800001111"], "atUserIds": ["ding-li"], "isAtAll": False}
    assert "@13800001111" in dings[0]["markdown"]["text"] and "@13900002222" in dings[1]["markdown"]["text"]
    cards = [json.dumps(r.body, ensure_ascii=False) for r in server.bots.received if r.platform == "feishu"]
    assert "<at id=ou_li></at>" in cards[0] and "<at email=wang@example.com></at>" in cards[1]


def test_long_notes_are_cut_to_the_limits_with_a_line_saying_so(server, state, clock):
    lines = [f"**SO-{i}** 数量“１２００件”不是数字 · 订单 › G{i}" for i in range(600)]
    long = note(1, lines=lines, more="…更多见报告")
    queue = ChannelQueue(state)
    for kind in ("wecom", "dingtalk", "feishu"):
        ch = channel(server, kind, link="http://status.lan:8765")
        queue.enqueue(long, ch, clock.now())
        queue.deliver_due([ch], clock.now())
    assert server.bots.throttled() == 0 and len(server.bots.received) == 3, server.bots.answers
    wecom, ding, feishu = (r.body for r in server.bots.received)
    assert len(wecom["markdown"]["content"].encode()) <= 4096
    assert wecom["markdown"]["content"].rstrip().splitlines()[-1] == "<@liqiang>", "the mention always stays"
    assert "…更多见报告" in wecom["markdown"]["content"] and "http://status.lan:8765/order/SO-1" in wecom["markdown"]["content"]
    assert len(ding["markdown"]["text"].encode()) <= 4096 and "…更多见报告" in ding["markdown"]["text"]
    assert len(json.dumps(feishu, ensure_ascii=False).encode()) <= 20 * 1024
    assert "…更多见报告" in feishu["card"]["elements"][0]["text"]["content"]
