"""``ordersync run``: the daemon, in the foreground; ``--once`` for one cycle (cron-friendly)."""

from __future__ import annotations

from typing import Annotated

import typer

from sync.cli.app import app
from sync.cli.common import ConfigOption, LangOption, VerboseOption, open_session, user_errors
from sync.service.daemon import Service, setup_logging


@app.command()
@user_errors
def run(
    once: Annotated[bool, typer.Option("--once", help="one cycle, then exit (for cron / scheduled tasks)")] = False,
    config: ConfigOption = None,
    lang: LangOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Watch the workbooks, check, remember and notify on schedule. 持续监视、检查、记录并按时提醒。

    SIGTERM or Ctrl-C finishes the current cycle and exits 0. A second instance on
    the same state refuses to start.
    """
    session = open_session(None, config, lang, need_config=True)
    assert session.config is not None
    setup_logging(session.config, verbose)
    service = Service(session.config, session.sources, lang=session.lang)
    raise typer.Exit(service.run(once=once))
