"""What a command works with: the config found (if any), the language, the sources to read.

The language is the one asked for (``--lang``, ``$ORDERSYNC_LANG``), else the
config's ``[service] language`` when the config sets it; else a command that has
read the workbooks speaks their language (``Session.speaking``): English headers
get English messages. Chinese is the default of last resort.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sync.calendar import local_today
from sync.config import Config, ServiceConfig, find_config, load_config
from sync.errors import UserError
from sync.i18n import DEFAULT, check_language
from sync.sources import Source, from_config, open_paths
from sync.sources.base import read_all_ahead

if TYPE_CHECKING:
    from sync.tables.reading import SheetReading
    from sync.tables.register import Register


@dataclass
class Session:
    """The config (if any), the language, the sources."""

    config: Config | None
    lang: str
    sources: list[Source]
    _from_paths: bool = False
    #: the language was asked for or configured, not defaulted: the workbooks do not change it
    lang_given: bool = True

    @property
    def configured(self) -> bool:
        """Tables come from the config's [tables], not recognised zero-config."""
        return bool(self.config and self.config.tables and not self._from_paths)

    def read_ahead(self) -> None:
        """Begin reading the first workbook as the load will (``sync.tables.register``: zero-config, every visible
        sheet, the biggest first) before the checks are imported: calamine parses without the GIL, so the 0.4 s of
        importing pandas and the rules and the parse of the biggest sheets go on side by side. Only the first: the
        load reads one workbook at a time, and each read begun holds its parsed sheets until it is taken over."""
        if not self.configured and self.sources:
            read_all_ahead(self.sources[0])

    def register(self) -> Register:
        from sync.tables.register import load

        configured = self.config.tables if self.config and not self._from_paths else None
        day_first = self.config.service.day_first if self.config else None
        return load(self.sources, configured, day_first=day_first)

    def registers(self) -> tuple[Register, dict[str, Register]]:
        """The register, and each lane's own when the config keeps workbooks apart (``sync.checks.lanes``;
        empty when it does not): the lanes read one by one and joined, as the service joins them."""
        from sync.checks.lanes import apart_sources, lanes_of
        from sync.service.merge import Merger
        from sync.tables.register import load

        apart = apart_sources(self.config) if not self._from_paths else set()
        if not apart:
            return self.register(), {}
        configured = self.config.tables if self.config else None
        day_first = self.config.service.day_first if self.config else None
        lanes = {lane: load(sources, configured, day_first=day_first)
                 for lane, sources in lanes_of(self.sources, apart).items()}
        return Merger().merge(lanes.values()), lanes

    @property
    def timezone(self) -> str:
        """Where the register is kept: the config's [service] timezone, or its default without a config."""
        return (self.config.service if self.config else ServiceConfig()).timezone

    def today(self, given: str | None = None) -> dt.date:
        """``--today`` when given, else today where the register is kept (``sync.calendar.local_today``)."""
        if not given:
            return local_today(self.timezone)
        try:
            return dt.date.fromisoformat(given)
        except ValueError:
            raise UserError(f"--today {given!r}: expected a date like 2026-04-10") from None

    def speaking(self, readings: list[SheetReading]) -> str:
        """The language to speak: the one given, else the workbooks' (``workbook_language``), else zh."""
        if self.lang_given:
            return self.lang
        from sync.tables.reading import workbook_language

        return workbook_language(readings) or self.lang


def open_session(workbooks: list[Path] | None, config_path: Path | None, lang: str | None,
                 *, need_config: bool = False) -> Session:
    path = find_config(config_path)
    config = load_config(path) if path else None
    if need_config and config is None:
        raise UserError("no config.toml found", hint="Pass --config, set $ORDERSYNC_CONFIG, or run `ordersync init`.")
    given = lang or configured_language(config)
    language = check_language(given) if given else DEFAULT
    if workbooks:
        sources = [s for p in workbooks for s in open_paths(p, config.limits if config else None)]
        return Session(config, language, sources, _from_paths=True, lang_given=given is not None)
    if config is None:
        raise UserError("nothing to read: give workbook paths or a config.toml",
                        hint="e.g. `ordersync check register.xlsx`, or `ordersync demo` to try it out.")
    return Session(config, language, sources_from_config(config), lang_given=given is not None)


def configured_language(config: Config | None) -> str | None:
    """``[service] language`` when the config writes it (not pydantic's default)."""
    if config is None or "language" not in config.service.model_fields_set:
        return None
    return config.service.language


def sources_from_config(config: Config) -> list[Source]:
    return [s for name, cfg in config.sources.items()
            for s in from_config(name, cfg.kind, cfg.options(), config.base_dir, config.limits)]
