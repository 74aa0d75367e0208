"""One order model: one list of status words for every consumer, worked out once per cycle and handed on."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import sync.orders.model as model
from sync.changes.requests import Progress
from sync.config import Config, load_config
from sync.findings import Report
from sync.notices.digests import build_digest, recipients
from sync.notices.plan import gather
from sync.orders.facts import order_facts
from sync.orders.model import order_model
from sync.orders.people import directory_from
from sync.orders.view import FINISHED, PENDING, CANCELLED, STATUS_WORDS
from sync.service.cycle import CycleResult, run_cycle, send_digest
from sync.state import State
from tests.noticekit import order, read, write_register

NOW = datetime(2026, 9, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))   # a Wednesday
TODAY = NOW.date()
WORDS = [(cls, word) for cls, words in STATUS_WORDS.items() for word in words]


def config(tmp_path, text: str = "") -> Config:
    path = tmp_path / "config.toml"
    path.write_text('[[digests]]\nname = "daily"\nto = ["followers"]\ncharts = false\n'
                    '[reminders]\nsend_after = "00:00"\nentry_error_delay_minutes = 0\n' + text, encoding="utf-8")
    return load_config(path)


def test_every_consumer_classifies_every_status_word_alike(tmp_path):
    """Each built-in word, written on an overdue order: status, reminders, digests and change requests agree."""
    orders = [order(f"SO-{i}", date(2026, 9, 1), status=word) for i, (_, word) in enumerate(WORDS)]
    register = read(write_register(tmp_path / "register.xlsx", orders))
    cfg = config(tmp_path)
    orders_model = order_model(register, cfg, today=TODAY)
    facts = order_facts(orders_model)
    with State(tmp_path / "state.db") as state:
        inputs = gather(state, cfg, register, now=NOW, lang="zh", report=Report(), orders=orders_model)
        (zhang,) = [r for r in recipients(cfg.digests[0], directory_from(register)) if r.person.name == "张伟"]
        digest = build_digest(cfg.digests[0], zhang, inputs, state, NOW)
    overdue_mail = {f.order_no for f in digest.overdue}
    reminded = {c.order_no for c in inputs.concerns if c.kind == "overdue"}
    for i, (cls, word) in enumerate(WORDS):
        key, finished = f"SO-{i}", cls in FINISHED
        assert orders_model.status_class(key) == cls, word                        # status (and reconcile)
        assert orders_model.progress[key].open is not finished, word              # ordersync status
        assert facts[key].closed is finished, word                                # the facts of the notices
        assert (key in reminded) is not finished, word                            # reminders
        assert (key in overdue_mail) is not finished, word                        # digests
        under_way = Progress(status=orders_model.status_class(key)).under_way     # change requests
        assert under_way is (cls not in (PENDING, CANCELLED)), word


def test_a_configured_closing_word_closes_the_order_everywhere(tmp_path):
    orders = [order("SO-1", date(2026, 9, 1), status="已入仓"), order("SO-2", date(2026, 9, 1), status="生产中")]
    register = read(write_register(tmp_path / "register.xlsx", orders))
    for text, closed in (("", False), ('[statuses]\nclosed = ["已入仓"]\n', True)):
        cfg = config(tmp_path, text)
        orders_model = order_model(register, cfg, today=TODAY)
        with State(tmp_path / f"state-{closed}.db") as state:
            inputs = gather(state, cfg, register, now=NOW, lang="zh", report=Report(), orders=orders_model)
            (zhang,) = [r for r in recipients(cfg.digests[0], directory_from(register)) if r.person.name == "张伟"]
            digest = build_digest(cfg.digests[0], zhang, inputs, state, NOW)
        assert orders_model.progress["SO-1"].open is not closed                             # status
        assert inputs.facts["SO-1"].closed is closed
        assert ("SO-1" in {c.order_no for c in inputs.concerns}) is not closed              # reminders
        assert ("SO-1" in {f.order_no for f in digest.overdue}) is not closed               # digests
        assert "SO-2" in {c.order_no for c in inputs.concerns}                              # the other stays open


def test_status_words_under_reconcile_are_refused_with_where_they_went(tmp_path):
    from sync.errors import ConfigError

    with pytest.raises(ConfigError, match=r"line \d+: \[reconcile\]: .*move them to \[statuses\]"):
        config(tmp_path, '[reconcile]\nstatuses = {closed = ["已入仓"]}\n')   # refused when the config is read


def test_a_cycle_works_the_orders_out_once_and_its_digest_reuses_them(tmp_path, monkeypatch):
    calls = {"view": 0, "progress": 0}
    build_view, progress_of_view = model.build_view, model.progress_of_view

    def counted_view(*args, **kw):
        calls["view"] += 1
        return build_view(*args, **kw)

    def counted_progress(*args, **kw):
        calls["progress"] += 1
        return progress_of_view(*args, **kw)

    monkeypatch.setattr(model, "build_view", counted_view)
    monkeypatch.setattr(model, "progress_of_view", counted_progress)
    register = read(write_register(tmp_path / "register.xlsx", [
        order("SO-1", date(2026, 9, 1)), order("SO-2", date(2026, 9, 18), "李娜", qty=-5)],
        production=[("SO-1", "裁剪", date(2026, 9, 10), 400, None)], shipping=[("SO-9", date(2026, 9, 2), 10, "顺丰")]))
    cfg = config(tmp_path)
    with State(tmp_path / "state.db") as state:
        result = run_cycle(state, cfg, register, now=NOW, lang="zh")
        assert calls == {"view": 1, "progress": 1}
        assert result.notices > 0 and result.report.findings     # the checks and the notices did run
        assert result.orders is not None and result.orders.today == TODAY
        assert send_digest(state, cfg, register, "daily", slot_time=NOW, now=NOW, lang="zh", last=result) > 0
        assert calls == {"view": 1, "progress": 1}                # the digest used the cycle's report and model
        # a day later the model is of another day: worked out again, once
        tomorrow = NOW + timedelta(days=1)
        send_digest(state, cfg, register, "daily", slot_time=tomorrow, now=tomorrow, lang="zh", last=result)
        assert calls == {"view": 2, "progress": 2}
        # without a cycle behind it, a digest checks the register itself, once
        send_digest(state, cfg, register, "daily", slot_time=NOW + timedelta(hours=1), now=NOW, lang="zh",
                    last=CycleResult())
        assert calls == {"view": 3, "progress": 3}


def test_the_notices_do_not_import_the_checks():
    import ast
    from pathlib import Path

    import sync.notices

    for path in Path(sync.notices.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n == "sync.checks" or n.startswith("sync.checks.")], path.name
