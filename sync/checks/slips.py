"""Typing slips: whether a number differs from what it should be the way a finger slips.

A figure typed wrong by hand is off by a power of ten (a zero too many or too few),
has two neighbouring digits swapped (12,645 for 12,465), or one digit left out or
typed twice. A total that differs the way invoices are meant to (freight, tooling or
a minimum charge added, a discount, a free sample at 0) is suspicious, not wrong.
What is neither (an amount far below what was ordered, not zero) stays wrong.
Only the few rows already found to differ are asked, so Python per row is fine.
"""

from __future__ import annotations

import numpy as np

#: how close a power-of-ten ratio must be to count (rounded prices and amounts)
RATIO_TOLERANCE = 0.005
POWERS = (1, 2, 3)


#: a discount takes no more than this share off what was ordered
DISCOUNT_FLOOR = 0.8


def typing_slips(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Per pair: True when ``actual`` is ``expected`` with a slip of the hand, or with no meant reason."""
    return np.fromiter((is_slip(float(a), float(e)) or not is_meant(float(a), float(e))
                        for a, e in zip(actual, expected)), dtype=bool, count=len(actual))


def is_meant(actual: float, expected: float) -> bool:
    """A difference an invoice means: nothing charged (a sample), charges added, or a discount."""
    return actual == 0 or actual > expected or actual >= DISCOUNT_FLOOR * expected


def is_slip(actual: float, expected: float) -> bool:
    if not (np.isfinite(actual) and np.isfinite(expected)) or actual == 0 or expected == 0:
        return False
    ratio = abs(actual / expected)
    if any(abs(ratio * 10 ** (sign * p) - 1) <= RATIO_TOLERANCE for p in POWERS for sign in (1, -1)):
        return True
    typed, meant = _digits(actual), _digits(expected)
    return _swapped(typed, meant) or _one_dropped(typed, meant) or _one_dropped(meant, typed)


def _digits(value: float) -> str:
    """The digits as typed, to the cent (float noise gone): 12465.5 -> "124655", 60899.99999999999 -> "60900"."""
    text = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", "")


def _swapped(typed: str, meant: str) -> bool:
    if len(typed) != len(meant) or typed == meant:
        return False
    diff = [i for i, (a, b) in enumerate(zip(typed, meant)) if a != b]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and typed[diff[0]] == meant[diff[1]] \
        and typed[diff[1]] == meant[diff[0]]


def _one_dropped(short: str, long: str) -> bool:
    """``short`` is ``long`` with one digit left out (or ``long`` has one typed twice)."""
    if len(long) != len(short) + 1:
        return False
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))
