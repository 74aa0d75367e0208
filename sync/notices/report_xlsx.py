"""The findings as a workbook: one row per finding, each with a link to the wrong cell.

Everything written is data, never a formula: a raw value such as
``=HYPERLINK(...)`` or ``+1-555`` typed in a register is stored as text, so
opening the report cannot run anything (CSV/formula injection).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from sync.findings import ERROR, WARNING, Finding, Report
from sync.i18n import Text

#: characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection list)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMNS: tuple[tuple[str, Text, int], ...] = (
    ("severity", Text("级别", "Severity"), 9), ("sheet", Text("工作表", "Sheet"), 14),
    ("cell", Text("单元格", "Cell"), 8), ("order_no", Text("订单号", "Order"), 16),
    ("column", Text("列", "Column"), 12), ("value", Text("原值", "Value"), 14),
    ("message", Text("问题", "Problem"), 60), ("hint", Text("建议", "Hint"), 40),
    ("follower", Text("跟单员", "Follower"), 10), ("rule", Text("规则", "Rule"), 18),
    ("source", Text("文件", "File"), 20), ("row", Text("行", "Row"), 6),
)
_CELL_COLUMN = [key for key, _, _ in COLUMNS].index("cell") + 1
_FILL = {ERROR: PatternFill("solid", fgColor="F8CBAD"), WARNING: PatternFill("solid", fgColor="FFE699")}
_SEVERITY = {"error": Text("错误", "error"), "warning": Text("警告", "warning"), "info": Text("提示", "info")}


def write_report(report: Report, path: Path, *, lang: str = "zh", locations: dict[str, str] | None = None) -> Path:
    """Write ``report`` to ``path``; ``locations`` maps a finding's source name to its file path or URL."""
    wb = Workbook()
    ws = wb.active
    ws.title = Text("检查结果", "Findings").format(lang)
    ws.append([title.format(lang) for _, title, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, (_, _, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    for n, finding in enumerate(report.sorted(), start=2):
        _write_row(ws, n, finding, lang, (locations or {}).get(finding.source or "", finding.source or ""))
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(ws.max_row, 1)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _write_row(ws, n: int, finding: Finding, lang: str, location: str) -> None:
    data = finding.to_dict()
    data["severity"] = _SEVERITY[finding.severity].format(lang)
    for i, (key, _, _) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=n, column=i)
        set_safe(cell, data.get(key))
    if finding.cell and finding.sheet:
        link = cell_link(location, finding.sheet, finding.cell)
        if link:
            target = ws.cell(row=n, column=_CELL_COLUMN)
            target.hyperlink = link
            target.font = Font(color="0563C1", underline="single")
    if fill := _FILL.get(finding.severity):
        ws.cell(row=n, column=1).fill = fill


def set_safe(cell, value: object) -> None:
    """Store ``value``; text that looks like a formula stays text."""
    if value is None or value == "":
        return
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"


def cell_link(location: str, sheet: str, cell: str) -> str | None:
    """file:///path/register.xlsx#'订单登记'!G17 for a file; the URL itself for a Google sheet."""
    if not location:
        return None
    if location.startswith(("http://", "https://")):
        return location
    path = Path(location)
    if not path.is_absolute():
        path = path.resolve()
    quoted = sheet.replace("'", "''")
    return f"{path.as_uri()}#'{quoted}'!{cell}"
