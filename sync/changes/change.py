"""One change the ledger saw: a row added or removed, or one field of a row changed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Change:
    kind: str                     # added | changed | removed
    table: str
    key: str
    order_key: str = ""
    order_no: str = ""
    field: str | None = None      # changed: the field; added/removed: None
    old: str | None = None        # removed: the row's values as JSON
    new: str | None = None        # added: the row's values as JSON
    source: str | None = None
    sheet: str | None = None
    row: int | None = None
    cell: str | None = None
    seen_at: str = ""
    saved_by: str | None = None   # who saved the workbook with this change, where it says (docProps)
    saved_at: str | None = None   # when, as the workbook says

    @property
    def where(self) -> str:
        spot = self.cell or (f"{self.row}" if self.row else "")
        return f"{self.sheet}!{spot}" if spot else (self.sheet or "")

    def to_dict(self) -> dict:
        return dict(self.__dict__)
