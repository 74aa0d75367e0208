"""The corpus truth as test cases: for each real tracker sheet, what a person sees in it, one check at a time.

manifest.json gives each tracker (and any business file with a ``truth``) its sheets:
kind, header row, data rows, columns {field: letter}, tricky rows. Each becomes cases:

- ``kind``: the sheet is read as that table, or a compatible one (``COMPATIBLE``);
- ``header``: the header row the reader found is the truth's (any row of a two-row
  header, or of one of the tables when a sheet holds several);
- ``field:F``: canonical field F is mapped at the truth's letter;
- ``tricky:ROWS``: no error-severity finding on those rows;
- ``not-taken``: a sheet of kind none is not read as any table;
- ``cli``: per file, ``ordersync check FILE --format json`` is honest: exit 2 naming the
  sheets when it recognised no table, else 0/1 with the tables it read in the summary.

Hidden sheets are not cases: the reader skips hidden sheets by design (tables.register).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from sync.findings import ERROR, Report
from sync.tables.fields import TABLES
from sync.tables.register import Register
from tests.tables.scoring import describe, key_letter, read, table_parts
from tests.tables.sheetkit import TODAY

ROOT = Path(__file__).resolve().parents[2]

#: the kind a sheet is, and the table kinds accepted for it. A production plan that lists
#: orders with their quantities and due dates is also accepted as the orders table.
COMPATIBLE = {"orders": ("orders",), "production": ("production", "orders"), "materials": ("materials",),
              "qc": ("qc",), "shipping": ("shipping",)}
#: fields always measured where truth gives them: the key and what a follower reads first
MAIN = ("order_no", "quantity", "due_date", "customer", "product", "order_date")
#: canonical fields another table names differently (a purchase list's quantity is what it requires, its
#: product the material bought)
ALSO = {"order_no": ("po_no",), "quantity": ("required_qty",), "due_date": ("expected_date", "planned_finish"),
        "product": ("material",)}


def find_corpus() -> Path | None:
    """$ORDERSYNC_CORPUS, else shared/corpus beside the checkout (the main tree) or beside its parent
    (a worktree under wt/)."""
    env = os.environ.get("ORDERSYNC_CORPUS")
    for place in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "corpus",
                                                   ROOT.parent.parent / "shared" / "corpus"]:
        if (place / "manifest.json").is_file():
            return place
    return None


@dataclass(frozen=True)
class Case:
    file: str           # path under the corpus, e.g. trackers/x.xlsx
    sheet: str
    check: str
    expect: Any
    kinds: tuple[str, ...] = ()     # the table kinds accepted for the sheet

    @property
    def id(self) -> str:
        return f"{Path(self.file).stem}/{self.sheet}/{self.check}" if self.sheet else f"{Path(self.file).stem}/{self.check}"


def entries(corpus: Path) -> list[dict[str, Any]]:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    paths = {str(p.relative_to(corpus)) for p in (corpus / "trackers").iterdir() if p.is_file()}
    chosen = [e for e in manifest if e["path"] in paths or (e["path"].startswith("business/") and e.get("truth"))]
    return sorted(chosen, key=lambda e: e["path"])


def cases(corpus: Path | None = None) -> list[Case]:
    corpus = corpus or find_corpus()
    if corpus is None:
        return []
    out: list[Case] = []
    for entry in entries(corpus):
        for sheet in (entry.get("truth") or {}).get("sheets", []):
            if not sheet.get("hidden"):
                out += sheet_cases(entry["path"], sheet, corpus)
        out.append(Case(entry["path"], "", "cli", None))
    return out


def sheet_cases(file: str, truth: dict[str, Any], corpus: Path) -> list[Case]:
    name, kind = truth["sheet"], truth["kind"]
    key = first_letter(truth.get("columns", {}).get("order_no", ""))
    tricky = [Case(file, name, f"tricky:{t['rows']}", tricky_rows(corpus / file, name, t["rows"], key))
              for t in truth.get("tricky_rows", [])]
    if kind == "none":
        return [Case(file, name, "not-taken", None), *tricky]
    tables = truth.get("tables") or [truth]
    headers = {r for t in tables for r in [t.get("header_row"), *t.get("header_rows", [])]}
    columns = {**truth.get("columns", {}), **tables[0].get("columns", {})}
    kinds = COMPATIBLE[kind]
    out = [Case(file, name, "kind", kinds, kinds), Case(file, name, "header", tuple(sorted(headers, key=str)), kinds)]
    measured = set(MAIN) | set(TABLES[kind].fields)
    for fieldname, ref in columns.items():
        # fields ordersync has no canonical name for (qty_need, plan_no, forecast, ...) are not measured
        letter = first_letter(ref)
        if fieldname in measured and letter:
            out.append(Case(file, name, f"field:{fieldname}", letter, kinds))
    return out + tricky


def first_letter(ref: str) -> str | None:
    """'D' -> D; 'A+B (生产订单号码+行号)' -> A; 'A (composite item key; no PO number)' -> A; 'U:AY' -> None."""
    m = re.match(r"\s*([A-Z]{1,3})(?![A-Za-z:])", ref)
    return m[1] if m else None


def tricky_rows(path: Path, sheet: str, text: str, key: str | None) -> tuple[int, ...]:
    """The rows a tricky entry names. A progression ('5,7,9,…,199 (75 rows)') is the truth's shorthand
    for spacer rows that mostly alternate with orders: the rows in it that hold an order number are
    orders, not what the entry means, and are left out."""
    rows = parse_rows(text)
    if not re.search(r"\d\s*,\s*(…|\.\.\.)\s*,\s*\d", text) or key is None:
        return tuple(rows)
    cells = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    col = column_index(key)
    keyed = {r for r in rows if r - 1 < len(cells) and col < len(cells[r - 1]) and cells[r - 1][col] not in ("", None)}
    return tuple(r for r in rows if r not in keyed)


def column_index(letters: str) -> int:
    """'A' -> 0, 'AB' -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def parse_rows(text: str) -> list[int]:
    """'2-3,4-5' / '5,7,9,…,199 (75 rows)' / '5-6, 18/39/40 and 19 other WOs' -> the rows named."""
    text = re.split(r"\(|\band\b", text)[0]
    tokens = [t for t in re.split(r"[,/\s]+", text) if t]
    rows: list[int] = []
    for i, tok in enumerate(tokens):
        if tok in ("…", "..."):
            if 2 <= len(rows) and i + 1 < len(tokens) and tokens[i + 1].isdigit():
                step, end = rows[-1] - rows[-2], int(tokens[i + 1])
                rows += list(range(rows[-1] + step, end, step))
            continue
        tok = tok.strip("…")
        if m := re.fullmatch(r"(\d+)-(\d+)", tok):
            rows += list(range(int(m[1]), int(m[2]) + 1))
        elif tok.isdigit():
            rows.append(int(tok))
    return rows


@cache
def reading(corpus: Path, file: str) -> tuple[Register, Report]:
    return read([corpus / file])


@cache
def cli_run(corpus: Path, file: str) -> tuple[int, str, str]:
    """``ordersync check FILE --format json`` in process, zero-config (in an empty folder, no
    $ORDERSYNC_CONFIG: the repository's own config.toml must not be found): exit code, stdout, stderr."""
    from sync.cli.app import app

    runner = CliRunner()
    with tempfile.TemporaryDirectory() as empty, contextlib.chdir(empty):
        result = runner.invoke(app, ["check", str(corpus / file), "--format", "json", "--today", TODAY.isoformat()],
                               env={"ORDERSYNC_CONFIG": None})
    try:
        stderr = result.stderr
    except ValueError:  # a click that mixes stderr into the output
        stderr = ""
    return result.exit_code, result.stdout, stderr


def evaluate(case: Case, corpus: Path) -> tuple[bool, str]:
    """Does today's reading meet this case? And what it read instead."""
    if case.check == "cli":
        return _cli(case, corpus)
    register, report = reading(corpus, case.file)
    name = Path(case.file).name
    on_sheet = [t for t in register.tables.values() if (name, case.sheet) in table_parts(t)]
    seen = ", ".join(describe(t) for t in on_sheet) or "not recognised"
    if case.check == "not-taken":
        return not on_sheet, f"read as {seen}"
    if case.check.startswith("tricky:"):
        bad = [f for f in report.findings if f.severity == ERROR and f.source == name and f.sheet == case.sheet
               and f.row in case.expect]
        return not bad, f"{len(bad)} errors: " + ", ".join(f"{f.cell or f.row} {f.rule}" for f in bad[:8])
    table = next((t for t in on_sheet if t.kind in case.kinds), on_sheet[0] if on_sheet else None)
    if case.check == "kind":
        return table is not None and table.kind in case.expect, seen
    if table is None:
        return False, seen
    if case.check == "header":
        if None in case.expect:  # no header row at all: the data starts on row 1
            starts = int(table.data["_row"].min()) if len(table) else 0
            return starts == 1, f"data from row {starts}; {seen}"
        # a table over several sheets keeps each sheet's own header row (its part's)
        rows = {p.header_row for p in table.parts if (p.source, p.sheet) == (name, case.sheet)} or {table.header_row}
        return bool(rows & set(case.expect)), f"header row {'/'.join(map(str, sorted(rows)))}; {seen}"
    fieldname = case.check.split(":", 1)[1]
    if fieldname == "order_no":
        return key_letter(table) == case.expect, seen
    return any(table.columns[f].letter == case.expect for f in (fieldname, *ALSO.get(fieldname, ()))
               if f in table.columns), seen


def _cli(case: Case, corpus: Path) -> tuple[bool, str]:
    code, out, err = cli_run(corpus, case.file)
    register, _ = reading(corpus, case.file)
    sheets = [s["sheet"] for e in entries(corpus) if e["path"] == case.file
              for s in e["truth"]["sheets"] if not s.get("hidden")]
    if not register.tables:
        said = out + err
        unsaid = [s for s in sheets if s not in said]
        return code == 2 and not unsaid, f"exit {code}; recognised no table; sheets not named: {unsaid}"
    try:
        tables = json.loads(out)["summary"]["tables"]
    except (ValueError, KeyError):
        return False, f"exit {code}; no JSON summary: {out[:200]!r}"
    return code in (0, 1) and set(tables) == set(register.tables), f"exit {code}; summary tables {tables}"
