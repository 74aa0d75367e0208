"""Load rule packs: rules/*.toml (declarative) and rules/*.py (custom checks).

A pack names its table once and lists its rules::

    table = "orders"

    [[rules]]
    id = "due-before-order"
    type = "compare"
    left = "due_date"
    op = ">="
    right = "order_date"

Every problem in a pack is refused with one error naming the file, the line
and the key (tomllib gives no line numbers for values, so the key's line is
found in the text of the rule's block).
"""

from __future__ import annotations

import difflib
import importlib.util
import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sync.checks.base import REGISTRY, Check
from sync.checks.custom import CustomCheck
from sync.errors import ConfigError
from sync.tables.fields import TABLES

PACK_KEYS = {"table", "description", "rules"}
_BLOCK = re.compile(r"^\s*\[\[\s*rules\s*\]\]", re.M)


def load_rules(paths: Iterable[Path], disable: Iterable[str] = ()) -> list[Check]:
    """Every enabled rule of every pack in ``paths`` (directories or files), minus ``disable``d ids."""
    off = set(disable)
    return [r for r in every_rule(paths) if r.enabled and r.id not in off]


def every_rule(paths: Iterable[Path]) -> list[Check]:
    """Every rule of every pack in ``paths``, the ones a pack leaves off (``enabled = false``) too."""
    rules: list[Check] = []
    for path in paths:
        files = sorted(path.glob("*.toml")) + sorted(path.glob("*.py")) if path.is_dir() else [path]
        for file in files:
            if file.name.startswith("_"):
                continue
            rules += load_custom(file) if file.suffix == ".py" else load_pack(file)
    return rules


def load_pack(path: Path) -> list[Check]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the rule pack ({exc.strerror})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}", hint="Check the quotes, brackets and = signs on that line.") from exc
    blocks = _block_lines(text)
    where = _Where(path, text, blocks)
    for key in data:
        if key not in PACK_KEYS:
            raise where.error(None, key, f"unknown key; a pack has {', '.join(sorted(PACK_KEYS))}")
    default_table = data.get("table")
    rules, seen = [], set()
    for i, entry in enumerate(data.get("rules", [])):
        rule = _build(entry, i, default_table, where)
        if rule.id in seen:
            raise where.error(i, "id", f"the id {rule.id!r} is used twice in this pack")
        seen.add(rule.id)
        rules.append(rule)
    return rules


class _Where:
    """Turns (rule index, key) into 'rules/orders.toml line 12, rule "x", key "op": ...'."""

    def __init__(self, path: Path, text: str, blocks: list[tuple[int, int]]) -> None:
        self.path, self.lines, self.blocks = path, text.splitlines(), blocks

    def line(self, index: int | None, key: str | None) -> int | None:
        start, end = self.blocks[index] if index is not None and index < len(self.blocks) else (0, len(self.lines))
        if key:
            pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
            for n in range(start, min(end, len(self.lines))):
                if pattern.match(self.lines[n]):
                    return n + 1
        return start + 1 if index is not None and index < len(self.blocks) else None

    def error(self, index: int | None, key: str | None, what: str, rule_id: str | None = None) -> ConfigError:
        line = self.line(index, key)
        parts = [f"{self.path}" + (f" line {line}" if line else "")]
        if rule_id:
            parts.append(f"rule {rule_id!r}")
        elif index is not None:
            parts.append(f"rule #{index + 1}")
        if key:
            parts.append(f"key {key!r}")
        return ConfigError(", ".join(parts) + f": {what}")


def _block_lines(text: str) -> list[tuple[int, int]]:
    """(first, end) line indexes of each [[rules]] block."""
    starts = [text.count("\n", 0, m.start()) for m in _BLOCK.finditer(text)]
    total = text.count("\n") + 1
    return [(s, starts[i + 1] if i + 1 < len(starts) else total) for i, s in enumerate(starts)]


def _build(entry: dict[str, Any], index: int, default_table: Any, where: _Where) -> Check:
    rule_id = entry.get("id") if isinstance(entry.get("id"), str) else None
    kind = entry.get("type")
    if kind is None:
        raise where.error(index, None, f"missing key 'type' (one of: {', '.join(sorted(REGISTRY))})", rule_id)
    if kind not in REGISTRY or kind == CustomCheck.type:
        close = difflib.get_close_matches(str(kind), list(REGISTRY), n=1)
        also = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(sorted(REGISTRY))})"
        raise where.error(index, "type", f"{kind!r} is not a rule type{also}", rule_id)
    params = {k: v for k, v in entry.items() if k != "type"}
    params.setdefault("table", default_table)
    try:
        rule = REGISTRY[kind].model_validate(params)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"] if not isinstance(p, int)) or None
        what = {"extra_forbidden": f"unknown key for a {kind} rule", "missing": "missing"}.get(err["type"], err["msg"])
        raise where.error(index, key.split(".")[0] if key else None, what, rule_id) from exc
    _validate_names(rule, index, where)
    return rule


def _validate_names(rule: Check, index: int, where: _Where) -> None:
    """Tables and fields must be canonical names: a typo is an error here, not a silently skipped rule."""
    if rule.table not in TABLES:
        raise where.error(index, "table", f"{rule.table!r} is not a table (one of: {', '.join(TABLES)})", rule.id)
    known = TABLES[rule.table].fields
    for name in rule.fields_needed():
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            also = f"; did you mean {close[0]!r}?" if close else ""
            raise where.error(index, _key_naming(rule, name), f"{name!r} is not a field of {rule.table}{also}",
                              rule.id)
    ref_table = getattr(rule, "ref_table", None)
    if ref_table is not None:
        if ref_table not in TABLES:
            raise where.error(index, "ref_table", f"{ref_table!r} is not a table", rule.id)
        for name in getattr(rule, "ref_fields", []):
            if name not in TABLES[ref_table].fields:
                raise where.error(index, "ref_fields", f"{name!r} is not a field of {ref_table}", rule.id)
    if bad := rule.check_templates():
        raise where.error(index, "message", f"unknown placeholder {{{bad}}}", rule.id)


def _key_naming(rule: Check, name: str) -> str | None:
    """Which parameter of the rule holds the field ``name`` (for the error's line)."""
    for key, value in rule.model_dump().items():
        if value == name or (isinstance(value, list) and (name in value or any(
                isinstance(v, list) and name in v for v in value))):
            return key
        if key == "expr" and isinstance(value, str) and re.search(rf"\b{re.escape(name)}\b", value):
            return key
    return None


def load_custom(path: Path) -> list[Check]:
    """Import a rules/*.py file and collect the rules its ``@check`` functions became."""
    name = f"ordersync_rules_{re.sub(r'[^0-9A-Za-z_]', '_', path.stem)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{path}: cannot load this custom check file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a user's file: any error becomes one message naming it
        line = _line_of(exc, path)
        raise ConfigError(f"{path}{f' line {line}' if line else ''}: {type(exc).__name__}: {exc}") from exc
    finally:
        sys.modules.pop(name, None)
    rules = [v for v in vars(module).values() if isinstance(v, CustomCheck)]
    for rule in rules:
        if rule.table not in TABLES or rule.field not in TABLES[rule.table].fields:
            raise ConfigError(f"{path}: @check {rule.id!r}: table {rule.table!r} / field {rule.field!r} "
                              f"is not a canonical table and field")
        rule._origin = str(path)
    return rules


def _line_of(exc: BaseException, path: Path) -> int | None:
    if isinstance(exc, SyntaxError):
        return exc.lineno
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename) == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
