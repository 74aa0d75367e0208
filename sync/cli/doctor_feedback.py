"""``ordersync doctor``'s check of [feedback]: a Google spreadsheet's ``ordersync`` tab needs Editor rights.

One Drive request per spreadsheet (``capabilities.canEdit``). A Viewer-only
account keeps working as before with the tab off; doctor says so, and how to fix it.
"""

from __future__ import annotations

from sync.config import Config
from sync.errors import SourceError
from sync.i18n import say
from sync.sources.base import Source


def feedback_problems(config: Config | None, sources: list[Source], lang: str) -> list[list[str]]:
    """One problem (a line and its fix) per spreadsheet whose tab cannot be written."""
    if config is None or config.feedback is None:
        return []
    from sync.notices.feedback_sheets import SheetsTab

    out = []
    for source in sources:
        settings = config.feedback.for_source(source.name, source.group)
        if source.kind != "gsheets" or not settings.sheets_tab:
            continue
        who = getattr(source, "account_email", None) or say("服务账号", "the service account", lang)
        try:
            editable = SheetsTab(source, lang=lang).can_edit()  # type: ignore[arg-type]
        except SourceError as exc:
            out.append([say("{s}：无法确认 ordersync 标签页的写入权限（{e}）", "{s}: cannot tell whether the "
                            "ordersync tab can be written ({e})", lang, s=source.name, e=exc)])
            continue
        if not editable:
            out.append([say("{s}：{who} 只有查看权限，ordersync 标签页需要编辑者权限（现已关闭，其余照常）",
                            "{s}: {who} can only view; the ordersync tab needs Editor rights (it is off, "
                            "everything else works)", lang, s=source.name, who=who),
                        say("在 Google 表格中点「共享」，把 {who} 设为编辑者；或在 [feedback] 中设 sheets_tab = false",
                            "In Google Sheets press Share and make {who} an Editor; or set [feedback] "
                            "sheets_tab = false", lang, who=who)])
    return out
