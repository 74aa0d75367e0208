"""Links to the status page: signed, expiring, one person's, so a phone opens them without a password.

A token says who it is for and until when, signed with HMAC-SHA256 under the
secret in ``[web] secret_env``: ``base64url(person \\0 expires) . base64url(mac)``.
It is checked in constant time; an altered, expired or foreign-secret token is
refused. A link carries the token of the person it was sent to, so it acts as
that person and nobody else. Without ``[web] base_url`` or without the secret
there are no page links (notices then link to the register itself).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlencode

from sync.calendar import pinned_now
from sync.config import WebConfig

#: the smallest secret accepted: a short one could be guessed offline from any link
MIN_SECRET = 16


class BadToken(ValueError):
    """The token is malformed, altered, signed with another secret, or expired."""


@dataclass(frozen=True)
class Grant:
    person: str
    expires: datetime


def web_secret(web: WebConfig | None) -> bytes | None:
    """The signing secret from the environment, or None when links are not configured."""
    if web is None:
        return None
    value = os.environ.get(web.secret_env, "")
    return value.encode() if len(value) >= MIN_SECRET else None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, b"ordersync-link\0" + body, hashlib.sha256).digest()


def make_token(secret: bytes, person: str, expires: datetime) -> str:
    body = person.encode() + b"\0" + str(int(expires.timestamp())).encode()
    return f"{_b64(body)}.{_b64(_mac(secret, body))}"


def _now() -> datetime:
    """The one clock (``$ORDERSYNC_NOW`` pins it): a link made in a pinned run opens in a pinned page."""
    return pinned_now(timezone.utc) or datetime.now(timezone.utc)


def read_token(secret: bytes, token: str, now: datetime | None = None) -> Grant:
    """Who the token is for; raise BadToken when it cannot be trusted or has expired."""
    try:
        body_text, mac_text = token.split(".")
        body, mac = _unb64(body_text), _unb64(mac_text)
        person_raw, expires_raw = body.rsplit(b"\0", 1)
        person, expires = person_raw.decode(), datetime.fromtimestamp(int(expires_raw), timezone.utc)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadToken("malformed") from exc
    if not hmac.compare_digest(mac, _mac(secret, body)):
        raise BadToken("signature")
    if (now or _now()) >= expires:
        raise BadToken("expired")
    return Grant(person, expires)


def page_link(web: WebConfig | None, person: str, path: str, now: datetime | None = None,
              **query: str) -> str | None:
    """The page at ``path`` (e.g. ``/order/A-1``) for ``person``, or None when there is no page to link to."""
    secret = web_secret(web)
    if secret is None or web is None or not web.base_url or not person:
        return None
    expires = (now or _now()) + timedelta(days=web.link_days)
    params = urlencode({**query, "t": make_token(secret, person, expires)})
    return f"{web.base_url.rstrip('/')}{quote(path, safe='/')}?{params}"
