"""What every cross-tab rule shares: the joined view, the language, and how a finding names its cells.

``Ctx.at`` places a finding at one cell of a table row. ``Ctx.key_cells``,
``Ctx.row_cells`` and ``Ctx.order_cells`` name the other cells a rule compared it with, so the
checking pass can fold a comparison into an error already on one of those
cells (``sync.checks.roots``) instead of reporting the same mistake twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as member
from typing import Any

import numpy as np
import pandas as pd

from sync.findings import CellRef, Finding
from sync.i18n import say
from sync.orders.view import SLACK  # noqa: F401 (the rules take it from here)
from sync.orders.view import KEY, POS, STAGE, OrderView, Settings, keyed, order_keys
from sync.tables.table import ROW, Table


@dataclass
class _Lines:
    """A table's keyed rows by order key, as plain arrays (a rule asks for one order's cells thousands of
    times): the rows in key order, where each key's run starts, and every row's position, sheet row, stage."""

    keys: pd.Index        # the keys in order; a key's place in it numbers its run
    order: np.ndarray     # the rows, key by key
    starts: np.ndarray    # where each key's rows start in ``order`` (and, last, where they end)
    pos: np.ndarray
    rows: np.ndarray
    stages: np.ndarray

    @classmethod
    def of(cls, rows: pd.DataFrame | None, keys: pd.Index, ranks: np.ndarray) -> _Lines:
        """``ranks``: each row's key's place among ``keys``."""
        if rows is None or rows.empty:
            empty = np.zeros(0, dtype=np.int64)
            return cls(pd.Index([]), empty, np.zeros(1, dtype=np.int64), empty, empty, empty.astype(object))
        order = np.argsort(ranks, kind="stable")
        starts = np.searchsorted(ranks[order], np.arange(len(keys) + 1))
        stages = rows[STAGE].to_numpy(dtype=object) if STAGE in rows else np.full(len(rows), None, dtype=object)
        return cls(keys, order, starts, rows[POS].to_numpy(), rows[ROW].to_numpy(), stages)

    def at(self, key: str) -> np.ndarray | None:
        """The places of one key's rows (None: it has none)."""
        if key not in self.keys:
            return None
        place = self.keys.get_loc(key)
        return self.order[self.starts[place]:self.starts[place + 1]]


@dataclass
class Ctx:
    view: OrderView
    lang: str
    today: pd.Timestamp
    _by_key: dict[str, dict[str, Any]] = member(default_factory=dict, init=False, repr=False)
    #: table -> its rows by order key: made the first time a rule names the cells of an order's rows
    _lines: dict[str, _Lines] = member(default_factory=dict, init=False, repr=False)

    @property
    def s(self) -> Settings:
        return self.view.settings

    def say(self, zh: str, en: str, **kw: Any) -> str:
        return say(zh, en, self.lang, **kw)

    def sheet(self, table: str) -> str:
        return self.view.tables[table].sheet

    def header(self, table: str, field: str) -> str:
        """The field's column header as the user sees it (the field name when the tab has no such column)."""
        t = self.view.tables.get(table)
        col = t.columns.get(field) if t is not None else None
        return col.header if col is not None and col.header else field

    def finding(self, rule: str, severity: str, table: str, row: Any, field: str, message: str,
                hint: str = "", key: str | None = None, **more: Any) -> Finding:
        """A finding at ``field`` of one table row (a Series or dict with POS, _row and KEY)."""
        key = key if key is not None else row.get(KEY)
        return self.at(rule, severity, table, row[POS], row[ROW], field, message, hint, key, **more)

    def at(self, rule: str, severity: str, table: str, pos: int, line: int, field: str, message: str,
           hint: str = "", key: str | None = None, *, compared: Iterable[CellRef] = (), gist: str = "") -> Finding:
        """A finding at ``field`` of the row at position ``pos`` (sheet row ``line``) of a table;
        ``compared``: the other cells the rule compared it with."""
        t = self.view.tables[table]
        pos, line = int(pos), int(line)
        col = t.columns.get(field)
        source, sheet = _place(t, pos)
        own = [CellRef(table, source, sheet, line, field)] if col else []
        cells = tuple(dict.fromkeys([*own, *compared]))
        if self.view.scaled:
            hint = self._in_pieces(hint, cells)
        return Finding(rule, severity, message, table=table, source=source, sheet=sheet, row=line,
                       column=t.header_at(field, pos) if col else None,
                       cell=t.cell_at(field, pos, line) if col else None,
                       field=field, order_no=t.raw_text("order_no", pos) or None,
                       value=t.raw_text(field, pos) if col else None, hint=hint, follower=self.follower(key),
                       compared=cells, gist=gist)

    def _in_pieces(self, hint: str, cells: tuple[CellRef, ...]) -> str:
        """``hint``, and how the counts among ``cells`` that the view turned into pieces were converted."""
        return self.with_pieces(hint, [(self.header(table, name), unit, factor)
                                       for table, name in dict.fromkeys((c.table, c.field) for c in cells)
                                       for unit, factor in self.view.scaled.get((table or "", name), {}).items()])

    def with_pieces(self, hint: str, converted: Iterable[tuple[str, str, float]]) -> str:
        """``hint``, and how counts were turned into pieces: (header, unit, pieces in one) each."""
        pieces = self.say("件", "pieces")
        said = [f"{header} 1 {unit} = {num(factor)} {pieces}" for header, unit, factor in dict.fromkeys(converted)]
        if not said:
            return hint
        note = f"counts compared in pieces: {', '.join(said)}" if self.lang == "en" else f"数量按件比较：{'、'.join(said)}"
        if not hint:
            return note
        return f"{hint} ({note})" if self.lang == "en" else f"{hint}（{note}）"

    def row_cells(self, table: str, pos: int, line: int, *fields: str) -> list[CellRef]:
        """The cells of ``fields`` on one row (at position ``pos``, sheet row ``line``) of a table."""
        t = self.view.tables[table]
        return [CellRef(table, *_place(t, int(pos)), int(line), f) for f in fields if t.has(f)]

    def key_cells(self, table: str, key: str, *fields: str, stage: Any = None) -> list[CellRef]:
        """The cells of ``fields`` on the rows of one order in a department table (with ``stage``: on its
        rows of that production stage), or on its lines in the orders table."""
        t = self.view.tables.get(table)
        have = [f for f in fields if t is not None and t.has(f)]
        lines = self._index(table)
        at = lines.at(key) if have else None
        if at is None or not len(at):
            return []
        if stage is not None:
            at = at[lines.stages[at] == stage]
        return [CellRef(table, *_place(t, pos), line, f)
                for pos, line in zip(lines.pos[at].tolist(), lines.rows[at].tolist()) for f in have]

    def _index(self, table: str) -> _Lines:
        if table not in self._lines:
            if table == "orders":   # asked only for an order entered on several lines: rare, and made here
                rows = _order_lines(self.view.tables.get(table))
                codes, keys = pd.factorize(rows[KEY]) if rows is not None else (np.zeros(0, dtype=np.int64), [])
                self._lines[table] = _Lines.of(rows, pd.Index(keys), codes)
            elif table in self.view.parts:   # the view numbers the department rows by key already
                grouped = self.view.by_order(table)
                self._lines[table] = _Lines.of(self.view.parts[table], grouped.labels, self.view.ranks(table))
            else:
                self._lines[table] = _Lines.of(None, pd.Index([]), np.zeros(0, dtype=np.int64))
        return self._lines[table]

    def order_cells(self, key: str, *fields: str) -> list[CellRef]:
        """The cells of ``fields`` on the orders row(s) of one order: every line of an order of several."""
        orders = self.view.tables.get("orders")
        place = self.order_place(key) if orders is not None else None
        if place is None:
            return []
        pos, line, lines = place
        if lines == 1:   # one line, as a rule: its place is in the order frame
            return [CellRef("orders", *_place(orders, pos), line, f) for f in fields if orders.has(f)]
        return self.key_cells("orders", key, *fields)

    def order_place(self, key: str) -> tuple[int, int, int] | None:
        """One order's position and sheet row in the orders table (its first line), and its number of lines."""
        if "_places" not in self._by_key:
            o = self.view.orders
            lines = o["lines"].tolist() if "lines" in o else [1] * len(o)
            self._by_key["_places"] = dict(zip(o.index.tolist(), zip(o[POS].astype(int).tolist(),
                                                                     o[ROW].astype(int).tolist(), lines)))
        return self._by_key["_places"].get(key)

    def follower(self, key: str | None) -> str | None:
        value = self.order_value(key, "follower") if key is not None else None
        return value if isinstance(value, str) and value else None

    def order_row(self, key: str) -> pd.Series:
        return self.view.orders.loc[key]

    def order_value(self, key: str, name: str) -> Any:
        """One cell of the order frame (None when there is no such order or column)."""
        if name not in self._by_key:   # a dict per column: a finding asks for a cell or two, thousands of times
            orders = self.view.orders
            self._by_key[name] = dict(zip(orders.index.tolist(), orders[name].tolist())) if name in orders else {}
        return self._by_key[name].get(key)


def _place(table: Table, pos: int) -> tuple[str, str]:
    """Where the row at ``pos`` was read: its source and sheet (one place for ``at`` and ``cells`` to agree on);
    a table over several tabs or workbooks says which one each row came from."""
    return table.source_at(pos), table.sheet_at(pos)


def _order_lines(table: Table | None) -> pd.DataFrame | None:
    """The orders table's rows with their keys (the lines of orders entered on several rows)."""
    if table is None or not table.has("order_no"):
        return None
    return keyed(table, order_keys([table])[0][0])


def rows_of(frame: pd.DataFrame, *names: str | None) -> Iterator[tuple[Any, ...]]:
    """The rows of ``frame`` as tuples of plain values of these columns (None: the index); iterrows, but fast."""
    return zip(*(frame.index.tolist() if n is None else frame[n].tolist() for n in names))


def cells_where(frame: pd.DataFrame, where: np.ndarray) -> list[tuple[Any, Any, Any]]:
    """(row label, column label, value) of the cells of ``frame`` where ``where`` holds, row by row (in the
    order of ``frame.stack()``)."""
    rows, columns = np.nonzero(where)
    return list(zip(frame.index[rows].tolist(), frame.columns[columns].tolist(),
                    frame.to_numpy()[rows, columns].tolist()))


def order_no(ctx: Ctx, key: str) -> str:
    return str(ctx.order_value(key, "order_no")) if key in ctx.view.orders.index else key


def num(x: Any) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "—"
    return str(int(x)) if float(x).is_integer() else f"{float(x):.1f}"


def pct(x: float) -> str:
    return num(round(x * 100, 1))


def day(ts: Any) -> str:
    return pd.Timestamp(ts).date().isoformat() if pd.notna(ts) else "—"
