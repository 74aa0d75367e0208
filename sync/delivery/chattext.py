"""Fitting a note into a platform's bytes: as many lines as fit, then a line saying there is more.

Sizes are UTF-8 bytes, as the platforms count them (a Chinese character is 3).
A line longer than the whole budget is cut at a character boundary. The head
(title) and the tail (link, mentions) always stay: a message without its
@-mention or its link would be worse than a shorter one.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from sync.delivery.message import ChatNote, Mention
from sync.i18n import say
from sync.links import page_link

_ID = re.compile(r"^[A-Za-z0-9][\w.@+-]{0,99}$")
_MOBILE = re.compile(r"^\+?\d[\d-]{4,19}$")


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def cut(text: str, budget: int) -> str:
    """``text`` shortened to ``budget`` bytes, with '…' when cut, never half a character."""
    if size(text) <= budget:
        return text
    data = text.encode("utf-8")[: max(0, budget - 3)]
    return data.decode("utf-8", "ignore") + "…"


def fit(head: list[str], lines: list[str], tail: list[str], more: str, budget: int, sep: str = "\n") -> str:
    """head + the lines that fit + ``more`` (only when some were left out) + tail, in ``budget`` bytes."""
    whole = sep.join([*head, *lines, *tail])
    if size(whole) <= budget:
        return whole
    used = size(sep.join([*head, more, *tail]))       # what the message costs with no line at all
    step = size(sep)
    kept: list[str] = []
    for line in lines:
        if used + size(line) + step > budget:
            break
        kept.append(line)
        used += size(line) + step
    if not kept and lines and budget - used - step > 3:    # not even the first line fits: what of it does
        kept.append(cut(lines[0], budget - used - step))
    return sep.join([*head, *kept, more, *tail])


def note_link(channel: object, note: ChatNote) -> str | None:
    """Where a message links: the status page as the first person it mentions (their signed link, so a
    tap on the phone opens it without a password), else the plain address under the channel's link."""
    web = getattr(channel, "web", None)
    who = next((m.name for m in note.mentions if m.name), None)
    if web is not None and who:
        signed = page_link(web, who, note.path or "/")
        if signed:
            return signed
    return link_to(getattr(channel, "link", None), note.path)


def link_to(base: str | None, path: str) -> str | None:
    """The status page address of ``path`` (``/order/SO-1``), or None without a base."""
    if not base:
        return None
    return base.rstrip("/") + quote(path or "/", safe="/?=&")


def link_label(lang: str) -> str:
    return say("查看详情", "Open the report", lang)


def plain(text: str) -> str:
    """Markdown's bold markers gone: for text messages and plain titles."""
    return text.replace("**", "")


def mentioned(note: ChatNote, attr: str) -> list[str]:
    """The ids (``mobile``, ``wecom_id`` ...) of the people the note mentions, once each, in order."""
    seen: dict[str, None] = {}
    for m in note.mentions:
        value = id_of(m, attr)
        if value:
            seen.setdefault(value, None)
    return list(seen)


def id_of(m: Mention, attr: str) -> str | None:
    """``m``'s id for a platform, if it looks like one: a cell saying "all" or "@all" (which would
    mention the whole group) or carrying markup is no id."""
    value = "".join(str(getattr(m, attr) or "").split())
    pattern = _MOBILE if attr == "mobile" else _ID
    if not pattern.match(value) or value.lstrip("@").casefold() == "all":
        return None
    return value


def names(mentions: list[Mention]) -> str:
    return " ".join(f"@{m.name}" for m in mentions)
