"""One root cause, one error: comparisons that only repeat a mistake already reported are folded into it.

A figure typed wrong (a passed quantity with a zero missing, an unreadable
order quantity) is reported on its cell; the cross-tab comparisons that use it
(shipped more than passed, completed more than ordered) would report it again,
often on rows that are themselves fine. Here each such comparison is folded
into the error already on a cell it compared: the root keeps its place and
says what else it affects (``Finding.affects``, and a clause of its message).

Which findings may be roots, by how far they look (``reach``):

0. the ones about their own cell (rule packs, unreadable values, dates in the
   future, orphan rows): they compared no other cell;
1. the ones within their own row (QC's passed + failed = inspected, on the
   figure that has a zero slipped);
2. the ones across rows and tabs.

An error may be the root of what reaches further than it (or as far, on its
own row); a comparison across tabs is the root of nothing but another error on
its very cell (stage ahead and over ordered on one figure are one error).
Switching a root rule off in ``[rules] disable`` brings what it folded back.
"""

from __future__ import annotations

from dataclasses import replace

from sync.findings import ERROR, WARNING, CellRef, Finding
from sync.i18n import say

#: how many affected cells a message lists; JSON's ``affects`` has them all
SHOWN = 3
_ENDS = tuple("。？！?!.")


def reach(f: Finding) -> int:
    """0: about its own cell alone; 1: within its own row; 2: across rows or tabs."""
    own = f.where
    others = [c for c in f.compared if c != own]
    if not others:
        return 0
    if own is not None and all(c[:4] == own[:4] for c in others):
        return 1
    return 2


def fold_into_roots(findings: list[Finding], lang: str = "zh") -> list[Finding]:
    """``findings`` with every comparison that used a cell already wrong on its own folded into that
    cell's error; order kept, the roots' messages say what else they affect."""
    if not any(f.severity == ERROR and f.cell for f in findings):
        return findings   # no error, no root: the usual pass over a register kept well
    roots: dict[CellRef, int] = {}     # a cell -> the index of the error on it that can be a root
    across: dict[CellRef, int] = {}    # a cell -> the first cross-tab error on it
    folded: dict[int, list[int]] = {}  # root index -> the indices folded into it
    gone: set[int] = set()
    reaches = [reach(f) for f in findings]
    for i in sorted(range(len(findings)), key=reaches.__getitem__):
        f, far = findings[i], reaches[i]
        hit = _roots_of(f, far, roots, across)
        if hit and f.severity in (ERROR, WARNING):
            for r in hit:
                folded.setdefault(r, []).append(i)
            gone.add(i)
        elif f.severity == ERROR and f.where is not None:
            (roots if far < 2 else across).setdefault(f.where, i)
    return [_with_affects(f, [findings[j] for j in folded[i]], lang) if i in folded else f
            for i, f in enumerate(findings) if i not in gone]


def _roots_of(f: Finding, far: int, roots: dict[CellRef, int], across: dict[CellRef, int]) -> list[int]:
    """The errors ``f`` is downstream of: those on the cells it compared, or a cross-tab error on its cell."""
    if far == 0:
        return []
    hit = list(dict.fromkeys(roots[c] for c in f.compared if c in roots))
    if not hit and far == 2 and f.where in across:
        hit = [across[f.where]]
    return hit


def _with_affects(root: Finding, affected: list[Finding], lang: str) -> Finding:
    shown = "、".join if lang != "en" else "; ".join
    items = [_place(a) for a in affected[:SHOWN]]
    more = len(affected) - SHOWN
    listed = shown(items) + (say("，还有 {n} 处", " and {n} more", lang, n=more) if more > 0 else "")
    joint = say("", " ", lang) if root.message.rstrip().endswith(_ENDS) else say("；", "; ", lang)
    message = root.message.rstrip() + joint + say("另影响：{items}", "also affects: {items}", lang, items=listed)
    return replace(root, message=message, affects=[*root.affects, *affected])


def _place(f: Finding) -> str:
    """发货记录 C117 发货数量 > 合格数量: where the affected finding is and what it compared."""
    where = f.cell or (str(f.row) if f.row is not None else "")
    return " ".join(x for x in (f.sheet or "", where, f.gist or f.rule) if x)
