"""``doctor``'s Google checks: the network path (the proxy), the credentials, Drive and the Sheets API, per sheet.

Each Google source is asked what a poll asks (Drive's files.get, then the Sheets
metadata), so every problem a poll would meet shows here first, with its hint:
no credentials, no route to Google (Google is not reachable from mainland China
without a proxy: the line says which proxy was used), not shared, a scope or a
Workspace policy, an API not enabled, the quota.
"""

from __future__ import annotations

import os

from rich.console import Console
from rich.markup import escape

from sync.errors import SourceError
from sync.i18n import say
from sync.sources.base import Source


def check_google(sources: list[Source], lang: str, console: Console, chatty: bool = True) -> bool:
    """Check every Google source; True when all of them can be read."""
    ok = True
    for source in sources:
        if source.kind == "gsheets":
            ok = _check_one(source, lang, console, chatty) and ok
    return ok


def _path(lang: str) -> str:
    proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy")
    return say("经代理 {p}", "through the proxy {p}", lang, p=proxy) if proxy else \
        say("直连（未设置 HTTPS_PROXY）", "direct (HTTPS_PROXY not set)", lang)


def _check_one(source: Source, lang: str, console: Console, chatty: bool) -> bool:
    name = escape(source.name)
    try:
        source.fingerprint()                 # Drive: credentials, the route, sharing, the Drive API
        tabs = source.sheets()               # the Sheets API (or the download of an Excel file in Drive)
    except SourceError as exc:
        console.print(f"[red]✗[/] Google {name}: {escape(exc.reason)} ({_path(lang)})", highlight=False,
                      soft_wrap=True)
        if exc.hint:
            console.print(f"   {escape(exc.hint)}", highlight=False, soft_wrap=True)
        return False
    if chatty:
        kind = say("Drive 中的 Excel 文件", "an Excel file kept in Drive", lang) if getattr(
            source, "uploaded_excel", False) else say("Google 表格", "a Google Sheet", lang)
        who = getattr(source, "account_email", None) or "?"
        console.print(say("[green]✓[/] Google {n}：{kind}，{t} 个工作表，已共享给 {who}，{path}",
                          "[green]✓[/] Google {n}: {kind} with {t} tab(s), shared with {who}, {path}", lang,
                          n=name, kind=kind, t=len(tabs), who=escape(who), path=_path(lang)),
                      highlight=False, soft_wrap=True)
    return True
