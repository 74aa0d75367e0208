"""What every command shares: finding the config, opening sources, one error boundary."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from sync.config import Config, find_config, load_config
from sync.errors import OrdersyncError, UserError
from sync.tables.register import Register, load
from sync.sources import Source, backend, open_path

EXIT_OK, EXIT_FINDINGS, EXIT_CANNOT_RUN = 0, 1, 2

ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="config.toml (default: $ORDERSYNC_CONFIG or ./config.toml)")]
LangOption = Annotated[str | None, typer.Option("--lang", help="zh or en (default: the config's, else zh)")]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="show tracebacks and debug logging")]

err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def user_errors(fn: F) -> F:
    """The one place errors become messages: a sentence and a hint, exit 2; traceback only with -v."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except OrdersyncError as exc:
            if kwargs.get("verbose"):
                raise
            # escaped: messages quote config sections like [rules] and [mail], which are not markup
            err_console.print(f"[bold red]ordersync:[/] {escape(str(exc))}", highlight=False, markup=True)
            if exc.hint:
                err_console.print(f"  {escape(exc.hint)}", highlight=False)
            raise typer.Exit(EXIT_CANNOT_RUN) from None

    return wrapper  # type: ignore[return-value]


@dataclass
class Session:
    """What a command works with: the config (if any), the language, the sources."""

    config: Config | None
    lang: str
    sources: list[Source]

    def register(self) -> Register:
        configured = self.config.tables if self.config and not self._from_paths else None
        day_first = self.config.service.day_first if self.config else None
        return load(self.sources, configured, day_first=day_first)

    _from_paths: bool = False


def open_session(workbooks: list[Path] | None, config_path: Path | None, lang: str | None,
                 *, need_config: bool = False) -> Session:
    path = find_config(config_path)
    config = load_config(path) if path else None
    if need_config and config is None:
        raise UserError("no config.toml found", hint="Pass --config, set $ORDERSYNC_CONFIG, or run `ordersync init`.")
    language = lang or (config.service.language if config else "zh")
    if workbooks:
        sources = [open_path(p) for p in workbooks]
        return Session(config, language, sources, _from_paths=True)
    if config is None:
        raise UserError("nothing to read: give workbook paths or a config.toml",
                        hint="e.g. `ordersync check register.xlsx`, or `ordersync demo` to try it out.")
    return Session(config, language, sources_from_config(config))


def sources_from_config(config: Config) -> list[Source]:
    return [backend(cfg.kind).from_config(name, cfg.options(), config.base_dir)
            for name, cfg in config.sources.items()]


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
