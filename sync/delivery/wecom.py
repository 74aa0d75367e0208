"""WeCom (企业微信) group bots: markdown, the key in the webhook URL, 20 messages a minute.

Read: developer.work.weixin.qq.com/document/path/91770 as quoted by docs.zhuonian.xyz/api/wecom-webhook.html
and gort.rayainfo.cn/channel/08-channel-wecom (POST JSON to .../webhook/send?key=KEY; markdown content
≤ 4096 bytes; text ≤ 2048 bytes with mentioned_list / mentioned_mobile_list; markdown mentions as <@userid>;
20 messages a minute per bot, errcode 45009 when exceeded; 93000 an invalid webhook key).

Markdown cannot mention by mobile number: when someone to mention has only a
mobile, the message goes as text, which can (without the bold, with the link
spelled out).
"""

from __future__ import annotations

from typing import Any

from sync.delivery.webhook_base import Codes, Limits
from sync.delivery.chattext import fit, id_of, link_label, note_link, mentioned, plain
from sync.delivery.webhook import WebhookChannel
from sync.delivery.message import ChatNote

TEXT_BYTES = 2048


class WecomChannel(WebhookChannel):
    kind = "wecom"
    limits = Limits(((20, 62.0),), pause=60.0, max_bytes=4096)
    #: 45009 api freq out of limit; 93000 invalid webhook url, 93004 bot disabled, 40001/40014 bad credential,
    #: 40008 counted with them as the lead's issue asks (an invalid message type from a misconfigured bot)
    codes = Codes(frozenset({45009, 45033}), frozenset({93000, 93004, 93008, 40001, 40014, 40008}))

    def render(self, note: ChatNote) -> dict[str, Any]:
        link = note_link(self, note)
        by_mobile = [m for m in note.mentions if not id_of(m, "wecom_id") and id_of(m, "mobile")]
        if by_mobile:
            return self._text(note, link)
        tail = [f"[{link_label(self.lang)}]({link})"] if link else []
        ids = mentioned(note, "wecom_id")
        unknown = [f"@{m.name}" for m in note.mentions if not id_of(m, "wecom_id")]
        if ids or unknown:
            tail.append(" ".join([*(f"<@{i}>" for i in ids), *unknown]))
        colour = "warning" if note.urgent else "info"
        head = [f'<font color="{colour}">**{plain(note.title)}**</font>']
        content = fit(head, note.lines, tail, note.more, self.limits.max_bytes)
        return {"msgtype": "markdown", "markdown": {"content": content}}

    def _text(self, note: ChatNote, link: str | None) -> dict[str, Any]:
        tail = [f"{link_label(self.lang)}: {link}"] if link else []
        content = fit([plain(note.title)], [plain(line) for line in note.lines], tail, note.more, TEXT_BYTES)
        return {"msgtype": "text", "text": {"content": content, "mentioned_list": mentioned(note, "wecom_id"),
                                            "mentioned_mobile_list": mentioned(note, "mobile")}}
