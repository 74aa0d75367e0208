"""Checks: rule packs (rules/*.toml, rules/*.py) run over a register, yielding findings.

``base`` is the contract (``Check``, ``Context``); ``library``, ``compare``,
``dates``, ``reference`` and ``outliers`` are the rule types; ``packs`` loads
rule files; ``custom`` is the decorator API for rules/*.py; ``engine`` runs them.
"""

from __future__ import annotations

from sync.checks import compare, dates, library, lines, outliers, reference, serials, values  # noqa: F401  (registers the rule types)
from sync.checks.base import REGISTRY, Check, Context
from sync.checks.custom import check
from sync.checks.engine import run_checks
from sync.checks.packs import load_pack, load_rules

__all__ = ["REGISTRY", "Check", "Context", "check", "load_pack", "load_rules", "run_checks"]
