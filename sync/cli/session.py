"""What a command works with: the config found (if any), the language, the sources to read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sync.config import Config, find_config, load_config
from sync.errors import UserError
from sync.sources import Source, from_config, open_paths
from sync.tables.register import Register, load


@dataclass
class Session:
    """The config (if any), the language, the sources."""

    config: Config | None
    lang: str
    sources: list[Source]

    def register(self) -> Register:
        configured = self.config.tables if self.config and not self._from_paths else None
        day_first = self.config.service.day_first if self.config else None
        return load(self.sources, configured, day_first=day_first)

    _from_paths: bool = False


def open_session(workbooks: list[Path] | None, config_path: Path | None, lang: str | None,
                 *, need_config: bool = False) -> Session:
    path = find_config(config_path)
    config = load_config(path) if path else None
    if need_config and config is None:
        raise UserError("no config.toml found", hint="Pass --config, set $ORDERSYNC_CONFIG, or run `ordersync init`.")
    language = lang or (config.service.language if config else "zh")
    if workbooks:
        sources = [s for p in workbooks for s in open_paths(p)]
        return Session(config, language, sources, _from_paths=True)
    if config is None:
        raise UserError("nothing to read: give workbook paths or a config.toml",
                        hint="e.g. `ordersync check register.xlsx`, or `ordersync demo` to try it out.")
    return Session(config, language, sources_from_config(config))


def sources_from_config(config: Config) -> list[Source]:
    return [s for name, cfg in config.sources.items()
            for s in from_config(name, cfg.kind, cfg.options(), config.base_dir)]
