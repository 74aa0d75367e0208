"""The folders are the architecture: imports only point down the flow, and nothing imports in a circle.

sources -> tables -> orders -> checks / changes -> notices -> service -> web -> cli, with
delivery beside the notices (they hand it finished messages through its message
seam, ``sync.delivery.message`` and the errors it raises) and a small kernel under everything. Every
import counts, wherever it stands: at the top, inside a function, or under
``TYPE_CHECKING`` (a type-only cycle is still a cycle for the reader).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "sync"
KERNEL = "kernel"
#: layer -> the layers it may import (its own always allowed)
ALLOWED: dict[str, set[str]] = {
    KERNEL: set(),
    "sources": {KERNEL},
    "tables": {KERNEL, "sources"},
    "orders": {KERNEL, "sources", "tables"},
    "checks": {KERNEL, "sources", "tables", "orders"},
    "changes": {KERNEL, "sources", "tables", "orders"},
    "delivery": {KERNEL},
    "notices": {KERNEL, "sources", "tables", "orders", "changes", "delivery.message", "delivery.errors"},
    "service": {KERNEL, "sources", "tables", "orders", "checks", "changes", "notices", "delivery"},
    "web": {KERNEL, "sources", "tables", "orders", "checks", "changes", "notices", "delivery", "service"},
    "demo": {KERNEL},
    "cli": {KERNEL, "sources", "tables", "orders", "checks", "changes", "notices", "delivery", "service", "demo",
            "web"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}


def imported(path: Path, name: str, known: set[str]) -> set[str]:
    """Every sync module this file imports, resolving ``from pkg import module`` to the module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "sync")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            if base.split(".")[0] != "sync":
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return {m for m in found if m != name}


def layer(module: str) -> str:
    parts = module.split(".")
    if module == "sync.__main__":
        return "cli"
    if len(parts) >= 2 and parts[1] in ALLOWED and (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return KERNEL


def may_import(source: str, target: str) -> bool:
    here, there = layer(source), layer(target)
    allowed = ALLOWED[here] | {here}
    seam = target.removeprefix("sync.")   # the message seam of delivery: sync.delivery.message and its errors
    return there in allowed or seam in allowed


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imported(path, name, known) for name, path in found.items()}


def test_every_stage_is_a_package_and_the_kernel_is_small():
    stages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert stages == set(ALLOWED) - {KERNEL}
    kernel = sorted(m for m in modules() if layer(m) == KERNEL and m.count(".") == 1)
    assert len(kernel) <= 12, kernel


def test_imports_point_down_the_flow():
    wrong = [f"{source} -> {target}" for source, targets in graph().items() for target in sorted(targets)
             if not may_import(source, target)]
    assert not wrong, "imports against the flow:\n" + "\n".join(wrong)


def test_no_import_cycles():
    edges = {m: {t for t in ts if t in modules()} for m, ts in graph().items()}
    cycles = strongly_connected(edges)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(sorted(c)) for c in cycles)


def test_every_module_says_what_it_owns():
    silent = [name for name, path in modules().items()
              if not (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").strip()]
    assert not silent, silent


def strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's components with more than one module (and self-imports)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found
