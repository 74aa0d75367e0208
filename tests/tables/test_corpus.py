"""Every real workbook in the shared corpus is read or refused in one line, fast; business files meet
what a person sees in them (tests/corpus_expectations.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sync.errors import SourceError
from sync.tables.register import Register, load
from sync.sources import open_path
from tests.conftest import CORPUS
from tests.corpus_expectations import EXPECTATIONS, Expect

PER_FILE_SECONDS = 10.0
_cache: dict[Path, tuple[Register | None, str | None, float]] = {}


def _files(kind: str) -> list[Path]:
    folder = CORPUS / kind
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def _load(path: Path) -> tuple[Register | None, str | None, float]:
    """(register, refusal message, seconds); reads each file once per test session."""
    if path not in _cache:
        start = time.perf_counter()
        try:
            register, refusal = load([open_path(path)]), None
        except SourceError as exc:
            register, refusal = None, str(exc)
        _cache[path] = (register, refusal, time.perf_counter() - start)
    return _cache[path]


@pytest.mark.parametrize("path", _files("business") + _files("edge"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_workbook_is_read_or_refused_in_one_line(corpus: Path, path: Path) -> None:
    register, refusal, seconds = _load(path)
    assert seconds < PER_FILE_SECONDS, f"{path.name} took {seconds:.1f}s"
    messages = [refusal] if refusal else [p.message for p in register.problems]
    for message in messages:
        assert path.name in message and "\n" not in message and "Traceback" not in message
    if register is not None and not register.problems:
        assert register.tables or register.notes


REFUSED = {
    "calamine__pass_protected.xlsx": "encrypted",
    "poi__poc-xmlbomb.xlsx": "XML bomb",
    "calamine__issue252_corrupt_google_export.xlsx": "corrupt",
}


@pytest.mark.parametrize("name,reason", sorted(REFUSED.items()))
def test_broken_files_are_refused_with_the_reason(corpus: Path, name: str, reason: str) -> None:
    register, _, _ = _load(corpus / "edge" / name)
    assert register is not None and not register.tables
    [problem] = register.problems
    assert reason in problem.message and not problem.retryable


def test_every_business_file_has_written_expectations(corpus: Path) -> None:
    assert sorted(p.name for p in _files("business")) == sorted(EXPECTATIONS)


@pytest.mark.parametrize("path", _files("business"), ids=lambda p: p.name)
def test_business_tables_are_what_a_person_sees(corpus: Path, path: Path) -> None:
    register, refusal, _ = _load(path)
    assert refusal is None and register is not None and not register.problems
    expected = EXPECTATIONS[path.name]
    found = {name: f"{t.sheet} r{t.header_row}" for name, t in register.tables.items()}
    assert set(register.tables) == set(expected), f"{path.name}: detected {found}"
    for name, want in expected.items():
        _check_table(path.name, register, name, want)


def _check_table(file: str, register: Register, name: str, want: Expect) -> None:
    table = register.tables[name]
    pairs = set(zip(_many(want.sheet), _many(want.header_row)))
    # a table over several same-layout tabs (monthly sheets) is fine when each of its tabs is one of them
    parts = {(p.sheet, p.header_row) for p in table.parts} or {(table.sheet, table.header_row)}
    assert parts <= pairs, f"{file}: {name} on {table.sheet!r} r{table.header_row}"
    mapped = {f: c.header for f, c in table.columns.items()}
    for fieldname, headers in want.fields.items():
        assert mapped.get(fieldname) in _many(headers), f"{file}: {name}.{fieldname} -> {mapped.get(fieldname)!r}"
    for fieldname in want.absent:
        assert fieldname not in mapped, f"{file}: {name}.{fieldname} wrongly -> {mapped[fieldname]!r}"
    assert len(table) > 0


def _many(value: object) -> tuple:
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize("path", _files("edge"), ids=lambda p: p.name)
def test_format_edge_cases_hold_no_order_tables(corpus: Path, path: Path) -> None:
    register, _, _ = _load(path)
    assert register is None or not register.tables


def test_provenance_points_at_the_cell_the_user_sees(corpus: Path) -> None:
    register, _, _ = _load(corpus / "business" / "yintu__mat_owe_pso.xlsx")
    materials = register.tables["materials"]
    first = int(materials.data["_row"].iloc[0])
    assert first == 3 and materials.cell("order_no", first) == "A3"
    assert materials.raw_text("order_no", 0) == "FOR2500379"
