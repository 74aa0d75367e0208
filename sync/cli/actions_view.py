"""The work of ``serve``, ``ack``, ``snooze`` and ``decide``.

``--by`` names who says so; without it, the OS user (``getpass.getuser()``)
is matched to a person of ``[people]`` or the people sheet by their name or by
the part of their email before the @ (``zhang.wei`` -> 张伟), and used as it is
when nobody matches. ``ack ORDER`` and ``snooze ORDER`` speak of every open
reminder about the order (the reminder episodes in the state).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import typer

from sync.actions import Action, concern_subject, record
from sync.cli.session import open_session
from sync.config import Config
from sync.errors import UserError
from sync.i18n import say
from sync.notices.recipients import Recipients
from sync.orders.people import Directory, directory_from
from sync.state import State
from sync.tables.normalize import fold_text, normalise_key
from sync.web.act import decide, parse_day

PREFIXES = ("finding:", "concern:", "order:", "request:")


def run_serve(config_path: Path | None, lang: str | None) -> None:
    from sync.web.board import OwnBoard
    from sync.web.server import serve

    session = open_session(None, config_path, lang, need_config=True)
    assert session.config is not None
    if session.config.web is None:
        raise UserError("no [web] section in config.toml", hint='Add [web] with listen = "127.0.0.1:8765".')
    typer.echo(say("状态页：http://{a}", "status page: http://{a}", session.lang, a=session.config.web.listen))
    serve(session.config, OwnBoard(session.config, session.sources, session.lang), lang=session.lang)


def run_say(verb: str, target: str, until: str | None, note: str, by: str | None, config_path: Path | None,
            lang: str | None) -> None:
    session = open_session(None, config_path, lang, need_config=True)
    cfg, language = session.config, session.lang
    assert cfg is not None
    day = parse_day(until, language) if until else None
    who = by or person_of_os_user(cfg, lambda: directory_from(session.register(), cfg.people))
    with _state(cfg, language) as state:
        subjects = subjects_of(state, target, language)
        now = datetime.now(timezone.utc)
        for subject in subjects:
            record(state, Action(subject, verb, who, now, note, day, origin="cli"))
    for subject in subjects:
        typer.echo(say("已记录：{who} {v} {s}", "recorded: {who} {v} {s}", language, who=who, v=verb, s=subject))


def run_decide(request: str, verdict: str, note: str, by: str | None, config_path: Path | None,
               lang: str | None) -> None:
    if verdict not in ("approve", "reject"):
        raise UserError(f"{verdict!r}: expected approve or reject")
    session = open_session(None, config_path, lang, need_config=True)
    cfg, language = session.config, session.lang
    assert cfg is not None
    people = Recipients.from_register(session.register(), cfg.people, language).directory
    who = by or person_of_os_user(cfg, lambda: people)
    with _state(cfg, language) as state:
        action, queued = decide(state, cfg, people, Action(f"request:{request.removeprefix('request:')}", verdict,
                                                           who, datetime.now(timezone.utc), note, origin="cli"),
                                lang=language)
    typer.echo(say("已记录：{who} {v} {s}；已通知 {n} 人（下一轮发送）", "recorded: {who} {v} {s}; {n} told (sent on the "
                   "next cycle)", language, who=who, v=verdict, s=action.subject, n=queued))


def subjects_of(state: State, target: str, lang: str) -> list[str]:
    """A subject as given, or every open reminder about an order."""
    if target.startswith(PREFIXES):
        return [target]
    key = normalise_key(target)
    try:
        rows = state.db.execute("SELECT DISTINCT kind, subject FROM reminder_episodes WHERE resolved_on IS NULL AND "
                                "(subject = ? OR substr(subject, 1, ?) = ?) ORDER BY kind", (key, len(key) + 1,
                                                                                            key + "/")).fetchall()
    except Exception:   # no reminder ran on this state yet
        rows = []
    if not rows:
        raise UserError(say("订单 {o} 目前没有未解决的提醒", "order {o} has no open reminder", lang, o=target),
                        hint=say("用状态页上事项的名称（如 concern:overdue/{k}），或 ordersync status {o}。",
                                 "Name the item as the status page does (e.g. concern:overdue/{k}), or see "
                                 "`ordersync status {o}`.", lang, k=key, o=target))
    return [concern_subject(r["kind"], r["subject"]) for r in rows]


def person_of_os_user(config: Config, directory: Callable[[], Directory]) -> str:
    """The OS user as a person's name: by name or email local part, in [people], then the people sheet."""
    user = getpass.getuser()
    for name, p in config.people.items():
        if _same(user, name, p.email):
            return name
    try:
        people = directory()
    except UserError:
        return user
    for p in people.people.values():
        if _same(user, p.name, p.email):
            return p.name
    return user


def _same(user: str, name: str, email: str | None) -> bool:
    local = (email or "").split("@")[0]
    return fold_text(user) in (fold_text(name), fold_text(local)) and bool(user)


def _state(cfg: Config, lang: str) -> State:
    path = cfg.resolve(cfg.service.state)
    if not path.exists():
        raise UserError(say("还没有状态文件 {p}：服务尚未运行过", "no state file yet at {p}: the service has not run a cycle",
                            lang, p=path), hint="ordersync run --once")
    return State(path)
