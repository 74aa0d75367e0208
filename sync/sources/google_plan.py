"""Which batchGets read which rows: every answer kept small, every URL kept short.

Google advises at most 2 MB per response and answers 503 to requests it finds
too large; a 100k-row x 30-column register is ~26 MB of JSON. The metadata
gives each tab's grid size (``gridProperties.rowCount`` x ``columnCount``),
so a tab is cut into row ranges whose estimate (cells x ``cell_bytes``) stays
under ``max_bytes``, and the pieces are packed into batchGets that stay under
both ``max_bytes`` and ``max_query`` characters of URL (200 tab names in one URL
are ~15 kB, past what proxies and Google's front end accept). A tab small
enough for one piece is asked for by its name alone, which can never fall
outside its grid. A tab never read is estimated by its grid (a new tab is 1000
x 26 even when it holds ten rows, so the first read errs on the small side);
once read, by the rows and columns it held then, with room to grow. A wrong
guess costs one 503 and a second try with smaller answers, never a wrong read.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from sync.sources.google_addresses import quote_sheet

MAX_BYTES = 2_000_000
CELL_BYTES = 10          # a JSON cell with its quotes and comma: 26 MB / (100k x 30) is ~9
MAX_QUERY = 4_000        # characters of ranges= parameters in one URL


@dataclass(frozen=True)
class Piece:
    """Rows ``first``..``last`` (1-based, inclusive) of one tab; ``whole`` when that is all of it."""

    tab: str
    first: int
    last: int
    columns: int
    whole: bool = False

    @property
    def a1(self) -> str:
        return quote_sheet(self.tab) if self.whole else f"{quote_sheet(self.tab)}!{self.first}:{self.last}"

    @property
    def cells(self) -> int:
        return (self.last - self.first + 1) * max(self.columns, 1)

    def cost(self, used: tuple[int, int] | None, cell_bytes: int) -> int:
        """Estimated bytes of the answer: the grid, or what the tab held at its last read with room to grow."""
        if used is None:
            return self.cells * cell_bytes
        rows, columns = used[0] * 2 + 100, used[1] + 4
        return max(0, min(self.last, rows) - self.first + 1) * min(self.columns, columns) * cell_bytes


def pieces(tab: str, rows: int, columns: int, *, max_bytes: int = MAX_BYTES, cell_bytes: int = CELL_BYTES) -> list[Piece]:
    """A tab cut into row ranges of at most ``max_bytes`` estimated each."""
    rows, columns = max(rows, 1), max(columns, 1)
    step = max(1, max_bytes // (columns * cell_bytes))
    if rows <= step:
        return [Piece(tab, 1, rows, columns, whole=True)]
    return [Piece(tab, first, min(first + step - 1, rows), columns) for first in range(1, rows + 1, step)]


def batches(tabs: list[tuple[str, int, int, tuple[int, int] | None]], *, max_bytes: int = MAX_BYTES,
            cell_bytes: int = CELL_BYTES, max_query: int = MAX_QUERY) -> list[list[Piece]]:
    """(tab, grid rows, grid columns, (rows, columns) held at the last read or None) in the order asked ->
    batchGets of pieces, in that order."""
    out: list[list[Piece]] = []
    size = query = 0
    for tab, rows, columns, used in tabs:
        for piece in pieces(tab, rows, columns, max_bytes=max_bytes, cell_bytes=cell_bytes):
            cost, length = piece.cost(used, cell_bytes), len("&ranges=") + len(quote(piece.a1, safe=""))
            if not out or size + cost > max_bytes or query + length > max_query:
                out.append([])
                size = query = 0
            out[-1].append(piece)
            size, query = size + cost, query + length
    return out
