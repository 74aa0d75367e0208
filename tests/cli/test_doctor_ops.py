"""`ordersync doctor` finds now what `run` would fail on later, every problem at once (issue 15 item 15).

A real register, a real SMTP server on 127.0.0.1 (aiosmtpd: TLS, AUTH), a real state file, a user template.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sync.cli import app
from sync.demo.register import build_register
from tests.smtpserver import PASSWORD, USER, MailServer

BASE = """
[service]
language = "en"
timezone = "{tz}"
state = "state/ordersync.db"

[sources.register]
kind = "excel"
path = "register.xlsx"

[mail]
sender = "ordersync <ordersync@factory.example>"
{mail}

[[digests]]
name = "daily"
to = ["manager"]
at = "08:00"

[[digests]]
name = "boss"
to = ["陈七", "老板娘"]

[people."陈七"]
email = "chen at factory"
"""

SMTP = """backend = "smtp"
host = "127.0.0.1"
port = {port}
security = "starttls"
username = "{user}"
password_env = "DOCTOR_TEST_PW"
cafile = "{cafile}"
timeout = 5
"""


def doctor(folder: Path, *more: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["doctor", "--config", str(folder / "config.toml"), *more], env=env)


def test_a_sound_setup_passes_and_says_what_it_verified_sending_nothing(tmp_path):
    build_register(tmp_path / "register.xlsx", orders=30, mistakes=False, seed=5)
    with MailServer(tmp_path / "certs") as server:
        mail = SMTP.format(port=server.port, user=USER, cafile=server.cafile)
        config = BASE.format(tz="Asia/Shanghai", mail=mail)
        config = config[:config.index('[[digests]]\nname = "boss"')]           # only what is sound
        (tmp_path / "config.toml").write_text(config, encoding="utf-8")
        result = doctor(tmp_path, env={"DOCTOR_TEST_PW": PASSWORD})
        assert result.exit_code == 0, result.output
        for seen in (f"127.0.0.1:{server.port} connected (starttls), logged in as {USER}", "state:",
                     "digest daily: ", "digest daily: next", "mail templates: ", " compile, ", "watching: native"):
            assert seen in result.output, seen
        assert server.received == []                               # doctor sends nothing by itself
        sent = doctor(tmp_path, "--send-test", env={"DOCTOR_TEST_PW": PASSWORD})
        assert sent.exit_code == 0, sent.output
        assert server.received                                     # --send-test does send


def test_every_problem_run_would_meet_later_is_listed_at_once_with_exit_1(tmp_path):
    build_register(tmp_path / "register.xlsx", orders=30, mistakes=False, seed=5)
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "ordersync.db").write_bytes(b"not a database at all" * 100)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "reminder.html.j2").write_text("{% for r in reminders %}no end\n", encoding="utf-8")
    with MailServer(tmp_path / "certs") as server:
        mail = SMTP.format(port=server.port, user=USER, cafile=server.cafile)
        (tmp_path / "config.toml").write_text(BASE.format(tz="Asia/Shang_hai", mail=mail), encoding="utf-8")
        result = doctor(tmp_path, env={"DOCTOR_TEST_PW": "wrong"})
    assert result.exit_code == 1, result.output
    out = result.output
    assert "login as 'robot' refused: 535" in out                                  # mail: logged in, refused
    assert "the state file is damaged" in out                                      # state: does not open
    assert "Asia/Shang_hai" in out and "not a known time zone" in out              # times
    assert "老板娘" in out                                                         # a recipient nobody knows
    assert "陈七" in out and "'chen at factory' is not an email address" in out    # and a bad address
    assert "templates/reminder.html.j2 line" in out                                # a template that does not compile
    assert out.count("✗") >= 6                                                     # all of them, at once
    assert server.received == []


def test_no_password_in_the_environment_is_named(tmp_path):
    build_register(tmp_path / "register.xlsx", orders=10, mistakes=False, seed=5)
    config = BASE.format(tz="Asia/Shanghai", mail=SMTP.format(port=1, user=USER, cafile="ca.pem"))
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    result = doctor(tmp_path, env={"DOCTOR_TEST_PW": ""})
    assert result.exit_code == 1 and "DOCTOR_TEST_PW" in result.output and "holds no password" in result.output
