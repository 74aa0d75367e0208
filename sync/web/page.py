"""What a page handler is given (``Page``) and what it may return; shared by every page module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sync.i18n import say
from sync.state import State
from sync.web.auth import Viewer
from sync.web.board import Board


@dataclass
class Page:
    """Who asks, in which language, the board, the state (this request's connection), the form."""

    request: Request
    viewer: Viewer
    lang: str
    board: Board
    state: State
    csrf: str
    form: dict[str, str] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def arg(self, name: str) -> str:
        return (self.request.query_params.get(name) or "").strip()

    def tr(self, zh: str, en: str, **kw: Any) -> str:
        return say(zh, en, self.lang, **kw)


#: a page: (template, context) to render, or a response (a redirect after a POST)
Handler = Callable[[Page], tuple[str, dict[str, Any]] | Response]


def local_path(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    return target if target and target.startswith("/") and not target.startswith("//") else ""
