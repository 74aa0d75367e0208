"""A WeCom, DingTalk and Feishu group-bot webhook on 127.0.0.1, as strict as the real ones.

Each platform's answer is written from its documentation, independently of
``sync.delivery.channels``: keys and tokens checked, DingTalk 加签 and Feishu
signatures recomputed and compared, timestamps checked against the server's
clock (within an hour), sizes checked (WeCom markdown 4096 bytes, text 2048;
Feishu body 20 KB), and each bot's rate limit counted in a sliding window
(WeCom and DingTalk 20 a minute, DingTalk then banning for 10 minutes; Feishu
5 a second and 100 a minute), answered with the platform's own codes. The
clock is the test's (``Clock``), so a ten-minute burst takes no time.

Paths: ``/wecom?key=KEY``, ``/dingtalk?access_token=TOKEN[&timestamp&sign]``,
``/feishu/TOKEN``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote_plus, urlparse


class Clock:
    """The one clock of a test: the service's ``now`` and the server's."""

    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> datetime:
        self.moment += timedelta(seconds=seconds)
        return self.moment


@dataclass
class Received:
    platform: str
    bot: str
    body: dict[str, Any]
    at: float


@dataclass
class Bots:
    """What the server knows (bots and secrets) and what it saw."""

    clock: Clock
    wecom_keys: set[str] = field(default_factory=set)
    dingtalk: dict[str, str | None] = field(default_factory=dict)    # access_token -> secret (None: no 加签)
    feishu: dict[str, str | None] = field(default_factory=dict)      # hook token -> secret
    received: list[Received] = field(default_factory=list)           # accepted messages only
    answers: list[tuple[str, int]] = field(default_factory=list)     # (platform, code) of every request
    attempts: dict[str, list[float]] = field(default_factory=dict)   # bot -> request times (for the limits)
    banned_until: dict[str, float] = field(default_factory=dict)
    throttle_next: int = 0                                           # answer "too fast" to the next N requests
    lock: threading.Lock = field(default_factory=threading.Lock)

    def throttled(self) -> int:
        codes = {45009, 130101, 11232}
        return sum(1 for _, code in self.answers if code in codes)

    def texts(self, platform: str | None = None) -> list[str]:
        return [_text_of(r.body) for r in self.received if platform in (None, r.platform)]


def _text_of(body: dict[str, Any]) -> str:
    if "markdown" in body:
        return body["markdown"].get("content") or body["markdown"].get("text", "")
    if "text" in body:
        return body["text"]["content"]
    if "card" in body:
        return json.dumps(body["card"], ensure_ascii=False)
    return json.dumps(body, ensure_ascii=False)


def _over(bots: Bots, bot: str, now: float, windows: tuple[tuple[int, float], ...]) -> bool:
    """Count this request; True when it makes some window hold more than the platform allows."""
    times = bots.attempts.setdefault(bot, [])
    times.append(now)
    return any(sum(1 for t in times if t > now - seconds) > count for count, seconds in windows)


def _forced(bots: Bots) -> bool:
    if bots.throttle_next > 0:
        bots.throttle_next -= 1
        return True
    return False


def wecom(bots: Bots, query: dict[str, str], body: dict[str, Any], now: float) -> dict[str, Any]:
    key = query.get("key", "")
    if key not in bots.wecom_keys:
        return {"errcode": 93000, "errmsg": "invalid webhook url"}
    if _over(bots, f"wecom/{key}", now, ((20, 60.0),)) or _forced(bots):
        return {"errcode": 45009, "errmsg": "api freq out of limit"}
    kind = body.get("msgtype")
    if kind == "markdown" and len(body["markdown"]["content"].encode()) > 4096:
        return {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
    if kind == "text" and len(body["text"]["content"].encode()) > 2048:
        return {"errcode": 40058, "errmsg": "text.content exceed max length 2048"}
    if kind not in ("markdown", "text"):
        return {"errcode": 40008, "errmsg": "invalid message type"}
    bots.received.append(Received("wecom", key, body, now))
    return {"errcode": 0, "errmsg": "ok"}


def dingtalk(bots: Bots, query: dict[str, str], body: dict[str, Any], now: float) -> dict[str, Any]:
    token = query.get("access_token", "")
    if token not in bots.dingtalk:
        return {"errcode": 300001, "errmsg": "token is not exist"}
    secret = bots.dingtalk[token]
    if secret is not None:
        stamp = query.get("timestamp", "")
        if not stamp.isdigit() or abs(int(stamp) / 1000 - now) > 3600:
            return {"errcode": 310000, "errmsg": "sign not match, more: [timestamp is invalid]"}
        mac = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(base64.b64encode(mac).decode(), query.get("sign", "")):
            return {"errcode": 310000, "errmsg": "sign not match"}
    bot = f"dingtalk/{token}"
    if bots.banned_until.get(bot, 0) > now:
        return {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
    if _over(bots, bot, now, ((20, 60.0),)) or _forced(bots):
        bots.banned_until[bot] = now + 600
        return {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
    if body.get("msgtype") != "markdown" or not body["markdown"].get("title"):
        return {"errcode": 40035, "errmsg": "缺少参数 json"}
    bots.received.append(Received("dingtalk", token, body, now))
    return {"errcode": 0, "errmsg": "ok"}


def feishu(bots: Bots, token: str, body: dict[str, Any], size: int, now: float) -> dict[str, Any]:
    if token not in bots.feishu:
        return {"code": 19001, "msg": "param invalid: incoming webhook access token invalid", "data": {}}
    secret = bots.feishu[token]
    if secret is not None:
        stamp = str(body.get("timestamp", ""))
        mac = hmac.new(f"{stamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
        if (not stamp.isdigit() or abs(int(stamp) - now) > 3600
                or not hmac.compare_digest(base64.b64encode(mac).decode(), str(body.get("sign", "")))):
            return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
    if size > 20 * 1024:
        return {"code": 9499, "msg": "request body too large"}
    if _over(bots, f"feishu/{token}", now, ((5, 1.0), (100, 60.0))) or _forced(bots):
        return {"code": 11232, "msg": "frequency limited"}
    bots.received.append(Received("feishu", token, body, now))
    return {"code": 0, "msg": "success", "data": {}}


class Handler(BaseHTTPRequestHandler):
    bots: Bots

    def do_POST(self) -> None:   # noqa: N802 - http.server's name
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlparse(self.path)
        # parse_qs would turn the '+' of a base64 signature into a space: undo the urlencoding by hand
        query = {k: unquote_plus(v) for k, v in (p.split("=", 1) for p in url.query.split("&") if "=" in p)}
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            return self._answer({"errcode": 40035, "errmsg": "invalid json"})
        bots = self.bots
        with bots.lock:
            now = bots.clock.now().timestamp()
            if url.path == "/wecom":
                answer = wecom(bots, query, body, now)
            elif url.path == "/dingtalk":
                answer = dingtalk(bots, query, body, now)
            elif url.path.startswith("/feishu/"):
                answer = feishu(bots, url.path.rsplit("/", 1)[1], body, len(raw), now)
            else:
                self.send_error(404)
                return
            bots.answers.append((url.path.split("/")[1], answer.get("errcode", answer.get("code"))))
        self._answer(answer)

    def _answer(self, answer: dict[str, Any]) -> None:
        data = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        return None


class ChatbotServer:
    def __init__(self, bots: Bots) -> None:
        handler = type("BoundHandler", (Handler,), {"bots": bots})
        self.bots = bots
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> ChatbotServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
