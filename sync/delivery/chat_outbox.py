"""The outbox channel: each group message as a markdown file, so a new user sees what a group would get.

Like the mail outbox, nothing leaves the machine. The file name comes from the
message itself (its title and the hash of its notice), so delivering it again
after a crash overwrites the same file; it is written to a temporary name and
moved into place, so a reader never sees half a file. The text is the markdown
a WeCom group would show, with the @-mentions spelled out.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from sync.delivery.webhook_base import ChannelUnavailable, Limits, fingerprint_of
from sync.delivery.chattext import fit, id_of, link_label, note_link, plain
from sync.config import WebConfig
from sync.delivery.message import ChatNote

_SLUG = re.compile(r"[^\w]+", re.UNICODE)


class OutboxChannel:
    kind = "outbox"
    limits = Limits((), pause=0.0, max_bytes=4096)

    def __init__(self, name: str, folder: str | Path, *, link: str | None = None, lang: str = "zh") -> None:
        self.name, self.folder, self.link, self.lang = name, Path(folder), link, lang
        self.web: WebConfig | None = None   # set by make_channel: page links signed for the person

    def fingerprint(self) -> str:
        return fingerprint_of(str(self.folder))

    def render(self, note: ChatNote) -> dict[str, Any]:
        link = note_link(self, note)
        tail = [f"[{link_label(self.lang)}]({link})"] if link else []
        if note.mentions:
            tail.append(" ".join(_mention(m) for m in note.mentions))
        text = fit([f"**{plain(note.title)}**"], note.lines, tail, note.more, self.limits.max_bytes)
        ident = hashlib.sha256(note.key.encode("utf-8")).hexdigest()[:8]
        return {"msgtype": "markdown", "id": ident, "title": plain(note.title), "text": text}

    def send(self, body: dict[str, Any], now: datetime) -> None:
        slug = _SLUG.sub("-", str(body.get("title", ""))).strip("-_")[:40].strip("-_") or "message"
        path = self.folder / f"{slug}-{body.get('id', 'x')}.md"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(str(body.get("text", "")) + "\n", encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            raise ChannelUnavailable(f"[[channels]] {self.name}: cannot write {path}: {exc.strerror or exc}",
                                     hint="Check the channel's folder and its permissions.") from exc


def _mention(m: Any) -> str:
    ids = [i for i in (id_of(m, a) for a in ("mobile", "wecom_id", "dingtalk_id", "feishu_id")) if i]
    return f"@{m.name}" + (f" ({ids[0]})" if ids else "")
