"""One view per order: the orders tab joined with every department tab.

Rows are joined on ``normalise_key(order_no)`` (case, spaces, full-width
characters do not matter). Production rows get a canonical stage: one of
``[reconcile] stages`` when the config lists them, else one of the register's
own stages in the order it uses them (``sync.orders.stages``). A wide
tracker's stage and shipment columns are read as the production and shipping
tabs it does not have (``sync.orders.wide``), each row pointing at its cell.
Everything per order is computed with groupby over whole columns, so a
register of thousands of rows costs a few milliseconds.

An orders tab may hold several lines for one order number (one per colour or
size): the ordered quantity is their sum, the due date the earliest.

Tabs may count pieces in different units: the orders by the dozen (数量(打),
Qty (dz), 100打 typed) or in thousands (数量(千件), Qty (K pcs)), production and
shipping by the piece. Then every count the tabs are compared on is turned into
pieces here (``count_scales``), and each finding that compared one says how
(``OrderView.scaled``); where all count in one unit, nothing is converted and
every figure reads as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, PrivateAttr

from sync.config import ReconcileConfig
from sync.orders.stages import order_stages, stages_used, vocabulary_lookup
from sync.orders.wide import PRODUCED, add_wide_tables
from sync.tables.fields import header_key
from sync.tables.keys import normalise_array
from sync.tables.normalize import normalise_key
from sync.tables.quantities import UNITS, Unit, count_unit, header_unit
from sync.tables.register import Register
from sync.tables.table import ROW, Table

KEY, POS, STAGE = "_key", "_pos", "_stage"
DEPARTMENTS = ("materials", "production", "qc", "shipping")
OPEN, PARTIAL, SHIPPED, CLOSED, CANCELLED, PENDING, PRODUCING, DONE = (
    "open", "partial", "shipped", "closed", "cancelled", "pending", "producing", "done")
#: the one list of status words: status, reconciliation, reminders, digests and change requests all classify an
#: order's status by it. Words are matched whole (after ``header_key``: case, width, spaces, punctuation and
#: traditional characters do not matter), so 未发货 never reads as 发货; a word no class lists is ``OPEN``.
#: ``[statuses]`` in config.toml adds words to each class (``sync.config.StatusesConfig``).
STATUS_WORDS: dict[str, list[str]] = {
    CANCELLED: ["取消", "已取消", "作废", "撤单", "cancelled", "canceled", "cancel", "void"],
    PARTIAL: ["部分发货", "部分出货", "部分交货", "分批出货", "partiallyshipped", "partshipped", "partial"],
    SHIPPED: ["已发货", "已出货", "已出运", "出货完成", "发货完成", "已交货", "已交付", "已签收", "shipped", "delivered",
              "fullyshipped", "completeshipped", "doneshipped"],
    CLOSED: ["结案", "已结案", "关闭", "已关闭", "完结", "closed", "complete", "finished"],
    PENDING: ["待生产", "未开始", "待排产", "待下单", "未生产", "未下单", "新单", "pending", "notstarted", "new", "open"],
    PRODUCING: ["生产中", "在产", "在制", "生产", "进行中", "inproduction", "producing", "inprogress", "wip"],
    DONE: ["已完成", "生产完成", "完成", "完工", "已完工", "待发货", "待出货", "completed", "done", "readytoship"],
}
#: the classes after which an order is no longer open
FINISHED = (SHIPPED, CLOSED, CANCELLED)
#: counts are whole pieces: half a piece is rounding, not a mistake (nor a batch short of shipped)
SLACK = 0.5
#: the counts of pieces the tabs are compared on (materials count in their own units: metres, kg, cones)
COUNTED = ("quantity", "completed_qty", "inspected_qty", "passed_qty", "failed_qty", "shipped_qty")


class Settings(ReconcileConfig):
    """The ``[reconcile]`` section (typed, with its defaults, in sync.config), the status words of
    ``[statuses]``, and the lookups made from them."""

    #: extra status words per class, from ``[statuses]``
    statuses: dict[str, list[str]] = Field(default_factory=dict)
    _lookup: dict[str, str] | None = PrivateAttr(default=None)

    def aliases(self) -> dict[str, str]:
        """Folded name -> the stage ``stage_aliases`` makes it."""
        out: dict[str, str] = {}
        for a, s in self.stage_aliases.items():
            if isinstance(s, str):
                out[header_key(a)] = s
            else:
                out.update({header_key(x): a for x in s})
        return out

    def stage_lookup(self) -> dict[str, str]:
        """Folded name -> configured stage: the vocabulary's words for each, then the aliases, then the names."""
        stages = self.stages or []
        out = vocabulary_lookup(stages)
        out.update(self.aliases())
        out.update({header_key(s): s for s in stages})
        return out

    def status_lookup(self) -> dict[str, str]:
        """Folded status word -> its class: the built-in words, then ``[statuses]``."""
        if self._lookup is None:   # settings are not changed once made: the lookup is made once
            out = {header_key(w): cls for cls, words in STATUS_WORDS.items() for w in words}
            out.update({header_key(w): cls for cls, words in self.statuses.items() for w in words})
            self._lookup = out
        return self._lookup

    def status_class(self, status: Any) -> str | None:
        """The class of one status as written (None for a blank one)."""
        if status is None or (isinstance(status, float) and status != status) or not str(status).strip():
            return None
        return self.status_lookup().get(header_key(status), OPEN)


def settings_from(config: Any) -> Settings:
    """``[reconcile]`` with the status words of ``[statuses]``."""
    if config is None:
        return Settings()
    extra = {cls: words for cls, words in config.statuses.model_dump().items() if words}
    return Settings.model_validate({**config.reconcile.model_dump(), "statuses": extra})


@dataclass
class OrderView:
    """The register joined by order key. Frames are indexed by ``KEY`` unless said otherwise."""

    settings: Settings
    tables: dict[str, Table]
    orders: pd.DataFrame                 # one row per order key: first row's cells + sums
    parts: dict[str, pd.DataFrame]       # department table -> its keyed rows (KEY, POS, _row, fields)
    stages: list[str]                    # the production stages, in order
    done: pd.DataFrame                   # KEY x stage: completed quantity
    totals: pd.DataFrame                 # KEY: inspected, passed, failed, shipped, required, arrived
    unjoined: list[Table] = field(default_factory=list)   # department tabs without an order number
    unknown_stages: list[str] = field(default_factory=list)
    #: department tab -> (rows, the first one's place, its number as typed, the order's) joined though their numbers
    #: lost or gained leading zeros (``zeros_restored``)
    zeros: dict[str, tuple[int, int, str, str]] = field(default_factory=dict)
    #: (table, field) -> the units its counts were turned into pieces from ({"打": 12.0}), where the tabs count in
    #: different units (``count_scales``); empty where nothing was converted
    scaled: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    #: a wide tracker's production and shipping tables as the rules check them: a row for every cell of its stage
    #: and shipment columns that holds something, read or not (``sync.orders.wide.WideTables``)
    wide: dict[str, Table] = field(default_factory=dict)
    #: what the totals, the rules and the progress all ask for, worked out once
    _kept: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def keeps_figures(self) -> bool:
        """The register keeps production figures: a production tab (or stage columns) with rows in it and a column
        of quantities done or days finished; a tab with its header only, or of plans alone, keeps none yet."""
        part = self.parts.get("production")
        return part is not None and len(part) > 0 and ("completed_qty" in part or "actual_finish" in part)
    def poorly_joined(self, table: str) -> bool:
        """Most of the tab's order numbers are not orders: it covers other orders, or another kind of number."""
        rows = self.parts.get(table)
        if rows is None or rows.empty:
            return False
        orphans = int((~self.known(table)).sum())
        return orphans == len(rows) if len(rows) <= 20 else orphans > 20 and orphans > len(rows) / 2

    def known(self, table: str) -> pd.Series:
        """Per row of the department table: is its order in the orders tab?"""
        def known() -> pd.Series:
            ordered = np.zeros(len(self._sorted_keys()) + 1, dtype=bool)
            ordered[self._order_ranks()] = True
            return pd.Series(ordered[self.ranks(table)], index=self.parts[table].index, name=KEY)
        return self._keep(("known", table), known)

    def has_rows(self, table: str) -> np.ndarray:
        """Per order (row of ``orders``): has the department table rows for it?"""
        present = np.zeros(len(self._sorted_keys()) + 1, dtype=bool)   # the last: keys no tab has
        present[self.ranks(table)] = True
        return present[self._order_ranks()]

    def on_rows(self, table: str, per_order: pd.Series) -> pd.Series:
        """``per_order``, indexed by the keys' places (``Grouped.agg(labelled=False)``), for each row of the
        department table: its order's value (missing where the order has none)."""
        every = per_order.reindex(np.arange(len(self._sorted_keys()))).to_numpy()
        return pd.Series(every[self.ranks(table)], index=self.parts[table].index, name=per_order.name)

    def orders_on_rows(self, table: str, values: pd.Series) -> pd.Series:
        """``values``, one per order as ``orders`` has them, for each row of the department table: its order's
        value (missing where the orders tab has no such order). By the keys' places, not by their text."""
        places = self._order_ranks()
        kept = places >= 0
        return self.on_rows(table, pd.Series(values.to_numpy()[kept], index=places[kept], name=values.name))

    def _order_ranks(self) -> np.ndarray:
        """The orders' places among the keys (-1: a key no department row has)."""
        def rank() -> np.ndarray:
            place = {k: i for i, k in enumerate(self._sorted_keys())}
            return np.array([place.get(k, -1) for k in self.orders.index.tolist()], dtype=np.intp)
        return self._keep("order ranks", rank)

    def by_order(self, table: str, then: str | None = None) -> Grouped:
        """The department table's rows grouped by order key (and by the column ``then``), kept."""
        return self._keep(("by_order", table, then), lambda: self.grouped(self.parts[table], self.ranks(table), then))

    def staged(self) -> pd.DataFrame:
        """The production rows whose stage is one of the stages."""
        return self._keep("staged", lambda: self.parts["production"][self.parts["production"][STAGE].notna()])

    def by_stage(self) -> Grouped:
        """``staged`` grouped by order key and stage."""
        return self._keep("by_stage", lambda: self.grouped(
            self.staged(), self.ranks("production")[self.parts["production"][STAGE].notna().to_numpy()], STAGE))

    def grouped(self, rows: pd.DataFrame, ranks: np.ndarray, then: str | None = None) -> Grouped:
        """``rows`` (of a department table, their keys' ``ranks``) grouped by order key, then by ``then``."""
        keys = self._key_labels()
        if then is None:
            return Grouped(rows, [ranks], [keys])
        codes, labels = pd.factorize(rows[then], sort=True)
        return Grouped(rows, [ranks, codes], [keys, pd.Index(labels, name=then)])

    def _key_labels(self) -> pd.Index:
        """The keys in order as an index of the very strings ``_sorted_keys`` holds: the results labelled with
        them (and their hash tables) share those strings instead of making their own."""
        return self._keep("key labels", lambda: pd.Index(self._sorted_keys(), dtype=object, name=KEY))

    def ranks(self, table: str) -> np.ndarray:
        """Per row of the department table, its order key's place among all the register's keys in order
        (``build_view`` knows them from ``order_keys`` already, as a rule)."""
        def rank() -> np.ndarray:
            codes, uniques = pd.factorize(self.parts[table][KEY])
            return _places(uniques.tolist(), self._sorted_keys()).take(codes)
        return self._keep(("ranks", table), rank)

    def _sorted_keys(self) -> list[str]:
        return self._keep("keys", lambda: sorted(set().union(*(rows[KEY].unique().tolist()
                                                                 for rows in self.parts.values()))))

    def _keep(self, what: Any, make: Callable[[], Any]) -> Any:
        if what not in self._kept:
            self._kept[what] = make()
        return self._kept[what]

    def rows(self, table: str) -> pd.DataFrame:
        return self.parts.get(table, pd.DataFrame(columns=[KEY, POS, ROW]))


class Grouped:
    """Rows grouped by order key (and a second column), in order, as ``rows.groupby([KEY, ...])`` groups them:
    with each group numbered by its key's place in order (and its second value's place), since whole numbers
    group many times faster than text, and the results labelled with the keys again."""

    def __init__(self, rows: pd.DataFrame, codes: list[np.ndarray], labels: list[pd.Index]) -> None:
        self.rows, self._labels = rows, labels
        number = codes[0]
        if len(codes) == 2:   # key place * values + value place; a row without a value is in no group
            number = number * len(labels[1]) + codes[1]
            number = np.where(codes[1] < 0, np.nan, number) if (codes[1] < 0).any() else number
        self._number = number
        self._grouped = rows.groupby(number)
        self._index: tuple[pd.Index, pd.Index] | None = None   # the groups as numbers, and as labels

    def agg(self, column: str | None, how: str, *, labelled: bool = True, **kw: Any) -> pd.Series:
        """``rows.groupby(...)[column]`` aggregated by ``how`` (``column`` None: the rows, as for size);
        not ``labelled``: indexed by the keys' places (the same for every table of the view)."""
        grouped = self._grouped if column is None else self._grouped[column]
        out = getattr(grouped, how)(**kw)
        return self._labelled(out) if labelled else out

    def agg_values(self, values: pd.Series, how: str) -> pd.Series:
        """``values``, one per row, aggregated per group as ``agg`` does a column of the rows."""
        return self._labelled(values.groupby(self._number).agg(how))

    @property
    def labels(self) -> pd.Index:
        """The keys in order (their places index it)."""
        return self._labels[0]

    def _labelled(self, out: pd.Series) -> pd.Series:
        if self._index is None or not out.index.equals(self._index[0]):   # every group, as a rule: labelled once
            self._index = (out.index, self._labels_of(out.index.to_numpy().astype(np.intp)))
        return out.set_axis(self._index[1])

    def _labels_of(self, number: np.ndarray) -> pd.Index:
        if len(self._labels) == 1:
            return self._labels[0].take(number)
        codes = list(divmod(number, len(self._labels[1])))
        return pd.MultiIndex(levels=self._labels, codes=codes, names=[x.name for x in self._labels],
                             verify_integrity=False).remove_unused_levels()


def keyed(table: Table, keys: pd.Series | str | None = None,
          scale: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """The table's rows with their order key and position; rows without an order number are left out.
    ``keys``: the rows' keys, when ``order_keys`` has worked them out already; ``scale``: field -> each row's
    factor to pieces (``count_scales``)."""
    df = table.data.copy(deep=False)   # the table's own columns, shared (copy-on-write keeps the table as read)
    for name, factors in (scale or {}).items():
        df[name] = df[name] * factors
    df[POS] = np.arange(len(df))
    df[KEY] = order_keys([table])[0] if keys is None else keys
    named = (df[KEY] != "").to_numpy()
    return df if named.all() else df[named]


def order_keys(tables: list[Table]) -> tuple[list[pd.Series | str], list[np.ndarray | None], list[str]]:
    """``normalise_key`` of each table's order numbers ("" without that column); with each row's place
    among the keys in order (``OrderView.ranks``) and those keys, as far as they are worked out together.

    The same numbers recur from tab to tab and row to row: the text columns are worked out together,
    once per distinct number."""
    columns = [t.data["order_no"] if t.has("order_no") else None for t in tables]
    text = next((c.dtype for c in columns if c is not None and isinstance(c.dtype, pd.StringDtype)), None)
    together = [c for c in columns if c is not None and c.dtype == text]
    ordered: list[str] = []
    if together:
        codes, uniques = pd.factorize(pd.concat(together, ignore_index=True), use_na_sentinel=False)
        keys = pd.Series(normalise_array(uniques), dtype=text)
        same, distinct = pd.factorize(keys)
        ordered = sorted(distinct.tolist())   # Python sorts text many times faster than numpy does
        ranks = _places(distinct.tolist(), ordered).take(same)
    out: list[pd.Series | str] = []
    ranked: list[np.ndarray | None] = []
    start = 0
    for c in columns:
        if c is not None and c.dtype == text:
            out.append(keys.take(codes[start:start + len(c)]).set_axis(c.index))
            ranked.append(ranks.take(codes[start:start + len(c)]))
            start += len(c)
        else:
            out.append("" if c is None else c.map(normalise_key))
            ranked.append(None)
    return out, ranked, ordered


def zeros_restored(keys: dict[str, pd.Series | str], ranks: dict[str, np.ndarray | None], ordered: list[str],
                   joined: list[str]) -> dict[str, tuple[int, int, str, str]]:
    """Department rows whose order number is an order's but for its leading zeros (8215048 for 08215048: Excel
    drops them from a number typed into a cell not formatted as text) are that order's, when only one order's
    number it can be: their keys (and places among ``ordered``) are changed in place. Per tab: how many rows,
    the first one's place, its number as typed and the order's."""
    known = keys.get("orders")
    if not isinstance(known, pd.Series) or known.empty:
        return {}
    numbers = pd.Series(known.unique(), dtype=object)
    numbers = numbers[numbers.str.fullmatch(r"\d+").fillna(False).astype(bool)]
    bare = numbers.str.lstrip("0")
    one = bare.map(bare.value_counts()) == 1   # 1 and 01 both orders: neither is the other's
    order_of = dict(zip(bare[one], numbers[one]))
    if not order_of:
        return {}
    place = {k: i for i, k in enumerate(ordered)} if ordered else {}
    out: dict[str, tuple[int, int, str, str]] = {}
    for name in joined:
        ks = keys[name]
        if not isinstance(ks, pd.Series):
            continue
        odd = ~ks.isin(known) & (ks != "")
        if not odd.any():
            continue
        typed = ks[odd]
        typed = typed[typed.str.fullmatch(r"\d+").fillna(False).astype(bool)]
        found = typed.str.lstrip("0").map(order_of).dropna()
        ranked = ranks.get(name)
        if found.empty or (ranked is not None and not all(k in place for k in found)):
            continue   # (a tab's places are among keys worked out with the orders': they are, or none are)
        changed = ks.astype(object)
        changed[found.index] = found
        keys[name] = changed.astype(ks.dtype)
        if ranked is not None:
            ranked[ks.index.get_indexer(found.index)] = [place[k] for k in found]
        first = found.index[0]
        out[name] = (len(found), int(ks.index.get_loc(first)), str(typed[first]), str(found.iloc[0]))
    return out


def _places(keys: list[str], ordered: list[str]) -> np.ndarray:
    """Each key's place in ``ordered``."""
    place = {k: i for i, k in enumerate(ordered)}
    return np.array([place[k] for k in keys], dtype=np.intp)


def map_values(values: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """``values.map(func)``, with ``func`` called once per distinct value of a text column (stage names and
    statuses repeat row after row)."""
    if not isinstance(values.dtype, pd.StringDtype) or values.empty:
        return values.map(func)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    out = pd.Series(uniques, dtype=values.dtype).map(func).take(codes)
    out.index = values.index
    return out.rename(values.name)


def build_view(register: Register, settings: Settings) -> OrderView:
    tables = dict(register.tables)
    wide = add_wide_tables(tables, [*(settings.stages or []), *settings.aliases()])
    orders_table = tables.get("orders")
    joinable = orders_table is not None and orders_table.has("order_no")
    joined = [n for n in DEPARTMENTS if n in tables and joinable and tables[n].has("order_no")]
    unjoined = [tables[n] for n in DEPARTMENTS if n in tables and n not in joined]
    keys, ranks, ordered = order_keys([tables[n] for n in joined] + [orders_table]) if joinable else ([], [], [])
    keys, ranks = dict(zip(joined + ["orders"], keys)), dict(zip(joined, ranks))
    zeros = zeros_restored(keys, ranks, ordered, joined)
    scales = count_scales(tables, [*joined, "orders"] if joinable else [])
    parts = {n: keyed(tables[n], keys[n], _of(scales, n)) for n in joined}
    orders = _order_frame(orders_table, settings, keys.get("orders"), _of(scales, "orders"))
    stages, unknown = _assign_stages(parts, tables.get("production"), settings, wide.stages)
    view = OrderView(settings, tables, orders, parts, stages, pd.DataFrame(), pd.DataFrame(), unjoined, unknown,
                     zeros, {at: units for at, (_, units) in scales.items()}, wide.checked)
    if all(ranks[n] is not None for n in joined):   # each tab's keys were worked out together: their places too
        view._kept.update({("ranks", n): ranks[n][(keys[n] != "").to_numpy()] for n in joined}, keys=ordered)
    view.done = _stage_done(view)
    view.totals = _totals(view)
    return view


def count_scales(tables: dict[str, Table], names: list[str]) -> dict[tuple[str, str], tuple[np.ndarray, dict]]:
    """Where the tabs ``names`` count pieces in more than one unit: (table, field) -> each row's factor to pieces
    and the units it converts ({"打": 12.0}), for each count (``COUNTED``) not already in pieces. A cell's unit is
    the one typed in it (100打), else the one its header names (数量(打), Qty (K pcs)), else pieces. {} where
    every count is in one unit: then nothing is converted. Units of another kind (套, 双, kg) are left alone."""
    found: dict[tuple[str, str], tuple[np.ndarray, dict]] = {}
    seen: set[float] = set()
    for name in names:
        table = tables.get(name)
        for f in COUNTED if table is not None else ():
            if f not in table.columns:
                continue
            declared = declared_unit(table, f)
            factors = np.full(len(table), declared.factor if declared is not None else 1.0)
            units = {declared.label: declared.factor} if declared is not None else {}
            typed = table.units.get(f)   # the unit each cell was typed in (100打), after its column settled them
            for label in set(typed.tolist()) - {None} if typed is not None else ():
                if (unit := count_unit(UNITS.get(label.lower()))) is not None:
                    factors[typed == label] = unit.factor
                    units[label] = unit.factor
            filled = table.data[f].notna().to_numpy()
            seen.update(np.unique(factors[filled]).tolist())
            if (factors != 1).any():
                found[name, f] = factors, {u: x for u, x in units.items() if x != 1}
    return found if len(seen) > 1 else {}


def declared_unit(table: Table, name: str) -> Unit | None:
    """The count unit the header of ``table``'s column ``name`` names (数量(打): 打), if any."""
    return count_unit(header_unit(table.columns[name].header)) if name in table.columns else None


def _of(scales: dict[tuple[str, str], tuple[np.ndarray, dict]], table: str) -> dict[str, np.ndarray]:
    return {f: factors for (t, f), (factors, _) in scales.items() if t == table}


def _order_frame(table: Table | None, settings: Settings, keys: pd.Series | None = None,
                 scale: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    if table is None or not table.has("order_no"):
        return pd.DataFrame(columns=["order_no", "quantity", ROW, POS]).rename_axis(KEY)
    df = keyed(table, keys, scale)
    for name in ("customer", "follower", "quantity", "order_date", "due_date", "status"):
        if name not in df:
            df[name] = np.nan if name in ("quantity",) else None
    for name in ("order_date", "due_date"):
        df[name] = pd.to_datetime(df[name])
    df["status_class"] = map_values(df["status"], settings.status_class)
    if df[KEY].is_unique and all(isinstance(t, pd.StringDtype) or t.kind in "fiM" for t in df.dtypes):
        # one line per order, as a rule: then each line is its order, as the grouping below would make it
        return _by_text(df.set_index(KEY).assign(lines=1))
    g = df.groupby(KEY, sort=False)
    out = g.first()   # first non-null per column: the order's own line
    out[ROW] = g[ROW].first()
    out[POS] = g[POS].first()
    out["quantity"] = g["quantity"].sum(min_count=1)
    out["due_date"] = g["due_date"].min()
    out["order_date"] = g["order_date"].min()
    out["lines"] = g.size()
    status_first = g["status"].first()   # an order's status is on its first line
    out["status"] = status_first
    return _by_text(out)


def _by_text(orders: pd.DataFrame) -> pd.DataFrame:
    """``orders`` indexed by its keys as Python strings: each progress holds its key, and the index's hash
    table the same key, not a string of its own made from the Arrow column at every lookup."""
    orders.index = orders.index.astype(object)
    return orders


def _assign_stages(parts: dict[str, pd.DataFrame], table: Table | None, settings: Settings,
                   wide: list[str]) -> tuple[list[str], list[str]]:
    """The stages in order, and the stage words the configured list does not know; each production row's
    stage in ``STAGE``. ``wide``: a wide tracker's stages, in column order."""
    prod = parts.get("production")
    configured = list(settings.stages) if settings.stages else None
    if prod is None or table is None:
        return configured or [], []
    if wide and configured is None:   # the columns are the stages, in their order
        aliases = settings.aliases()
        prod[STAGE] = map_values(prod["stage"], lambda s: aliases.get(header_key(s), s))
        return list(dict.fromkeys(aliases.get(header_key(s), s) for s in wide)), []
    if not table.has("stage"):
        # one completed figure per order: count it as finished goods
        last = configured[-1] if configured else PRODUCED
        prod[STAGE] = last
        return [last], []
    folded = map_values(prod["stage"], lambda s: header_key(s) if s else "")
    if configured is None:
        stages, lookup = order_stages(stages_used(prod, folded, KEY), settings.aliases())
        prod[STAGE] = map_values(folded, lambda k: lookup.get(k))
        return stages, []
    lookup = settings.stage_lookup()
    prod[STAGE] = map_values(folded, lambda k: lookup.get(k))
    unknown = sorted(set(prod.loc[prod["stage"].notna() & prod[STAGE].isna(), "stage"]))
    return configured, unknown


def cumulative_column(table: Table | None, name: str) -> bool:
    """累计完成 / cumulative: each row restates the total so far, so rows are not added up."""
    if table is None or not table.has(name):
        return False
    label = header_key(table.columns[name].header)
    return any(w in label for w in ("累计", "cumulative", "todate", "total"))


def _stage_done(view: OrderView) -> pd.DataFrame:
    prod = view.parts.get("production")
    if prod is None or "completed_qty" not in prod or prod.empty:
        return pd.DataFrame(index=pd.Index([], name=KEY), columns=view.stages, dtype=float)
    how = "max" if cumulative_column(view.tables.get("production"), "completed_qty") else "sum"
    done = view.by_stage().agg("completed_qty", how).unstack(STAGE)
    return done.reindex(columns=view.stages)


def _totals(view: OrderView) -> pd.DataFrame:
    # put side by side by the keys' places, and labelled with the keys after: it is the same frame, and whole
    # numbers line up many times faster than text
    plain = len({str(rows[KEY].dtype) for rows in view.parts.values()}) == 1
    sums: list[pd.Series] = []
    for table, fields in (("qc", ("inspected_qty", "passed_qty", "failed_qty")), ("shipping", ("shipped_qty",)),
                          ("materials", ("required_qty", "arrived_qty"))):
        rows = view.parts.get(table)
        for f in fields:
            if rows is not None and f in rows:
                total = view.by_order(table).agg(f, "sum", labelled=not plain, min_count=1)
                sums.append(total.rename(f.removesuffix("_qty")))
    counts = [view.by_order(t).agg(None, "size", labelled=not plain).rename(f"{t}_rows") for t in view.parts]
    if not sums and not counts:
        return pd.DataFrame(index=pd.Index([], name=KEY))
    out = pd.concat(sums + counts, axis=1)
    if plain:
        out.index = view.by_order(next(iter(view.parts))).labels.take(out.index.to_numpy())
    return out


def total(view: OrderView, key: str, name: str) -> float:
    """One order's total of ``name`` (inspected, passed, shipped, ...), NaN when nothing is recorded."""
    if name not in view.totals or key not in view.totals.index:
        return float("nan")
    return float(view.totals.at[key, name])
