"""The work of ``ordersync queue [--retry [ID...]]``: the mail queue as a person reads it, and re-queueing.

It lists what has not gone (pending, being sent, held for a bad address,
failed) with who it is for, its subject, why it waits and since when, in the
service's timezone; ``--retry`` puts failed messages back and makes waiting
ones due now, so the running service (or the next ``run --once``) sends them.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape

from sync.cli.common import EXIT_FINDINGS, EXIT_OK
from sync.cli.session import open_session
from sync.delivery.queue import FAILED, HELD, PENDING, SENDING, SENT, MailQueue, QueueEntry
from sync.errors import UserError
from sync.i18n import say
from sync.state import State

console = Console(highlight=False)
WAITING = (PENDING, SENDING, HELD, FAILED)


def run_queue(ids: list[int], retry: bool, show_all: bool, fmt: str, config: Path | None,
              lang: str | None) -> int:
    if fmt not in ("table", "json"):
        raise UserError(f"--format {fmt!r}: expected table or json")
    if ids and not retry:
        raise UserError(say("给出编号时请加 --retry", "IDs are for --retry: ordersync queue --retry ID...", lang or "zh"))
    session = open_session(None, config, lang, need_config=True)
    cfg, language = session.config, session.lang
    assert cfg is not None
    path = cfg.resolve(cfg.service.state)
    if not path.exists():
        raise UserError(say("还没有状态文件 {p}：服务尚未运行过", "no state file yet at {p}: the service has not run",
                            language, p=path), hint="ordersync run --once")
    with State(path) as state:
        queue = MailQueue(state, cfg.mail.sender)
        if retry:
            return _retry(queue, ids, language)
        entries = queue.entries(None if show_all else WAITING, limit=100 if show_all else 1000)
    if fmt == "json":
        print(json.dumps({"messages": [asdict(e) for e in entries]}, ensure_ascii=False, indent=2))
    else:
        _table(entries, _zone(cfg.service.timezone), language)
    return EXIT_FINDINGS if any(e.status in (FAILED, HELD) for e in entries) else EXIT_OK


def _retry(queue: MailQueue, ids: list[int], lang: str) -> int:
    known = {e.id: e for e in queue.entries(WAITING, limit=100_000)}
    unknown = [i for i in ids if i not in known or known[i].status not in (FAILED, PENDING)]
    if unknown:
        raise UserError(say("没有可重试的邮件编号 {ids}（只有失败和等待中的可以）",
                            "no failed or waiting message with ID {ids}", lang, ids=", ".join(map(str, unknown))),
                        hint="`ordersync queue` lists them with their IDs.")
    count = queue.retry(ids or None)
    console.print(say("已重新排队 {n} 封：运行中的服务（或下一次 run --once）会发送",
                      "re-queued {n}: the running service (or the next run --once) sends them", lang, n=count))
    return EXIT_OK


def _table(entries: list[QueueEntry], tz: ZoneInfo, lang: str) -> None:
    """One block per message (a table folds addresses and reasons past reading on a terminal)."""
    if not entries:
        console.print(say("队列是空的：没有等待或失败的邮件", "the queue is empty: nothing waits or failed", lang))
        return
    for e in entries:
        head = say("#{id} {s} · 给 {to} · 排队于 {t}", "#{id} {s} · to {to} · since {t}", lang, id=e.id,
                   s=_status(e.status, lang), to=", ".join(e.recipients), t=_local(e.queued_at, tz))
        if e.status == PENDING:
            head += say(" · 下次尝试 {t}", " · next try {t}", lang, t=_local(e.next_attempt, tz))
        console.print(escape(head), soft_wrap=True)
        console.print(f"   {escape(e.subject)}", soft_wrap=True)
        if e.last_error:
            console.print("   " + escape(say("原因：{w}", "why: {w}", lang, w=e.last_error)), soft_wrap=True)
    counts = {s: sum(1 for e in entries if e.status == s) for s in WAITING}
    console.print(say("等待 {p}，发送中 {s}，暂扣 {h}，失败 {f}", "{p} waiting, {s} sending, {h} held, {f} failed", lang,
                      p=counts[PENDING], s=counts[SENDING], h=counts[HELD], f=counts[FAILED]))
    if counts[FAILED]:
        console.print(say("重新发送：ordersync queue --retry 编号", "to send again: ordersync queue --retry ID", lang))


def _status(status: str, lang: str) -> str:
    words = {PENDING: ("等待", "waiting"), SENDING: ("发送中", "sending"), HELD: ("暂扣", "held"),
             FAILED: ("失败", "failed"), SENT: ("已发送", "sent")}
    zh, en = words.get(status, (status, status))
    return say(zh, en, lang)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")


def _local(stamp: str | None, tz: ZoneInfo) -> str:
    if not stamp:
        return "-"
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
