"""Feishu (飞书) custom bots: an interactive card, its own signature in the body, 5 a second, 100 a minute.

Read: Feishu 自定义机器人使用指南 as quoted by createh5.com/post/277.html and m.down10s.com (signature:
base64(HmacSHA256(key=f"{timestamp}\\n{secret}", msg="")), timestamp in seconds, both in the JSON body),
apifox.com/apidoc/docs-site/532425/doc-1944903 (card lark_md mentions <at id=ou_...></at> or
<at email=...></at>), and openclaw's Feishu rate-limit fix (code 11232: 100 a minute, 5 a second; HTTP 429).
Answers carry ``code`` (or, from older bots, ``StatusCode``); 19021 is a bad signature or timestamp,
19022 an IP not allowed, 19024 a missing keyword. A request body may be at most 20 KB.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from sync.delivery.webhook_base import Codes, Limits
from sync.delivery.chattext import fit, id_of, link_label, note_link, plain, size
from sync.delivery.webhook import WebhookChannel
from sync.delivery.message import ChatNote

#: room kept in the 20 KB for the timestamp and signature added when sending
SIGNATURE_ROOM = 200


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """The signature: HMAC-SHA256 keyed by "timestamp\\nsecret" over an empty message, base64."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode("utf-8"), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class FeishuChannel(WebhookChannel):
    kind = "feishu"
    limits = Limits(((5, 1.2), (100, 62.0)), pause=60.0, max_bytes=20 * 1024)
    #: 9499 / 11232 too many requests; 19021 signature or timestamp, 19022 IP, 19024 keyword, 19001 bad token
    codes = Codes(frozenset({9499, 11232, 11233}), frozenset({19001, 19021, 19022, 19024}))
    code_keys = ("code", "StatusCode")
    message_keys = ("msg", "StatusMessage")

    def render(self, note: ChatNote) -> dict[str, Any]:
        link = note_link(self, note)
        ats = [f"<at id={id_of(m, 'feishu_id')}></at>" if id_of(m, "feishu_id")
               else f"<at email={id_of(m, 'email')}></at>" if id_of(m, "email") else f"@{m.name}" for m in note.mentions]
        tail = [" ".join(ats)] if ats else []
        budget = self.limits.max_bytes - SIGNATURE_ROOM - size(json.dumps(self._card(note, "", link),
                                                                         ensure_ascii=False))
        while True:
            content = fit([], note.lines, tail, note.more, budget)
            body = self._card(note, content, link)
            over = size(json.dumps(body, ensure_ascii=False)) + SIGNATURE_ROOM - self.limits.max_bytes
            if over <= 0 or budget <= 0:
                return body
            budget -= over          # JSON escapes (\n, \") made it longer than the text alone

    def _card(self, note: ChatNote, content: str, link: str | None) -> dict[str, Any]:
        elements: list[dict[str, Any]] = [{"tag": "div", "text": {"tag": "lark_md", "content": content}}]
        if link:
            elements.append({"tag": "action", "actions": [{"tag": "button", "type": "primary", "url": link,
                                                           "text": {"tag": "plain_text",
                                                                    "content": link_label(self.lang)}}]})
        header = {"title": {"tag": "plain_text", "content": plain(note.title)},
                  "template": "red" if note.urgent else "blue"}
        return {"msg_type": "interactive",
                "card": {"config": {"wide_screen_mode": True}, "header": header, "elements": elements}}

    def signed(self, body: dict[str, Any], now: datetime) -> tuple[str, dict[str, Any]]:
        if not self.secret:
            return str(self.webhook), body
        timestamp = int(now.timestamp())
        return str(self.webhook), {"timestamp": str(timestamp), "sign": feishu_sign(self.secret, timestamp), **body}
