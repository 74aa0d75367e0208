"""The rule contract: a ``Check`` is a small class that yields findings.

Glossary
--------
rule      one entry in a pack (rules/*.toml): an ``id`` (the finding's ``rule``),
          a ``type`` (which ``Check`` class), a ``table``, typed parameters,
          a ``severity``, and optionally its own ``message`` / ``hint``.
check     the class behind a rule type. Its parameters are pydantic fields, so a
          pack with a typo or a missing parameter is refused with a clear error.
context   what a run knows besides the table: language, today, the whole
          register (for reference rules), the config.

A check works on whole columns (``table.data``) and only builds ``Finding``
objects for the rows it flags, so 100k rows cost a few vectorised operations.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from sync.findings import ERROR, Finding
from sync.i18n import Text
from sync.tables.keys import normalise_array
from sync.tables.normalize import normalise_key
from sync.tables.register import Register
from sync.tables.table import ROW, Table

#: rule type name -> Check class; filled by ``Check.__init_subclass__``
REGISTRY: dict[str, type[Check]] = {}
#: placeholders every message template may use
COMMON_PLACEHOLDERS = frozenset({"column", "value", "row", "order_no", "field", "sheet"})


class LangText(BaseModel):
    """A message template given in a pack: ``message = {zh = "...", en = "..."}``."""

    model_config = ConfigDict(extra="forbid")
    zh: str | None = None
    en: str | None = None

    def over(self, default: Text) -> Text:
        return Text(self.zh or default.zh, self.en or default.en)


@dataclass
class Context:
    lang: str
    today: dt.date
    register: Register
    config: Any = None
    _followers: dict[str, str] | None = field(default=None, repr=False)

    def follower_of(self, order_no: Any) -> str | None:
        """The follower named on the orders row of this order number (for routing mails)."""
        if self._followers is None:
            self._followers = _follower_map(self.register.get("orders"))
        return self._followers.get(normalise_key(order_no)) if order_no else None


def _follower_map(orders: Table | None) -> dict[str, str]:
    if orders is None or not orders.holds("follower") or not orders.has("order_no"):
        return {}
    frame = orders.data[["order_no", "follower"]].dropna()
    return dict(zip(normalise_array(frame["order_no"]).tolist(), frame["follower"]))


class Check(BaseModel):
    """Base of every rule type. Subclasses set ``type``, ``MESSAGE``, ``HINT`` and implement ``run``."""

    model_config = ConfigDict(extra="forbid")

    type: ClassVar[str] = ""
    MESSAGE: ClassVar[Text] = Text("", "")
    HINT: ClassVar[Text] = Text("", "")
    #: placeholders this type fills in besides COMMON_PLACEHOLDERS
    PLACEHOLDERS: ClassVar[frozenset[str]] = frozenset()

    id: str
    table: str
    severity: Literal["error", "warning", "info"] = ERROR
    enabled: bool = True
    #: the rule is about a column few registers keep (a cancel date): without it, skipped without a word
    optional: bool = False
    message: LangText | None = None
    hint: LangText | None = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.__dict__.get("type"):
            REGISTRY[cls.type] = cls

    # --- what subclasses implement ---------------------------------------------------

    def fields_needed(self) -> list[str]:
        """Columns this rule reads from its own table; a missing one skips the rule."""
        return []

    def run(self, table: Table, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    # --- helpers ----------------------------------------------------------------------

    def text(self) -> tuple[Text, Text]:
        msg = self.message.over(self.MESSAGE) if self.message else self.MESSAGE
        hint = self.hint.over(self.HINT) if self.hint else self.HINT
        return msg, hint

    def flag(self, table: Table, ctx: Context, mask: np.ndarray | pd.Series, field_name: str,
             values: Mapping[str, Sequence[Any] | np.ndarray] | None = None) -> Iterator[Finding]:
        """One finding per True in ``mask``; ``values`` gives per-flagged-row placeholders."""
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        yield from self.flag_at(table, ctx, positions, field_name, values)

    def flag_at(self, table: Table, ctx: Context, positions: Sequence[int] | np.ndarray, field_name: str,
                values: Mapping[str, Sequence[Any] | np.ndarray] | None = None, *,
                severity: str | None = None, hint: Text | None = None,
                message: Text | None = None) -> Iterator[Finding]:
        """``severity``, ``hint`` and ``message`` replace the rule's own for these rows (where the pack did not)."""
        msg, own_hint = self.text()
        hint = hint if hint is not None and self.hint is None else own_hint
        msg = message if message is not None and self.message is None else msg
        data = table.data
        rows = data[ROW].to_numpy()
        orders = data["order_no"].to_numpy() if "order_no" in data else None
        own = data["follower"].to_numpy() if "follower" in data else None
        mapped = field_name in table.columns
        for i, pos in enumerate(positions):
            row = int(rows[pos])
            order_no = orders[pos] if orders is not None else None
            order_no = order_no if isinstance(order_no, str) else None
            column = table.header_at(field_name, pos) if mapped else field_name   # a wide tracker's: its stage's
            fill = {"column": column, "value": table.raw_text(field_name, pos), "row": row,
                    "order_no": order_no or "", "field": field_name, "sheet": table.sheet_at(pos)}
            fill.update({k: _show(v[i]) for k, v in (values or {}).items()})
            yield Finding(
                rule=self.id, severity=severity or self.severity, message=msg.format(ctx.lang, **fill),
                hint=hint.format(ctx.lang, **fill), table=table.name, source=table.source_at(pos),
                sheet=table.sheet_at(pos),
                row=row, column=column, cell=table.cell_at(field_name, pos, row) if mapped else None,
                field=field_name, order_no=order_no, value=fill["value"],
                follower=_text(own[pos]) if own is not None else ctx.follower_of(order_no))

    def check_templates(self) -> str | None:
        """The first placeholder a template uses that this rule cannot fill, if any."""
        known = COMMON_PLACEHOLDERS | self.PLACEHOLDERS
        for text in self.text():
            for template in (text.zh, text.en):
                for _, name, _, _ in string.Formatter().parse(template):
                    if name and name not in known:
                        return name
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _show(value: Any) -> Any:
    """Numbers as people write them: 5000 not 5000.0, 35.5 not 35.500000001."""
    if isinstance(value, (float, np.floating)):
        if value != value:
            return ""
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat()
    return value


def text_key(series: pd.Series) -> pd.Series:
    """Text compared the way people mean it: width, case and spaces folded. One call per distinct value."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    folded = normalise_array(uniques)
    out = np.full(len(series), None, dtype=object)
    ok = codes >= 0
    out[ok] = folded[codes[ok]]
    return pd.Series(out, index=series.index, dtype=object)


def field_type(table: Table, name: str) -> str:
    spec = table.spec.fields.get(name)
    return spec.type if spec else "text"


#: the cells a finding about many rows names before it says there are more
SHOWN_CELLS = 8


def shown_cells(table: Table, name: str, positions: np.ndarray, lang: str = "zh") -> str:
    """The cells of column ``name`` at ``positions``, the first ``SHOWN_CELLS`` of them, then " …"; each with its tab
    (8月!F3) where they are on more than one (monthly tabs: F3 is on every one)."""
    rows = table.data[ROW].to_numpy()[positions]
    cells = [table.cell_at(name, int(p), int(r)) for p, r in zip(np.asarray(positions).tolist(), rows)]
    if table.parts and len(tabs := [table.sheet_at(int(p)) for p in np.asarray(positions).tolist()]) > 1 \
            and len(set(tabs)) > 1:
        cells = [f"{tab}!{cell}" for tab, cell in zip(tabs, cells)]
    return cell_list(cells, lang)


def cell_list(cells: Sequence[str], lang: str = "zh") -> str:
    """The first ``SHOWN_CELLS`` of ``cells``, listed as the language lists them (H2、H3 / H2, H3), then " …"."""
    shown = (", " if lang == "en" else "、").join(cells[:SHOWN_CELLS])
    return shown + (" …" if len(cells) > SHOWN_CELLS else "")
