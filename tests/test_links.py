"""Signed page links: one person's, expiring, refused when altered or signed with another secret."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import pytest

from sync.config import WebConfig
from sync.links import BadToken, make_token, page_link, read_token

SECRET = b"s3cret-s3cret-s3cret"
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


def test_a_token_says_who_it_is_for_until_it_expires():
    token = make_token(SECRET, "王芳", NOW + timedelta(days=14))
    assert read_token(SECRET, token, NOW).person == "王芳"
    with pytest.raises(BadToken, match="expired"):
        read_token(SECRET, token, NOW + timedelta(days=14))


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),                 # the signature altered
    lambda t: make_token(SECRET, "王芳", NOW).split(".")[0] + "." + t.split(".")[1],  # another body, same mac
    lambda t: make_token(b"another-secret-of-16", "王芳", NOW + timedelta(days=1)),    # another secret
    lambda t: "garbage",
])
def test_an_altered_or_foreign_token_is_refused(tamper):
    token = make_token(SECRET, "王芳", NOW + timedelta(days=1))
    with pytest.raises(BadToken):
        read_token(SECRET, tamper(token), NOW)


def test_page_links_need_a_base_url_and_a_secret(monkeypatch):
    web = WebConfig(base_url="http://10.0.0.5:8765/")
    monkeypatch.delenv(web.secret_env, raising=False)
    assert page_link(web, "王芳", "/order/A-1", NOW) is None
    monkeypatch.setenv(web.secret_env, "short")
    assert page_link(web, "王芳", "/order/A-1", NOW) is None          # too short to be safe
    monkeypatch.setenv(web.secret_env, SECRET.decode())
    link = page_link(web, "王芳", "/order/A 1", NOW)
    url = urlparse(link)
    assert (url.scheme, url.netloc, url.path) == ("http", "10.0.0.5:8765", "/order/A%201")
    assert read_token(SECRET, parse_qs(url.query)["t"][0], NOW).person == "王芳"
    assert page_link(None, "王芳", "/", NOW) is None
