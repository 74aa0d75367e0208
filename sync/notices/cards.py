"""A reminder mail's cards: one per order, with everything about it, the most urgent first.

A person reads a reminder on the phone between two jobs. One order that is
overdue, stale and waiting for material is one card, not three rows far apart:
its number, customer, owner, every concern, the next step, how many times it
has been reminded, and where to open it. A mail shows the ``CARDS_SHOWN``
most urgent cards; the rest go into an attached workbook, so no mail grows
past what mail clients show (Gmail clips HTML past 102 KB).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Callable

from sync.notices.links import Links, Place
from sync.notices.reminders import Reminder

CARDS_SHOWN = 30
#: how urgent each kind is, most first: what is late or due now before what may be late later
URGENCY = ("overdue", "qc_failed", "due_soon", "material_late", "behind_plan", "stale")


@dataclass
class Card:
    order_no: str
    key: str
    customer: str | None
    owner: str | None                     # the follower who owns the order (None: nobody is named)
    items: list[Reminder] = field(default_factory=list)   # most urgent first
    nth: int = 1                          # this is the nth day the reader hears about the order
    place: Place | None = None            # the order's row in the register
    page: str | None = None               # the status page for this order, signed for the reader

    @property
    def top(self) -> Reminder:
        return self.items[0]

    @property
    def escalated(self) -> bool:
        return any(r.escalated for r in self.items)

    @property
    def due_date(self) -> Any:
        """The order's due date (a batch's concern keeps the order's beside its own)."""
        d = self.top.concern.detail
        return d.get("order_due") or d.get("due_date")


def rank(r: Reminder) -> tuple:
    """Sort key: the kind's urgency, then the larger delay, then the earlier due date."""
    c, d = r.concern, r.concern.detail
    kind = URGENCY.index(c.kind) if c.kind in URGENCY else len(URGENCY)
    late = -(d.get("days_late") or 0) if c.kind in ("overdue", "material_late") else 0
    left = d.get("working_days_left") if c.kind == "due_soon" else 0
    due = d.get("due_date")
    return kind, late, left or 0, str(due or "9999"), c.order_no


def order_cards(reminders: list[Reminder], before: dict[str, int], links: Links | None = None,
                reader: str = "") -> list[Card]:
    """One card per order, most urgent first; ``before``: on how many earlier days each order was reminded."""
    cards: dict[str, Card] = {}
    for r in sorted(reminders, key=rank):
        c = r.concern
        card = cards.get(r.order_key)
        if card is None:
            card = cards[r.order_key] = Card(c.order_no, r.order_key, c.customer, c.follower,
                                             nth=before.get(r.order_key, 0) + 1)
            if links is not None:
                card.place = links.order(c.order_no)
                card.page = links.page(reader, c.order_no)
        card.items.append(r)
    return list(cards.values())


def rest_workbook(cards: list[Card], lang: str, detail: Callable[[Any], str], kind: Callable[[str], str],
                  step: Callable[[Any], str]) -> bytes:
    """The cards not shown in the mail, one row per concern, as an .xlsx (xlsxwriter, in memory)."""
    import xlsxwriter

    en = lang == "en"
    header = (["Order", "Customer", "Owner", "What", "Details", "Next step", "Reminder no.", "Where", "Link"] if en
              else ["订单号", "客户", "跟单员", "事项", "详情", "下一步", "第几次提醒", "位置", "链接"])
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_urls": False})
    sheet = book.add_worksheet("Reminders" if en else "提醒")
    bold = book.add_format({"bold": True, "bg_color": "#F0F4F8"})
    sheet.write_row(0, 0, header, bold)
    row = 1
    for card in cards:
        for r in card.items:
            where = card.place.label if card.place else ""
            url = card.page or (card.place.url if card.place else None) or ""
            sheet.write_row(row, 0, [card.order_no, card.customer or "", card.owner or "", kind(r.concern.kind),
                                     detail(r.concern), step(r.concern), card.nth, where, url])
            row += 1
    for col, width in enumerate((16, 14, 8, 14, 44, 40, 10, 30, 40)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(row - 1, 1), len(header) - 1)
    book.close()
    return buf.getvalue()
