"""config.toml: found as --config, $ORDERSYNC_CONFIG or ./config.toml.

Known sections are strict (a typo names the key and its line); relative paths
are relative to the config file. Secrets never live here: SMTP passwords and
Google credentials come from the environment.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sync.errors import ConfigError

ENV_CONFIG = "ORDERSYNC_CONFIG"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServiceConfig(Strict):
    language: Literal["zh", "en"] = "zh"
    timezone: str = "Asia/Shanghai"
    state: str = "state/ordersync.db"
    day_first: bool | None = None    # 03/04/2026 is 3 April when true, 4 March when false; unset: each column decides
    log_file: str | None = "state/ordersync.log"


class SourceConfig(BaseModel):
    model_config = ConfigDict(extra="allow")   # backend-specific keys (path, key, credentials, ...)
    kind: Literal["excel", "csv", "gsheets", "memory"] = "excel"

    def options(self) -> dict[str, Any]:
        return self.model_dump()


class TableConfig(Strict):
    source: str
    sheet: str | None = None
    header_row: int | None = Field(default=None, ge=1)
    columns: dict[str, str] = Field(default_factory=dict)       # field -> header text or column letter
    aliases: dict[str, list[str]] = Field(default_factory=dict)  # field -> more header names


class MailConfig(Strict):
    backend: Literal["outbox", "smtp"] = "outbox"
    outbox: str = "outbox"
    sender: str = "ordersync@example.com"
    host: str = "localhost"
    port: int = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password_env: str = "ORDERSYNC_SMTP_PASSWORD"
    timeout: float = 30.0
    cafile: str | None = None        # PEM file of a private CA that signed the server's certificate


class RulesConfig(Strict):
    paths: list[str] = Field(default_factory=lambda: ["rules"])
    disable: list[str] = Field(default_factory=list)


class Config(BaseModel):
    #: sections owned by later parts of the service (reminders, reconcile, watch, digests) are plain tables
    model_config = ConfigDict(extra="allow")
    service: ServiceConfig = Field(default_factory=ServiceConfig)
    sources: dict[str, SourceConfig] = Field(default_factory=dict)
    tables: dict[str, TableConfig] = Field(default_factory=dict)
    mail: MailConfig = Field(default_factory=MailConfig)
    rules: RulesConfig = Field(default_factory=RulesConfig)
    digests: list[dict[str, Any]] = Field(default_factory=list)

    path: Path | None = Field(default=None, exclude=True)

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def resolve(self, relative: str) -> Path:
        p = Path(relative).expanduser()
        return p if p.is_absolute() else self.base_dir / p

    def section(self, name: str) -> dict[str, Any]:
        """A section owned by a later part of the service, as a plain dict."""
        return dict((self.model_extra or {}).get(name, {}))


def find_config(explicit: str | Path | None = None) -> Path | None:
    if explicit:
        return Path(explicit)
    if env := os.environ.get(ENV_CONFIG):
        return Path(env)
    local = Path.cwd() / "config.toml"
    return local if local.exists() else None


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found",
                          hint="Run `ordersync init WORKBOOK` to write one, or pass --config.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation(path, text, exc)) from exc
    config.path = path.resolve()
    for name, table in config.tables.items():
        if table.source not in config.sources:
            raise ConfigError(f"{path}: [tables.{name}] source = {table.source!r} is not one of "
                              f"[sources.*]: {', '.join(config.sources) or 'none defined'}")
    return config


def describe_validation(path: Path, text: str, exc: ValidationError) -> str:
    """'config.toml line 12, [mail] prot: unknown key' — one line per problem."""
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        key = loc[-1] if loc else ""
        where = f"line {line_of(text, key)}, " if line_of(text, key) else ""
        section = ".".join(loc[:-1])
        what = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        lines.append(f"{path} {where}[{section}] {key}: {what}")
    return "\n".join(lines)


def line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=", re.M)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None
