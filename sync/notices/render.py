"""Mail templates: Jinja2, the user's templates first, then the shipped ones.

Sheet text is untrusted (anyone can type ``<script>`` into a remarks cell), so
HTML templates are autoescaped; plain-text templates are not HTML and are not
escaped. Both languages sit side by side in each template as
``{{ tr("逾期订单", "Overdue orders") }}``, so an edit to one is seen next to
the other. Mail clients drop ``<style>`` blocks, so the simple class rules of
the template's ``<style>`` are copied into each element's ``style`` attribute.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from markupsafe import Markup, escape
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape

from sync import shipped
from sync.errors import ConfigError
from sync.i18n import agree

SHIPPED = shipped.folder("templates")   # templates/ of the repository, sync/templates in a wheel
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*?)?(/?)>")
_CLASS = re.compile(r"""\sclass\s*=\s*("([^"]*)"|'([^']*)')""")
#: the selectors copied inline: tag, .class and tag.class; anything else stays in <style> only
_SIMPLE = re.compile(r"[a-zA-Z0-9]*(\.[\w-]+)*")
_STYLE = re.compile(r"""\sstyle\s*=\s*("([^"]*)"|'([^']*)')""")


#: environments by their folders and what the user's folder holds: each cycle of the daemon plans mails, and
#: compiling the templates again each time cost more than rendering them
_ENVIRONMENTS: dict[tuple, Environment] = {}


def environment(user_dir: Path | None = None) -> Environment:
    """The templates of ``user_dir`` over the shipped ones; one compiled environment while the user's folder
    holds the same files (a template added, removed or edited there gives a new one)."""
    dirs = [str(p) for p in (user_dir, SHIPPED) if p is not None and Path(p).is_dir()]
    key = (tuple(dirs), _listing(Path(dirs[0])) if user_dir is not None and dirs and dirs[0] != str(SHIPPED) else ())
    env = _ENVIRONMENTS.get(key)
    if env is None:
        if len(_ENVIRONMENTS) > 16:
            _ENVIRONMENTS.clear()
        env = _ENVIRONMENTS[key] = _new_environment(dirs)
    return env


def _listing(folder: Path) -> tuple:
    try:
        return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir()))
    except OSError:
        return ()


def _new_environment(dirs: list[str]) -> Environment:
    env = Environment(loader=FileSystemLoader(dirs), autoescape=select_autoescape(["html", "html.j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(day=_day, num=_num, pct=_pct)
    return env


def translator(lang: str, html: bool = False) -> Callable[..., str]:
    """``tr("逾期 {n} 天", "{n} days late", n=3)``: the text in ``lang``, filled in.

    For HTML the values are escaped as they are filled in, except markup made here (``nw``), so a
    date can keep its no-wrap span inside a sentence."""
    def tr(zh: str, en: str, **values: Any) -> str:
        text = agree(en, values) if lang == "en" else zh
        if html:
            return Markup(escape(text)).format(**values) if values else text
        return text.format(**values) if values else text
    return tr


def nowrap(html: bool) -> Callable[[Any], Any]:
    """``nw(text)``: kept on one line (order numbers, dates) in HTML; as it is in plain text."""
    if not html:
        return lambda value: value
    return lambda value: Markup('<span style="white-space:nowrap">{}</span>').format(value) if value != "" else ""


def render(env: Environment, name: str, lang: str, **context: Any) -> str:
    """Render ``name`` (e.g. digest.html.j2) in ``lang``; HTML gets its CSS inlined."""
    html = name.endswith(".html.j2")
    try:
        out = env.get_template(name).render(lang=lang, tr=translator(lang, html), nw=nowrap(html), html=html,
                                            **context)
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None)
        raise ConfigError(f"mail template {where}{f' line {line}' if line else ''}: {exc}",
                          hint="Fix the template, or delete your copy to use the shipped one.") from exc
    return inline_css(out) if name.endswith(".html.j2") else out


def inline_css(html: str) -> str:
    """Copy rules like ``td.num {…}``, ``.late {…}`` and ``h2 {…}`` into matching elements' style.

    ``@media`` blocks stay in ``<style>`` only: they are for the clients that keep it (phones), and
    inlined they would apply at every width."""
    m = re.search(r"<style[^>]*>(.*?)</style>", html, re.S)
    if not m:
        return html
    css = _strip_media(_strip_comments(m.group(1)))
    rules = [(sel.strip(), body.strip().rstrip(";")) for group, body in _RULE.findall(css)
             for sel in group.split(",")]
    simple = [(tag.lower(), frozenset(wanted), body) for sel, body in rules if _SIMPLE.fullmatch(sel)
              for tag, *wanted in [sel.split(".")] if tag or wanted]
    memo: dict[tuple[str, frozenset[str]], list[str]] = {}   # a mail repeats a few kinds of tag many times
    head, body = html[: m.end()], html[m.end():]
    return head + _TAG.sub(lambda t: _apply(t, simple, memo), body)


def _strip_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def _strip_media(css: str) -> str:
    """The CSS without its ``@media … { … }`` blocks (one level of nesting, as mail CSS has)."""
    return re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)


def _apply(tag: re.Match, rules: list[tuple[str, frozenset[str], str]],
           memo: dict[tuple[str, frozenset[str]], list[str]]) -> str:
    name, attrs, slash = tag.group(1).lower(), tag.group(2) or "", tag.group(3)
    cm = _CLASS.search(attrs)
    classes = frozenset((cm.group(2) or cm.group(3) or "").split()) if cm else frozenset()
    decls = memo.get((name, classes))
    if decls is None:
        decls = memo[(name, classes)] = [body for want_tag, wanted, body in rules
                                         if (not want_tag or want_tag == name) and wanted <= classes]
    if not decls:
        return tag.group(0)
    sm = _STYLE.search(attrs)
    own = (sm.group(2) or sm.group(3) or "") if sm else ""
    style = ";".join(decls + ([own.strip().rstrip(";")] if own.strip() else []))   # own style wins: it comes last
    attrs = _STYLE.sub("", attrs)
    return f'<{tag.group(1)}{attrs} style="{style}"{slash}>'


def _day(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):   # pandas Timestamps too; a date-only cell has no time worth showing
        return value.strftime("%Y-%m-%d") if (value.hour, value.minute) == (0, 0) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    return str(value)


def _num(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    try:
        return f"{float(value):,.{digits}f}"
    except (TypeError, ValueError):
        return str(value)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{float(value):.1f}%"
