"""A progress bar for long work, drawn on stderr only when it is a terminal and -q is not given.

Piped or redirected output, and --quiet, get nothing extra: scripts read the same
bytes whether or not a person is watching.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sync.cli.common import mode

class Step:
    """``step(text)`` starts the next step; ``step.note(text)`` says what the current one is at (a sheet of a
    big read) without counting a step."""

    def __init__(self, start: Callable[[str], None] = lambda text: None,
                 note: Callable[[str], None] = lambda text: None) -> None:
        self._start, self.note = start, note

    def __call__(self, text: str) -> None:
        self._start(text)


def shown() -> bool:
    return not mode().quiet and sys.stderr.isatty()


@contextmanager
def steps(total: int) -> Iterator[Step]:
    """``step(text)`` says which of ``total`` steps starts now; the bar is gone when the work is done."""
    if not shown():
        yield Step()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=total)
        started = 0

        def step(text: str) -> None:
            nonlocal started
            bar.update(task, description=text, completed=started)
            started += 1
            bar.refresh()   # drawn now, not at the next tick: a step can be shorter than one

        def note(text: str) -> None:
            bar.update(task, description=text)
            bar.refresh()

        yield Step(step, note)
        bar.update(task, completed=total)
