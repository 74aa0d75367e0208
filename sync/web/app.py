"""The Starlette application: routes, the guard every page passes, rendering.

Every route but the login form goes through ``guarded``: a link's ``t``
parameter becomes a session cookie (and leaves the address, so it is not in
the history or a Referer), a page without a valid session or login is refused,
the manager and service views need the login, and a POST without the CSRF
token of this browser and person is refused before anything is read. The page
work itself runs in a worker thread with its own connection to the state (WAL:
the daemon writes while the pages read). Templates autoescape everything: a
cell holding ``<script>`` is shown as text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sync.calendar import zone
from sync.changes.requests import FIELD_LABELS
from sync.config import Config
from sync.errors import UserError
from sync.i18n import say
from sync.links import BadToken
from sync.notices.render import environment
from sync.orders.progress import stage_label
from sync.state import State
from sync.web.auth import LANG, MANAGER, NONCE, SESSION, Keys, Viewer, new_nonce
from sync.web.board import BoardSource
from sync.web.page import Handler, Page, local_path

TEMPLATES = Path(__file__).resolve().parent / "templates"


class Site:
    def __init__(self, config: Config, source: BoardSource, lang: str) -> None:
        if config.web is None:
            raise UserError("no [web] section in config.toml", hint="Add [web] (see the reference config.toml).")
        try:
            self.keys = Keys(config.web)
        except ValueError:
            raise UserError(f"${config.web.secret_env} is not set (or shorter than 16 characters): the page "
                            "links cannot be signed", hint=f"export {config.web.secret_env}=$(openssl rand -hex 24)")
        self.config, self.source, self.lang = config, source, lang
        mail = environment(config.resolve("templates"))   # labels.j2 and the filters the mails use
        self.env = Environment(loader=ChoiceLoader([FileSystemLoader(TEMPLATES), mail.loader]), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.filters.update(mail.filters, local=local_time(zone(config.service.timezone)))
        self.secure = (config.web.base_url or "").startswith("https://")

    def render(self, template: str, lang: str, /, **context: Any) -> str:
        return self.env.get_template(template).render(lang=lang, tr=lambda zh, en, **kw: say(zh, en, lang, **kw),
                                                  stage=lambda s: stage_label(s, lang) if s else "",
                                                  field=lambda f: FIELD_LABELS.get(f, (f, f))[lang == "en"], **context)

    def error(self, status: int, lang: str, zh: str, en: str, *, login: bool = False) -> HTMLResponse:
        html = self.render("error.html.j2", lang, status=status, message=say(zh, en, lang), login=login,
                           viewer=Viewer(), nav=False)
        return HTMLResponse(html, status_code=status)

    def cookie(self, response: Response, name: str, value: str, max_age: int, *, strict: bool = False) -> None:
        response.set_cookie(name, value, max_age=max_age, httponly=True, secure=self.secure,
                            samesite="strict" if strict else "lax", path="/")


def local_time(tz: Any) -> Callable[[Any], str]:
    """A stamp (stored in UTC, as text or a datetime) as the factory's clock shows it."""
    def local(value: Any) -> str:
        if not value:
            return "—"
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return local


def language(request: Request, default: str) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG) or default
    return asked if asked in ("zh", "en") else default


def guarded(handler: Handler, *, manager: bool = False) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        site: Site = request.app.state.site
        lang = language(request, site.lang)
        if "t" in request.query_params:
            return enter(site, request, lang)
        viewer = site.keys.viewer(request.cookies)
        if manager and not viewer.manager:
            return RedirectResponse("/login?" + urlencode({"next": request.url.path}), status_code=303)
        if not viewer.known:
            return site.error(401, lang, "请用通知里的链接打开此页，或以经理身份登录。",
                              "Open this page from the link in your notice, or log in as a manager.", login=True)
        nonce = request.cookies.get(NONCE) or new_nonce()
        form: dict[str, str] = {}
        if request.method == "POST":
            form = {k: str(v) for k, v in (await request.form()).items()}
            if not site.keys.csrf_ok(request.cookies.get(NONCE), viewer, form.get("csrf")):
                return site.error(403, lang, "表单已失效，请返回页面重试。", "This form has expired: go back and try again.")
        response = await run_in_threadpool(_run, site, handler, request, viewer, lang, nonce, form)
        if NONCE not in request.cookies:
            site.cookie(response, NONCE, nonce, 400 * 86400, strict=True)
        if request.query_params.get("lang") in ("zh", "en"):
            site.cookie(response, LANG, lang, 400 * 86400)
        return response
    return endpoint


def enter(site: Site, request: Request, lang: str) -> Response:
    """A link's token: checked, made a session for its person, taken off the address."""
    try:
        person, expires = site.keys.person_from_link(request.query_params["t"])
    except BadToken:
        return site.error(403, lang, "链接已过期或无效。请打开最新通知里的链接。",
                          "This link has expired or is not valid. Open the link in your latest notice.")
    rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "t"])
    response = RedirectResponse(request.url.path + (f"?{rest}" if rest else ""), status_code=303)
    max_age = max(1, int((expires - datetime.now(timezone.utc)).total_seconds()))
    site.cookie(response, SESSION, site.keys.session_cookie(person, expires), max_age)
    return response


def _run(site: Site, handler: Handler, request: Request, viewer: Viewer, lang: str, nonce: str,
         form: dict[str, str]) -> Response:
    board = site.source.board()
    if board is None:
        return site.error(503, lang, "服务正在读取登记表，请稍后刷新。", "The register is being read: refresh in a moment.")
    with State(site.source.state_path) as state:
        page = Page(request, viewer, lang, board, state, site.keys.csrf_token(nonce, viewer), form,
                    site.source.clock())
        try:
            made = handler(page)
        except UserError as exc:
            return site.error(400, lang, str(exc), str(exc))
    if isinstance(made, Response):
        return made
    template, context = made
    html = site.render(template, lang, viewer=viewer, csrf=page.csrf, nav=True, path=request.url.path,
                       today=board.today, **context)
    return HTMLResponse(html)


async def login_form(request: Request) -> Response:
    site: Site = request.app.state.site
    lang = language(request, site.lang)
    nonce = request.cookies.get(NONCE) or new_nonce()
    html = site.render("login.html.j2", lang, viewer=Viewer(), nav=False, failed=False,
                       possible=site.keys.login_possible, next=local_path(request.query_params.get("next")),
                       csrf=site.keys.csrf_token(nonce, Viewer()))
    response = HTMLResponse(html)
    if NONCE not in request.cookies:
        site.cookie(response, NONCE, nonce, 400 * 86400, strict=True)
    return response


async def login(request: Request) -> Response:
    site: Site = request.app.state.site
    lang = language(request, site.lang)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not site.keys.csrf_ok(request.cookies.get(NONCE), Viewer(), form.get("csrf")):
        return site.error(403, lang, "表单已失效，请返回页面重试。", "This form has expired: go back and try again.")
    name = form.get("name", "").strip()
    if not site.keys.password_ok(name, form.get("password", "")):
        html = site.render("login.html.j2", lang, viewer=Viewer(), nav=False, failed=True,
                           possible=site.keys.login_possible, next=local_path(form.get("next")), csrf=form["csrf"])
        return HTMLResponse(html, status_code=403)
    response = RedirectResponse(local_path(form.get("next")) or "/manager", status_code=303)
    value, expires = site.keys.manager_cookie(name)
    site.cookie(response, MANAGER, value, int((expires - datetime.now(timezone.utc)).total_seconds()))
    return response


def logout(page: Page) -> Response:
    response = RedirectResponse("/login", status_code=303)
    for name in (SESSION, MANAGER):
        response.delete_cookie(name, path="/")
    return response


def home(page: Page) -> Response:
    return RedirectResponse("/me" if page.viewer.person else "/manager", status_code=303)


def create_app(config: Config, source: BoardSource, *, lang: str | None = None) -> Starlette:
    from sync.web import act, lists, manage, work

    site = Site(config, source, lang or config.service.language)
    routes = [
        Route("/", guarded(home)),
        Route("/me", guarded(work.my_work)),
        Route("/order/{no:path}", guarded(work.order_page)),
        Route("/findings", guarded(lists.findings_page)),
        Route("/changes", guarded(lists.changes_page)),
        Route("/act", guarded(act.act), methods=["POST"]),
        Route("/manager", guarded(manage.manager_page, manager=True)),
        Route("/service", guarded(manage.service_page, manager=True)),
        Route("/service/retry", guarded(manage.retry, manager=True), methods=["POST"]),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", guarded(logout), methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.site = site
    return app
