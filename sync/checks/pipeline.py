"""One checking pass over a register: source problems, rule packs, the people sheet, cross-tab findings.

``check_register`` is what ``ordersync check`` and the daemon call; it stays a
short list of steps so each part (rules, people, reconciliation) adds one line
here, and ends with one pass that folds each comparison repeating a mistake
already reported on one of its cells into that error (``sync.checks.roots``).
The rules run on the register's tables and on the ones a wide tracker's stage
and shipment columns make (``OrderView.wide``). ``[rules] disable`` switches
off any of their rule ids; an id that none of them has is a config error
naming the near matches.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable

from sync import shipped
from sync.checks import Check, Context, run_checks
from sync.checks.memo import Keys, PassMemo
from sync.checks.packs import every_rule
from sync.checks.reconcile import RECONCILE_IDS, reconcile
from sync.checks.roots import fold_into_roots
from sync.config import Config
from sync.errors import ConfigError
from sync.findings import Finding, Report
from sync.i18n import say
from sync.orders.model import OrderModel, order_model
from sync.orders.people import BAD_EMAIL, people_findings
from sync.tables.register import Register, SourceProblem

#: the packs shipped with ordersync (rules/ of the repository, sync/rules in a wheel), used when no config names its own
SHIPPED_RULES = shipped.folder("rules")


def check_register(register: Register, config: Config | None, *, lang: str = "zh",
                   today: dt.date | None = None, rules: list[Check] | None = None,
                   orders: OrderModel | None = None, memo: PassMemo | None = None,
                   keys: Keys | None = None) -> Report:
    """All findings of one pass; ``rules`` defaults to the packs the config names (or the shipped ones);
    ``orders``: the pass's order model, worked out here when the caller has none; ``memo``: the last
    pass's results, reused where their input is unchanged (``sync.checks.memo``), with this pass's ``keys``
    when the caller has begun the pass (to share the order model)."""
    today = today or dt.date.today()
    rules = rules if rules is not None else rules_for(config)
    off = set(config.rules.disable) if config is not None else set()
    if memo is not None and keys is None:
        keys = memo.begin(register, config, today)
    if orders is None:
        orders = memoised_model(register, config, today, memo, keys)
    ctx = Context(lang, today, register, config)
    if memo is None or keys is None:
        people = people_findings(register, lang)
        crossed = reconcile(register, config, lang=lang, today=today, orders=orders, disable=off)
    else:
        people = memo.findings(f"people:{lang}", keys.table("people"), lambda: people_findings(register, lang))
        crossed = memo.findings(f"reconcile:{lang}", keys.register(),
                                lambda: reconcile(register, config, lang=lang, today=today, orders=orders, disable=off))
    found = [*source_findings(register, lang),
             *run_checks(register, rules, ctx, (memo, keys) if memo is not None and keys is not None else None,
                         orders.view.wide),
             *(f for f in people if f.rule not in off), *crossed]
    report = Report(tables={name: len(table) for name, table in register.tables.items()})
    report.extend(fold_into_roots(found, lang))
    return report


def memoised_model(register: Register, config: Config | None, today: dt.date, memo: PassMemo | None,
                   keys: Keys | None) -> OrderModel:
    """The order model, or the last pass's while every table is unchanged."""
    if memo is None or keys is None:
        return order_model(register, config, today=today)
    return memo.get("orders", keys.register(), lambda: order_model(register, config, today=today))


def rules_for(config: Config | None) -> list[Check]:
    """The enabled rules: [rules] paths (relative to config.toml), minus [rules] disable."""
    if config is None:
        return [r for r in every_rule([SHIPPED_RULES]) if r.enabled]
    paths = []
    for entry in config.rules.paths:
        path = config.resolve(entry)
        if not path.exists():
            if "paths" not in config.rules.model_fields_set:
                path = SHIPPED_RULES  # the default "rules" next to a config that has none: the shipped packs
            else:
                raise ConfigError(f"{config.path}: [rules] paths: {path} does not exist",
                                  hint="Point it at a folder of rule packs (*.toml, *.py), e.g. \"rules\".")
        paths.append(path)
    rules = every_rule(paths)
    check_disabled(config, {r.id for r in rules})
    off = set(config.rules.disable)
    return [r for r in rules if r.enabled and r.id not in off]


def check_disabled(config: Config, pack_ids: Iterable[str]) -> None:
    """Every id in ``[rules] disable`` is a rule's: of a pack, of reconciliation, or of the people sheet."""
    known = sorted(set(pack_ids) | RECONCILE_IDS | {BAD_EMAIL})
    for rule_id in config.rules.disable:
        if rule_id not in known:
            close = difflib.get_close_matches(rule_id, known, n=3, cutoff=0.6)
            also = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise ConfigError(f"{config.path or 'config.toml'}: [rules] disable: {rule_id!r} is not a rule id{also}",
                              hint="Rule ids are in rules/*.toml (id = ...) and in `ordersync check --format json` "
                                   "(\"rule\").")


def source_findings(register: Register, lang: str) -> list[Finding]:
    """A workbook that could not be read is itself an error finding naming the file; so is a configured table
    that could not be read (its sheet gone, its header lost), and one read not quite as configured is a warning."""
    return [_source_finding(p, lang) for p in [*register.problems, *register.warnings]]


def _source_finding(p: SourceProblem, lang: str) -> Finding:
    if p.text is None:
        return Finding(p.rule, p.severity, say("无法读取 {where}：{why}", "cannot read {where}: {why}", lang,
                                               where=p.location, why=p.message),
                       source=p.source, value=p.location, hint=p.hint)
    hint = p.hint_text.format(lang, **p.values) if p.hint_text else p.hint
    return Finding(p.rule, p.severity, p.text.format(lang, **p.values), table=p.table, source=p.source,
                   sheet=p.sheet, value=p.location, hint=hint)
