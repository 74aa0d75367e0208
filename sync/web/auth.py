"""Who is looking at a page, and whether a form really came from that page.

Two ways in, nothing else: the signed link of one person (``sync.links``; its
``t`` parameter is turned into a session cookie for that person and taken off
the address), or a manager's login (a name listed in ``[web] managers`` and
the password from ``[web] password_env``). Cookies are signed with keys
derived from the link secret, one per use, so a link token is never a manager
session and neither is a CSRF token. Every POST carries a CSRF token bound to
the browser (a random nonce cookie) and to the person: a form made for one
person or one browser is refused in another. Actions are recorded as the
session's person, never as a name the form sends.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sync.config import WebConfig
from sync.links import BadToken, make_token, read_token, web_secret

SESSION, MANAGER, NONCE, LANG = "os_session", "os_manager", "os_nonce", "os_lang"
#: how long a manager stays logged in
MANAGER_HOURS = 12


@dataclass(frozen=True)
class Viewer:
    person: str | None = None     # from a link: the person it was sent to
    manager: str | None = None    # logged in as a manager

    @property
    def name(self) -> str | None:
        """Who acts: the link's person, else the manager."""
        return self.person or self.manager

    @property
    def known(self) -> bool:
        return self.name is not None


class Keys:
    """The link secret and the keys derived from it."""

    def __init__(self, web: WebConfig) -> None:
        secret = web_secret(web)
        if secret is None:
            raise ValueError(web.secret_env)
        self.web = web
        self.link = secret
        self.session = _derive(secret, b"session")
        self.manager = _derive(secret, b"manager")
        self.csrf = _derive(secret, b"csrf")

    def person_from_link(self, token: str) -> tuple[str, datetime]:
        """The link's person and expiry; BadToken when altered, foreign or expired."""
        grant = read_token(self.link, token)
        return grant.person, grant.expires

    def session_cookie(self, person: str, expires: datetime) -> str:
        return make_token(self.session, person, expires)

    def manager_cookie(self, name: str, now: datetime | None = None) -> tuple[str, datetime]:
        expires = (now or datetime.now(timezone.utc)) + timedelta(hours=MANAGER_HOURS)
        return make_token(self.manager, name, expires), expires

    def viewer(self, cookies: dict[str, str]) -> Viewer:
        return Viewer(_read(self.session, cookies.get(SESSION)), self._manager(cookies.get(MANAGER)))

    def _manager(self, cookie: str | None) -> str | None:
        name = _read(self.manager, cookie)
        return name if name is not None and name in self.web.managers else None   # removed from the list: out

    def csrf_token(self, nonce: str, viewer: Viewer) -> str:
        body = f"{nonce}\0{viewer.person or ''}\0{viewer.manager or ''}".encode()
        return hmac.new(self.csrf, body, hashlib.sha256).hexdigest()

    def csrf_ok(self, nonce: str | None, viewer: Viewer, sent: str | None) -> bool:
        if not nonce or not sent:
            return False
        return hmac.compare_digest(self.csrf_token(nonce, viewer), sent)

    def password_ok(self, name: str, password: str) -> bool:
        """A manager's login: a listed name and the shared password from the environment."""
        expected = os.environ.get(self.web.password_env, "")
        if not expected or name not in self.web.managers:
            return False
        return hmac.compare_digest(expected.encode(), password.encode())

    @property
    def login_possible(self) -> bool:
        return bool(self.web.managers and os.environ.get(self.web.password_env))


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def _derive(secret: bytes, label: bytes) -> bytes:
    return hmac.new(secret, b"ordersync-web\0" + label, hashlib.sha256).digest()


def _read(key: bytes, cookie: str | None) -> str | None:
    if not cookie:
        return None
    try:
        return read_token(key, cookie).person
    except BadToken:
        return None
