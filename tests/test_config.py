"""The reference config.toml and the models in sync.config cannot drift apart.

The reference loads as it stands; every commented example in it, uncommented
block by block, loads too; every key a model knows is documented in it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from sync.config import LimitsConfig
from sync.config import (REMINDER_KINDS, SOURCE_MODELS, TABLE_NAMES, ChannelConfig, Config, DigestConfig, FeedbackConfig,
                         ExcelSourceConfig, GsheetsSourceConfig, MailConfig, PersonConfig, ReconcileConfig, ReminderOverrides,
                         RemindersConfig, RulesConfig, ServiceConfig, StatusesConfig, TableConfig, WatchConfig,
                         WebConfig, load_config)
from sync.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "config.toml"
EXAMPLE = re.compile(r"^#\s?(\[\[?[^\]]+\]\]?|[\w\"'.-]+\s*=\s*\S.*)$")
KEY = re.compile(r"^\s*([\w\"'-]+)(?:\.[\w\"'.-]+)?\s*=")
HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
#: an example key that replaces another active one in its section (both would be an error)
REPLACES = {"sheets": "sheet"}


def example_blocks(lines: list[str]) -> list[list[int]]:
    """Runs of consecutive commented lines that are TOML (``# key = value``, ``# [table]``)."""
    blocks: list[list[int]] = []
    run: list[int] = []
    for i, line in enumerate(lines):
        if EXAMPLE.match(line):
            run.append(i)
        elif run:
            blocks.append(run)
            run = []
    return blocks + ([run] if run else [])


def section_of(lines: list[str], index: int) -> str:
    for line in reversed(lines[:index]):
        if m := HEADER.match(line):
            return m[1]
    return ""


def uncommented(lines: list[str], block: list[int]) -> str:
    """The reference with one example block switched on, and the active keys it replaces switched off."""
    out = list(lines)
    for i in block:
        out[i] = re.sub(r"^#\s?", "", out[i])
    own = {section_of(out, i) for i in block if not HEADER.match(out[i])}
    keys = {m[1] for i in block if (m := KEY.match(out[i]))}
    keys |= {REPLACES[k] for k in keys if k in REPLACES}
    for i, line in enumerate(out):
        m = KEY.match(line)
        if i not in block and m and m[1] in keys and section_of(out, i) in own:
            out[i] = "# " + line
    return "\n".join(out) + "\n"


def test_the_reference_loads_and_runs_the_demo_as_it_stands():
    config = load_config(REFERENCE)
    assert config.sources["register"] == ExcelSourceConfig(path="demo/register.xlsx")
    assert set(config.tables) == set(TABLE_NAMES)
    assert config.reconcile.stages == ["裁剪", "车缝", "整烫", "包装"]
    assert config.reminders.send_after == "00:00" and config.reminders.unassigned_to == "赵敏"
    assert [d.name for d in config.digests] == ["daily", "weekly"] and config.digests[1].day == "mon"
    assert config.watch.debounce == 0.25 and config.watch.polling == "auto"
    assert config.statuses == StatusesConfig() and config.people == {}


def test_every_commented_example_loads(tmp_path: Path):
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    blocks = example_blocks(lines)
    assert len(blocks) >= 12, "the reference has lost its commented examples"
    for block in blocks:
        path = tmp_path / "config.toml"
        path.write_text(uncommented(lines, block), encoding="utf-8")
        try:
            load_config(path)
        except ConfigError as exc:
            pytest.fail(f"the example at config.toml lines {block[0] + 1}-{block[-1] + 1} does not load: {exc}")


def test_the_examples_mean_what_they_say(tmp_path: Path):
    """Spot checks that an uncommented example lands where its comment says."""
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    loaded = []
    for block in example_blocks(lines):
        path = tmp_path / "config.toml"
        path.write_text(uncommented(lines, block), encoding="utf-8")
        loaded.append(load_config(path))
    assert any(isinstance(c.sources.get("shared"), GsheetsSourceConfig) and c.sources["shared"].full_read_every == "10m"
               for c in loaded)
    assert any(c.mail.backend == "smtp" and c.mail.port == 587 for c in loaded)
    assert any(c.tables["orders"].sheets == ["*月", "订单*"] and c.tables["orders"].sheet is None for c in loaded)
    assert any(c.reminders.setting("overdue", "repeat_every_days") == 2
               and c.reminders.setting("stale", "repeat_every_days") == 1 for c in loaded)
    assert any(c.people.get("李强") == PersonConfig(email="li.qiang@example.com", role="跟单员", supervisor="赵敏")
               for c in loaded)
    assert any(c.statuses.cancelled == ["客户取消"] for c in loaded)


def documented(text: str) -> dict[str, set[str]]:
    """Top-level section -> the keys written in it (active or commented), sub-table names included."""
    out: dict[str, set[str]] = defaultdict(set)
    section = ""
    for raw in text.splitlines():
        line = re.sub(r"^#\s?", "", raw)
        if m := HEADER.match(line):
            parts = [p.strip("\"'") for p in m[1].split(".")]
            section = parts[0]
            out[section].update(parts[2:] if section in ("sources", "tables") else parts[1:])
        elif m := KEY.match(line):
            out[section].add(m[1].strip("\"'"))
            if "{" in line and section == "people":
                out["people"].update(re.findall(r"(\w+)\s*=", line.split("{", 1)[1]))
    return out


@pytest.mark.parametrize(("section", "model", "exempt"), [
    ("service", ServiceConfig, set()),
    ("sources", None, set()),
    ("tables", TableConfig, set()),
    ("mail", MailConfig, set()),
    ("rules", RulesConfig, set()),
    ("reconcile", ReconcileConfig, {"statuses"}),      # the words now belong in [statuses]
    ("statuses", StatusesConfig, set()),
    ("reminders", RemindersConfig, set(REMINDER_KINDS) - {"overdue"}),   # one kind's table shows them all
    ("reminders", ReminderOverrides, set()),
    ("digests", DigestConfig, set()),
    ("watch", WatchConfig, set()),
    ("limits", LimitsConfig, set()),
    ("people", PersonConfig, set()),
    ("feedback", FeedbackConfig, set()),
    ("channels", ChannelConfig, set()),
    ("web", WebConfig, set()),
])
def test_every_key_a_model_knows_is_documented(section, model, exempt):
    keys = documented(REFERENCE.read_text(encoding="utf-8"))[section]
    if model is None:
        fields = {f for kind, m in SOURCE_MODELS.items() if kind != "memory" for f in m.model_fields}
    else:
        fields = set(model.model_fields)
    assert fields - exempt - keys == set(), f"document these in config.toml [{section}]"


def test_every_section_is_a_model_field():
    sections = set(documented(REFERENCE.read_text(encoding="utf-8"))) - {""}
    assert sections <= set(Config.model_fields)


def test_every_section_a_model_knows_is_documented():
    sections = set(documented(REFERENCE.read_text(encoding="utf-8")))
    assert set(Config.model_fields) - {"path"} - sections == set(), "document these sections in config.toml"


def test_the_table_names_are_the_canonical_ones():
    from sync.tables.fields import MASTERS, TABLES
    assert set(TABLE_NAMES) == set(TABLES) | set(MASTERS)


def test_the_reminder_kinds_are_the_ones_reminders_know():
    from sync.notices.reminders import KINDS
    assert REMINDER_KINDS == KINDS


def test_defaults_without_a_file():
    config = Config()
    assert config.watch.rescan_seconds == 300 and config.reminders.send_after == "08:30"
    assert config.reminders.enabled == [*REMINDER_KINDS, "entry_errors"]
    assert config.reconcile.over_tolerance == 0.03 and config.digests == []
    assert config.statuses.done == [] and config.tables == {}


def test_sources_give_their_backends_the_options_they_read(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('[sources.a]\npath = "registers/*.xlsx"\n\n'
                    '[sources.b]\nkind = "csv"\npath = "b.csv"\nencoding = "gbk"\n\n'
                    '[sources.c]\nkind = "gsheets"\nkey = "1AbC"\nfull_read_every = 5\n', encoding="utf-8")
    sources = load_config(path).sources
    assert sources["a"].options() == {"kind": "excel", "path": "registers/*.xlsx"}
    assert sources["b"].options() == {"kind": "csv", "path": "b.csv", "encoding": "gbk"}
    assert sources["c"].options() == {"kind": "gsheets", "key": "1AbC", "full_read_every": 5}


def test_a_per_kind_reminder_table_overrides_only_that_kind():
    settings = RemindersConfig.model_validate({"repeat_every_days": 3, "overdue": {"repeat_every_days": 1}})
    assert settings.setting("overdue", "repeat_every_days") == 1
    assert settings.setting("due_soon", "repeat_every_days") == 3
    assert settings.setting("entry_errors", "escalate_after_days") == 2
