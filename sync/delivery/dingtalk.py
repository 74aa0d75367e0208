"""DingTalk (钉钉) custom robots: markdown with @-mentions, 加签 signing, 20 messages a minute.

Read: open.dingtalk.com 自定义机器人 docs as quoted by apifox.com/apidoc/docs-site/467052/doc-3550006 and
cnblogs.com/huawublog/p/12186923.html (sign = urlencode(base64(HmacSHA256(key=secret,
msg=f"{timestamp}\\n{secret}"))), timestamp in ms within an hour, both in the query), 3fwork.com 机器人发送消息频率限制
(20 a minute per robot, past it throttled for 10 minutes); markdown {title, text} with at.atMobiles /
at.atUserIds, and the mentioned "@mobile" written in the text for the mention to show.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

from sync.delivery.webhook_base import Codes, Limits
from sync.delivery.chattext import cut, fit, id_of, link_label, note_link, mentioned, plain
from sync.delivery.webhook import WebhookChannel
from sync.delivery.message import ChatNote


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The 加签 signature, urlencoded, for the query string."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


class DingtalkChannel(WebhookChannel):
    kind = "dingtalk"
    limits = Limits(((20, 62.0),), pause=600.0, max_bytes=4096)
    #: 130101 send too fast, 660026 the robot's sending is limited; 310000 sign / keyword / IP check failed,
    #: 300001 token does not exist, 400101/400102 robot missing or stopped
    codes = Codes(frozenset({130101, 660026, 410100}), frozenset({310000, 300001, 300005, 400101, 400102}))

    def render(self, note: ChatNote) -> dict[str, Any]:
        link = note_link(self, note)
        mobiles, users = mentioned(note, "mobile"), mentioned(note, "dingtalk_id")
        tail = [f"[{link_label(self.lang)}]({link})"] if link else []
        ats = [*(f"@{m}" for m in mobiles), *(f"@{u}" for u in users),
               *(f"@{m.name}" for m in note.mentions if not id_of(m, "mobile") and not id_of(m, "dingtalk_id"))]
        if ats:
            tail.append(" ".join(ats))
        head = [f"#### {'❗ ' if note.urgent else ''}{plain(note.title)}"]
        text = fit(head, note.lines, tail, note.more, self.limits.max_bytes, sep="\n\n")
        return {"msgtype": "markdown", "markdown": {"title": cut(plain(note.title), 120), "text": text},
                "at": {"atMobiles": mobiles, "atUserIds": users, "isAtAll": False}}

    def signed(self, body: dict[str, Any], now: datetime) -> tuple[str, dict[str, Any]]:
        url = str(self.webhook)
        if not self.secret:
            return url, body
        timestamp = int(now.timestamp() * 1000)
        joiner = "&" if "?" in url else "?"
        return f"{url}{joiner}timestamp={timestamp}&sign={dingtalk_sign(self.secret, timestamp)}", body
