"""The status page and people's actions: ``serve``, ``ack``, ``snooze``, ``decide`` (the options;
the work is in ``sync.cli.actions_view`` and ``sync.web``)."""

from __future__ import annotations

from typing import Annotated

import typer

from sync.cli.app import app
from sync.cli.common import Command, ConfigOption, LangOption
from sync.cli.help import both

SubjectArg = Annotated[str, typer.Argument(metavar="SUBJECT|ORDER", help=both(
    "订单号（它的所有提醒），或状态页上显示的事项，如 concern:overdue/SO-2611-017",
    "an order number (all its reminders), or an item as the status page names it, e.g. concern:overdue/SO-2611-017"))]
NoteOption = Annotated[str, typer.Option("--note", "-m", metavar="TEXT", help=both("备注", "a note"))]
ByOption = Annotated[str | None, typer.Option("--by", metavar="NAME", help=both(
    "谁做的决定（默认：当前系统用户，按人员表的姓名或邮箱 @ 前的部分对应到人）",
    "who says so (default: the OS user, matched to a person by name or by the part of their email before @)"))]


@app.command(cls=Command, help=both("启动状态页（网页）。", "Serve the status page."))
def serve(config: ConfigOption = None, lang: LangOption = None) -> None:
    from sync.cli.actions_view import run_serve

    run_serve(config, lang)


@app.command(cls=Command, help=both("确认收到（已知晓）或已处理一个提醒或异常：不再升级；--done 则不再提醒。",
                                    "Acknowledge a reminder or finding: no more escalation; --done: no more reminders."))
def ack(
    subject: SubjectArg,
    done: Annotated[bool, typer.Option("--done", help=both("已处理（不再提醒）", "handled (no more reminders)"))] = False,
    note: NoteOption = "",
    by: ByOption = None,
    config: ConfigOption = None,
    lang: LangOption = None,
) -> None:
    from sync.cli.actions_view import run_say

    run_say("done" if done else "ack", subject, None, note, by, config, lang)


@app.command(cls=Command, help=both("暂缓一个提醒到某天：之前不再提醒。", "Snooze a reminder: quiet until the date."))
def snooze(
    subject: SubjectArg,
    until: Annotated[str, typer.Option("--until", metavar="DATE", help=both(
        "到哪天为止，如 2026-12-31", "until this day, e.g. 2026-12-31"))],
    note: NoteOption = "",
    by: ByOption = None,
    config: ConfigOption = None,
    lang: LangOption = None,
) -> None:
    from sync.cli.actions_view import run_say

    run_say("snooze", subject, until, note, by, config, lang)


@app.command(cls=Command, help=both("确认或驳回一个客户变更请求，并通知相关部门。",
                                    "Approve or reject a change request; the departments concerned are told."))
def decide(
    request: Annotated[str, typer.Argument(metavar="REQUEST", help=both(
        "变更请求编号（ordersync history 订单号 可见）", "the request's number (see `ordersync history ORDER_NO`)"))],
    verdict: Annotated[str, typer.Argument(metavar="approve|reject", help=both("确认或驳回", "approve or reject"))],
    note: NoteOption = "",
    by: ByOption = None,
    config: ConfigOption = None,
    lang: LangOption = None,
) -> None:
    from sync.cli.actions_view import run_decide

    run_decide(request, verdict, note, by, config, lang)
