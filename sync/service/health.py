"""What is wrong with the running service right now: each problem said once in the log, shown in its status.

The daemon meets faults it must outlive: a state file deleted, replaced or
on a full or read-only disk, a mail template that does not render, a cycle
that fails. Each is a ``Problem`` under a key (``state``, ``digest:daily``,
``cycle``); it is logged when it appears or changes (not every tick, which
would fill the very disk that is full), cleared with one line when the same
work succeeds again, and written to service.json for ``status --service``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from sync.errors import OrdersyncError
from sync.state import now_iso

log = logging.getLogger("ordersync")


@dataclass
class Problem:
    what: str           # the key: "state", "cycle", "digest:daily", "notices", "status file"
    message: str
    hint: str
    since: str


class Health:
    def __init__(self) -> None:
        self.problems: dict[str, Problem] = {}

    def failed(self, what: str, exc: BaseException) -> None:
        """Note ``exc`` as the problem of ``what``; a traceback only for what is not ours to explain."""
        message = str(exc) if isinstance(exc, OrdersyncError) else f"{type(exc).__name__}: {exc}"
        hint = getattr(exc, "hint", "") or ""
        known = self.problems.get(what)
        if known is not None and known.message == message:
            return
        self.problems[what] = Problem(what, message, hint, known.since if known else now_iso())
        if isinstance(exc, OrdersyncError):
            log.error("%s: %s%s", what, message, f" ({hint})" if hint else "")
        else:
            log.error("%s failed; carrying on", what, exc_info=exc)

    def note(self, what: str, message: str, hint: str = "") -> None:
        known = self.problems.get(what)
        if known is None or known.message != message:
            self.problems[what] = Problem(what, message, hint, known.since if known else now_iso())
            log.error("%s: %s%s", what, message, f" ({hint})" if hint else "")

    def ok(self, what: str) -> None:
        if self.problems.pop(what, None) is not None:
            log.info("%s: working again", what)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def listed(self) -> list[dict[str, str]]:
        return [asdict(p) for p in self.problems.values()]
