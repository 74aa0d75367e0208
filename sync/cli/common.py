"""What every command shares: the shared options, the output mode (-q/-v), one error boundary.

Everything here is light: it is imported to draw ``--help``. The work a command
does is imported inside the command's body (the thin module per command: check.py, status.py, ...).
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from sync import __version__
from sync.cli.help import ENV_LANG, HELP_LANG, both, help_language, render_help, speak
from sync.errors import OrdersyncError

EXIT_OK, EXIT_FINDINGS, EXIT_CANNOT_RUN = 0, 1, 2
GROUP_LANG = "ordersync.lang"   # `ordersync --lang en COMMAND`, kept in click's shared ctx.meta

ConfigOption = Annotated[Path | None, typer.Option(
    "--config", "-c", metavar="FILE",
    help=both("配置文件 config.toml（默认：$ORDERSYNC_CONFIG 或 ./config.toml）",
              "config.toml (default: $ORDERSYNC_CONFIG or ./config.toml)"))]
LANG_HELP = both("界面语言 zh 或 en（默认：$ORDERSYNC_LANG，其次配置文件，其次工作簿表头的语言，否则 zh）",
                 "zh or en (default: $ORDERSYNC_LANG, else the config's, else the workbook headers', else zh)")
HELP_HELP = both("显示此帮助并退出。", "Show this message and exit.")   # also what typer says of each --help
VERSION_HELP = both("显示版本并退出", "show the version and exit")
LangOption = Annotated[str | None, typer.Option("--lang", metavar="zh|en", help=LANG_HELP)]
FormatOption = Annotated[str, typer.Option(
    "--format", "-f", metavar="table|json", help=both("输出格式：table 或 json", "table or json"))]


@dataclass(frozen=True)
class Mode:
    """-q: only errors and the result; -v: tracebacks and debug logging."""

    quiet: bool = False
    verbose: bool = False


_MODE: ContextVar[Mode] = ContextVar("ordersync_mode", default=Mode())


def mode() -> Mode:
    return _MODE.get()


@functools.cache
def _shared_params() -> list[Any]:
    """-q and -v, declared once here; every command gets these same two options."""
    shared = typer.Typer(add_completion=False)

    @shared.command()
    def options(
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help=both(
            "安静：只输出错误和结果", "quiet: only errors and the result"))] = False,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help=both(
            "详细：显示调试日志，出错时显示完整回溯", "verbose: debug logging, and tracebacks on errors"))] = False,
    ) -> None:
        """Never run: only its options are used."""

    return [p for p in typer.main.get_command(shared).params if p.name in ("quiet", "verbose")]


class Command(TyperCommand):
    """An ordersync command: the shared options, help in the user's language, the error boundary."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(_shared_params())

    def invoke(self, ctx: Any) -> Any:
        current = Mode(quiet=ctx.params.pop("quiet", False), verbose=ctx.params.pop("verbose", False))
        if ctx.params.get("lang", "") is None:   # `ordersync --lang en CMD`, then $ORDERSYNC_LANG; the config after
            ctx.params["lang"] = ctx.meta.get(GROUP_LANG) or os.environ.get(ENV_LANG) or None
        token = _MODE.set(current)
        try:
            return super().invoke(ctx)
        except OrdersyncError as exc:
            if current.verbose:
                raise
            _say_error(exc)
            raise typer.Exit(EXIT_CANNOT_RUN) from None
        finally:
            _MODE.reset(token)

    def get_help(self, ctx: Any) -> str:
        return render_help(self, ctx)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [self.options_metavar or "", *(_usage(p) for p in self.get_params(ctx) if _is_argument(p))]

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """Arguments by their metavar and help, options by click's own record: no ``<type>`` labels."""
        params = [p for p in self.get_params(ctx) if not getattr(p, "hidden", False)]
        arguments = [(_usage(p).strip("[]") if p.metavar is None or not p.metavar.startswith("[") else p.metavar,
                      p.help or "") for p in params if _is_argument(p)]
        options = [record for p in params if not _is_argument(p) and (record := p.get_help_record(ctx))]
        for heading, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(heading):
                    formatter.write_dl(rows)


class Group(TyperGroup):
    """``ordersync``: takes its own --lang and --version, and decides the help language from the whole line.

    Those (and its --help) are read here rather than declared as typer options:
    typer converts option values with pydantic, and the group's options are
    converted before ``ordersync COMMAND --help`` is drawn; importing pydantic
    alone would double that time.
    """

    def get_help_option(self, ctx: Any) -> None:
        return None   # `--help` is one of _own_options

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta.setdefault(HELP_LANG, help_language(args))
        return super().parse_args(ctx, _own_options(ctx, list(args)))

    def format_options(self, ctx: Any, formatter: Any) -> None:
        rows = [("--lang zh|en", LANG_HELP), ("--version", VERSION_HELP), ("--help", HELP_HELP)]
        with formatter.section("Options"):
            formatter.write_dl([(name, speak(text, formatter.lang)) for name, text in rows])
        self.format_commands(ctx, formatter)

    def get_help(self, ctx: Any) -> str:
        commands = [self.get_command(ctx, name) for name in self.list_commands(ctx)]
        return render_help(self, ctx, [c for c in commands if c is not None])


def _own_options(ctx: Any, args: list[str]) -> list[str]:
    """Before the command's name: --help and --version answer at once, --lang is kept for the command."""
    rest: list[str] = []
    while args and args[0].startswith("-"):
        arg = args.pop(0)
        if arg in ("--help", "--version"):
            typer.echo(ctx.get_help() if arg == "--help" else f"ordersync {__version__}")
            ctx.exit()
        elif arg == "--lang" and args:
            ctx.meta[GROUP_LANG] = args.pop(0)
        elif arg.startswith("--lang="):
            ctx.meta[GROUP_LANG] = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return rest + args


def _is_argument(param: Any) -> bool:
    return param.param_type_name == "argument"


def _usage(argument: Any) -> str:
    """WORKBOOK..., [DIR]; a metavar that brackets itself is shown as written."""
    name = argument.metavar or argument.name.upper()
    name += "..." if argument.nargs != 1 and not name.endswith("...") else ""
    return name if argument.required or name.startswith("[") else f"[{name}]"


def _say_error(exc: OrdersyncError) -> None:
    """Each error knows its sentence and hint: printing them is all the boundary does."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True)
    # escaped: messages quote config sections like [rules] and [mail], which are not markup
    # soft_wrap: a problem stays one line (a pipe is 80 columns to rich), so grep and logs see it whole
    console.print(f"[bold red]ordersync:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    if exc.hint:
        console.print(f"  {escape(exc.hint)}", highlight=False)


def output_file(path: Path | None, option: str = "--output") -> Path | None:
    """``--output FILE`` checked before any work: a folder, a folder that cannot be made or a file that cannot
    be written is one line saying so (``UserError``), not a traceback after the whole check."""
    from sync.errors import UserError

    if path is None:
        return None
    if path.is_dir():
        raise UserError(f"{option} {path}: is a folder; give a file name", hint=f"e.g. {option} {path / 'findings.txt'}")
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab"):
            pass
    except OSError as exc:
        raise UserError(f"{option} {path}: cannot be written ({exc.strerror or exc})",
                        hint="Choose a file in a folder you can write to.") from None
    if not existed:
        path.unlink(missing_ok=True)
    return path


def setup_logging() -> None:
    """Logging to stderr at the level -q / -v ask for."""
    current = mode()
    level = logging.DEBUG if current.verbose else logging.ERROR if current.quiet else logging.WARNING
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
