"""The findings workbook: a summary sheet and one sheet per follower or per table, written with XlsxWriter.

Made for the merchandiser who opens it from the share: every location is a link
that opens the register at that cell (a path relative to the findings workbook,
so it works wherever the share is mounted), the typed value is a number or a
date where the register holds one, the header is frozen and filtered, and it
prints landscape, one page wide, the header on every page.

Each data sheet ends with two hidden columns: the finding's subject (so what is
typed in 处理 finds its finding again after rows moved) and the 处理 text
ordersync wrote (so a change is known to be a person's). ``read_entries`` reads
them back with calamine, the fast reader, before the file is rewritten.

Everything from the register is written as data: text that starts like a
formula (``=HYPERLINK(…)``, ``+1-555``) stays text, so opening the file runs nothing.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from sync.findings import ERROR
from sync.i18n import Text, say
from sync.notices.feedback import Entry, Row, counts, follower_label

ID_HEADER, WRITTEN_HEADER = "ordersync-id", "ordersync-written"
STATUS = Text("处理", "Status")
#: (key, title, width); the visible columns, in order
COLUMNS: tuple[tuple[str, Text, float], ...] = (
    ("severity", Text("级别", "Level"), 6), ("where", Text("位置", "Location"), 16),
    ("order_no", Text("订单", "Order"), 15), ("problem", Text("问题", "Problem"), 50),
    ("hint", Text("建议", "Suggestion"), 30), ("value", Text("填写值", "Typed value"), 12),
    ("status", STATUS, 18),
)
_SEVERITY = {"error": Text("错误", "error"), "warning": Text("警告", "warning")}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_LAST_MODIFIED = re.compile(r"<cp:lastModifiedBy>(.*?)</cp:lastModifiedBy>", re.DOTALL)
_KIND = {
    "required": Text("必填未填", "required"), "unreadable": Text("无法识别", "unreadable"),
    "duplicate-order": Text("订单号重复", "duplicate order"), "quantity-outlier": Text("数量异常", "quantity outlier"),
    "price-outlier": Text("单价异常", "price outlier"), "amount-mismatch": Text("金额不符", "amount mismatch"),
    "due-before-order": Text("交期早于下单", "due before order"), "implausible-year": Text("年份不合理", "implausible year"),
    "unknown-customer": Text("客户不在资料中", "unknown customer"), "orphan-row": Text("订单号不在订单表", "orphan row"),
    "order-overdue": Text("订单逾期", "order overdue"), "order-at-risk": Text("延期风险", "order at risk"),
    "material-late": Text("物料晚到", "material late"), "materials-short": Text("物料短缺", "materials short"),
    "qc-sum": Text("质检数量不符", "QC sums"), "shipped-over-passed": Text("发货多于合格", "shipped over passed"),
    "stage-over-ordered": Text("完成多于订单", "stage over ordered"),
    "status-shipped-nothing-shipped": Text("已发货但无发货记录", "shipped, nothing shipped"),
    "shipped-over-ordered": Text("发货多于订单", "shipped over ordered"),
    "shipped-after-failed-qc": Text("验货不合格仍发货", "shipped after failed QC"),
    "batch-over-ordered": Text("分批数量超出", "batches over ordered"),
    "batch-under-ordered": Text("分批数量不足", "batches short of ordered"),
    "batch-before-order": Text("分批交期早于下单", "batch before order"),
    "batch-out-of-order": Text("分批交期先后颠倒", "batches out of order"),
    "batch-overdue": Text("分批逾期", "batch overdue"),
    "weekday-mismatch": Text("日期与星期不符", "weekday mismatch"),
    "month-part-date": Text("交期为某月一段", "part of a month"), "week-date": Text("交期为周次", "ship week"),
    "number-as-written": Text("数字带算式或备注", "number with a note"),
    "formula-error": Text("公式出错", "formula error"),
}
LINE_HEIGHT = 14.5   # points per line of 10-point text


@dataclass(frozen=True)
class Meta:
    """What the summary says about the register the findings are about."""

    register: str            # the register's file name (or the spreadsheets' names)
    #: a finding's ``source`` -> that register's path relative to the findings workbook, or its URL
    links: dict[str, str]
    generated: datetime
    per: str = "follower"    # follower | table
    lang: str = "zh"


def write_workbook(rows: list[Row], path: Path, meta: Meta) -> Path:
    """Write the findings workbook to ``path`` (a new file; the caller renames it into place)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd"})
    book.set_properties({"title": say("检查结果", "Findings", meta.lang), "author": "ordersync",
                         "comments": meta.register})
    styles = _styles(book)
    groups = _groups(rows, meta)
    names = _sheet_names([g for g, _ in groups], meta.lang)
    _summary(book, styles, rows, meta, dict(zip([g for g, _ in groups], names)))
    for (_, members), name in zip(groups, names):
        _data_sheet(book.add_worksheet(name), styles, members, meta)
    book.close()
    return path


def _styles(book: Any) -> dict[str, Any]:
    base = {"font_name": "Microsoft YaHei", "font_size": 10, "valign": "top"}
    return {
        "head": book.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter"}),
        "text": book.add_format({**base}), "wrap": book.add_format({**base, "text_wrap": True}),
        "link": book.add_format({**base, "font_color": "#0563C1", "underline": 1}),
        "date": book.add_format({**base, "num_format": "yyyy-mm-dd", "align": "left"}),
        "number": book.add_format({**base, "num_format": "General", "align": "left"}),   # as it was typed
        "error": book.add_format({**base, "bg_color": "#F8CBAD", "bold": True}),
        "warning": book.add_format({**base, "bg_color": "#FFE699"}),
        "status": book.add_format({**base, "bg_color": "#E2EFDA", "border": 1, "text_wrap": True}),
        "title": book.add_format({**base, "bold": True, "font_size": 14}),
        "bold": book.add_format({**base, "bold": True}),
    }


def _groups(rows: list[Row], meta: Meta) -> list[tuple[str, list[Row]]]:
    """The data sheets: one per follower (most errors first) or per table, each with its rows in order."""
    key = "follower" if meta.per == "follower" else "table"
    order = [name for name, _, _ in counts(rows, key)]
    return [(name, [r for r in rows if getattr(r, key) == name]) for name in order]


def _sheet_names(groups: list[str], lang: str) -> list[str]:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique, and not the summary's name."""
    taken = {_summary_name(lang).lower()}
    out = []
    for group in groups:
        base = _BAD_SHEET_CHARS.sub("_", follower_label(group, lang)).strip("'")[:31] or "_"
        name, n = base, 2
        while name.lower() in taken:
            name = f"{base[:27]} ({n})"
            n += 1
        taken.add(name.lower())
        out.append(name)
    return out


def _summary_name(lang: str) -> str:
    return say("汇总", "Summary", lang)


def _summary(book: Any, styles: dict[str, Any], rows: list[Row], meta: Meta, sheets: dict[str, str]) -> None:
    ws = book.add_worksheet(_summary_name(meta.lang))
    lang = meta.lang
    ws.set_column(0, 0, 26)
    ws.set_column(1, 3, 12)
    ws.set_row(0, 24)
    ws.write(0, 0, say("检查结果：{r}", "Findings: {r}", lang, r=meta.register), styles["title"])
    ws.write(1, 0, say("登记表", "Register", lang), styles["bold"])
    targets = set(meta.links.values())
    if len(targets) == 1:
        ws.write_url(1, 1, _url(targets.pop()), styles["link"], meta.register)
    else:
        ws.write_string(1, 1, meta.register, styles["text"])
    ws.write(2, 0, say("生成时间", "Generated", lang), styles["bold"])
    ws.write_string(2, 1, meta.generated.strftime("%Y-%m-%d %H:%M"), styles["text"])
    errors = sum(1 for r in rows if r.severity == ERROR)
    ws.write(3, 0, say("错误 / 警告", "Errors / warnings", lang), styles["bold"])
    ws.write_string(3, 1, f"{errors} / {len(rows) - errors}", styles["text"])
    ws.write(4, 0, say("在「处理」列填写：已处理、忽略（值改变前不再提示）、延期至 2026-12-20，或备注；下次检查时读取。",
                       "In the Status column type: done, ignore (until the value changes), "
                       "snooze until 2026-12-20, or a note; read at the next check.", lang), styles["text"])
    line = 6
    key, title = ("follower", Text("跟单员", "Follower")) if meta.per == "follower" else ("table", Text("表", "Table"))
    line = _count_block(ws, styles, line, title.format(lang), counts(rows, key), lang, sheets)
    _count_block(ws, styles, line + 1, say("问题类型", "Kind", lang),
                 [(_kind(rule, lang), e, w) for rule, e, w in counts(rows, "rule")], lang, {})
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_paper(9)


def _count_block(ws: Any, styles: dict[str, Any], line: int, title: str, found: list[tuple[str, int, int]],
                 lang: str, sheets: dict[str, str]) -> int:
    for col, text in enumerate((title, say("错误", "Errors", lang), say("警告", "Warnings", lang))):
        ws.write(line, col, text, styles["head"])
    for name, errors, warnings in found:
        line += 1
        label = follower_label(name, lang)
        if name in sheets:
            ws.write_url(line, 0, f"internal:'{sheets[name]}'!A1", styles["link"], label)
        else:
            ws.write_string(line, 0, label, styles["text"])
        ws.write_number(line, 1, errors, styles["text"])
        ws.write_number(line, 2, warnings, styles["text"])
    return line + 1


def _kind(rule: str, lang: str) -> str:
    text = _KIND.get(rule)
    return text.format(lang) if text else rule


def _data_sheet(ws: Any, styles: dict[str, Any], rows: list[Row], meta: Meta) -> None:
    lang = meta.lang
    for col, (_, title, width) in enumerate(COLUMNS):
        ws.set_column(col, col, width, styles["wrap"] if col in (3, 4) else None)
        ws.write_string(0, col, title.format(lang), styles["head"])
    hidden = len(COLUMNS)
    ws.write_string(0, hidden, ID_HEADER)
    ws.write_string(0, hidden + 1, WRITTEN_HEADER)
    ws.set_column(hidden, hidden + 1, 20, None, {"hidden": True})
    for n, row in enumerate(rows, start=1):
        _data_row(ws, styles, n, row, meta)
    last = max(len(rows), 1)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last, len(COLUMNS) - 1)
    ws.data_validation(1, len(COLUMNS) - 1, max(last, 200), len(COLUMNS) - 1, {
        "validate": "list", "source": [say("已处理", "done", lang), say("忽略", "ignore", lang)],
        "error_type": "information", "show_error": False, "input_title": STATUS.format(lang),
        "input_message": say("已处理 / 忽略 / 延期至 2026-12-20 / 备注", "done / ignore / snooze until 2026-12-20 / note",
                             lang)})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_header("&L&A")
    ws.set_footer("&C&P / &N")


def _data_row(ws: Any, styles: dict[str, Any], n: int, row: Row, meta: Meta) -> None:
    ws.write_string(n, 0, _SEVERITY[row.severity].format(meta.lang), styles[row.severity])
    where = f"{row.sheet}!{row.cell}" if row.cell else row.sheet
    link = meta.links.get(row.source)
    if link and row.sheet:   # a finding about a whole sheet opens it at A1
        ws.write_url(n, 1, _url(link, row.sheet, row.cell or "A1"), styles["link"], where)
    else:
        ws.write_string(n, 1, where, styles["text"])
    ws.write_string(n, 2, row.order_no, styles["text"])
    ws.write_string(n, 3, row.problem, styles["wrap"])
    ws.write_string(n, 4, row.hint, styles["wrap"])
    _write_value(ws, styles, n, 5, row.value)
    _write_value(ws, styles, n, 6, row.status, "status")
    ws.write_string(n, 7, row.subject)
    _write_value(ws, styles, n, 8, row.status)
    lines = max(_lines(row.problem, COLUMNS[3][2]), _lines(row.hint, COLUMNS[4][2]))
    if lines > 1:
        ws.set_row(n, LINE_HEIGHT * lines)


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (a CJK character is two)."""
    wide = sum(1.75 if ord(ch) > 0x2E80 else 1 for ch in text)
    return max(1, -int(-wide // max(width * 1.1, 1)))


def _url(link: str, sheet: str | None = None, cell: str | None = None) -> str:
    """A file relative to the findings workbook, opened at ``'sheet'!cell``; a web address as it is."""
    if link.startswith(("http://", "https://")):
        return link
    if link.startswith("file:"):
        return link + (f"#'{sheet.replace(chr(39), chr(39) * 2)}'!{cell}" if sheet and cell else "")
    if sheet and cell:
        return f"external:{link}#'{sheet.replace(chr(39), chr(39) * 2)}'!{cell}"
    return f"external:{link}"


def _write_value(ws: Any, styles: dict[str, Any], n: int, col: int, value: Any, style: str = "text") -> None:
    if value is None or value == "":
        ws.write_blank(n, col, None, styles[style])
    elif isinstance(value, bool):
        ws.write_string(n, col, str(value), styles[style])
    elif isinstance(value, (int, float)):
        ws.write_number(n, col, value, styles["number"])
    elif isinstance(value, date):
        ws.write_datetime(n, col, datetime(value.year, value.month, value.day), styles["date"])
    else:
        ws.write_string(n, col, str(value), styles[style])


# -- reading it back --------------------------------------------------------------------------------

@dataclass
class Readback:
    """What a findings workbook held: the 处理 entries, who saved it, and sheets ordersync did not write."""

    entries: list[Entry]
    saved_by: str | None
    foreign: list[str]


def read_entries(path: Path) -> Readback:
    """Every data row's subject, typed 处理 and written 处理; raises OSError/ValueError when unreadable."""
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except BaseException as exc:  # calamine panics surface as a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise ValueError(f"cannot read {path.name}: {exc}") from exc
    entries: list[Entry] = []
    foreign: list[str] = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        header = [str(v).strip() for v in rows[0]] if rows else []
        if ID_HEADER not in header:
            if any(any(_text(v) for v in r) for r in rows) and name not in (_summary_name("zh"), _summary_name("en")):
                foreign.append(name)
            continue
        entries += _entries(rows, header)
    return Readback(entries, last_modified_by(path), foreign)


def _entries(rows: list[list[Any]], header: list[str]) -> list[Entry]:
    ids, written = header.index(ID_HEADER), header.index(WRITTEN_HEADER) if WRITTEN_HEADER in header else None
    status = next((i for i, h in enumerate(header) if h in (STATUS.zh, STATUS.en)), None)
    if status is None:
        return []
    out = []
    for r in rows[1:]:
        subject = _text(r[ids]) if ids < len(r) else ""
        if subject:
            out.append(Entry(subject, _text(r[status]) if status < len(r) else "",
                             _text(r[written]) if written is not None and written < len(r) else ""))
    return out


def _text(value: Any) -> str:
    """A cell as the text a person meant: a date typed alone is its ISO day, 12.0 is 12."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def last_modified_by(path: Path) -> str | None:
    """docProps/core.xml's lastModifiedBy: the name Excel saved the file under."""
    try:
        with zipfile.ZipFile(path) as package:
            xml = package.read("docProps/core.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    m = _LAST_MODIFIED.search(xml)
    if not m:
        return None
    return html.unescape(m[1]).strip() or None
