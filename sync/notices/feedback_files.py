"""Putting the findings workbook beside an Excel register: read back, absorb, rewrite atomically, or wait.

One findings workbook per register file (``[feedback] workbook``, default
``{stem}.ordersync.xlsx`` in the register's folder). Each write:

1. reads the existing findings workbook (calamine) and records what people typed in
   处理 (``sync.notices.feedback.absorb``): from then on it is in the state, so a
   write that has to wait loses nothing;
2. waits when the file is *open*: Excel keeps an owner file ``~$NAME.xlsx`` beside
   an open workbook and LibreOffice ``.~lock.NAME.xlsx#``; either present means
   open (that is how Excel itself tells another user "locked for editing", and it
   works the same on a share from Linux). A file that cannot be replaced (Windows
   refuses while Excel holds it; a read-only folder) waits the same way;
3. writes a temp file in the same folder and renames it over the old one
   (``os.replace``), only if the old one is still what was read; else it starts
   again at 1 on the next try.

The register itself is only ever read (by the sources), never opened here.
A findings workbook that cannot be read, or holds sheets ordersync did not write,
is kept aside as ``NAME.kept-YYYYmmdd-HHMMSS.xlsx`` before a new one is written.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sync.findings import Finding
from sync.notices.feedback import absorb, latest, person, rows_for
from sync.notices.feedback_xlsx import Meta, read_entries, write_workbook
from sync.sources import is_open_elsewhere
from sync.state import State

log = logging.getLogger("ordersync.feedback")


@dataclass(frozen=True)
class Written:
    """What became of one findings workbook: written, or waiting and why."""

    path: Path
    ok: bool
    why: str = ""
    absorbed: int = 0


def target_for(register: Path, pattern: str) -> Path:
    """Where the findings workbook of ``register`` goes: ``{stem}.ordersync.xlsx`` beside it."""
    name = pattern.format(stem=register.stem, name=register.name)
    return register.with_name(Path(name).name) if not Path(name).is_absolute() else Path(name)


def write_beside(state: State, register: Path, target: Path, findings: list[Finding], *, now: datetime,
                 lang: str, per: str, local: datetime) -> Written:
    """Read back ``target``, record what was typed, and rewrite it for ``findings`` (or say why it waits)."""
    seen, absorbed = _absorb(state, target, now=now, lang=lang)
    if is_open_elsewhere(target):
        return Written(target, False, "open in Excel or LibreOffice", absorbed)
    rows = rows_for(findings, latest(state), lang)
    link = os.path.relpath(register, target.parent).replace(os.sep, "/")
    meta = Meta(register=register.name, links={r.source: link for r in rows} or {"": link}, generated=local,
                per=per, lang=lang)
    temp = target.with_name(f".{target.stem}.{os.getpid()}.tmp")
    try:
        write_workbook(rows, temp, meta)
        if stamp(target) != seen:
            return Written(target, False, "changed while it was rewritten", absorbed)
        os.replace(temp, target)
    except OSError as exc:
        return Written(target, False, f"cannot be replaced ({exc.strerror or exc})", absorbed)
    finally:
        temp.unlink(missing_ok=True)
    return Written(target, True, "", absorbed)


def _absorb(state: State, target: Path, *, now: datetime, lang: str) -> tuple[tuple[int, int] | None, int]:
    """Record what people typed in ``target``; return its stamp as read and how many actions were new."""
    seen = stamp(target)
    if seen is None:
        return None, 0
    try:
        back = read_entries(target)
    except (OSError, ValueError) as exc:
        log.warning("%s: cannot read the findings workbook (%s); keeping it aside", target, exc)
        return _keep_aside(target, now), 0
    recorded = absorb(state, back.entries, who=person(back.saved_by), origin="workbook", now=now, lang=lang)
    if back.foreign:
        log.warning("%s: sheets ordersync did not write (%s); keeping a copy aside", target, ", ".join(back.foreign))
        _keep_aside(target, now, copy=True)
    return seen, len(recorded)


def _keep_aside(target: Path, now: datetime, *, copy: bool = False) -> tuple[int, int] | None:
    aside = target.with_name(f"{target.stem}.kept-{now:%Y%m%d-%H%M%S}{target.suffix}")
    try:
        (shutil.copy2 if copy else os.replace)(target, aside)
    except OSError as exc:
        log.warning("%s: cannot keep it aside (%s)", target, exc)
    return stamp(target)


def stamp(path: Path) -> tuple[int, int] | None:
    """(mtime_ns, size): enough to know the file was saved again since it was read."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size


def write_report(findings: list[Finding], path: Path, *, lang: str, locations: dict[str, str], per: str,
                 generated: datetime) -> Path:
    """``check --format xlsx``: the same findings workbook, for the sources checked (``locations``: a
    source's name -> its file path or URL), links relative to where ``path`` is written."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    links = {name: _relative(where, path.parent) for name, where in locations.items()}
    label = ", ".join(sorted({Path(w).name if not w.startswith(("http://", "https://")) else w
                              for w in locations.values()}))
    rows = rows_for(findings, {}, lang)
    temp = path.with_name(f".{path.stem}.{os.getpid()}.tmp")
    try:
        write_workbook(rows, temp, Meta(register=label, links=links, generated=generated, per=per, lang=lang))
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path


def _relative(where: str, folder: Path) -> str:
    if where.startswith(("http://", "https://")):
        return where
    try:
        return os.path.relpath(Path(where).resolve(), folder).replace(os.sep, "/")
    except ValueError:   # another drive (Windows): only an absolute path reaches it
        return Path(where).resolve().as_uri()
