"""The data-entry mistakes the demo register seeds, one of each kind.

Each entry says which order suits the mistake (preferred statuses first, then
anything that fits) and how to make it. Making one returns the wrong row, the
(table, field) of the wrong cell and a sentence for the manifest. Orders are
chosen so that one mistake shows up as one finding where possible: a
quantity typo goes on an order not yet in production, so no department tab
disagrees with it as well.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Callable

from sync.demo.data import DONE, PARTIAL, PENDING, PRODUCING, SHIPPED

if TYPE_CHECKING:
    from sync.demo.generator import Generator, Order

Made = tuple[list[Any], tuple[str, str], str]
_LOOKALIKE = str.maketrans("0123456789", "OlZEASbTBg")


def lookalike(order_no: str) -> str:
    """SO-2611-017 -> SO-2611-0l7: a 1 (else a 0, else the first digit) typed as its letter twin."""
    head, _, serial = order_no.rpartition("-")
    at = next((i for i, ch in enumerate(serial) if ch == "1"), next((i for i, ch in enumerate(serial) if ch == "0"), 0))
    return f"{head}-{serial[:at]}{serial[at].translate(_LOOKALIKE)}{serial[at + 1:]}"


def _order_row(g: Generator, o: Order) -> list[Any]:
    return g.by_order["orders"][o.idx][0]


def _retype_quantity(g: Generator, o: Order, typed: int, why: str) -> Made:
    row = _order_row(g, o)
    g.set(row, "orders", "quantity", typed)
    g.set(row, "orders", "amount", round(typed * o.price, 2))  # the amount column is their formula
    lo, hi = o.customer.band
    return row, ("orders", "quantity"), f"quantity {typed} typed for {o.qty} ({why}); {o.customer.name} orders {lo}-{hi}"


def extra_zero(g: Generator, o: Order) -> Made:
    return _retype_quantity(g, o, o.qty * 10, "an extra zero")


def missing_zero(g: Generator, o: Order) -> Made:
    return _retype_quantity(g, o, o.qty // 10, "a zero missing")


def due_before_order(g: Generator, o: Order) -> Made:
    row = _order_row(g, o)
    due = o.ordered - timedelta(days=g.rng.randint(3, 20))
    g.set(row, "orders", "due_date", due)
    return row, ("orders", "due_date"), f"due date {due} is before the order date {o.ordered}"


def amount_mismatch(g: Generator, o: Order) -> Made:
    row = _order_row(g, o)
    right = round(o.qty * o.price, 2)
    digits = str(int(right))
    at = next((i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]), None)
    wrong = (float(digits[:at] + digits[at + 1] + digits[at] + digits[at + 2:]) + right - int(right)
             if at is not None else right + 100)
    g.set(row, "orders", "amount", round(wrong, 2))
    return row, ("orders", "amount"), f"amount {round(wrong, 2)} but {o.qty} x {o.price} = {right}"


def duplicate_order(g: Generator, o: Order) -> Made:
    other = next(p for p in reversed(g.orders[:o.idx]) if p.idx not in g.used)
    g.used.add(other.idx)
    for table in ("orders", "materials", "production", "qc", "shipping"):
        for row in g.by_order[table].get(o.idx, []):
            row[0] = other.no
    return (_order_row(g, o), ("orders", "order_no"),
            f"order {o.no} was entered as {other.no}, the number of another order ({other.customer.name})")


def unknown_customer(g: Generator, o: Order) -> Made:
    row = _order_row(g, o)
    typo = o.customer.name + o.customer.name[-1]
    g.set(row, "orders", "customer", typo)
    return row, ("orders", "customer"), f"customer {typo!r} is not in the customer list (meant {o.customer.name!r})"


def price_10x(g: Generator, o: Order) -> Made:
    row = _order_row(g, o)
    price = round(o.price * 10, 1)
    g.set(row, "orders", "unit_price", price)
    g.set(row, "orders", "amount", round(o.qty * price, 2))
    return row, ("orders", "unit_price"), f"unit price {price} for {o.style}, usually about {o.price}"


def _swapped_year(year: int) -> int:
    """2026 -> 2062; a year whose last digits match (2033) gets a wrong decade instead."""
    s = str(year)
    swapped = int(s[:2] + s[3] + s[2])
    return swapped if swapped != year else year + 40


def implausible_year(g: Generator, o: Order) -> Made:
    row = _order_row(g, o)
    due = date(_swapped_year(o.due.year), o.due.month, min(o.due.day, 28))
    g.set(row, "orders", "due_date", due)
    return row, ("orders", "due_date"), f"due date {due} (year typed {due.year} for {o.due.year})"


def required_blank(g: Generator, o: Order) -> Made:
    row = _order_row(g, o)
    g.set(row, "orders", "customer", None)
    return row, ("orders", "customer"), f"customer left blank (it is {o.customer.name})"


def unparseable_quantity(g: Generator, o: Order) -> Made:
    row = _order_row(g, o)
    typed = str(o.qty).replace("0", "O", 1)
    g.set(row, "orders", "quantity", typed)
    return row, ("orders", "quantity"), f"quantity {typed!r} has a letter O for a zero (meant {o.qty})"


def over_production(g: Generator, o: Order) -> Made:
    row = g.by_order["production"][o.idx][0]
    typed = g.get(row, "production", "completed_qty") * 10
    g.set(row, "production", "completed_qty", typed)
    return row, ("production", "completed_qty"), f"{typed} completed for an order of {o.qty}"


def ship_over_passed(g: Generator, o: Order) -> Made:
    passed = sum(g.get(r, "qc", "passed_qty") for r in g.by_order["qc"][o.idx])
    rows = g.by_order["shipping"][o.idx]
    others = sum(g.get(r, "shipping", "shipped_qty") for r in rows[1:])
    typed = max(passed - others + 1, min(o.qty - others, passed - others + max(20, o.qty // 10)))
    g.set(rows[0], "shipping", "shipped_qty", typed)
    return rows[0], ("shipping", "shipped_qty"), f"{typed + others} shipped but only {passed} passed QC"


def qc_sum_mismatch(g: Generator, o: Order) -> Made:
    row = g.by_order["qc"][o.idx][0]
    failed = g.get(row, "qc", "failed_qty") + 10
    g.set(row, "qc", "failed_qty", failed)
    return (row, ("qc", "failed_qty"), f"passed {g.get(row, 'qc', 'passed_qty')} + failed {failed} "
            f"!= inspected {g.get(row, 'qc', 'inspected_qty')}")


def orphan(g: Generator, o: Order) -> Made:
    row = g.by_order["production"][o.idx][-1]
    row[0] = lookalike(o.no)
    return row, ("production", "order_no"), f"{row[0]} is not an order (a typo of {o.no})"


def status_shipped_unshipped(g: Generator, o: Order) -> Made:
    gone = {id(r) for r in g.by_order["shipping"].pop(o.idx)}
    g.rows["shipping"] = [r for r in g.rows["shipping"] if id(r) not in gone]
    row = _order_row(g, o)
    return row, ("orders", "status"), f"status {g.get(row, 'orders', 'status')} but nothing was shipped"


def _has(table: str, n: int = 1) -> Callable[[Generator, Order], bool]:
    return lambda g, o: len(g.by_order[table].get(o.idx, ())) >= n


ANY = (PENDING, PRODUCING, DONE, PARTIAL, SHIPPED)
#: kind, preferred statuses, fits, make
MISTAKES: tuple[tuple[str, tuple[str, ...], Callable[[Generator, Order], bool],
                      Callable[[Generator, Order], Made]], ...] = (
    ("extra-zero", (PENDING,), lambda g, o: o.customer.band[1] <= 800 and o.qty >= 300, extra_zero),
    ("missing-zero", (PENDING,), lambda g, o: o.customer.band[0] >= 500 and o.qty >= 500, missing_zero),
    ("due-before-order", (SHIPPED,), lambda g, o: True, due_before_order),
    ("amount-mismatch", ANY, lambda g, o: True, amount_mismatch),
    ("duplicate-order", (PENDING,), lambda g, o: o.idx > 0, duplicate_order),
    ("unknown-customer", ANY, lambda g, o: o.customer.name[-1].isascii() and o.customer.name[-1].isalpha(),
     unknown_customer),
    ("price-10x", (PENDING, PRODUCING), lambda g, o: True, price_10x),
    ("implausible-year", (PRODUCING,), lambda g, o: True, implausible_year),
    ("required-blank", (PRODUCING,), lambda g, o: True, required_blank),
    ("unparseable-quantity", (PENDING,), lambda g, o: "0" in str(o.qty), unparseable_quantity),
    ("over-production", (PRODUCING,), lambda g, o: _has("production")(g, o) and g.get(
        g.by_order["production"][o.idx][0], "production", "completed_qty") * 10 > o.qty * 1.5, over_production),
    ("ship-over-passed", (PARTIAL,), lambda g, o: _has("shipping")(g, o) and _has("qc")(g, o), ship_over_passed),
    ("qc-sum-mismatch", (DONE, SHIPPED), _has("qc"), qc_sum_mismatch),
    ("orphan", (PRODUCING,), _has("production", 2), orphan),
    ("status-shipped-unshipped", (SHIPPED,), lambda g, o: o.status == SHIPPED and _has("shipping")(g, o),
     status_shipped_unshipped),
)
