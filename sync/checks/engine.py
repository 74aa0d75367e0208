"""Run rules over a register: each rule on each table of its kind, missing columns skipped with one warning.

A rule names a kind (``table = "production"``); a workbook may hold two tables of one kind with
different layouts (``production`` and ``production_inputs_2``), and the rule runs on each.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from sync.checks.base import Check, Context, cell_list
from sync.checks.memo import Keys, PassMemo
from sync.findings import ERROR, WARNING, Finding
from sync.i18n import say
from sync.tables.register import Register
from sync.tables.table import Table

log = logging.getLogger(__name__)


def run_checks(register: Register, rules: Iterable[Check], ctx: Context,
               memo: tuple[PassMemo, Keys] | None = None, wide: Mapping[str, Table] | None = None) -> list[Finding]:
    """Each rule's findings, one message per cell; with ``memo``, a rule whose input is unchanged is not run.

    ``wide``: the tables a wide tracker's stage and shipment columns make (``OrderView.wide``), checked by the
    rules of their kind as a department tab is, cell by cell; a rule that needs a field they lack does not
    apply to them (no warning: the orders tab's own have been said). The rows of cells that read as nothing
    are there for the rules about what a cell holds (``CELL_TYPES``); the others read the rows with a figure
    or a date: a stage cell showing #N/A is no stage done without its date."""
    findings: list[Finding] = []
    skipped: dict[tuple[str, str], list[str]] = {}
    read = {name: table.read_rows() for name, table in (wide or {}).items()}
    for rule in rules:
        # a register without a QC tab simply has no QC rules to run
        for table in [t for t in register.tables.values() if t.kind == rule.table]:
            missing = [f for f in dict.fromkeys(rule.fields_needed()) if not table.has(f)]
            for name in missing if not (table.key or rule.optional) else ():   # a plan lacks what orders have
                skipped.setdefault((table.name, name), []).append(rule.id)
            if not missing:
                findings.extend(habit(_run_one(rule, table, ctx, memo), rule, table, ctx.lang))
        for name, every in (wide or {}).items():
            table = every if type(rule).type in CELL_TYPES else read[name]
            if table is not None and table.kind == rule.table and all(table.has(f) for f in rule.fields_needed()):
                made_from = getattr(table, "made_from", "orders")
                findings.extend(habit(_run_one(rule, table, ctx, memo, made_from), rule, table, ctx.lang))
    findings += _skip_warnings(register, skipped, ctx.lang)
    return one_per_cell(findings)


#: the rule types that say what a cell holds (text where a figure goes, a formula's error), whatever its row's
#: other cells hold
CELL_TYPES = frozenset({"type", "values"})


def _run_one(rule: Check, table: Table, ctx: Context, memo: tuple[PassMemo, Keys] | None,
             made_from: str | None = None) -> list[Finding]:
    """``made_from``: the register's table that ``table`` is made from, all its content comes from (a wide
    tracker's orders tab)."""
    try:
        if memo is None:
            return list(rule.run(table, ctx))
        kept, keys = memo
        what = f"rule:{rule.id}:{table.name}" + (f":from:{made_from}" if made_from else "")
        return kept.findings(what, keys.rule(rule, made_from or table.name), lambda: list(rule.run(table, ctx)))
    except Exception as exc:  # one broken rule (often a custom one) must not silence the others
        log.exception("rule %s failed on %s", rule.id, table.describe())
        return [Finding("rule-failed", WARNING, say(
            "规则 {id} 运行出错：{err}", "rule {id} failed: {err}", ctx.lang, id=rule.id, err=exc),
            table=table.name, source=table.source, sheet=table.sheet)]


#: a rule that warns on this share of a table's rows (and at least ``HABIT_ROWS`` of them) describes the
#: register's way of working, not slips: Superstore ships every order within days of taking it
HABIT_SHARE = 0.5
HABIT_ROWS = 20


def habit(found: list[Finding], rule: Check, table: Table, lang: str) -> list[Finding]:
    """``found`` (one rule on one table), with its warnings said once when they are the sheet's habit: the count,
    one of them as an example and the first cells, so a page or a mail is not thousands of lines of one doubt.
    Errors are always said cell by cell."""
    warned = [f for f in found if f.severity == WARNING and f.cell]
    rows = {f.row for f in warned}
    if len(rows) < HABIT_ROWS or len(rows) < HABIT_SHARE * len(table):
        return found
    shown = cell_list([f.cell for f in warned], lang)
    first = warned[0]
    said = Finding(rule.id, WARNING, say(
        "「{sheet}」{n}/{total} 行都有这条提醒，是本表的常态而非逐行的问题，例如 {cell}：{example}（{cells}）",
        "{sheet}: {n} of {total} rows draw this warning, the sheet's way of working rather than {n} slips; "
        "e.g. {cell}: {example} ({cells})", lang, sheet=table.sheet, n=len(rows), total=len(table),
        cell=first.cell, example=first.message, cells=shown),
        table=table.name, source=first.source, sheet=first.sheet, column=first.column, field=first.field,
        hint=say("若这是本表的正常做法，请在 rules/ 中调整 {id} 的阈值，或在 config.toml 的 [rules] disable 中关闭它",
                 "if this is how the register works, adjust {id} in rules/, or switch it off under [rules] disable "
                 "in config.toml", lang, id=rule.id))
    return [f for f in found if not (f.severity == WARNING and f.cell)] + [said]


def _skip_warnings(register: Register, skipped: dict[tuple[str, str], list[str]], lang: str) -> list[Finding]:
    out = []
    for (name, field), ids in skipped.items():
        table = register.tables[name]
        out.append(Finding("rule-skipped", WARNING, say(
            "「{sheet}」没有“{field}”列，已跳过规则 {ids}", "{sheet} has no {field} column; skipped {ids}", lang,
            sheet=table.sheet, field=_label(table.kind, field, lang), ids=", ".join(dict.fromkeys(ids))),
            table=name, source=table.source, sheet=table.sheet, field=field,
            hint=say("如该列存在但叫法不同，请在 config.toml 的 [tables.{t}.columns] 指定",
                     "if the column exists under another name, map it in config.toml [tables.{t}.columns]",
                     lang, t=name)))
    return out


def _label(table: str, field: str, lang: str) -> str:
    from sync.tables.fields import TABLES

    spec = TABLES[table].fields.get(field)
    return spec.aliases[0] if spec and spec.aliases and lang != "en" else field


def one_per_cell(findings: list[Finding]) -> list[Finding]:
    """A cell that is wrong (error) gets that one message, not also the weaker doubts of other rules."""
    wrong = {(f.source, f.sheet, f.cell) for f in findings if f.severity == ERROR and f.cell}
    seen: set[tuple] = set()
    out = []
    for f in findings:
        where = (f.source, f.sheet, f.cell)
        if f.cell and f.severity != ERROR and where in wrong:
            continue
        key = (f.rule, *where, f.row, f.field, "" if f.cell else f.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out
