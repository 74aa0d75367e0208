"""One daemon per state file: an exclusive lock on ``<state>.lock``, held for the process's life.

The lock file holds the pid, so a second instance can say which process holds
it; a folder where the lock cannot be made is one line naming it (the state
beside it could not be written either).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sync.errors import UserError
from sync.state import unwritable


class InstanceLock:
    """One daemon per state file: an exclusive lock on ``<state>.lock`` held for the process's life."""

    def __init__(self, state_path: Path) -> None:
        self.path = state_path.with_name(state_path.name + ".lock")
        self._fh = None

    def acquire(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = self.path.open("a+")
        except OSError as exc:
            raise unwritable(self.path, exc) from exc
        try:
            _lock(fh)
        except OSError:
            fh.seek(0)
            other = fh.read().strip() or "?"
            fh.close()
            raise UserError(f"another ordersync is already running on this state (pid {other})",
                            hint=f"Stop it first, or give this one its own [service] state. Lock: {self.path}") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _lock(fh) -> None:
    if sys.platform == "win32":
        import msvcrt
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
