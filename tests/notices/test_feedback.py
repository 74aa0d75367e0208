"""The findings workbook beside an Excel register, as its merchandiser opens it, and the 处理 column read back.

Real registers written with openpyxl in tmp_path, real cycles of the service, the
findings workbook read back with openpyxl (what Excel would show) and printed to PDF
by LibreOffice headless (what the printer would get).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from sync.actions import history
from sync.config import load_config
from sync.findings import Finding
from sync.notices.feedback import parse_status, person, typed_value
from sync.notices.feedback_xlsx import ID_HEADER, Meta, write_workbook
from sync.notices.feedback import rows_for
from sync.service.cycle import prepare_state
from sync.service.daemon import Service
from sync.sources import is_open_elsewhere, open_path
from sync.state import State

HEADER = ["订单号", "下单日期", "客户", "款号", "订单数量", "单价", "交货日期", "跟单员"]
D = dt.datetime(2026, 9, 1)
#: the rows with something wrong: an unreadable quantity (李娜), a missing customer (张伟)
WRONG = {"SO-2609-900": ["SO-2609-900", D, "Muji HK", "MJ-T01", "39O0", 10.0, D + dt.timedelta(days=40), "李娜"],
         "SO-2609-901": ["SO-2609-901", D, None, "MJ-T01", 400, 10.0, D + dt.timedelta(days=40), "张伟"]}


def clean(i: int) -> list:
    return [f"SO-2609-{i:03d}", D, "Muji HK", "MJ-T01", 300 + 10 * (i % 7), 10.0, D + dt.timedelta(days=40), "王芳"]


def write_register(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单登记"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def service(tmp_path: Path, feedback: str = "") -> Service:
    (tmp_path / "config.toml").write_text(
        '[service]\nstate = "state/o.db"\nlog_file = ""\n[sources.register]\npath = "register.xlsx"\n'
        f'[reminders]\nenabled = []\n[feedback]\n{feedback}', encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    svc = Service(config, [open_path(tmp_path / "register.xlsx", name="register")])
    svc.state = State(config.resolve(config.service.state))
    prepare_state(svc.state)
    return svc


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def findings_rows(path: Path) -> list[dict]:
    """Every data row of the findings workbook as {header: cell}, with its sheet."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets[1:]:
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            out.append({"sheet": ws.title, **dict(zip(header, row))})
    return out


def type_status(path: Path, order_no: str, text: str, who: str = "李娜") -> None:
    """A person opens the findings workbook, types in 处理 beside a finding of ``order_no``, saves."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets[1:]:
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            if row[header.index("订单")].value == order_no:
                row[header.index("处理")].value = text
    wb.properties.lastModifiedBy = who
    wb.save(path)


def status_of(path: Path, order_no: str) -> str:
    return next(r["处理"].value or "" for r in findings_rows(path) if r["订单"].value == order_no)


# -- what the merchandiser opens --------------------------------------------------------------------

def test_one_sheet_per_follower_errors_first_links_open_the_register_at_the_cell(tmp_path):
    register = write_register(tmp_path / "register.xlsx", [clean(i) for i in range(1, 12)] + list(WRONG.values()))
    svc = service(tmp_path)
    before = sha(register)
    svc.cycle(["register"], force=True)
    assert sha(register) == before                      # the register is only ever read
    target = tmp_path / "register.ordersync.xlsx"
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames[0] == "汇总" and {"李娜", "张伟"} <= set(wb.sheetnames)
    summary = [[c.value for c in row] for row in wb["汇总"].iter_rows()]
    assert any(r[0] == "李娜" and r[1] == 1 for r in summary)
    assert summary[1][1] == "register.xlsx"
    rows = findings_rows(target)
    assert [r["级别"].value for r in rows if r["sheet"] == "李娜"][0] == "错误"
    for r in rows:
        link = r["位置"].hyperlink
        sheet, cell = link.location.split("!")
        opened = openpyxl.load_workbook(tmp_path / link.target.replace("\\", "/"))[sheet.strip("'")]
        if "!" not in r["位置"].value:    # about the whole sheet: opens it at A1
            assert cell == "A1"
            continue
        assert r["位置"].value == f"{sheet.strip(chr(39))}!{cell}"
        assert opened[cell].value == r["填写值"].value or (opened[cell].value is None and r["填写值"].value is None)
    unreadable = next(r for r in rows if r["订单"].value == "SO-2609-900")
    assert unreadable["填写值"].value == "39O0" and unreadable["sheet"] == "李娜"
    ws = wb["李娜"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:G")
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0   # 1 page wide (the default)
    assert ws.print_title_rows == "$1:$1"
    svc.state.close()


def test_numbers_are_numbers_and_dates_are_dates(tmp_path):
    findings = [Finding("quantity-outlier", "error", "数量 5000", table="orders", source="r", sheet="订单", row=8,
                        cell="E8", field="quantity", order_no="SO-1", value="5000", follower="李娜"),
                Finding("implausible-year", "error", "年份", table="orders", source="r", sheet="订单", row=9,
                        cell="G9", field="due_date", order_no="SO-2", value="2072-01-18", follower="李娜"),
                Finding("price-outlier", "warning", "单价", table="orders", source="r", sheet="订单", row=9,
                        cell="F9", field="unit_price", order_no="SO-2", value="63.6", follower="李娜")]
    path = write_workbook(rows_for(findings, {}, "zh"), tmp_path / "f.xlsx",
                          Meta("r.xlsx", {"r": "r.xlsx"}, dt.datetime(2026, 12, 1, 8, 0)))
    ws = openpyxl.load_workbook(path)["李娜"]
    values = {ws.cell(r, 3).value: ws.cell(r, 6) for r in range(2, 5)}
    assert values["SO-1"].value == 5000 and values["SO-1"].data_type == "n"
    assert values["SO-2"].value in (dt.datetime(2072, 1, 18), 63.6)
    dated = next(c for r in range(2, 5) if (c := ws.cell(r, 6)).is_date)
    assert dated.value == dt.datetime(2072, 1, 18)
    assert [ws.cell(r, 1).value for r in range(2, 5)] == ["错误", "错误", "警告"]


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"), reason="needs LibreOffice and poppler")
def test_it_prints_landscape_one_page_wide_with_the_header_on_every_page(tmp_path):
    findings = [Finding("required", "error" if i % 3 else "warning", f"第 {i} 行 客户 未填写，请在登记表中补上客户名称",
                        table="orders", source="r", sheet="订单登记", row=i, cell=f"C{i}", field="customer",
                        order_no=f"SO-2609-{i:03d}", value=str(1000 + i), hint="请填写 客户", follower="李娜")
                for i in range(2, 92)]
    book = write_workbook(rows_for(findings, {}, "zh"), tmp_path / "register.ordersync.xlsx",
                          Meta("register.xlsx", {"r": "register.xlsx"}, dt.datetime(2026, 12, 1, 8, 0)))
    pdf = to_pdf(book, tmp_path)
    pages = page_sizes(pdf)
    assert len(pages) >= 3                                  # the summary, then the follower's sheet over pages
    assert all(w > h for w, h in pages)                     # landscape
    first, second = text(pdf, 2), text(pdf, 3)
    for title in ("级别", "位置", "订单", "问题", "建议", "填写值", "处理"):
        assert title in first and title in second, title    # no column cut off; the header repeated
    assert "ordersync-id" not in first                     # the hidden columns do not print


def to_pdf(book: Path, tmp_path: Path) -> Path:
    out = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(book)], check=True, capture_output=True, timeout=120)
    return out / (book.stem + ".pdf")


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True).stdout
    sizes = []
    for line in info.splitlines():
        if line.startswith("Page") and "size:" in line:
            parts = line.split("size:")[1].split()
            sizes.append((float(parts[0]), float(parts[2])))
    return sizes


def text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True).stdout


# -- the 处理 column ---------------------------------------------------------------------------------

def test_a_status_survives_20_cycles_of_inserts_sorts_and_deletes_and_is_recorded_once(tmp_path):
    rng = random.Random(18)
    rows = [clean(i) for i in range(1, 15)] + list(WRONG.values())
    register = write_register(tmp_path / "register.xlsx", rows)
    svc = service(tmp_path)
    target = tmp_path / "register.ordersync.xlsx"
    svc.cycle(["register"], force=True)
    type_status(target, "SO-2609-900", "忽略")
    svc.feedback.tick(svc.state, now=svc.now())      # the service's tick reads a saved findings workbook
    type_status(target, "SO-2609-901", "已联系客户，周五前补上", who="张伟")
    next_no = 100
    for n in range(20):
        step = n % 3
        if step == 0:      # a new order inserted at the top
            rows.insert(0, clean(next_no))
            next_no += 1
        elif step == 1:    # sorted another way
            rows.sort(key=lambda r: (str(r[4]), r[0]), reverse=bool(n % 2))
        else:              # a clean order deleted
            rows.remove(next(r for r in rows if r[0] not in WRONG))
        rng.shuffle(rows) if n == 10 else None
        write_register(register, rows)
        before = sha(register)
        svc.cycle(["register"])
        assert sha(register) == before, f"cycle {n} changed the register"
        assert status_of(target, "SO-2609-900") == "忽略", n
        assert status_of(target, "SO-2609-901") == "已联系客户，周五前补上", n
    said = [a for a in history(svc.state, prefix="finding:")]
    assert [(a.verb, a.by, a.origin) for a in said] == [("ignore", "李娜", "workbook"), ("note", "张伟", "workbook")]
    assert "39O0" in said[0].subject
    svc.state.close()


def test_ignore_lasts_until_the_value_changes(tmp_path):
    rows = [clean(i) for i in range(1, 8)] + [WRONG["SO-2609-900"]]
    register = write_register(tmp_path / "register.xlsx", rows)
    svc = service(tmp_path)
    target = tmp_path / "register.ordersync.xlsx"
    svc.cycle(["register"], force=True)
    type_status(target, "SO-2609-900", "忽略")
    svc.cycle(["register"], force=True)
    assert status_of(target, "SO-2609-900") == "忽略"
    rows[-1] = [*rows[-1][:4], "4OO", *rows[-1][5:]]        # another typo in the same cell: a new finding
    write_register(register, rows)
    svc.cycle(["register"])
    assert status_of(target, "SO-2609-900") == ""
    svc.state.close()


def test_open_in_excel_the_write_waits_and_nothing_typed_is_lost(tmp_path):
    register = write_register(tmp_path / "register.xlsx", [clean(i) for i in range(1, 8)] + list(WRONG.values()))
    svc = service(tmp_path)
    target = tmp_path / "register.ordersync.xlsx"
    svc.cycle(["register"], force=True)
    type_status(target, "SO-2609-900", "延期至 2026-12-20")
    owner = target.with_name("~$" + target.name)               # Excel's owner file while it is open
    owner.write_bytes(b"\x05li na")
    assert is_open_elsewhere(target)
    saved = sha(target)
    write_register(register, [clean(i) for i in range(1, 9)] + list(WRONG.values()))
    svc.cycle(["register"])
    assert sha(target) == saved                              # not rewritten under the person's hands
    assert svc.feedback.waiting() == {target: "open in Excel or LibreOffice"}
    [action] = history(svc.state, prefix="finding:")         # but what was typed is in the state already
    assert (action.verb, action.until) == ("snooze", dt.date(2026, 12, 20))
    svc.feedback.tick(svc.state, now=svc.now())             # still open: still waiting, nothing twice
    assert sha(target) == saved and len(history(svc.state, prefix="finding:")) == 1
    owner.unlink()                                           # closed: the next tick writes it
    svc.feedback.tick(svc.state, now=svc.now())
    assert sha(target) != saved and not svc.feedback.waiting()
    assert status_of(target, "SO-2609-900") == "延期至 2026-12-20"
    assert len(history(svc.state, prefix="finding:")) == 1
    svc.state.close()


def test_a_findings_workbook_with_a_sheet_someone_added_is_kept_aside(tmp_path):
    write_register(tmp_path / "register.xlsx", [clean(i) for i in range(1, 8)] + list(WRONG.values()))
    svc = service(tmp_path)
    target = tmp_path / "register.ordersync.xlsx"
    svc.cycle(["register"], force=True)
    wb = openpyxl.load_workbook(target)
    wb.create_sheet("我的备注")["A1"] = "周五开会讨论"
    wb.save(target)
    svc.cycle(["register"], force=True)
    kept = list(tmp_path.glob("register.ordersync.kept-*.xlsx"))
    assert len(kept) == 1 and "我的备注" in openpyxl.load_workbook(kept[0]).sheetnames
    svc.state.close()


def test_per_table_and_off(tmp_path):
    write_register(tmp_path / "register.xlsx", [clean(i) for i in range(1, 8)] + list(WRONG.values()))
    svc = service(tmp_path, 'per = "table"\n')
    svc.cycle(["register"], force=True)
    assert openpyxl.load_workbook(tmp_path / "register.ordersync.xlsx").sheetnames == ["汇总", "orders"]
    svc.state.close()
    (tmp_path / "register.ordersync.xlsx").unlink()
    svc = service(tmp_path, "workbook = false\n")
    svc.cycle(["register"], force=True)
    assert not (tmp_path / "register.ordersync.xlsx").exists()
    svc.state.close()


@pytest.mark.parametrize(("typed", "meant"), [
    ("已处理", ("done", None, "")), ("忽略", ("ignore", None, "")), ("done", ("done", None, "")),
    ("延期至 2026-12-20", ("snooze", dt.date(2026, 12, 20), "")), ("延期至2026年12月20日", ("snooze", dt.date(2026, 12, 20), "")),
    ("2026-12-20", ("snooze", dt.date(2026, 12, 20), "")), ("已联系客户", ("note", None, "已联系客户")),
    ("", ("reopen", None, "")),
])
def test_what_people_type_means_what_they_meant(typed, meant):
    assert parse_status(typed) == meant


def test_who_saved_it_and_typed_values():
    assert person("李娜") == "李娜" and person("ordersync") == "workbook" and person(None) == "workbook"
    assert typed_value("1200") == 1200 and typed_value("63.6") == 63.6 and typed_value("39O0") == "39O0"
    assert typed_value("2026-09-15") == dt.date(2026, 9, 15) and typed_value("0012") == "0012"
    assert ID_HEADER == "ordersync-id"


def test_in_english_the_status_column_reads_back_too(tmp_path):
    write_register(tmp_path / "register.xlsx", [clean(i) for i in range(1, 8)] + list(WRONG.values()))
    svc = service(tmp_path)
    svc.lang = svc.feedback.lang = "en"
    target = tmp_path / "register.ordersync.xlsx"
    svc.cycle(["register"], force=True)
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames[0] == "Summary"
    ws = wb["李娜"]
    header = [c.value for c in ws[1]][:7]
    assert header == ["Level", "Location", "Order", "Problem", "Suggestion", "Typed value", "Status"]
    ws.cell(2, 7).value = "snooze until 2026-12-20"
    wb.save(target)
    svc.feedback.tick(svc.state, now=svc.now())
    [action] = history(svc.state, prefix="finding:")
    assert (action.verb, action.until, action.by) == ("snooze", dt.date(2026, 12, 20), "workbook")
    assert openpyxl.load_workbook(target)["李娜"].cell(2, 7).value == "snooze until 2026-12-20"
    svc.state.close()
