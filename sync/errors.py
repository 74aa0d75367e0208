"""One exception root; each error knows the sentence and the hint a user needs.

Foreign exceptions (zipfile, calamine, openpyxl, gspread, smtplib) are translated
at the boundary where they happen, chained with ``from exc``, so the CLI only
has to print ``str(error)`` and ``error.hint``.
"""

from __future__ import annotations


class OrdersyncError(Exception):
    """Root of everything ordersync raises on purpose."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class UserError(OrdersyncError):
    """Something the user can fix: printed as one sentence, no traceback."""


class ConfigError(UserError):
    """config.toml or a rule pack is wrong; the message names file, line and key."""


class SourceError(UserError):
    """A workbook cannot be read. ``retryable`` means: try again shortly."""

    retryable: bool = False

    def __init__(self, location: str, reason: str, *, hint: str | None = None) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"{location}: {reason}", hint=hint)


class SourceBusy(SourceError):
    """The file is being written right now (half-saved zip, lock held): retry later."""

    retryable = True
    hint = "The file is being saved; ordersync reads it again once the save is finished."


class SourceUnreadable(SourceError):
    """The file is not a spreadsheet we can read: encrypted, corrupt, a bomb, too large."""


class SourceTooBig(SourceUnreadable):
    """The workbook is over a ``[limits]`` budget; the message names its size and the setting."""


class SheetNotFound(SourceError):
    """A configured sheet is not in the workbook (renamed or deleted)."""
