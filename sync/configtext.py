"""config.toml as text: reading it (encodings, a BOM) and where each key is written, for one-line errors.

``sync.config`` validates the parsed file against its models; this module
knows the text: it reads it (UTF-8 with or without BOM; Notepad's UTF-16 and
GBK named, with the fix), says where a TOML syntax error is, and maps every
key path (including ``[[digests]]`` entries and dotted keys) to its line.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from sync.errors import ConfigError


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found",
                          hint="Run `ordersync init WORKBOOK` to write one, or pass --config.") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file",
                          hint=f"Pass the file itself, e.g. --config {path / 'config.toml'}.") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):   # what Notepad calls "Unicode"
        raise ConfigError(f"{path}: saved as UTF-16, config.toml must be UTF-8",
                          hint="In Notepad: File > Save As, Encoding: UTF-8, then save.")
    try:
        return raw.decode("utf-8-sig")          # a BOM (Notepad's "UTF-8 with BOM") is fine
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path} line {line}: not UTF-8 text (maybe GBK/ANSI); save the file as UTF-8",
                          hint="In Notepad: File > Save As, Encoding: UTF-8, then save.") from None


def describe_syntax(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    """tomllib says '... (at line 3, column 7)': put the line first, like every other problem."""
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(exc))
    if not m:
        return f"{path}: invalid TOML: {exc}"
    return f"{path} line {m[1]}: invalid TOML: {str(exc)[:m.start()]} (column {m[2]})"


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_PART = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-\u0080-\uffff]+)"""
_KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")


def key_lines(text: str) -> dict[tuple[Any, ...], int]:
    """(section..., key) -> 1-based line, for tables, [[arrays]] (by index) and keys, first occurrence."""
    out: dict[tuple[Any, ...], int] = {}
    counts: dict[tuple[str, ...], int] = {}
    current: tuple[Any, ...] = ()
    in_string = False
    for number, line in enumerate(text.splitlines(), 1):
        quotes = (line.count('"""') + line.count("'''")) % 2
        if in_string:                      # inside a multi-line string: nothing here is a key
            in_string = not quotes
            continue
        in_string = bool(quotes)
        if m := _HEADER.match(line):
            parts = tuple(_split_key(m[2]))
            if m[1] == "[[":
                counts[parts] = counts.get(parts, -1) + 1
                current = (*parts, counts[parts])
            else:
                current = _with_indexes(parts, counts)
            out.setdefault(current, number)
        elif m := _KEY.match(line):
            out.setdefault((*current, *_split_key(m[1])), number)
    return out


def _with_indexes(parts: tuple[str, ...], counts: dict[tuple[str, ...], int]) -> tuple[Any, ...]:
    """[digests.x] after [[digests]] belongs to the latest array entry."""
    for n in range(len(parts), 0, -1):
        if parts[:n] in counts:
            return (*parts[:n], counts[parts[:n]], *parts[n:])
    return parts


def _split_key(dotted: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", dotted)]


def line_at(lines: dict[tuple[Any, ...], int], loc: list[Any]) -> str:
    """' line 12' for the key, or for the nearest section that holds it; '' when nowhere."""
    for n in range(len(loc), 0, -1):
        if (found := lines.get(tuple(p if isinstance(p, int) else str(p) for p in loc[:n]))) is not None:
            return f" line {found}"
    return ""
