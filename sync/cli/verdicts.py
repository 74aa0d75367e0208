"""What each sheet looked like, in words: for ``check`` when it recognised no table (or left sheets
unread), and for ``doctor`` when a configured table is not found.

A command never says "no problems" about a sheet it did not understand: it
says what the sheet looks most like and what was missing to be sure.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from sync.i18n import say
from sync.tables.fields import TABLES
from sync.tables.given import CONFIG
from sync.tables.reading import COMPOSITE, NO_KEY, SheetReading, describe, details, doubts, field_word, table_word
from sync.tables.table import column_letter


def unread(readings: list[SheetReading]) -> list[SheetReading]:
    """Sheets that look like a table (surely or probably) but whose rows were not read."""
    return [r for r in readings if r.table is None and r.verdict != "none"]


def print_nothing_recognised(console: Console, readings: list[SheetReading], lang: str,
                             labels: dict[str, str], workbooks: list[Path] | None) -> None:
    """No table recognised: say so, say what each sheet looked like, and how to tell ordersync."""
    console.print(say("[bold red]✗[/] 没有认出任何表，什么也没有检查。各工作表的样子：",
                      "[bold red]✗[/] no table recognised, so nothing was checked. What each sheet looks like:",
                      lang), highlight=False)
    for r in readings:
        console.print(f"  {escape(_where(r, labels))}: {escape(describe(r, lang))}", highlight=False, soft_wrap=True)
    if not readings:
        console.print(say("  （没有可读的工作表）", "  (no sheet could be read)", lang), highlight=False)
    target = " ".join(_quoted(p) for p in workbooks) if workbooks else "WORKBOOK"
    console.print(say("  要读它，请指出哪一列是订单号等：`ordersync init {t}` 会逐项询问并写出 config.toml"
                      "（也可在 config.toml 的 [tables.NAME] 里写 sheet、header_row 和 columns）。",
                      "  To read it, say which column is the order number (and the rest): `ordersync init {t}` "
                      "asks and writes config.toml (or set sheet, header_row and columns under [tables.NAME]).",
                      lang, t=target), style="dim", highlight=False, markup=False, soft_wrap=True)


def print_unread(console: Console, readings: list[SheetReading], lang: str, labels: dict[str, str], *,
                 guessed: bool = True) -> None:
    """One line per sheet that looks like a table but was not checked, and (``guessed``) per table read on a
    guessed key: not an error, but not silence either."""
    for r in readings:
        if r.table is None and (r.verdict != "none" or r.keyed_by):   # rows of orders nothing read: said
            words = unread_words(r, lang)
        else:   # a table read without a key is said even when configured: no person named one
            words = guessed_words(r, lang) if guessed or (r.match and NO_KEY in doubts(r.match)) else ""
            words = say("；", "; ", lang).join(w for w in (words, given_words(r, lang)) if w)   # and what names gave
        if words:
            console.print(f"[yellow]•[/] {escape(_where(r, labels))}: {escape(words)}", highlight=False,
                          soft_wrap=True)


def unread_words(reading: SheetReading, lang: str) -> str:
    """'probably production (missing: order no.), not checked' / 'also looks like orders (…), not checked'."""
    m = reading.match
    if reading.verdict == "probable" or m is None:
        return describe(reading, lang) + say("，未检查", ", not checked", lang)
    return say("也像{name}表（{what}），未检查：已有另一张表作为{name}表", "also looks like {name} ({what}), not "
               "checked: another sheet is read as {name}", lang, name=table_word(m.table, lang), what=details(m, lang))


def given_words(reading: SheetReading, lang: str) -> str:
    """What the file's or the tab's name was taken to say, where no column says it (``Table.given``); not what
    config.toml says (a register's ``follower``)."""
    said = []
    if "follower" in reading.given and reading.given["follower"][1] != CONFIG:   # config.toml's is no inference
        said.append(say("没有跟单员列：跟单员按名字取为 {who}（推断）", "no follower column: the follower is taken "
                        "from the name, {who} (inferred)", lang, who=reading.given["follower"][0]))
    if "status" in reading.given:
        said.append(say("没有状态列：按工作表名视为已完结（{s}）", "no status column: its orders are taken as "
                        "finished ({s}) from the tab's name", lang, s=reading.given["status"][0]))
    return say("；", "; ", lang).join(said)


def guessed_words(reading: SheetReading, lang: str) -> str:
    """A table read on a key that is a guess (columns together, a weak name): say which, so a person can check."""
    m = reading.match
    if m is None or not (found := doubts(m)):
        return ""
    key = " + ".join(f"{column_letter(m.mapping[f])} {m.labels[m.mapping[f]]}" for f in m.key)
    if NO_KEY in found:
        return say("没有能区分各行的列（猜测：没有{k}列）；用 `ordersync init` 指定哪一列是键",
                   "no column tells its rows apart (a guess: no {k} column); `ordersync init` asks which column "
                   "is the key", lang,
                   k=field_word(TABLES[m.table], TABLES[m.table].key[0], lang))
    if m.borrowed:
        return say("没有表头行：按「{sheet}」的表头读取（猜测：各列与之对齐）；请核对",
                   "no header row: read with the header of {sheet} (a guess: its columns line up with it); "
                   "check it", lang, sheet=m.borrowed)
    if COMPOSITE in found and m.plan:
        return say("计划表，没有订单号列：按 {key} 区分各行（猜测，依据各行的值）；用 `ordersync init` 确认",
                   "a plan without an order-number column: rows told apart by {key} (a guess from their values); "
                   "`ordersync init` asks to confirm", lang, key=key)
    if COMPOSITE in found:
        return say("按 {key} 组合区分各行（猜测：没有订单号列）；用 `ordersync init` 确认",
                   "rows told apart by {key} together (a guess: no order-number column); `ordersync init` "
                   "asks to confirm", lang, key=key)
    return say("以 {key} 为订单号（猜测：列名不确定）；用 `ordersync init` 确认",
               "{key} taken as the order number (a guess from its header); `ordersync init` asks to confirm",
               lang, key=key)


def _where(reading: SheetReading, labels: dict[str, str]) -> str:
    book = labels.get(reading.source, reading.source)
    return f"{book} › {reading.sheet}" if book else reading.sheet


def _quoted(path: Path) -> str:
    text = str(path)
    return f'"{text}"' if " " in text else text
