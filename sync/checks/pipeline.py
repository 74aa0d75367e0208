"""One checking pass over a register: source problems, rule packs, (later) cross-tab findings.

``check_register`` is what ``ordersync check`` and the daemon call; it stays a
short list of steps so each part (rules, reconciliation) adds one line here.
"""

from __future__ import annotations

import datetime as dt

from sync import shipped
from sync.checks import Check, Context, load_rules, run_checks
from sync.config import Config
from sync.errors import ConfigError
from sync.findings import ERROR, Finding, Report
from sync.i18n import say
from sync.checks.reconcile import reconcile
from sync.tables.register import Register

#: the packs shipped with ordersync (rules/ of the repository, sync/rules in a wheel), used when no config names its own
SHIPPED_RULES = shipped.folder("rules")


def check_register(register: Register, config: Config | None, *, lang: str = "zh",
                   today: dt.date | None = None, rules: list[Check] | None = None) -> Report:
    """All findings of one pass; ``rules`` defaults to the packs the config names (or the shipped ones)."""
    today = today or dt.date.today()
    rules = rules if rules is not None else rules_for(config)
    report = Report(tables={name: len(table) for name, table in register.tables.items()})
    report.extend(source_findings(register, lang))
    report.extend(run_checks(register, rules, Context(lang, today, register, config)))
    report.extend(reconcile(register, config, lang=lang, today=today))
    return report


def rules_for(config: Config | None) -> list[Check]:
    """The enabled rules: [rules] paths (relative to config.toml), minus [rules] disable."""
    if config is None:
        return load_rules([SHIPPED_RULES])
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
    return load_rules(paths, config.rules.disable)


def source_findings(register: Register, lang: str) -> list[Finding]:
    """A workbook that could not be read is itself an error finding naming the file."""
    return [Finding("source-unreadable", ERROR, say("无法读取 {where}：{why}", "cannot read {where}: {why}", lang,
                                                    where=p.location, why=p.message),
                    source=p.source, value=p.location, hint=p.hint) for p in register.problems]
