"""The progress line of a big read: which sheet, how many of how many, on a terminal only.

A register of a few hundred MiB takes tens of seconds to read; a person at a
terminal should see that it is moving. The line goes to stderr and only when
stderr is a terminal (never into a log, a pipe or the daemon's output), and
only for workbooks of at least ``BIG_BYTES`` unpacked: small reads stay quiet.
"""

from __future__ import annotations

import sys
from typing import Any

BIG_BYTES = 64 * 1024**2


class ReadProgress:
    """One transient rich progress bar over the sheets of one workbook read."""

    def __init__(self, label: str, sheets: int, size: int, *, stream: Any = None) -> None:
        self._stream = stream or sys.stderr
        self._bar: Any = None
        self._task: Any = None
        self._label, self._sheets = label, sheets
        if size >= BIG_BYTES and sheets and _is_terminal(self._stream):
            self._start(size)

    def _start(self, size: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(file=self._stream, stderr=self._stream is sys.stderr)
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), console=console, transient=True)
        self._bar.start()
        self._task = self._bar.add_task(f"{self._label} ({size / 1024**2:.0f} MiB)", total=self._sheets)
        self._done = 0

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def sheet(self, name: str) -> None:
        """``name`` is being read now (the sheets before it are done)."""
        if self._bar is None:
            return
        self._bar.update(self._task, completed=self._done, description=f"{self._label} › {name}")
        self._done += 1

    def close(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=self._sheets)
            self._bar.stop()
            self._bar = None


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
