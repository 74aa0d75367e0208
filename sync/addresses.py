"""What counts as an e-mail address: one rule for the people sheet's findings and for the mail built.

Plain ASCII ``local@domain`` only, at most 254 characters: never a guess, never
a display name or a second address smuggled into a header.
"""

from __future__ import annotations

import re

_ADDR = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$")


def is_address(value: object) -> bool:
    """Is this (trimmed) text an address mail can be built for?"""
    text = str(value or "").strip()
    return bool(_ADDR.match(text)) and len(text) <= 254
