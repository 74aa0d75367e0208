"""The status page over real HTTP: nothing without a link or a login, no forged or foreign requests, cells escaped.

One site for the module: a demo register, a real cycle, then a cell typed with
HTML (a product and a quantity holding ``<script>``), a second cycle that
records the change and finds the bad quantity, and uvicorn on 127.0.0.1.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import requests

from sync.actions import history
from sync.links import make_token
from sync.state import State
from sync.web.server import host_port
from tests.web.site import Site

SCRIPT = "<script>alert('x')</script>"
DAY = date(2026, 11, 4)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    site = Site(tmp_path_factory.mktemp("web-security"), today=DAY)
    first = site.cycle(DAY)
    facts = next(f for f in sorted(first.last.orders.progress.values(), key=lambda p: p.order_no)
                 if f.follower and f.open)
    row = int(first.last.orders.view.orders.at[facts.key, "_row"])
    site.edit("订单登记", row, "款号", SCRIPT)
    site.edit("订单登记", row, "订单数量", SCRIPT)
    site.cycle(DAY, hour=11)
    site.start()
    site.order, site.follower = facts.order_no, facts.follower
    yield site
    site.stop()


def csrf_of(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


def as_person(site: Site, person: str) -> tuple[requests.Session, str]:
    """A browser that opened ``person``'s link; with the CSRF token of its page."""
    s = requests.Session()
    page = s.get(site.link(person, "/me"))
    assert page.status_code == 200, page.text[:300]
    return s, csrf_of(page.text)


PAGES = ["/me", "/findings", "/changes", "/order/{order}", "/"]


@pytest.mark.parametrize("path", PAGES)
def test_no_page_without_a_link_or_login(site, path):
    r = requests.get(site.url + path.format(order=site.order), allow_redirects=False)
    assert r.status_code == 401
    assert site.order not in r.text and "alert" not in r.text


@pytest.mark.parametrize("path", ["/manager", "/service"])
def test_manager_and_service_views_need_the_login_even_with_a_link(site, path):
    assert requests.get(site.url + path, allow_redirects=False).headers["location"].startswith("/login")
    s, _ = as_person(site, site.follower)
    r = s.get(site.url + path, allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    logged = site.login(s)
    assert logged.get(site.url + path).status_code == 200


def test_wrong_password_or_unlisted_name_is_refused(site):
    s = requests.Session()
    csrf = csrf_of(s.get(site.url + "/login").text)
    for name, password in (("赵敏", "guess"), (site.follower, "manager-password")):
        r = s.post(site.url + "/login", data={"csrf": csrf, "name": name, "password": password},
                   allow_redirects=False)
        assert r.status_code == 403
    assert s.get(site.url + "/manager", allow_redirects=False).status_code == 303


def test_a_link_becomes_a_session_and_leaves_the_address(site):
    s = requests.Session()
    r = s.get(site.link(site.follower, "/me"), allow_redirects=False)
    assert r.status_code == 303 and "t=" not in r.headers["location"]
    cookie = next(c for c in s.cookies if c.name == "os_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert s.get(site.url + "/me").status_code == 200


def test_expired_altered_and_foreign_tokens_are_refused(site):
    expired = site.link(site.follower, "/me", now=datetime.now(timezone.utc) - timedelta(days=30))
    body, mac = site.link(site.follower, "/me").split("t=")[1].split(".")
    altered = f"{site.url}/me?t={body}.{mac[:-2]}{'AA' if mac[-2:] != 'AA' else 'BB'}"
    foreign = f"{site.url}/me?t=" + make_token(b"another-secret-0123456789", site.follower,
                                                 datetime.now(timezone.utc) + timedelta(days=3))
    for url in (expired, altered, foreign, site.url + "/me?t=garbage"):
        s = requests.Session()
        r = s.get(url, allow_redirects=False)
        assert r.status_code == 403, url
        assert "os_session" not in s.cookies
        assert s.get(site.url + "/me", allow_redirects=False).status_code == 401


def test_a_post_without_the_csrf_token_is_refused_and_records_nothing(site):
    s, csrf = as_person(site, site.follower)
    form = {"subject": f"order:{site.order}", "verb": "ack", "note": "forged"}
    assert s.post(site.url + "/act", data=form, allow_redirects=False).status_code == 403
    assert s.post(site.url + "/act", data={**form, "csrf": "0" * 64}, allow_redirects=False).status_code == 403
    other = requests.Session()
    other.cookies.set("os_session", s.cookies["os_session"])   # the session without its browser's nonce
    assert other.post(site.url + "/act", data={**form, "csrf": csrf}, allow_redirects=False).status_code == 403
    assert requests.post(site.url + "/act", data={**form, "csrf": csrf}, allow_redirects=False).status_code == 401
    with State(site.config.resolve(site.config.service.state)) as state:
        assert not [a for a in history(state) if a.note == "forged"]


def test_a_token_for_one_person_cannot_act_as_another(site):
    mine, csrf = as_person(site, site.follower)
    theirs, their_csrf = as_person(site, "赵敏")
    subject = "concern:overdue/NOBODY"
    r = mine.post(site.url + "/act", data={"csrf": csrf, "subject": subject, "verb": "ack", "note": "mine",
                                           "by": "赵敏"}, allow_redirects=False)
    assert r.status_code == 303
    r = mine.post(site.url + "/act", data={"csrf": their_csrf, "subject": subject, "verb": "done"},
                  allow_redirects=False)
    assert r.status_code == 403   # the other person's form does not work in this browser
    with State(site.config.resolve(site.config.service.state)) as state:
        said = history(state, subject)
    assert [(a.by, a.verb, a.origin) for a in said] == [(site.follower, "ack", "web")]


def test_html_typed_into_cells_is_shown_as_text_on_every_page(site):
    s, _ = as_person(site, site.follower)
    manager = site.login()
    pages = {path: s.get(site.url + path.format(order=site.order)) for path in PAGES[:4]}
    pages["/changes?since=2020-01-01"] = s.get(site.url + "/changes", params={"since": "2020-01-01"})
    pages["/manager"] = manager.get(site.url + "/manager")
    pages["/service"] = manager.get(site.url + "/service")
    pages["/me?who"] = manager.get(site.url + "/me", params={"who": site.follower})
    for path, r in pages.items():
        assert r.status_code == 200, path
        assert "<script>alert" not in r.text, path
    shown = [p for p, r in pages.items() if "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in r.text]
    assert {"/order/{order}", "/findings", "/changes?since=2020-01-01", "/me"} <= set(shown)


def test_a_bad_date_or_an_unknown_action_is_a_clear_message(site):
    s, csrf = as_person(site, site.follower)
    r = s.post(site.url + "/act", data={"csrf": csrf, "subject": "concern:overdue/X", "verb": "snooze",
                                        "until": "next week"})
    assert r.status_code == 400 and "2026-12-31" in r.text
    r = s.post(site.url + "/act", data={"csrf": csrf, "subject": "concern:overdue/X", "verb": "delete"})
    assert r.status_code == 400 and "delete" in r.text


def test_it_listens_on_localhost_unless_configured():
    assert host_port("127.0.0.1:8765") == ("127.0.0.1", 8765)
    assert host_port(":9000") == ("127.0.0.1", 9000)
    assert host_port("0.0.0.0:80") == ("0.0.0.0", 80)
