"""Tokens of the shared strings and styles: the same while a save only adds to them."""

from __future__ import annotations

import io
import zipfile

from sync.sources.lineage import shared_token

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def package(part: str, data: str) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(part, data)
    return zipfile.ZipFile(buffer)


def strings(items: list[str], prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    body = "".join(f"<{p}si><{p}t>{s}</{p}t></{p}si>" for s in items)
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return f'<?xml version="1.0"?>\n<{p}sst {xmlns} count="{len(items)}" uniqueCount="{len(items)}">{body}</{p}sst>'


def styles(formats: list[int], custom: dict[int, str] | None = None) -> str:
    fmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{c}"/>' for i, c in (custom or {}).items())
    xfs = "".join(f'<xf numFmtId="{i}" fontId="0"/>' for i in formats)
    return (f'<styleSheet xmlns="{MAIN}"><numFmts>{fmts}</numFmts><fonts count="1"><font/></fonts>'
            f'<cellXfs count="{len(formats)}">{xfs}</cellXfs></styleSheet>')


def token(workbook: str, part: str, kind: str, data: str) -> str:
    with package(part, data) as book:
        return shared_token(workbook, book, part, kind)


def test_strings_added_at_the_end_keep_the_token_and_any_other_change_moves_it(tmp_path):
    where, part = str(tmp_path / "a.xlsx"), "xl/sharedStrings.xml"
    first = token(where, part, "strings", strings(["订单号", "客户"]))
    assert token(where, part, "strings", strings(["订单号", "客户"])) == first
    assert token(where, part, "strings", strings(["订单号", "客户", "安踏"])) == first
    assert token(where, part, "strings", strings(["订单号", "客户", "安踏", "李宁"])) == first
    changed = token(where, part, "strings", strings(["订单号", "客户名称", "安踏", "李宁"]))
    assert changed != first
    # put back as it first was: a new lineage, never the old token again
    back = token(where, part, "strings", strings(["订单号", "客户"]))
    assert back not in (first, changed)


def test_prefixed_shared_strings_are_understood(tmp_path):
    where, part = str(tmp_path / "b.xlsx"), "xl/sharedStrings.xml"
    first = token(where, part, "strings", strings(["PO", "Buyer"], prefix="x"))
    assert token(where, part, "strings", strings(["PO", "Buyer", "ACME"], prefix="x")) == first
    assert token(where, part, "strings", strings(["PO"], prefix="x")) != first


def test_styles_added_at_the_end_keep_the_token_and_a_format_changed_moves_it(tmp_path):
    where, part = str(tmp_path / "c.xlsx"), "xl/styles.xml"
    first = token(where, part, "styles", styles([0, 164], {164: "yyyy-mm-dd"}))
    assert token(where, part, "styles", styles([0, 164, 14], {164: "yyyy-mm-dd"})) == first
    # a number format no style uses yet changes the part, not what any cell reads as
    assert token(where, part, "styles", styles([0, 164, 14], {164: "yyyy-mm-dd", 165: "0.00"})) == first
    assert token(where, part, "styles", styles([0, 164, 14], {164: "0.00"})) != first


def test_each_workbook_has_its_own_lineage(tmp_path):
    part = "xl/sharedStrings.xml"
    a = token(str(tmp_path / "a.xlsx"), part, "strings", strings(["x"]))
    b = token(str(tmp_path / "b.xlsx"), part, "strings", strings(["x"]))
    assert a != b
