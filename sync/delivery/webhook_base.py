"""The channel contract: put a note in a platform's format, post it, and read the answer honestly.

Every platform answers HTTP 200 and says in the body whether it took the
message (``errcode`` / ``code`` 0) or why not. ``answer_error`` turns an
answer into one of four errors, by the platform's own code table:

- ``Throttled``: too fast; the channel pauses (``Limits.pause``) and the message waits, uncounted;
- ``ChannelSetupError``: bad key, signature, IP list or keyword: somebody must fix config.toml or the
  bot's settings; the channel is held (every message waits) and ``status --service`` and ``doctor`` say why;
- ``ChannelUnavailable``: no answer, a 5xx, a body that is not JSON: tried again with backoff;
- ``ChannelRejected``: the platform refused this message for good (its content): kept as 'failed'.

urllib and socket errors are translated here, chained ``from exc``.
"""

from __future__ import annotations

import hashlib
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sync.delivery.errors import DeliveryError
from sync.delivery.message import ChatNote


class ChannelError(DeliveryError):
    """A group message could not be handed over."""


class Throttled(ChannelError):
    """The platform's rate limit answered: the message waits for the channel's pause, nothing is lost."""

    hint = "The bot was sending too fast; its messages wait and go once the platform lets them."


class ChannelSetupError(ChannelError):
    """The platform refused the bot itself (key, signature, IP, keyword): every message waits."""

    slow = True
    hint = ("Fix this [[channels]] entry in config.toml (webhook, webhook_env, secret_env) or the bot's security "
            "settings; its messages wait in the queue meanwhile. `ordersync doctor --send-test` tries it.")


class ChannelUnavailable(ChannelError):
    """No answer, a server error, an answer that is not one: tried again with backoff."""

    hint = "The platform could not be reached; messages stay queued and are retried with backoff."


class ChannelRejected(ChannelError):
    """This message was refused for good (too long, a bad field): kept in the queue as failed."""

    retryable = False
    hint = "The platform refused this message; it is kept in the queue as failed (`ordersync queue --retry`)."


@dataclass(frozen=True)
class Limits:
    """What a bot may send: at most ``count`` messages in any ``seconds`` window, for every window.

    The windows are a little longer than the platform's (62 s for its minute), so our
    clock and the platform's may differ by a second without a message too many.
    """

    windows: tuple[tuple[int, float], ...]
    pause: float                      # seconds to wait after a throttle answer (DingTalk bans for 10 minutes)
    max_bytes: int                    # the message text (or, Feishu, the whole body) in UTF-8 bytes


@dataclass(frozen=True)
class Codes:
    """A platform's answer codes, by what they mean for us."""

    throttled: frozenset[int]
    setup: frozenset[int]


class Channel(Protocol):
    kind: str
    name: str
    limits: Limits

    def render(self, note: ChatNote) -> dict[str, Any]:
        """The message body, unsigned, within the platform's size limits."""

    def send(self, body: dict[str, Any], now: datetime) -> None:
        """Sign (as of ``now``) and post; return once the platform took it, else raise a ChannelError."""

    def fingerprint(self) -> str:
        """A hash of what the platform checks (webhook, secret): a hold lifts when it changes."""


def fingerprint_of(*parts: str | None) -> str:
    return hashlib.sha256("\0".join(p or "" for p in parts).encode()).hexdigest()[:16]


def post_json(url: str, body: dict[str, Any], timeout: float, where: str) -> dict[str, Any]:
    """POST ``body`` as UTF-8 JSON; the answer's JSON. Transport trouble is ``ChannelUnavailable``."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:   # noqa: S310 - the configured webhook
            raw = reply.read()
    except urllib.error.HTTPError as exc:
        return _http_error(exc, where)
    except (urllib.error.URLError, socket.timeout, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ChannelUnavailable(f"{where}: no answer ({reason})") from exc
    return _json(raw, where)


def _http_error(exc: urllib.error.HTTPError, where: str) -> dict[str, Any]:
    """A 4xx with a JSON body is an answer like any other (Feishu says 'too fast' with a 400); else retry."""
    if exc.code == 429:
        raise Throttled(f"{where}: HTTP 429 too many requests") from exc
    try:
        raw = exc.read()
    except OSError:
        raw = b""
    if 400 <= exc.code < 500:
        try:
            return _json(raw, where)
        except ChannelUnavailable:
            if exc.code in (401, 403, 404):
                raise ChannelSetupError(f"{where}: HTTP {exc.code}: the webhook address is not a bot's") from exc
    raise ChannelUnavailable(f"{where}: HTTP {exc.code} {exc.reason}") from exc


def _json(raw: bytes, where: str) -> dict[str, Any]:
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ChannelUnavailable(f"{where}: the answer is not JSON: {raw[:80]!r}") from exc
    if not isinstance(answer, dict):
        raise ChannelUnavailable(f"{where}: unexpected answer {raw[:80]!r}")
    return answer


def answer_error(code: int, message: str, codes: Codes, where: str) -> ChannelError | None:
    """What a non-zero answer means; None for 0 (taken)."""
    if code == 0:
        return None
    text = f"{where}: {code} {message}".strip()
    if code in codes.throttled:
        return Throttled(text)
    if code in codes.setup:
        return ChannelSetupError(text)
    return ChannelRejected(text)
