"""``ordersync queue``: the options; the work is in ``sync.cli.queue_view``."""

from __future__ import annotations

from typing import Annotated

import typer

from sync.cli.app import app
from sync.cli.common import Command, ConfigOption, FormatOption, LangOption
from sync.cli.help import both


@app.command(cls=Command, help=both(
    """邮件队列：等待、暂扣、失败的邮件，发给谁、是什么、为什么、从何时起；--retry 重新排队。

    --retry 不带编号时，所有失败和等待中的邮件立即重试；带编号时只重试这些。退出码：0 队列中没有失败或暂扣的邮件，1 有。""",
    """The mail queue: what waits, is held or failed, to whom, what, why and since when; --retry re-queues.

    --retry without IDs retries every failed and waiting message now; with IDs, only those. Exit status: 0 nothing
    failed or held, 1 some message failed or is held."""))
def queue(
    ids: Annotated[list[int] | None, typer.Argument(metavar="[ID]...", show_default=False, help=both(
        "要重试的邮件编号（见列表第一列）", "the messages to retry (the list's first column)"))] = None,
    retry: Annotated[bool, typer.Option("--retry", help=both(
        "把失败的邮件放回队列，等待中的立即发送", "put failed messages back in the queue, send waiting ones now"))] = False,
    show_all: Annotated[bool, typer.Option("--all", help=both(
        "也列出已发送的（最近 100 封）", "list sent messages too (the latest 100)"))] = False,
    format: FormatOption = "table",
    config: ConfigOption = None,
    lang: LangOption = None,
) -> None:
    from sync.cli.queue_view import run_queue

    raise typer.Exit(run_queue(ids or [], retry, show_all, format, config, lang))
