"""``ordersync digest``: the options; the work is in ``sync.cli.digest_now``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sync.cli.app import app
from sync.cli.common import Command, ConfigOption, LangOption
from sync.cli.help import both


@app.command(cls=Command, help=both(
    """立即生成摘要；--preview 只写出 HTML 和文本文件，不发送。

    手动发送的摘要同一天给同一收件人只发一封，再运行一次不会重复；--again 明确再发一封。""",
    """Render a digest now; --preview writes HTML and text files and sends nothing.

    A digest sent by hand goes once per recipient per day: running it twice sends nothing more; --again sends
    another on purpose."""))
def digest(
    name: Annotated[str, typer.Argument(metavar="NAME", help=both(
        "摘要名称，即 config.toml 中 [[digests]] 的 name", "the digest's name in [[digests]] of config.toml"))],
    preview: Annotated[bool, typer.Option("--preview", help=both(
        "把邮件写成文件而不发送", "write the mails to files instead of sending"))] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", help=both(
        "预览文件（默认：digest-NAME.html）", "preview file (default: digest-NAME.html)"))] = None,
    to: Annotated[str | None, typer.Option("--to", metavar="NAME", help=both(
        "只生成给这个收件人（姓名或邮箱）", "only this recipient (a name or email)"))] = None,
    again: Annotated[bool, typer.Option("--again", help=both(
        "今天已手动发过也再发一次（默认同一天同一收件人只发一封）",
        "send another even if it was sent by hand today (by default one per recipient per day)"))] = False,
    config: ConfigOption = None,
    lang: LangOption = None,
    now: Annotated[str | None, typer.Option("--now", hidden=True, help="pretend it is this ISO time")] = None,
) -> None:
    from sync.cli.digest_now import run_digest

    run_digest(name, preview, output, to, config, lang, now, again)
