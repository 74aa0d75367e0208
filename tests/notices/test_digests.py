"""Digests: scope by recipient, KPIs against the previous period, every template in zh and en, autoescape."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from sync.config import Config
from sync.findings import ERROR, Finding, Report
from sync.notices.plan import gather, plan_digest, plan_notices
from sync.notices.render import environment, inline_css, render
from sync.state import State
from tests.noticekit import order, read, write_register

NOW = datetime(2026, 9, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))   # a Wednesday
EVIL = '<script>alert("x")</script>'


def register(tmp_path: Path):
    path = write_register(tmp_path / "register.xlsx", [
        order("SO-1", date(2026, 9, 10), "张伟", customer="美佳服饰"),                     # overdue
        order("SO-2", date(2026, 9, 18), "李娜", customer=EVIL, product="GU-J2334"),       # due soon, hostile text
        order("SO-3", date(2026, 9, 12), "张伟", status="已发货"),                          # shipped late, in period
        order("SO-4", date(2026, 9, 3), "李娜"),                                           # shipped on time, before
    ], shipping=[("SO-3", date(2026, 9, 14), 1000, "顺丰"), ("SO-4", date(2026, 9, 2), 1000, "顺丰")],
        qc=[("SO-1", date(2026, 9, 12), 100, 90, 10, "线头", "返工")],
        materials=[("SO-2", "面料", 100, "华纺", date(2026, 9, 11), None, None)])
    return read(path)


def report_with_error() -> Report:
    return Report([Finding("quantity-outlier", ERROR, f"数量偏大 {EVIL}", table="orders", source="register.xlsx",
                           sheet="订单登记", row=3, cell="E3", order_no="SO-2", value=EVIL, follower="李娜")])


def config(tmp_path: Path, **digest) -> Config:
    spec = {"name": "daily", "to": ["followers", "manager", "qc", "procurement"], "charts": False, **digest}
    cfg = Config.model_validate({"digests": [spec], "reminders": {"entry_error_delay_minutes": 0}})
    cfg.path = tmp_path / "config.toml"
    return cfg


@pytest.fixture
def world(tmp_path):
    reg = register(tmp_path)
    cfg = config(tmp_path)
    state = State(tmp_path / "state.db")
    inputs = gather(state, cfg, reg, now=NOW, lang="zh", report=report_with_error())
    yield cfg, state, inputs
    state.close()


def by_person(plan):
    return {mail.to[0][0]: mail for mail in plan.outgoing}


def test_each_recipient_sees_their_scope(world):
    cfg, state, inputs = world
    mails = by_person(plan_digest(state, cfg, "daily", inputs, now=NOW, lang="en"))
    assert set(mails) == {"张伟", "李娜", "赵敏", "周丽", "郑洁"}
    zhang, li, boss = mails["张伟"].text, mails["李娜"].text, mails["赵敏"].text
    assert "SO-1" in zhang and "SO-2" not in zhang
    assert "SO-2" in li and "SO-1" not in li and "E3" in li            # the error with its cell
    assert all(no in boss for no in ("SO-1", "SO-2"))
    assert "QC failed" in mails["周丽"].text and "SO-2" not in mails["周丽"].text
    assert "Material late" in mails["郑洁"].text and "SO-1" not in mails["郑洁"].text
    assert [a[0] for a in mails["李娜"].attachments] == ["findings.xlsx"]
    assert mails["张伟"].attachments == []


def test_an_order_two_followers_share_is_in_each_ones_digest(tmp_path):
    reg = read(write_register(tmp_path / "register.xlsx", [
        order("SO-1", date(2026, 9, 10), "张伟/李娜"), order("SO-2", date(2026, 9, 11), "李娜")]))
    cfg = config(tmp_path)
    with State(tmp_path / "state.db") as state:
        inputs = gather(state, cfg, reg, now=NOW, lang="en", report=Report([]))
        mails = by_person(plan_digest(state, cfg, "daily", inputs, now=NOW, lang="en"))
    assert "SO-1" in mails["张伟"].text and "SO-2" not in mails["张伟"].text
    assert "SO-1" in mails["李娜"].text and "SO-2" in mails["李娜"].text


def test_kpis_compare_this_period_with_the_one_before(world):
    cfg, state, inputs = world
    boss = by_person(plan_digest(state, cfg, "daily", inputs, now=NOW, lang="en"))["赵敏"].text
    # this week: SO-3 shipped 2 days late; completion of SO-1 and SO-3 (due in period): 1 of 2
    assert "Order completion rate: 50.0% (previous 100.0%)" in boss
    assert "On-time delivery rate: 0.0% (previous 100.0%)" in boss
    assert "Average days late: 2.0 days (previous 0.0 days)" in boss
    assert "QC first-pass yield: 90.0% (previous –)" in boss


def test_open_orders_by_stage_compare_with_the_last_digest(world):
    cfg, state, inputs = world
    first = plan_digest(state, cfg, "daily", inputs, now=NOW, lang="zh")
    first.record()
    second = by_person(plan_digest(state, cfg, "daily", inputs, now=NOW.replace(day=17), lang="zh"))
    # both open orders say 生产中 and the 生产进度 tab has no rows yet: both are at the first stage
    assert "裁剪" in second["赵敏"].html and ">2</td><td class=\"num\"" in second["赵敏"].html.replace(
        ' style="text-align: right; white-space: nowrap"', "")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_template_renders_in_both_languages_and_escapes_sheet_text(tmp_path, lang):
    reg = register(tmp_path)
    cfg = config(tmp_path, charts=True)
    with State(tmp_path / "state.db") as state:
        inputs = gather(state, cfg, reg, now=NOW, lang=lang, report=report_with_error())
        digests = plan_digest(state, cfg, "daily", inputs, now=NOW, lang=lang).outgoing
        notices = plan_notices(state, cfg, inputs, now=NOW, lang=lang).outgoing
    kinds = {m.subject.split("】")[0] for m in notices}
    assert len(notices) == 3 and len(kinds) == 2     # two reminder mails and one entry-error mail
    for mail in digests + notices:
        assert EVIL not in mail.html
        assert 'style="' in mail.html                 # CSS inlined for mail clients
        assert mail.text.strip() and "{{" not in mail.text and "{{" not in mail.html
    escaped = [m.to[0][0] for m in digests + notices if "&lt;script&gt;" in m.html]
    assert {"李娜", "赵敏"} <= set(escaped)             # SO-2's customer cell and the finding are hostile
    assert (lang == "en") == ("Overdue" in by_person_text(notices, "张伟"))
    assert not digests[0].inline_images               # charts are HTML bars now (issue 16): no image, no font
    assert 'class="bars"' in digests[0].html


def by_person_text(mails, name):
    return next(m.text for m in mails if m.to[0][0] == name and "entry" not in m.dedupe_key)


def test_user_templates_override_the_shipped_ones(tmp_path):
    own = tmp_path / "templates"
    own.mkdir()
    (own / "reminder.txt.j2").write_text('{{ tr("自定义", "custom") }} {{ reminders|length }}\n', encoding="utf-8")
    env = environment(own)
    assert render(env, "reminder.txt.j2", "en", reminders=[1, 2]) == "custom 2\n"
    assert "<!DOCTYPE html>" in render(env, "entry_errors.html.j2", "zh", subject="s", to=type("P", (), {"name": "x"}),
                                       findings=[])


def test_inliner_copies_simple_rules_and_keeps_own_style_last():
    html = ('<html><style>td.num { text-align: right } .bad { color: red } div p { x: y }</style>'
            '<td class="num bad" style="width: 3px">1</td><p>z</p></html>')
    out = inline_css(html)
    assert '<td class="num bad" style="text-align: right;color: red;width: 3px">' in out
    assert "<p>z</p>" in out


def test_cli_preview_writes_html_and_text(tmp_path, monkeypatch):
    from sync.cli import app

    write_register(tmp_path / "register.xlsx", [order("SO-1", date(2026, 9, 10))])
    (tmp_path / "config.toml").write_text(
        '[sources.register]\nkind = "excel"\npath = "register.xlsx"\n\n'
        '[[digests]]\nname = "daily"\nto = ["followers"]\ncharts = false\n', encoding="utf-8")
    out = tmp_path / "preview" / "d.html"
    result = CliRunner().invoke(app, ["digest", "daily", "--preview", "--output", str(out), "--to", "张伟",
                                      "--config", str(tmp_path / "config.toml"), "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    assert "SO-1" in out.read_text(encoding="utf-8") and "SO-1" in out.with_suffix(".txt").read_text(encoding="utf-8")
    bad = CliRunner().invoke(app, ["digest", "weekly", "--preview", "--config", str(tmp_path / "config.toml")])
    assert bad.exit_code == 2 and "weekly" in bad.output and "daily" in bad.output


def test_cli_without_preview_queues_once(tmp_path):
    from sync.cli import app

    write_register(tmp_path / "register.xlsx", [order("SO-1", date(2026, 9, 10))])
    (tmp_path / "config.toml").write_text(
        '[sources.register]\nkind = "excel"\npath = "register.xlsx"\n\n'
        '[[digests]]\nname = "daily"\nto = ["张伟"]\ncharts = false\n', encoding="utf-8")
    args = ["digest", "daily", "--config", str(tmp_path / "config.toml"), "--now", NOW.isoformat(), "--lang", "en"]
    first, again = CliRunner().invoke(app, args), CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "queued 1 mail\n" in first.output and "queued 0 mails" in again.output
