"""The work of ``ordersync digest NAME [--preview]``: render a digest now, to files or to the mail queue."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from sync.cli.common import output_file, setup_logging
from sync.cli.session import open_session
from sync.service.cycle import digest_inputs, enqueue
from sync.errors import UserError
from sync.i18n import check_language, say
from sync.notices.plan import local_now, plan_digest
from sync.state import State
from sync.tables.reading import read_sources


def run_digest(name: str, preview: bool, output: Path | None, to: str | None, config: Path | None,
               lang: str | None, now: str | None, again: bool = False) -> None:
    """Render a digest now; ``preview`` writes HTML and text files and sends nothing.

    A digest sent by hand is one per (name, recipient, day): its dedupe key's slot is ``manual:DAY``, so a
    second run queues nothing; ``again`` makes the slot that instant, a new identity."""
    setup_logging()
    output = output_file(output) if preview else output
    session = open_session(None, config, lang, need_config=True)
    cfg = session.config
    assert cfg is not None
    register, lanes = session.registers()
    # unless asked or configured, speak the register's language (English headers: English)
    language = check_language(session.speaking(read_sources(session.sources, register, others=False)))
    when = local_now(cfg, datetime.fromisoformat(now) if now else None)
    with State(cfg.resolve(cfg.service.state)) as state:
        inputs = digest_inputs(state, cfg, register, now=when, lang=language, lanes=lanes)   # checks once
        slot = f"manual:{when.date().isoformat()}" + (f":{when.isoformat()}" if again else "")
        plan = plan_digest(state, cfg, name, inputs, now=when, lang=language, only=to, slot=slot)
        if not plan.outgoing:
            raise UserError(say("摘要 {n} 没有收件人（人员表中没有对应的邮箱）", "digest {n} has no recipients "
                                "(nobody it names has an email in the people sheet)", language, n=name))
        if preview:
            for path in write_preview(plan.outgoing, output or Path(f"digest-{name}.html")):
                typer.echo(str(path))
            return
        queued = enqueue(state, cfg, plan, now=when)
    if again:
        typer.echo(say("按 --again 再发一次：已加入发送队列 {n} 封", "sent again on purpose (--again): queued {n} mails",
                       language, n=queued))
    elif queued < len(plan.outgoing):
        typer.echo(say("今天已手动发过摘要 {d}（{k} 位收件人不再重发）：已加入发送队列：{n} 封；要再发一次请加 --again",
                       "the digest {d} was already sent by hand today ({k} recipients not sent again): queued {n} "
                       "mails; --again sends another", language, d=name, k=len(plan.outgoing) - queued, n=queued))
    else:
        typer.echo(say("已加入发送队列：{n} 封", "queued {n} mails", language, n=queued))


def write_preview(outgoing: list, first: Path) -> list[Path]:
    """One .html (images inlined as data: URIs, so a browser shows them) and one .txt per mail."""
    import base64

    paths = []
    for i, mail in enumerate(outgoing):
        html_path = first if i == 0 else first.with_name(f"{first.stem}-{i + 1}{first.suffix}")
        html = mail.html or ""
        for cid, png in mail.inline_images.items():
            html = html.replace(f"cid:{cid}", "data:image/png;base64," + base64.b64encode(png).decode())
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(html, encoding="utf-8")
        html_path.with_suffix(".txt").write_text(mail.text, encoding="utf-8")
        paths.append(html_path)
    return paths
