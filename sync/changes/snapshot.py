"""A table as the ledger sees it: each row's key, normalised values and hash.

Keys, not row numbers
---------------------
A row is identified by what it is about, never by where it sits, so inserting
a row above, sorting the sheet or deleting a blank row changes nothing. Two
things are worked out per row:

- its identity (``IDENTITY_FIELDS``): every column that tells rows of the
  table apart (orders: order number, line, style, colour, size; materials:
  order number, line, material, purchase order; production: order number,
  line, stage, production line, update date; ...), hashed into
  ``Index.khashes``. ``sync.changes.matching`` pairs stored and new rows by
  identity and content, so rows that share a key (two 面料 rows of one order,
  three dated progress rows of one stage) never trade places on a sort;
- its key, the short name the ledger files it under (``KEY_FIELDS``, keys
  through ``normalise_key``: NFKC, upper case, no spaces): ``SO-1``,
  ``SO-1|裁剪|A线``; rows sharing one get an occurrence counter (``SO-1#2``).
  A row keeps the key it was first filed under for as long as it is matched;
  a new row gets the first of its key's names not in use.

Only the fields the sheet actually has are used. Fallback: a row whose key
fields are all blank, or a table with none of them, is keyed by a hash of its
identifying text columns (``~3f9a…``); editing it is still one change, found
by content.

Values in their normalised form
-------------------------------
Numbers as their shortest exact text (1,200 / 1200.0 / ``1200`` are all
``"1200"``), dates as ISO (``2026/9/5`` and a real date cell are both
``"2026-09-05"``), keys through ``normalise_key``, text trimmed with spaces
folded. A cell whose text could not be understood keeps that raw text, so
``12OO`` -> ``1200`` is a change. The row hash is taken over these strings, so
a value that only changed its form is not a change.
"""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from sync.tables.fields import DATE, KEY, NUMBER, TABLES
from sync.tables.normalize import normalise_key, text_of
from sync.tables.table import ROW, Table

KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "orders": ("order_no",),
    "production": ("order_no", "stage", "line"),
    "materials": ("order_no", "material"),
    "qc": ("order_no", "inspected_on"),
    "shipping": ("order_no", "shipped_on", "tracking_no"),
    "customers": ("customer_code",),
    "people": ("name",),
}

#: every column that tells one row of a table from another (see the module docstring)
IDENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "orders": ("order_no", "line_no", "product", "color", "size"),
    "production": ("order_no", "line_no", "stage", "line", "updated_on"),
    "materials": ("order_no", "line_no", "material", "po_no"),
    "qc": ("order_no", "inspected_on"),
    "shipping": ("order_no", "line_no", "shipped_on", "tracking_no"),
    "customers": ("customer_code", "customer"),
    "people": ("name",),
}


@dataclass
class Snapshot:
    """One table, row by row, in the form the ledger stores and compares."""

    table: str
    fields: list[str]              # sorted canonical fields the sheet has
    keys: np.ndarray               # str per row: the key a new row would be filed under
    bases: np.ndarray              # str per row: the key without its occurrence counter
    idents: np.ndarray             # int64 per row: the hash of the row's identity
    order_keys: np.ndarray         # normalise_key(order_no) per row, "" when none
    hashes: np.ndarray             # int64 per row
    rows: np.ndarray               # 1-based sheet row per row
    #: the table it was taken of; a weak reference when the table keeps it (``snapshot_of``)
    held: Table | weakref.ref
    _index: Index | None = field(default=None, repr=False, compare=False)

    @property
    def source(self) -> Table:
        return self.held() if isinstance(self.held, weakref.ref) else self.held

    def __len__(self) -> int:
        return len(self.keys)

    def order_nos_at(self, positions: np.ndarray | list[int]) -> list[str]:
        """The order numbers as written (for messages; "" where none) of the rows at ``positions``, in that order.

        Read from the table for the rows a cycle stores, not held for every row: as Python strings, the order
        numbers of 100k orders' 750k rows are some 50 MiB more the service would keep from cycle to cycle."""
        positions = np.asarray(positions, dtype=np.int64)
        table = self.source
        if not table.has("order_no"):
            return [""] * len(positions)
        return [_written(v) for v in table.data["order_no"].iloc[positions].tolist()]

    def values_at(self, positions: np.ndarray | list[int]) -> pd.DataFrame:
        """The normalised values (str or None per field) of the rows at ``positions``, in that order.

        Only the rows a cycle stores are turned into text; the hash works on the typed columns."""
        positions = np.asarray(positions, dtype=np.int64)
        return pd.DataFrame({f: normalised_column(self.source, f, positions).to_numpy() for f in self.fields},
                            index=pd.RangeIndex(len(positions)), dtype=object)   # None stays None, never NaN

    def index(self) -> Index:
        """The identity columns as the ledger stores them (worked out once: a tab a save did not
        change keeps its snapshot, and so its index, from cycle to cycle)."""
        if self._index is None:
            self._index = Index(self.keys, self.idents, self.hashes, self.rows)
        return self._index


@dataclass
class Index:
    """A table's identity columns, stored packed in one record so a cycle reads 100k rows in one fetch:
    key, key hash (for matching on integers), row hash and sheet row."""

    keys: np.ndarray
    khashes: np.ndarray
    hashes: np.ndarray
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def empty(cls) -> Index:
        return cls(np.array([], dtype=object), *(np.array([], dtype=np.int64) for _ in range(3)))

    def pack(self) -> tuple[bytes, bytes, bytes, bytes]:
        keys = _SEP.join(self.keys.tolist()).encode() if len(self) else b""
        return keys, *(a.astype(np.int64).tobytes() for a in (self.khashes, self.hashes, self.rows))

    @classmethod
    def unpack(cls, keys: bytes, khashes: bytes, hashes: bytes, rows: bytes) -> Index:
        if not keys and not rows:
            return cls.empty()
        return cls(np.array(keys.decode().split(_SEP), dtype=object),
                   *(np.frombuffer(b, dtype=np.int64) for b in (khashes, hashes, rows)))

    def take(self, positions: np.ndarray) -> Index:
        return Index(self.keys[positions], self.khashes[positions], self.hashes[positions], self.rows[positions])

    def plus(self, other: Index) -> Index:
        return Index(*(np.concatenate([a, b]) for a, b in zip(
            (self.keys, self.khashes, self.hashes, self.rows), (other.keys, other.khashes, other.hashes, other.rows))))


_SEP = "\x1f"  # folded away from every cell text, so never inside a key


def _hash_rows(table: Table, fields: list[str], ident: pd.DataFrame,
               texts: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """One 64-bit hash per row, columns in sorted field order: numbers and dates by value (so 1,200 and
    1200 hash alike), text by its normalised string, a cell that made no sense by its raw text."""
    out = np.zeros(len(table), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for name in fields:
            h = _hash_strings(ident[name].to_numpy(dtype=object)) if name in ident else _hash_typed(table, name)
            if texts is not None and name in ident:
                texts[name] = h        # the identity hashes these again: once is enough
            bad = table.bad.get(name)
            if name not in ident and bad is not None and bad.any():
                h[bad] = _hash_strings(pd.Series(table.raw[name][bad]).map(text_of).to_numpy(dtype=object))
            out = out * np.uint64(1_000_003) ^ h
    return out.view(np.int64)


def _hash_strings(col: np.ndarray) -> np.ndarray:
    return pd.util.hash_array(np.where(pd.isna(col), "\x00", col).astype(object), categorize=False)


def _hash_typed(table: Table, name: str) -> np.ndarray:
    col = table.data[name]
    if _kind(table, name) == DATE:
        ints = col.to_numpy(dtype="datetime64[us]").view(np.int64)
    else:
        values = col.to_numpy(dtype=float) + 0.0              # -0.0 -> 0.0
        ints = values.view(np.int64).copy()
        ints[np.isnan(values)] = 0x7FF8DEAD                   # every blank alike
    return pd.util.hash_array(ints, categorize=False)


def _kind(table: Table, name: str) -> str:
    spec = TABLES[table.kind].fields
    return spec[name].type if name in spec else ""


#: where a table keeps its snapshot (an attribute of the Table object itself)
_KEPT = "_snapshot"
#: where a table joined from several (``in_pieces``) keeps them, and a member its piece
_MEMBERS, _PIECE = "_members", "_piece"


def snapshot_of(table: Table) -> Snapshot:
    """``snapshot``, once per Table object, kept on it. The daemon keeps the Table of every tab a save did not
    change (``sync.tables.register.SheetMemo``), so such a tab is not snapshotted again next cycle; and the change
    requests read the keys of the cycle's snapshots. A loaded table is not changed afterwards.

    The kept snapshot knows its table by a weak reference: table and snapshot pointing at each other would
    be a reference cycle, and a table joined from fifty workbooks (replaced at every save) would wait for
    the cyclic collector, a few hundred megabytes later, instead of going when the next one takes its place.
    Such a table (``in_pieces``) is snapshotted from its members' pieces: a save costs its own workbook's."""
    kept = vars(table).get(_KEPT)
    if kept is None:
        members = vars(table).get(_MEMBERS)
        kept = replace(_joined(table, members) if members else snapshot(table), held=weakref.ref(table))
        setattr(table, _KEPT, kept)
    return kept


def in_pieces(joined: Table, members: list[Table]) -> None:
    """``joined`` is ``concat_tables(members)``: its snapshot is to be put together from theirs. Each row's
    key and identity name its file and sheet (``Table.part_labels``), so rows of two members never share a key
    and the pieces are what the whole would be, cut."""
    if len(members) > 1:
        setattr(joined, _MEMBERS, list(members))


def _joined(table: Table, members: list[Table]) -> Snapshot:
    labels = table.part_labels()
    fields = sorted(table.columns)
    # the dtypes as the frames list them: a column taken out of a member's frame would be one more view of its
    # block, and the block keeps a reference to each of those until pandas sweeps them (one member a save)
    kinds = table.data.dtypes
    same = labels is not None and sum(map(len, members)) == len(table) and all(
        sorted(m.columns) == fields and m.kind == table.kind and _same_kinds(m.data.dtypes, kinds, fields)
        for m in members)
    if not same:   # joined otherwise than member by member (a column read as another kind): as a whole
        return snapshot(table)
    pieces, start = [], 0
    for member in members:
        where = labels[start:start + len(member)]
        start += len(member)
        key = tuple(pd.unique(where))
        kept = vars(member).get(_PIECE)
        if kept is None or kept[0] != key:   # a loaded table is not changed afterwards: only its labels can move
            kept = (key, replace(snapshot(member, where), held=weakref.ref(member)))
            setattr(member, _PIECE, kept)
        pieces.append(kept[1])
    joined = {name: np.concatenate([getattr(p, name) for p in pieces])
              for name in ("keys", "bases", "idents", "order_keys", "hashes", "rows")}
    return Snapshot(table.name, fields, held=table, **joined)


def _written(value: object) -> str:
    """A cell as the text a message shows: "" for a blank (None, NaN, NA)."""
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def _same_kinds(these: pd.Series, those: pd.Series, fields: list[str]) -> bool:
    return all(these[f] == those[f] for f in fields)


#: ``snapshot``'s default: the rows' places as the table itself says (``Table.part_labels``)
_OWN = object()


def snapshot(table: Table, where: np.ndarray | None | object = _OWN) -> Snapshot:
    """``where``: each row's file and sheet as a table it is part of names them (``in_pieces``)."""
    where = table.part_labels() if where is _OWN else where
    fields = sorted(table.columns)
    ident_fields = set(KEY_FIELDS.get(table.kind, TABLES[table.kind].key)) | {
        f for f in fields if _kind(table, f) not in (NUMBER, DATE)}
    ident = pd.DataFrame({f: normalised_column(table, f) for f in fields if f in ident_fields},
                         index=table.data.index, dtype=object)
    if table.has("order_no"):
        # a copy: a view would be of ``ident``'s one block and keep every text column of it (the snapshot is held
        # from cycle to cycle; at 100k orders that is some 130 MiB of strings no one reads)
        order_keys = ident["order_no"].fillna("").to_numpy(dtype=object, copy=True)
    else:
        order_keys = np.full(len(table), "", dtype=object)
    keys, bases = row_keys(table, ident, where)
    texts: dict[str, np.ndarray] = {}
    hashes = _hash_rows(table, fields, ident, texts)
    return Snapshot(table.name, fields, keys, bases, identity_hashes(table, ident, texts, where), order_keys,
                    hashes, table.data[ROW].to_numpy(dtype=np.int64), table)


def normalised_column(table: Table, name: str, positions: np.ndarray | None = None) -> pd.Series:
    """One field as comparable text: None for blank, the raw text where it made no sense."""
    col = table.data[name] if positions is None else table.data[name].iloc[positions]
    fn = {NUMBER: _number_text, DATE: _date_text, KEY: key_text}.get(_kind(table, name))
    out = _map_unique(col, fn) if fn else _plain_texts(col)
    bad = table.bad.get(name)
    if bad is not None:
        bad = bad if positions is None else bad[positions]
    if bad is not None and bad.any():
        raw = table.raw[name] if positions is None else table.raw[name][positions]
        out[bad] = pd.Series(raw[bad]).map(text_of).to_numpy(dtype=object)
    return out


def row_keys(table: Table, values: pd.DataFrame, where: np.ndarray | None | object = _OWN
             ) -> tuple[np.ndarray, np.ndarray]:
    """The key of each row and that key without its occurrence counter (see the module docstring)."""
    fields = [f for f in KEY_FIELDS.get(table.kind, TABLES[table.kind].key) if f in values]
    n = len(values)
    if fields:
        parts = [values[f].fillna("") for f in fields]
        base = parts[0].str.cat(parts[1:], sep="|") if len(parts) > 1 else parts[0].copy()
        blank = np.logical_and.reduce([p.to_numpy() == "" for p in parts])
    else:
        base = pd.Series([""] * n, index=values.index, dtype=object)
        blank = np.ones(n, dtype=bool)
    if blank.any():
        base[blank] = _content_keys(table, values[blank])
    where = table.part_labels() if where is _OWN else where
    if where is not None:   # a table over several sheets or workbooks: SO-1 of 8月 is not SO-1 of 9月
        base = pd.Series(where, index=base.index, dtype=object) + "›" + base
    occurrence = base.groupby(base, sort=False).cumcount().to_numpy()
    bases = base.to_numpy(dtype=object)
    keys = bases.copy()
    dup = occurrence > 0
    if dup.any():
        keys[dup] = [f"{k}#{i + 1}" for k, i in zip(keys[dup], occurrence[dup])]
    return keys, bases


def identity_hashes(table: Table, ident: pd.DataFrame, texts: dict[str, np.ndarray] | None = None,
                    where: np.ndarray | None | object = _OWN) -> np.ndarray:
    """One 64-bit hash per row of every identity field the table has (and its sheet, for a table over
    several); a row with all of them blank is known by its text columns instead (``_content_keys``)."""
    names = [f for f in IDENTITY_FIELDS.get(table.kind, TABLES[table.kind].key) if f in table.columns]
    out = np.zeros(len(table), dtype=np.uint64)
    blank = np.ones(len(table), dtype=bool)
    with np.errstate(over="ignore"):
        for name in names:
            col = (ident[name] if name in ident else normalised_column(table, name)).to_numpy(dtype=object)
            blank &= pd.isna(col)
            hashed = (texts or {}).get(name)
            out = out * np.uint64(1_000_003) ^ (hashed if hashed is not None else _hash_strings(col))
        where = table.part_labels() if where is _OWN else where
        if where is not None:
            out = out * np.uint64(1_000_003) ^ _hash_strings(where)
        if blank.any():
            out[blank] ^= _hash_strings(_content_keys(table, ident[blank]))
    return out.view(np.int64)


def _content_keys(table: Table, values: pd.DataFrame) -> np.ndarray:
    """'~' + a short hash of the row's text columns: the fallback identity."""
    spec = TABLES[table.kind].fields
    text = [f for f in values if f in spec and spec[f].type not in (NUMBER, DATE)] or list(values)
    joined = values[text].fillna("").agg("\x1f".join, axis=1) if text else pd.Series("", index=values.index)
    return np.array(["~" + hashlib.blake2b(s.encode(), digest_size=6).hexdigest() for s in joined], dtype=object)


def _map_unique(col: pd.Series, fn) -> pd.Series:
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    mapped = np.array([fn(u) for u in np.asarray(uniques, dtype=object)] + [None], dtype=object)
    return pd.Series(mapped[codes], index=col.index, dtype=object)


def _number_text(v: float) -> str | None:
    if v != v:
        return None
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else format(float(v), ".12g")


def _date_text(v) -> str | None:
    if v is None or v is pd.NaT:
        return None
    ts = pd.Timestamp(v)
    return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat(sep=" ", timespec="minutes")


@lru_cache(maxsize=1 << 18, typed=True)   # the same order numbers come back every cycle: each is worked out once
def key_text(v: object) -> str | None:
    if isinstance(v, str) and v.isascii():  # NFKC leaves ASCII alone: the common case, made cheap
        return "".join(v.split()).upper() or None
    return normalise_key(v) or None


def _plain_texts(col: pd.Series) -> pd.Series:
    """Text cells were folded by the parser already; only blanks need one form (None)."""
    out = col.astype(object)
    return out.where(out.notna() & (out != ""), None)
