"""Write a commented config.toml from what was recognised in the workbooks."""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path

from sync.tables.detect import identity
from sync.tables.fields import TABLES
from sync.tables.register import Register
from sync.tables.table import Table
from sync.sources import Source

HEADER = """\
# ordersync configuration. Written by `ordersync {how}`; edit freely.
# Every key is explained in README.md; secrets (SMTP password, Google
# credentials) come from the environment, never from this file.

[service]
language = "{lang}"              # zh | en: messages, mails, reports
timezone = "Asia/Shanghai"
state = "state/ordersync.db"   # SQLite: snapshots, change ledger, what was sent
# day_first = true             # pin 03/04/2026 to 3 April (true) or 4 March (false); unset: each date column decides
"""

MAIL = """
[mail]
backend = "outbox"             # outbox: .eml + .html files in a folder | smtp
outbox = "outbox"
sender = "ordersync@example.com"
# backend = "smtp"
# host = "smtp.example.com"
# port = 587
# security = "starttls"        # starttls | tls | none
# username = "ordersync@example.com"
# password_env = "ORDERSYNC_SMTP_PASSWORD"

[rules]
paths = ["rules"]              # rule packs: rules/*.toml and rules/*.py
disable = []                   # rule ids to switch off
"""


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def render_config(sources: list[Source], register: Register, *, lang: str = "zh", how: str = "init",
                  base_dir: Path | None = None, extra: str = "") -> str:
    out = [HEADER.format(how=how, lang=lang)]
    for source in sources:
        out.append(f"\n[sources.{toml_key(source.name)}]")
        path = getattr(source, "path", None)
        if path is not None:
            shown = _relative(Path(path), base_dir)
            out.append(f'kind = "{source.kind}"\npath = {q(shown)}')
    for name in TABLES:
        table = register.get(name)
        if table is None:
            continue
        spec = TABLES[name]
        out.append(f"\n[tables.{name}]   # {spec.zh} / {spec.en}: {len(table)} rows")
        out.append(_where(table))
        out.append(key_comment(table))
        out.append(f"[tables.{name}.columns]   # field = header text (or a column letter)")
        for fieldname, col in table.columns.items():
            out.append(f"{fieldname} = {q(col.header)}   # column {col.letter}")
        missing = [f for f in spec.fields if f not in table.columns]
        if missing:
            out.append(f"# not found in this sheet: {', '.join(missing)}")
        if table.unmapped:
            out.append(f"# columns not used: {', '.join(table.unmapped[:30])}")
    absent = [n for n in TABLES if register.get(n) is None]
    if absent:
        out.append(f"\n# No sheet was recognised as: {', '.join(absent)}.")
        out.append("# Add [tables.NAME] with source and sheet to pin one.")
    out.append(MAIL)
    if extra:
        out.append(extra)
    return "\n".join(out) + "\n"


def key_comment(table: Table) -> str:
    """Say which columns identify a row, and say so plainly when that is a guess."""
    spec = TABLES[table.name]
    found = identity(spec, {f: (c.index, 3.0) for f, c in table.columns.items()})
    if found is None:
        return f"# no column identifies a row: map {spec.key[0]} below to the column that does"
    fields, composite = found
    cols = " + ".join(f"{table.columns[f].letter} {table.columns[f].header}" for f in fields)
    if composite:
        return (f"# no {spec.key[0]} column: rows are identified by {cols} together (a guess;"
                f" map {spec.key[0]} below if the sheet has one)")
    return f"# rows are identified by {cols}"


def toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else q(name)


def _ident(name: str) -> str:
    """A TOML bare key from a file name: 'register 2026.xlsx' -> 'register_2026'."""
    stem = Path(name).stem if "." in name else name
    key = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem).strip("_")
    return key or "register"


def _relative(path: Path, base: Path | None) -> str:
    if base is None:
        return str(path)
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path.resolve())


def _where(table: Table) -> str:
    """source, sheet (or the ``sheets`` of a table over several tabs) and header row of a table."""
    if not table.parts:
        return f"source = {q(table.source)}\nsheet = {q(table.sheet)}\nheader_row = {table.header_row}"
    sheets = ", ".join(q(glob.escape(s)) for s in dict.fromkeys(p.sheet for p in table.parts))
    lines = [f"source = {q(table.parts[0].source)}", f"sheets = [{sheets}]"]
    if len({p.header_row for p in table.parts}) == 1:
        lines.append(f"header_row = {table.header_row}")
    others = list(dict.fromkeys(p.source for p in table.parts[1:] if p.source != table.parts[0].source))
    if others:
        lines.append(f"# also in {', '.join(others)}: one [sources] path glob (registers/*.xlsx) reads them all")
    return "\n".join(lines)

