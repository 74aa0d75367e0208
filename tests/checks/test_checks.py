"""Each rule type on a small register read through the real parser, and the pack loader's errors."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from sync.checks import REGISTRY, Context, load_pack, load_rules, run_checks
from sync.errors import ConfigError
from sync.checks.pipeline import SHIPPED_RULES, check_register
from sync.tables.register import Register, load
from sync.sources import MemorySource

TODAY = dt.date(2026, 5, 20)
HEAD = ["订单号", "下单日期", "客户", "款号", "订单数量", "单价", "金额", "交货日期", "跟单员"]


def order(no, qty=500, price=10.0, amount=None, customer="Muji HK", product="MJ-T01", ordered="2026-04-01",
          due="2026-05-15", follower="张伟"):
    return [no, ordered, customer, product, qty, price, (qty * price if isinstance(qty, (int, float)) else None) if amount is None else amount, due, follower]


def register(rows, customers=("Muji HK", "UNIQLO JP")) -> Register:
    sheets = {"订单登记": [HEAD, *rows], "客户资料": [["客户编码", "客户名称", "邮箱"]] +
              [[f"C{i:03d}", c, f"c{i}@example.com"] for i, c in enumerate(customers)]}
    return load([MemorySource("book", sheets)])


def run(text: str, reg: Register, tmp_path: Path, lang: str = "en"):
    pack = tmp_path / "pack.toml"
    pack.write_text(text, encoding="utf-8")
    return run_checks(reg, load_pack(pack), Context(lang, TODAY, reg))


def cells(findings) -> list[tuple[str, str]]:
    return [(f.rule, f.cell) for f in findings]


def test_type_required(tmp_path):
    reg = register([order("SO-1"), order("SO-2", customer=None), order(None)])
    found = run('table = "orders"\n[[rules]]\nid = "req"\ntype = "required"\nfields = ["order_no", "customer"]\n',
                reg, tmp_path)
    assert cells(found) == [("req", "A4"), ("req", "C3")]
    assert found[1].message == "客户 is blank" and found[1].order_no == "SO-2" and found[1].follower == "张伟"


def test_a_placeholder_where_the_order_number_goes_is_a_blank_order_number(tmp_path):
    reg = register([order("SO-1"), order("无"), order("待定"), order(" - "), order("TBD"), order("SO-6"),
                    order("？？"), order("ＴＢＤ"), order("优-007")])
    assert reg.get("orders").data["order_no"].isna().tolist() == [False, True, True, True, True, False, True, True,
                                                                  False]
    found = run('table = "orders"\n[[rules]]\nid = "req"\ntype = "required"\nfields = ["order_no"]\n',
                reg, tmp_path)
    assert cells(found) == [("req", "A3"), ("req", "A4"), ("req", "A5"), ("req", "A6"), ("req", "A8"), ("req", "A9")]
    assert found[0].message == "订单号 is blank"


def test_type_required_says_once_that_a_column_is_blank_on_every_row(tmp_path):
    reg = register([order(f"SO-{i}", customer=None) for i in range(1, 7)])
    found = run('table = "orders"\n[[rules]]\nid = "req"\ntype = "required"\nfields = ["order_no", "customer"]\n',
                reg, tmp_path)
    assert [(f.cell, f.severity) for f in found] == [("C2", "warning")]
    assert found[0].message == "客户 is blank on all 6 rows: a column not in use?"


def test_a_short_table_blank_in_one_column_throughout_is_one_warning_two_blanks_are_two_errors(tmp_path):
    """A delivery note of three lines with its order-number column left empty (poi 64508) is a column not in
    use, said once; two orders out of two without a customer are two blanks to fill in."""
    rule = 'table = "orders"\n[[rules]]\nid = "req"\ntype = "required"\nfields = ["customer"]\n'
    three = run(rule, register([order(f"SO-{i}", customer=None) for i in range(1, 4)]), tmp_path)
    assert [(f.cell, f.severity) for f in three] == [("C2", "warning")]
    two = run(rule, register([order(f"SO-{i}", customer=None) for i in range(1, 3)]), tmp_path)
    assert [(f.cell, f.severity) for f in two] == [("C2", "error"), ("C3", "error")]


REQUIRED = 'table = "orders"\n[[rules]]\nid = "req"\ntype = "required"\nfields = ["order_no", "quantity"]\n'


def with_status_and_note(rows, statuses, notes):
    head = [*HEAD, "状态", "备注"]
    sheets = {"订单登记": [head, *[[*r, s, n] for r, s, n in zip(rows, statuses, notes)]]}
    return load([MemorySource("book", sheets)])


def test_type_required_is_quiet_about_a_line_with_nothing_left_to_follow(tmp_path):
    """A sample shipped without an order number is history, not a slip to fix; an open line without one is."""
    reg = with_status_and_note([order("SO-1"), order(None), order(None)], ["已出货", "已出货", "生产中"], [None] * 3)
    found = run(REQUIRED, reg, tmp_path)
    assert [(f.cell, f.severity) for f in found] == [("A4", "error"), ("A3", "warning")]
    assert "已出货" in found[1].message and "nothing left to follow" in found[1].message


def test_type_required_says_quietly_the_blanks_a_sheet_explains_in_its_notes(tmp_path):
    """Quantities left blank on purpose, each line saying why in its note, are the sheet's practice."""
    rows = [order(f"I-{i}", qty=None if i < 4 else 100 * i) for i in range(12)]
    notes = ["no monthly balance on the order"] * 4 + [None] * 8
    found = run(REQUIRED, with_status_and_note(rows, [None] * 12, notes), tmp_path)
    assert {f.severity for f in found} == {"warning"} and len(found) == 4
    assert found[0].message == "订单数量 is blank; the line's note says: no monthly balance on the order"


def test_type_required_still_errs_when_a_note_just_happens_to_be_there(tmp_path):
    rows = [order(f"SO-{i}", qty=None if i == 3 else 500) for i in range(12)]
    notes = [None] * 3 + ["客户要求加急"] + [None] * 8
    found = run(REQUIRED, with_status_and_note(rows, [None] * 12, notes), tmp_path)
    assert [(f.cell, f.severity) for f in found] == [("E5", "error")]


def test_type_type_quotes_raw_text_and_accepts_messy_forms(tmp_path):
    reg = register([order("SO-1", qty="1,200"), order("SO-2", qty="１２００"), order("SO-3", qty="800件"),
                    order("SO-4", qty="154O0"), order("SO-5", due="2026年9月15日"), order("SO-6", due="soon")])
    found = run('table = "orders"\n[[rules]]\nid = "unreadable"\ntype = "type"\n', reg, tmp_path)
    assert cells(found) == [("unreadable", "E5"), ("unreadable", "H7")]
    assert found[0].value == "154O0" and "'154O0' is not a number" in found[0].message
    assert "'soon' is not a date" in found[1].message


def test_type_values_speaks_once_per_column_for_placeholders(tmp_path):
    reg = register([order("SO-1", due="TBD"), order("SO-2", due="待定"), order("SO-3", due=0), order("SO-4")])
    pack = ('table = "orders"\n[[rules]]\nid = "placeholder"\ntype = "values"\nkind = "placeholder"\nseverity = "info"\n'
            '[[rules]]\nid = "zero-date"\ntype = "values"\nkind = "missing-date"\nseverity = "warning"\n')
    found = run(pack, reg, tmp_path)
    assert cells(found) == [("placeholder", "H2"), ("zero-date", "H4")]
    assert "2 cells hold a placeholder" in found[0].message and "H2, H3" in found[0].message
    assert found[1].value == "0" and "zero date" in found[1].message


def test_type_serial_date_flags_a_date_typed_into_a_google_sheets_quantity(tmp_path):
    from tests.fakegoogle import FakeGoogle
    from sync.sources.gsheets import GSheetsSource

    rows = [order("SO-1", qty=500, ordered=46113, due=46157), order("SO-2", qty=46160, ordered=46113, due=46157),
            order("SO-3", qty=46160.5, ordered=46113, due=46157), order("SO-4", qty=90000, ordered=46113, due=46157)]
    pack = 'table = "orders"\n[[rules]]\nid = "date-as-quantity"\ntype = "serial-date"\n'
    with FakeGoogle() as google:
        google.add("sheet-key-0123456789", {"订单登记": [HEAD, *rows]})
        reg = load([GSheetsSource("book", "sheet-key-0123456789", session=google.session())])
    found = run(pack, reg, tmp_path)
    assert [(f.rule, f.cell, f.severity) for f in found] == [("date-as-quantity", "E3", "error")]
    assert found[0].message == "订单数量 '46160' looks like the date 2026-05-18 (Google Sheets hands dates over as " \
                               "day counts), not a quantity"
    excel = register([order("SO-2", qty=46160)])   # a file on a disk gives dates as dates: a number is a number
    assert run(pack, excel, tmp_path) == []


def test_type_range(tmp_path):
    reg = register([order("SO-1", qty=0), order("SO-2", qty=-5), order("SO-3", qty=5)])
    found = run('table = "orders"\n[[rules]]\nid = "pos"\ntype = "range"\nfield = "quantity"\nmin = 0\n'
                'exclusive = true\n', reg, tmp_path)
    assert cells(found) == [("pos", "E2"), ("pos", "E3")]
    assert "outside > 0" in found[0].message


def test_type_allowed_folds_width_and_case(tmp_path):
    reg = register([order("SO-1", customer="muji hk"), order("SO-2", customer="ＭＵＪＩ HK"), order("SO-3", customer="Gap")])
    found = run('table = "orders"\n[[rules]]\nid = "cust"\ntype = "allowed"\nfield = "customer"\n'
                'values = ["Muji HK"]\n', reg, tmp_path)
    assert cells(found) == [("cust", "C4")]


def test_type_pattern(tmp_path):
    reg = register([order("SO-2605-001"), order("SO-2605-0O2"), order("so-2605-003")])
    found = run('table = "orders"\n[[rules]]\nid = "fmt"\ntype = "pattern"\nfield = "order_no"\n'
                'pattern = "SO-\\\\d{4}-\\\\d{3}"\nexample = "SO-2605-001"\n', reg, tmp_path)
    assert cells(found) == [("fmt", "A3"), ("fmt", "A4")]
    assert found[0].hint == "expected a value like SO-2605-001"


def test_type_pattern_without_an_example_shows_one_of_the_registers_own(tmp_path):
    reg = register([order("Z-3"), order("优-001"), order("优-002"), order("优-003，"), order("HM-04")])
    found = run('table = "orders"\n[[rules]]\nid = "fmt"\ntype = "pattern"\nfield = "order_no"\n'
                'pattern = "[^\\\\W_][\\\\w-]*"\n', reg, tmp_path)
    assert cells(found) == [("fmt", "A5")]
    assert found[0].hint == "expected a value like 优-001"   # the shape most of them have, not the first row's


def test_the_shipped_order_number_rule_takes_a_house_format_in_chinese_and_flags_stray_punctuation():
    rules = [r for r in load_rules([SHIPPED_RULES]) if r.id == "order-no-format"]
    reg = register([order("优-001"), order("补单-12"), order("SO-2605-039"), order("08215048"), order("SO-001(补)"),
                    order("优-002"), order("优-004，"), order("SO 2605?039"), order("SO—001")])
    found = run_checks(reg, rules, Context("zh", TODAY, reg))
    assert cells(found) == [("order-no-format", "A8"), ("order-no-format", "A9"), ("order-no-format", "A10")]
    assert found[0].hint == "应符合格式 优-001"


def test_type_unique_names_the_other_row_and_folds_spaces(tmp_path):
    reg = register([order("SO-1"), order("SO-2"), order(" SO-1 "), order("SO-3", customer="A"),
                    order("SO-3", customer="B")])
    found = run('table = "orders"\n[[rules]]\nid = "dup"\ntype = "unique"\nfields = ["order_no"]\n'
                '[[rules]]\nid = "dup2"\ntype = "unique"\nfields = ["order_no", "customer"]\n', reg, tmp_path)
    assert cells(found) == [("dup", "A4"), ("dup", "A6"), ("dup2", "A4")]
    assert found[0].message == "SO-1 is the same as on row 2"


ORDER_LINES = 'table = "orders"\n[[rules]]\nid = "dup"\ntype = "order-lines"\n'


def test_type_order_lines_lets_split_deliveries_be_and_flags_repeats_and_conflicts(tmp_path):
    reg = register([order("SO-1", qty=300, due="2026-05-15"), order("SO-1", qty=200, due="2026-06-15"),  # split
                    order("SO-2", product="MJ-T01"), order("SO-2", product="MJ-T02"),                   # two styles
                    order("SO-3"), order(" SO-3 "),                                   # the same line twice
                    order("SO-4"), order("SO-4", customer="UNIQLO JP"),               # one number, two customers
                    order("SO-5", ordered="2026-04-01"), order("SO-5", ordered="2026-04-20", product="X")])
    found = run(ORDER_LINES, reg, tmp_path)
    assert cells(found) == [("dup", "A7"), ("dup", "A9"), ("dup", "A11")]
    assert [f.severity for f in found] == ["error", "error", "warning"]
    assert found[0].message == "SO-3 repeats the line on row 6"
    assert found[1].message == ("order SO-4 has 客户 Muji HK on row 8 but UNIQLO JP here: "
                                "two orders with one number?")
    assert "下单日期" in found[2].message and "row 10" in found[2].message


def test_type_order_lines_compares_the_columns_that_are_no_field_too(tmp_path):
    """Two lines alike in every field but their remark (first lot, second lot; a WO planned again for a later
    month) are two lines; alike in that column too they are one line twice."""
    head = [*HEAD, "车间备注 Workshop remark"]   # not a field: the two rows may differ there
    rows = [order("SO-1") + ["first lot"], order("SO-1") + ["second lot"]]
    reg = load([MemorySource("book", {"订单登记": [head, *rows]})])
    assert reg.get("orders").unmapped == ["车间备注 Workshop remark"]
    assert run(ORDER_LINES, reg, tmp_path) == []
    rows = [order("SO-1") + ["first lot"], order("SO-1") + ["first lot"]]
    reg = load([MemorySource("book", {"订单登记": [head, *rows]})])
    assert [(f.cell, f.severity) for f in run(ORDER_LINES, reg, tmp_path)] == [("A3", "error")]


def test_type_order_lines_only_warns_of_a_repeat_when_some_columns_were_not_read(tmp_path):
    """Where a column was not read at all (a materials sheet keeps no other columns), the two rows may differ
    there: a repeat is a warning."""
    from sync.checks.lines import OrderLines

    head = [*HEAD, "车间备注 Workshop remark"]
    rows = [order("SO-1") + ["first lot"], order("SO-1") + ["second lot"]]
    table = load([MemorySource("book", {"订单登记": [head, *rows]})]).get("orders")
    table.extra = {}      # as a table whose other columns are not kept
    reg = Register({"orders": table})
    rule = OrderLines(id="dup", table="orders")
    found = list(rule.run(table, Context("en", TODAY, reg)))
    assert [(f.cell, f.severity) for f in found] == [("A3", "warning")]


def test_type_order_lines_uses_the_line_number_when_there_is_one(tmp_path):
    head = ["PO No.", "Line", "Customer", "Part No", "Qty", "Delivery Date"]
    rows = [["PO-7", 1, "ACME", "P-1", 10, "2026-05-01"], ["PO-7", 2, "ACME", "P-2", 20, "2026-05-01"],
            ["PO-7", 2, "ACME", "P-3", 30, "2026-06-01"], ["PO-8", 1, "ACME", "P-1", 10, "2026-05-01"]]
    reg = load([MemorySource("book", {"PO": [head, *rows]})])
    assert reg.get("orders").columns["line_no"].letter == "B"
    found = run(ORDER_LINES, reg, tmp_path)
    assert cells(found) == [("dup", "A4")]
    assert found[0].severity == "error" and "row 3" in found[0].message


def test_type_compare_with_offset(tmp_path):
    reg = register([order("SO-1", ordered="2026-04-10", due="2026-04-01"),
                    order("SO-2", ordered="2026-04-10", due="2026-04-13"),
                    order("SO-3", ordered="2026-04-10", due="2026-05-13")])
    found = run('table = "orders"\n[[rules]]\nid = "before"\ntype = "compare"\nleft = "due_date"\nop = ">="\n'
                'right = "order_date"\n[[rules]]\nid = "short"\ntype = "compare"\nleft = "due_date"\nop = ">="\n'
                'right = "order_date"\noffset = 7\nseverity = "warning"\n', reg, tmp_path)
    # H2 breaks both rules: the error is said, the weaker warning on the same cell is not
    assert cells(found) == [("before", "H2"), ("short", "H3")]
    assert found[0].message == "交货日期 2026-04-01 is before 下单日期 2026-04-10"


def test_type_formula_with_tolerance(tmp_path):
    reg = register([order("SO-1", qty=500, price=13.88, amount=6940), order("SO-2", qty=500, price=138.8, amount=96400),
                    order("SO-3", qty=100, price=10, amount=1000.4)])
    found = run('table = "orders"\n[[rules]]\nid = "amt"\ntype = "formula"\nfield = "amount"\n'
                'expr = "quantity * unit_price"\nabs_tol = 1\n', reg, tmp_path)
    assert cells(found) == [("amt", "G3")]
    assert found[0].message == "金额 is 96400, but 订单数量 × 单价 = 69,400"


def test_type_reference_suggests_near_misses(tmp_path):
    reg = register([order("SO-1", customer="Muji HK"), order("SO-2", customer="Muji  HKK"),
                    order("SO-3", customer="Brand New Co"), order("SO-4", customer="c001")])
    found = run('table = "orders"\n[[rules]]\nid = "cust"\ntype = "reference"\nfield = "customer"\n'
                'ref_table = "customers"\nref_fields = ["customer", "customer_code"]\n', reg, tmp_path)
    assert [(f.cell, f.severity, f.hint) for f in found] == [
        ("C3", "error", "did you mean 'Muji HK'?"),
        ("C4", "warning", "check it, or add it to 客户资料 first")]


def test_type_reference_is_quiet_without_the_master(tmp_path):
    reg = load([MemorySource("book", {"订单登记": [HEAD, order("SO-1", customer="Anyone")]})])
    found = run('table = "orders"\n[[rules]]\nid = "cust"\ntype = "reference"\nfield = "customer"\n'
                'ref_table = "customers"\nref_fields = ["customer"]\n', reg, tmp_path)
    assert found == []


def test_type_date_year_suggests_the_year_meant(tmp_path):
    reg = register([order("SO-1", due="2062-06-23"), order("SO-2", ordered="1926-04-01"), order("SO-3")])
    found = run('table = "orders"\n[[rules]]\nid = "year"\ntype = "date-year"\nfields = ["order_date", "due_date"]\n',
                reg, tmp_path, lang="zh")
    assert [(f.cell, f.hint) for f in found] == [("B3", "是否应为 2026-04-01？"), ("H2", "是否应为 2026-06-23？")]


def test_type_date_future(tmp_path):
    reg = register([order("SO-1", ordered="2026-05-21"), order("SO-2", ordered="2026-05-25"), order("SO-3")])
    found = run('table = "orders"\n[[rules]]\nid = "fut"\ntype = "date-future"\nfields = ["order_date"]\n',
                reg, tmp_path)
    assert cells(found) == [("fut", "B3")]
    assert found[0].message == "下单日期 2026-05-25 is after today (2026-05-20)"


def test_type_outlier(tmp_path):
    history = [order(f"SO-{i}", qty=q) for i, q in enumerate([300, 450, 600, 500, 350, 400], start=1)]
    reg = register(history + [order("SO-7", qty=5000), order("SO-8", qty=45)])
    found = run('table = "orders"\n[[rules]]\nid = "qty"\ntype = "outlier"\nfield = "quantity"\n'
                'groups = [["customer"]]\n', reg, tmp_path)
    assert cells(found) == [("qty", "E8"), ("qty", "E9")]
    assert found[0].message == "订单数量 is usually 320–550 for Muji HK, got 5000: an extra zero?"
    assert found[0].hint == "did you mean 500?"
    assert found[1].message.endswith("got 45: a zero missing?")


def test_type_custom_and_the_shipped_example(tmp_path):
    (tmp_path / "mine.py").write_text(
        "from sync.checks.custom import check\n"
        "@check(id='tiny', table='orders', field='quantity', message=('{column} 仅 {value}', '{column} only {value}'))\n"
        "def tiny(table, ctx):\n    return table.data['quantity'] < 10\n", encoding="utf-8")
    example = SHIPPED_RULES / "example_custom.py"
    reg = register([order("SO-2604-001", qty=5, ordered="2026-04-02"), order("SO-2604-002", ordered="2026-05-09"),
                    order("SO-2605-003", ordered="2026-04-30"), order("SO-2605-004", ordered="2026-06-02"), order("X-17", ordered="2026-01-01")])
    found = run_checks(reg, load_rules([tmp_path, example]), Context("en", TODAY, reg))
    assert [(f.rule, f.cell, f.severity) for f in found] == [
        ("tiny", "E2", "warning"), ("order-no-month", "A3", "warning"), ("order-no-month", "A4", "warning")]
    assert found[0].message == "订单数量 only 5"
    assert found[1].message == "order number SO-2604-002 says 2026-04, but the order date is 2026-05-09"


def test_every_rule_type_has_a_test():
    names = dir(sys.modules[__name__])
    for rule_type in REGISTRY:
        assert any(n.startswith(f"test_type_{rule_type.replace('-', '_')}") for n in names), rule_type


# --- packs: clear errors naming file, line and key ---------------------------------------------------------


@pytest.mark.parametrize("body, expected", [
    ('[[rules]]\nid = "a"\ntype = "required"\nfields = ["order_no"]\n\n[[rules]]\nid = "b"\ntype = "requird"\n'
     'fields = ["order_no"]\n', "pack.toml line 9, rule 'b', key 'type': 'requird' is not a rule type; did you mean 'required'?"),
    ('[[rules]]\nid = "b"\ntype = "range"\nfield = "quantity"\nmaxx = 5\n',
     "pack.toml line 6, rule 'b', key 'maxx': unknown key for a range rule"),
    ('[[rules]]\nid = "c"\ntype = "compare"\nleft = "due_date"\nright = "order_date"\n',
     "pack.toml line 2, rule 'c', key 'op': missing"),
    ('[[rules]]\nid = "d"\ntype = "required"\nfields = ["quantty"]\n',
     "pack.toml line 5, rule 'd', key 'fields': 'quantty' is not a field of orders; did you mean 'quantity'?"),
    ('[[rules]]\nid = "e"\ntype = "formula"\nfield = "amount"\nexpr = "quantity * __import__(1)"\n',
     "pack.toml line 6, rule 'e', key 'expr'"),
    ('[[rules]]\nid = "f"\ntype = "required"\nfields = ["order_no"]\nmessage = { zh = "{colum} 空" }\n',
     "pack.toml line 6, rule 'f', key 'message': unknown placeholder {colum}"),
    ('[[rules]]\nid = "g"\ntype = "required"\nfields = ["order_no"\n', "pack.toml: "),
    ('tabel = "orders"\n', "pack.toml line 1, key 'tabel': unknown key"),
])
def test_pack_errors_name_file_line_and_key(tmp_path, body, expected):
    pack = tmp_path / "pack.toml"
    pack.write_text('table = "orders"\n' + body if not body.startswith("tabel") else body, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_pack(pack)
    assert expected in str(err.value).replace(str(tmp_path) + "/", "")


def test_custom_file_errors_name_the_line(tmp_path):
    (tmp_path / "broken.py").write_text("x = 1\ny = undefined_name\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken.py line 2: NameError"):
        load_rules([tmp_path])


def test_rule_without_its_column_is_skipped_with_one_warning(tmp_path):
    reg = load([MemorySource("book", {"订单登记": [["订单号", "客户", "订单数量"], ["SO-1", "A", 5]]})])
    found = run('table = "orders"\n[[rules]]\nid = "a"\ntype = "compare"\nleft = "due_date"\nop = ">="\n'
                'right = "order_date"\n[[rules]]\nid = "b"\ntype = "required"\nfields = ["due_date"]\n', reg, tmp_path)
    skipped = [f for f in found if f.rule == "rule-skipped"]
    assert len(skipped) == 2 and all(f.severity == "warning" for f in skipped)
    assert skipped[0].message == "订单登记 has no due_date column; skipped a, b"


def test_shipped_packs_load_and_config_disables_ids(tmp_path):
    from sync.config import load_config

    rules = load_rules([SHIPPED_RULES])
    assert {"quantity-outlier", "price-outlier", "due-before-order", "unknown-customer", "order-no-month"} <= \
        {r.id for r in rules}
    assert "status-values" not in {r.id for r in rules}  # enabled = false in the pack
    cfg = tmp_path / "config.toml"
    cfg.write_text('[rules]\ndisable = ["quantity-outlier", "order-no-month"]\n', encoding="utf-8")
    reg = register([order(f"SO-{i}", qty=q) for i, q in enumerate([300, 450, 600, 500, 350, 400, 5000], 1)])
    report = check_register(reg, load_config(cfg), lang="en", today=TODAY)
    assert "quantity-outlier" not in {f.rule for f in report.findings}
    report = check_register(reg, None, lang="en", today=TODAY)
    assert "quantity-outlier" in {f.rule for f in report.findings}


def test_a_warning_on_most_rows_is_the_registers_habit_said_once():
    """Superstore ships every order within days: lead-time-short on 9,373 of 9,994 rows is how that business
    works, not 9,373 slips. It is one warning with the count, an example and the first cells; a few short lead
    times among long ones stay a warning per cell, and errors are always per cell."""
    quick = [order(f"SO-{i}", due="2026-04-04") for i in range(30)]
    found = check_register(register(quick), None, lang="en", today=TODAY).findings
    said = [f for f in found if f.rule == "lead-time-short"]
    assert len(said) == 1 and said[0].cell is None and said[0].severity == "warning"
    assert said[0].message.startswith("订单登记: 30 of 30 rows draw this warning, the sheet's way of working")
    assert "e.g. H2: due 2026-04-04 is only 3 days after the order date 2026-04-01 (H2, H3, H4" in said[0].message
    assert said[0].message.endswith("H9 …)")
    assert "[rules] disable" in said[0].hint

    few = [order(f"SO-{i}") for i in range(27)] + [order(f"SO-Q{i}", due="2026-04-04") for i in range(3)]
    found = check_register(register(few), None, lang="en", today=TODAY).findings
    assert [f.cell for f in found if f.rule == "lead-time-short"] == ["H29", "H30", "H31"]
