"""``ordersync run``: the daemon, in the foreground; ``--once`` for one cycle (cron-friendly)."""

from __future__ import annotations

from typing import Annotated

import typer

from sync.cli.app import app
from sync.cli.common import Command, ConfigOption, LangOption, mode
from sync.cli.help import both


@app.command(cls=Command, help=both(
    """持续监视工作簿，检查、记录并按时提醒。

    SIGTERM 或 Ctrl-C 会完成当前这一轮后以 0 退出。同一个状态文件上的第二个实例拒绝启动。""",
    """Watch the workbooks, check, remember and notify on schedule.

    SIGTERM or Ctrl-C finishes the current cycle and exits 0. A second instance on
    the same state refuses to start."""))
def run(
    once: Annotated[bool, typer.Option("--once", help=both(
        "只运行一轮然后退出（用于 cron / 计划任务）", "one cycle, then exit (for cron / scheduled tasks)"))] = False,
    config: ConfigOption = None,
    lang: LangOption = None,
) -> None:
    from sync.cli.session import open_session
    from sync.service.daemon import Service, setup_logging

    session = open_session(None, config, lang, need_config=True)
    assert session.config is not None
    setup_logging(session.config, mode().verbose, quiet=mode().quiet)
    service = Service(session.config, session.sources, lang=session.lang)
    if session.config.web is not None and not once:   # the status page, on the daemon's own cycles
        from sync.web.server import beside_daemon

        service.companions.append(beside_daemon)
    raise typer.Exit(service.run(once=once))
