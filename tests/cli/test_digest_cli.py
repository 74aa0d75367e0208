"""`ordersync digest NAME` by hand: one per recipient per day; `--again` sends another on purpose (issue 15.12)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from typer.testing import CliRunner

from sync.cli import app
from tests.notices.test_digests import order, write_register

MORNING = datetime(2026, 9, 1, 1, 0, tzinfo=timezone.utc)      # 09:00 in Shanghai


def _outbox(tmp_path) -> list:
    return sorted((tmp_path / "outbox").glob("*.eml"))


def test_a_digest_sent_by_hand_twice_in_a_day_sends_one_and_again_sends_a_second(tmp_path):
    write_register(tmp_path / "register.xlsx", [order("SO-1", date(2026, 9, 10))])
    (tmp_path / "config.toml").write_text(
        '[sources.register]\nkind = "excel"\npath = "register.xlsx"\n\n[mail]\noutbox = "outbox"\n\n'
        '[[digests]]\nname = "daily"\nto = ["张伟"]\ncharts = false\n', encoding="utf-8")

    def digest(at: datetime, *more: str):
        args = ["digest", "daily", "--config", str(tmp_path / "config.toml"), "--now", at.isoformat(), "--lang", "en"]
        result = CliRunner().invoke(app, [*args, *more])
        assert result.exit_code == 0, result.output
        from sync.cli.session import open_session
        from sync.service.cycle import deliver
        from sync.state import State
        cfg = open_session(None, tmp_path / "config.toml", "en").config
        with State(cfg.resolve(cfg.service.state)) as state:
            deliver(state, cfg, now=at + timedelta(seconds=1))
        return result.output

    assert "queued 1 mail\n" in digest(MORNING)
    second = digest(MORNING + timedelta(hours=3))             # the same day, later: the same identity
    assert "already sent by hand today" in second and "--again" in second
    assert len(_outbox(tmp_path)) == 1
    again = digest(MORNING + timedelta(hours=4), "--again")
    assert "sent again on purpose" in again and "queued 1 mail\n" in again
    assert len(_outbox(tmp_path)) == 2
    assert "queued 1 mail\n" in digest(MORNING + timedelta(days=1))   # another day, another digest
    assert len(_outbox(tmp_path)) == 3
