"""Help in two languages: every command and option is written in Chinese and English, one is shown.

Options are declared with ``help=both(zh, en)``: the English text is what typer
stores, and the Chinese one is looked up by it when help is drawn. The language
is decided from the command line itself (``--lang``), ``$ORDERSYNC_LANG`` or the
``[service] language`` of the config that would be used, read with tomllib only,
because help must come up at once, before anything heavy is imported.
"""

from __future__ import annotations

import inspect
import os
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from typer._click.formatting import HelpFormatter

from sync.i18n import DEFAULT, LANGUAGES

ENV_LANG = "ORDERSYNC_LANG"
ENV_CONFIG = "ORDERSYNC_CONFIG"
HELP_LANG = "ordersync.help_lang"   # the key in click's shared ctx.meta

#: English help text -> Chinese help text
ZH: dict[str, str] = {}


def both(zh: str, en: str) -> str:
    """Declare a help text in both languages; typer gets the English one."""
    en = inspect.cleandoc(en)
    ZH[en] = inspect.cleandoc(zh)
    return en


_HEADINGS = {"Usage: ": "用法：", "Options": "选项", "Arguments": "参数", "Commands": "命令"}


def speak(text: str, lang: str) -> str:
    """A help text declared with ``both``, in ``lang``."""
    return ZH.get(text, text) if lang == "zh" else text


def help_language(args: Sequence[str], env: dict[str, str] | None = None) -> str:
    """--lang on the line, else $ORDERSYNC_LANG, else the config's [service] language, else zh."""
    env = os.environ if env is None else env
    for candidate in (_value(args, ("--lang",)), env.get(ENV_LANG)):
        if candidate in LANGUAGES:
            return candidate
    path = _value(args, ("--config", "-c")) or env.get(ENV_CONFIG) or "config.toml"
    configured = _configured_language(Path(path))
    return configured if configured in LANGUAGES else DEFAULT


def _value(args: Sequence[str], names: tuple[str, ...]) -> str | None:
    """The value of the last ``--name VALUE`` / ``--name=VALUE`` on the line (the last one wins, as in click)."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg in names and i + 1 < len(args):
            found = args[i + 1]
        elif "=" in arg and arg.split("=", 1)[0] in names:
            found = arg.split("=", 1)[1]
    return found


def _configured_language(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            service = tomllib.load(fh).get("service", {})
    except (OSError, ValueError):   # unreadable, not TOML, not UTF-8
        return None    # help still shows; the command itself reports a bad config
    return service.get("language") if isinstance(service, dict) else None


class Formatter(HelpFormatter):
    """click's formatter with the section headings in the help language."""

    def __init__(self, lang: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lang = lang

    def _word(self, text: str) -> str:
        return _HEADINGS.get(text, text) if self.lang == "zh" else text

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, self._word(prefix or "Usage: "))

    def write_heading(self, heading: str) -> None:
        if self.lang != "zh":
            return super().write_heading(heading)
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        with super().section(self._word(name)):
            yield

    # click wraps by characters; a Chinese character takes two columns, so Chinese help wraps by columns

    def write_text(self, text: str) -> None:
        if self.lang != "zh":
            return super().write_text(text)
        indent = " " * self.current_indent
        for line in wrap_columns(text, max(self.width - self.current_indent, 20)):
            self.write(f"{indent}{line}\n" if line else "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        if self.lang != "zh":
            return super().write_dl(rows, col_max, col_spacing)
        rows = list(rows)
        first = min(max((len(term) for term, _ in rows), default=0), col_max) + col_spacing
        margin = " " * (self.current_indent + first)
        for term, text in rows:
            self.write(" " * self.current_indent + term)
            lines = wrap_columns(text, max(self.width - len(margin), 20)) or [""]
            self.write(" " * (first - len(term)) if len(term) < first else "\n" + margin)
            self.write(("\n" + margin).join(lines) + "\n")


_TOKEN = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+\s*|\s+")


_AFTER_WIDE_BREAK = re.compile(r"(?<=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef])\s*\n\s*")


def columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap_columns(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` terminal columns: breaks between Chinese characters or between words."""
    lines: list[str] = []
    for i, paragraph in enumerate(re.split(r"\n\s*\n", text.strip()) if text else []):
        paragraph = " ".join(_AFTER_WIDE_BREAK.sub("", paragraph).split())   # a line break after 。 is no space
        lines += [""] if i else []
        line = ""
        for token in _TOKEN.findall(paragraph):
            if line and columns(line + token.rstrip()) > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        lines.append(line.rstrip())
    return lines


def render_help(command: Any, ctx: Any, subcommands: Sequence[Any] = ()) -> str:
    """The help page of ``command`` in the language of this command line."""
    lang = ctx.meta.get(HELP_LANG) or help_language([])
    formatter = Formatter(lang, width=ctx.terminal_width, max_width=ctx.max_content_width)
    with _speaking(lang, [command, *command.get_params(ctx), *subcommands]):
        command.format_help(ctx, formatter)
    return formatter.getvalue().rstrip("\n")


@contextmanager
def _speaking(lang: str, things: list[Any]) -> Iterator[None]:
    """Chinese texts in place for one rendering, the English keys put back after."""
    saved = [(t, t.help) for t in things if lang == "zh" and getattr(t, "help", None) in ZH]
    for thing, text in saved:
        thing.help = ZH[text]
    try:
        yield
    finally:
        for thing, text in saved:
            thing.help = text
