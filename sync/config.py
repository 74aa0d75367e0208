"""config.toml: every section typed, with its defaults, found as --config, $ORDERSYNC_CONFIG or ./config.toml.

Every section is strict: a typo or a wrong type is one line naming the file,
the line, the section and the key (with a did-you-mean). Relative paths are
relative to the config file. Secrets never live here: SMTP passwords and
Google credentials come from the environment.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from datetime import date
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, ValidationInfo,
                      field_validator, model_validator)

from sync.configtext import describe_syntax, key_lines, line_at, read_text
from sync.errors import ConfigError

ENV_CONFIG = "ORDERSYNC_CONFIG"
#: the canonical tables (sync.tables.fields TABLES + MASTERS; a test keeps the two lists equal)
TableName = Literal["orders", "materials", "production", "qc", "shipping", "customers", "people"]
TABLE_NAMES: tuple[str, ...] = get_args(TableName)
#: what reminders are about (sync.notices.reminders KINDS, and the entry-error mails)
REMINDER_KINDS = ("overdue", "due_soon", "behind_plan", "stale", "qc_failed", "material_late")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: what a group-bot channel can be sent ([[channels]] notices)
CHANNEL_NOTICES = ("entry_errors", "reminders", "digests", "change_requests")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServiceConfig(Strict):
    language: Literal["zh", "en"] = "zh"
    timezone: str = "Asia/Shanghai"
    state: str = "state/ordersync.db"
    day_first: bool | None = None    # 03/04/2026 is 3 April when true, 4 March when false; unset: each column decides
    log_file: str | None = "state/ordersync.log"


# --- sources: one model per kind -------------------------------------------------------------

class _Source(Strict):
    #: each workbook (each one a path glob matches) is a register of its own, with whole orders of its own (one
    #: per follower): checked on its own, and a save checks only its own again (``sync.checks.lanes``)
    apart: bool = False
    #: whose register this is (one per follower): the follower of its orders where no column says who; a Google
    #: Sheet's address or a file named in Latin letters (Anna.xlsx) names no one ``sync.tables.given`` can find
    follower: str | None = None

    @field_validator("follower")
    @classmethod
    def _a_name(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("follower is blank: give the person's name, as the people sheet writes it")
        return value.strip() if value is not None else None

    def options(self) -> dict[str, Any]:
        """What the backend's ``from_config`` reads; unset optional keys are left out, and so is ``apart`` (how
        the checks group the workbooks, none of the backend's business)."""
        return self.model_dump(exclude_none=True, exclude={"apart"})


class ExcelSourceConfig(_Source):
    kind: Literal["excel"] = "excel"
    path: str                        # a file, or a glob: registers/*.xlsx
    share: str | None = None         # the folder of path as readers open it (\\server\跟单 or https://nas/跟单/)


class CsvSourceConfig(_Source):
    kind: Literal["csv"]
    path: str
    encoding: str | None = None      # None: UTF-8 (with or without BOM), then GB18030
    share: str | None = None         # as for excel: the folder of path as readers open it


class GsheetsSourceConfig(_Source):
    kind: Literal["gsheets"]
    key: str                         # the spreadsheet key or its URL
    credentials: str | None = None   # service-account JSON; None: $ORDERSYNC_GOOGLE_CREDENTIALS
    full_read_every: Annotated[int, Field(ge=1)] | str = 60   # polls between full reads, or a duration: "10m"
    attempts: int | None = Field(default=None, ge=1)  # tries per request; None: the backend's policy
    timeout: float | None = Field(default=None, gt=0)  # seconds to wait for a reply; None: the backend's
    budget: float | None = Field(default=None, gt=0)   # seconds one poll may take; None: the backend's (30)


class MemorySourceConfig(_Source):
    kind: Literal["memory"]          # tests build these in code; nothing to configure


SOURCE_MODELS: dict[str, type[_Source]] = {
    "excel": ExcelSourceConfig, "csv": CsvSourceConfig, "gsheets": GsheetsSourceConfig,
    "memory": MemorySourceConfig}


def _source_kind(value: Any) -> str | None:
    kind = value.get("kind", "excel") if isinstance(value, dict) else getattr(value, "kind", None)
    return kind if kind in SOURCE_MODELS else None


#: [sources.NAME], typed by its kind (excel when kind is left out)
SourceConfig = Annotated[
    Union[tuple(Annotated[m, Tag(k)] for k, m in SOURCE_MODELS.items())],  # type: ignore[valid-type]
    Discriminator(_source_kind, custom_error_type="source_kind",
                  custom_error_message="unknown source kind")]


# --- tables, mail, rules ---------------------------------------------------------------------

class TableConfig(Strict):
    source: str
    #: the canonical table it is; needed when the name is not one (a second production table of a workbook:
    #: [tables.production_inputs_2] kind = "production"), else the name says it
    kind: TableName | None = None
    sheet: str | None = None
    sheets: list[str] | None = None  # sheet-name patterns, e.g. ["*月"]: several tabs are one table
    #: 1-based; 0: the sheet has no header row (its data start on row 1) and ``columns`` name columns by letter
    header_row: int | None = Field(default=None, ge=0)
    columns: dict[str, str] = Field(default_factory=dict)       # field -> header text or column letter
    aliases: dict[str, list[str]] = Field(default_factory=dict)  # field -> more header names

    @field_validator("sheets")
    @classmethod
    def _one_way_to_name_sheets(cls, sheets: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if sheets is not None and info.data.get("sheet") is not None:
            raise ValueError("set sheet or sheets, not both")
        return sheets


class MailConfig(Strict):
    backend: Literal["outbox", "smtp"] = "outbox"
    outbox: str = "outbox"
    sender: str = "ordersync@example.com"
    host: str = "localhost"
    port: int = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password_env: str = "ORDERSYNC_SMTP_PASSWORD"
    timeout: float = Field(default=30.0, gt=0)       # seconds for each step of the conversation
    data_timeout: float = Field(default=600.0, gt=0)  # the end-of-data reply: RFC 5321 allows 10 minutes
    cafile: str | None = None        # PEM file of a private CA that signed the server's certificate
    #: the config's folder as readers open it (\\fileserver\跟单 or https://nas/跟单/): links to Excel registers
    link_prefix: str | None = None


class RulesConfig(Strict):
    paths: list[str] = Field(default_factory=lambda: ["rules"])
    disable: list[str] = Field(default_factory=list)


# --- reconcile, statuses, reminders, digests, watch, people ---------------------------------

class ReconcileConfig(Strict):
    #: the production stages in order; None (the default): the register's own (sync.orders.stages)
    stages: list[str] | None = None
    #: alias = "stage" (one alias) or stage = ["alias", ...] (several)
    stage_aliases: dict[str, str | list[str]] = Field(default_factory=dict)
    over_tolerance: float = Field(default=0.03, ge=0)
    short_tolerance: float = Field(default=0.03, ge=0, lt=1)
    expect_materials_after_days: int | None = Field(default=14, ge=0)
    expect_production_after_days: int | None = Field(default=45, ge=0)
    rate_window_days: int = Field(default=14, ge=1)
    stage_lag_days: int = Field(default=2, ge=0)
    min_pace_days: int = Field(default=7, ge=1)
    ship_lag_days: int = Field(default=3, ge=0)
    suggest_cutoff: float = Field(default=0.8, gt=0, le=1)

    @model_validator(mode="before")
    @classmethod
    def _statuses_moved(cls, data: Any) -> Any:
        if cls is ReconcileConfig and isinstance(data, dict) and "statuses" in data:
            raise ValueError("status words have their own section now: move them to [statuses] "
                             "(cancelled, partial, shipped, closed, pending, producing, done)")
        return data

    @field_validator("stage_aliases")
    @classmethod
    def _aliases_name_stages(cls, aliases: dict[str, str | list[str]], info: ValidationInfo) -> dict[str, Any]:
        stages = info.data.get("stages")
        if stages is None:   # the stages are the register's: an alias may name any of them
            return aliases
        unknown = [s for s in aliases.values() if isinstance(s, str) and s not in stages]
        if unknown:
            raise ValueError(f"names stages not in stages: {', '.join(unknown)}")
        return aliases


class StatusesConfig(Strict):
    cancelled: list[str] = Field(default_factory=list)
    partial: list[str] = Field(default_factory=list)
    shipped: list[str] = Field(default_factory=list)
    closed: list[str] = Field(default_factory=list)
    pending: list[str] = Field(default_factory=list)
    producing: list[str] = Field(default_factory=list)
    done: list[str] = Field(default_factory=list)


class ReminderOverrides(Strict):
    """[reminders.KIND]: numbers for one kind of reminder only."""
    due_soon_days: int | None = Field(default=None, ge=0)
    stale_days: int | None = Field(default=None, ge=1)
    escalate_after_days: int | None = Field(default=None, ge=0)
    repeat_every_days: int | None = Field(default=None, ge=1)


class RemindersConfig(Strict):
    due_soon_days: int = Field(default=3, ge=0)
    stale_days: int = Field(default=3, ge=1)
    escalate_after_days: int = Field(default=2, ge=0)
    repeat_every_days: int = Field(default=1, ge=1)
    entry_error_batch_minutes: float = Field(default=30, ge=0)
    entry_error_delay_minutes: float = Field(default=5, ge=0)
    send_after: str = Field(default="08:30", pattern=r"^\s*([01]?\d|2[0-3]):[0-5]\d\s*$")
    unassigned_to: str = ""
    #: weekends: workdays + the lists below; cn: the Chinese statutory calendar (holidays, 调休), the lists override
    calendar: Literal["weekends", "cn"] = "weekends"
    enabled: list[Literal[REMINDER_KINDS + ("entry_errors",)]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: [*REMINDER_KINDS, "entry_errors"])
    holidays: list[date] = Field(default_factory=list)
    workdays: list[Literal[WEEKDAYS]] = Field(default_factory=lambda: list(WEEKDAYS[:5]))  # type: ignore[valid-type]
    extra_workdays: list[date] = Field(default_factory=list)   # weekend days worked instead (调休)
    overdue: ReminderOverrides | None = None
    due_soon: ReminderOverrides | None = None
    behind_plan: ReminderOverrides | None = None
    stale: ReminderOverrides | None = None
    qc_failed: ReminderOverrides | None = None
    material_late: ReminderOverrides | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_day_names(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("workdays"), list):   # "Monday" -> "mon"
            data = {**data, "workdays": [_day(d) for d in data["workdays"]]}
        return data

    def setting(self, kind: str, key: str) -> Any:
        """``key`` for reminders of ``kind``: [reminders.KIND] first, then [reminders]."""
        override = getattr(self, kind, None)
        value = getattr(override, key, None) if isinstance(override, ReminderOverrides) else None
        return getattr(self, key) if value is None else value


def _day(value: Any) -> Any:
    """"Monday", "Mon" and "mon" are all "mon"."""
    word = str(value).strip().lower() if isinstance(value, str) else value
    full = {d: d for d in WEEKDAYS} | {"monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu",
                                       "friday": "fri", "saturday": "sat", "sunday": "sun"}
    return full.get(word, value)


class DigestConfig(Strict):
    name: str
    to: list[str] = Field(default_factory=list)   # people, roles, or addresses
    at: str = Field(default="08:00", pattern=r"^\s*([01]?\d|2[0-3]):[0-5]\d\s*$")
    every: Literal["daily", "weekly", "workdays"] = "daily"
    day: Literal[WEEKDAYS] = "mon"    # type: ignore[valid-type]   # for every = "weekly"
    lang: Literal["zh", "en"] | None = None   # None: [service] language
    title: str | None = None
    charts: bool = True
    limit: int = Field(default=50, ge=1)      # rows per list in the mail
    kpi_days: int = Field(default=7, ge=1)


class WatchConfig(Strict):
    debounce: float = Field(default=0.25, ge=0)
    polling: bool | Literal["auto"] = "auto"
    poll_interval: float = Field(default=5.0, gt=0)
    rescan_seconds: float = Field(default=300, gt=0)
    remote_poll_seconds: float = Field(default=60, gt=0)
    schedule_tick_seconds: float = Field(default=30, gt=0)
    notice_tick_seconds: float = Field(default=60, gt=0)


class LimitsConfig(Strict):
    """How big a workbook may be before it is refused (its bytes are measured before any parse)."""

    max_workbook_mib: float = Field(default=1024, gt=0)   # uncompressed XML of one package (the bench 100k: 308)
    max_rows: int = Field(default=1_000_000, ge=1)        # rows over all of one workbook's sheets read
    max_sheet_cells: int = Field(default=30_000_000, ge=1)  # rows x columns of one sheet's grid


class WebConfig(Strict):
    """The status page (``ordersync serve``, and inside ``run`` when configured)."""

    base_url: str | None = None      # how people reach it, e.g. "http://10.0.0.5:8765"; links in notices use it
    listen: str = "127.0.0.1:8765"   # host:port; localhost unless configured
    secret_env: str = "ORDERSYNC_WEB_SECRET"   # signs the links' tokens
    link_days: int = Field(default=14, ge=1)   # how long a link in a notice opens the page
    managers: list[str] = Field(default_factory=list)   # people who may log in to the manager and service views
    password_env: str = "ORDERSYNC_WEB_PASSWORD"       # their shared login password


class FeedbackSourceConfig(Strict):
    """[feedback.sources.NAME]: one source its own way (unset keys follow [feedback])."""

    workbook: str | bool | None = None
    per: Literal["follower", "table"] | None = None
    sheets_tab: bool | None = None
    cell_notes: bool | None = None


class FeedbackConfig(Strict):
    """[feedback]: findings where people work (sync.notices.feedback); off unless the section is there."""

    #: the findings workbook beside each Excel register ({stem}: the register's name without .xlsx); false: none
    workbook: str | bool = "{stem}.ordersync.xlsx"
    per: Literal["follower", "table"] = "follower"    # one sheet per follower, or per table
    sheets_tab: bool = True          # an `ordersync` tab in each Google spreadsheet (needs Editor rights)
    cell_notes: bool = False         # and a note on each offending cell of the register
    sources: dict[str, FeedbackSourceConfig] = Field(default_factory=dict)

    @field_validator("workbook")
    @classmethod
    def _a_file_name(cls, value: str | bool) -> str | bool:
        if value is True:
            return "{stem}.ordersync.xlsx"
        if isinstance(value, str) and (not value.strip() or not value.lower().endswith(".xlsx")):
            raise ValueError(f'expected a file name ending in .xlsx such as "{{stem}}.ordersync.xlsx", or false, '
                             f'got "{value}"')
        return value

    def for_source(self, name: str, group: str | None = None) -> FeedbackConfig:
        """The settings for one source: its [feedback.sources.NAME] (or its glob's) over [feedback]."""
        own = self.sources.get(name) or (self.sources.get(group) if group else None)
        if own is None:
            return self
        given = own.model_dump(exclude_none=True)
        if given.get("workbook") is True:
            given["workbook"] = "{stem}.ordersync.xlsx"
        return self.model_copy(update={"sources": {}, **given}) if given else self


class ChannelConfig(Strict):
    """[[channels]]: one group bot (WeCom, DingTalk, Feishu) or, for the demo, a folder of message files."""

    kind: Literal["wecom", "dingtalk", "feishu", "outbox"]
    name: str | None = None            # how the queue, status and doctor call it; default: the kind
    webhook: str | None = None         # the bot's URL; or webhook_env: the environment variable that holds it
    webhook_env: str | None = None
    secret_env: str | None = None      # DingTalk 加签 / Feishu 签名校验 secret, from the environment
    folder: str = "outbox-chat"        # kind = "outbox": where each message is written as a file
    notices: list[Literal[CHANNEL_NOTICES]] = Field(   # type: ignore[valid-type]
        default_factory=lambda: list(CHANNEL_NOTICES))
    followers: list[str] = Field(default_factory=list)     # only these followers' orders; empty: everyone's
    departments: list[str] = Field(default_factory=list)   # only notices for these departments; empty: all
    link: str | None = None            # base URL that messages link to; default: [web] base_url
    timeout: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _one_webhook(self) -> ChannelConfig:
        if self.kind != "outbox" and bool(self.webhook) == bool(self.webhook_env):
            raise ValueError(f"{self.label}: set webhook or webhook_env (one of them)")
        return self

    @property
    def label(self) -> str:
        return self.name or self.kind


class PersonConfig(Strict):
    email: str | None = None
    role: str = ""
    kind: Literal["follower", "production", "qc", "shipping", "procurement", "manager"] | None = None
    supervisor: str | None = None
    mobile: str | None = None          # for @-mentions in DingTalk and WeCom groups
    wecom_id: str | None = None        # WeCom userid
    dingtalk_id: str | None = None     # DingTalk userId
    feishu_id: str | None = None       # Feishu open_id (ou_...)


class Config(Strict):
    service: ServiceConfig = Field(default_factory=ServiceConfig)
    sources: dict[str, SourceConfig] = Field(default_factory=dict)
    tables: dict[str, TableConfig] = Field(default_factory=dict)   # name -> table; see ``_table_names``
    mail: MailConfig = Field(default_factory=MailConfig)
    rules: RulesConfig = Field(default_factory=RulesConfig)
    reconcile: ReconcileConfig = Field(default_factory=ReconcileConfig)
    statuses: StatusesConfig = Field(default_factory=StatusesConfig)
    reminders: RemindersConfig = Field(default_factory=RemindersConfig)
    digests: list[DigestConfig] = Field(default_factory=list)
    watch: WatchConfig = Field(default_factory=WatchConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    people: dict[str, PersonConfig] = Field(default_factory=dict)
    web: WebConfig | None = None
    feedback: FeedbackConfig | None = None
    channels: list[ChannelConfig] = Field(default_factory=list)

    path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _channel_names(self) -> Config:
        labels = [c.label for c in self.channels]
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice:
            raise ValueError(f"[[channels]]: more than one channel is called {', '.join(twice)}; give each a name")
        return self

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def resolve(self, relative: str) -> Path:
        p = Path(relative).expanduser()
        return p if p.is_absolute() else self.base_dir / p

    def source_places(self) -> list[str]:
        """Where the sources read (resolved paths and sheet keys): what a state is tied to (``State.claim``)."""
        places = []
        for src in self.sources.values():
            path = getattr(src, "path", None)
            places.append(str(self.resolve(path).resolve()) if path else str(getattr(src, "key", src.kind)))
        return sorted(places)


def find_config(explicit: str | Path | None = None) -> Path | None:
    if explicit:
        return Path(explicit)
    if env := os.environ.get(ENV_CONFIG):
        return Path(env)
    local = Path.cwd() / "config.toml"
    return local if local.exists() else None


def load_config(path: str | Path) -> Config:
    path = Path(path)
    text = read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(describe_syntax(path, exc)) from exc
    lines = key_lines(text)
    if "path" in data:        # Config.path is where the file was found, not something to write in it
        raise ConfigError(f"{path}{line_at(lines, ['path'])}: path: unknown key (keys belong under a [section])")
    unnamed = _unknown_tables(data, path, lines)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        said = describe_validation(path, text, exc).splitlines() + unnamed
        said.sort(key=lambda p: int(m[1]) if (m := re.search(r" line (\d+): ", p)) else 1 << 30)
        raise ConfigError("\n".join(said), hint=_KIND_HINT if unnamed else None) from exc
    if unnamed:
        raise ConfigError("\n".join(unnamed), hint=_KIND_HINT)
    config.path = path.resolve()
    for name, src in config.sources.items():
        where = getattr(src, "path", None)
        if where and config.resolve(where).is_dir():
            raise ConfigError(f"{path}{line_at(lines, ['sources', name, 'path'])}: [sources.{name}] path = "
                              f"{where!r} is a folder, not a workbook; for every workbook in it write "
                              f"path = \"{where.rstrip('/')}/*.xlsx\"")
    for name, table in config.tables.items():
        if table.source not in config.sources:
            known = ", ".join(config.sources) or "none defined"
            raise ConfigError(f"{path}{line_at(lines, ['tables', name, 'source'])}: [tables.{name}] source: "
                              f"{table.source!r} is not one of [sources.*]: {known}")
    return config


#: what a table name that is no kind may have meant instead of a typo
_KIND_HINT = ("A second table of one kind (a workbook's other production sheet) says which it is: "
              'kind = "production" under its [tables.NAME].')


def _unknown_tables(data: dict[str, Any], path: Path, lines: Any) -> list[str]:
    """A table's name is its kind, or it says its kind: [tables.orders_sep] without ``kind`` is a typo."""
    tables = data.get("tables")
    if not isinstance(tables, dict):
        return []
    wrong = [name for name, table in tables.items()
             if name not in TABLE_NAMES and not (isinstance(table, dict) and "kind" in table)]
    return [f"{path}{line_at(lines, ['tables', name, '[key]'])}: [tables.{name}]: unknown table"
            f"{_did_you_mean(name, TABLE_NAMES)}; tables are {', '.join(TABLE_NAMES)}" for name in wrong]


def validated(model: type[BaseModel], data: Any, section: str) -> Any:
    """A section given as a dict in code (not read from a file): ConfigError on any problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_problem(section.strip("[]").split("."), err, model)
                                    for err in exc.errors())) from exc


# --- telling the user what is wrong, one line per problem ------------------------------------

def describe_validation(path: Path, text: str, exc: ValidationError) -> str:
    """'config.toml line 12: [watch] debounse: unknown key (did you mean "debounce"?)', one line each."""
    lines = key_lines(text)
    found = [(line_at(lines, _clean_loc(err)), _problem([], err, Config)) for err in exc.errors()]
    found.sort(key=lambda p: int(p[0].split()[-1]) if p[0] else 1 << 30)   # in the order of the file
    return "\n".join(f"{path}{line}: {problem}" for line, problem in found)


def _clean_loc(err: Any) -> list[Any]:
    """The error's place as the user wrote it: without the source kind pydantic adds."""
    loc = list(err["loc"])
    if len(loc) >= 3 and loc[0] == "sources" and loc[2] in SOURCE_MODELS:
        del loc[2]
    if err["type"] == "source_kind" and isinstance(err["input"], dict):
        loc.append("kind")
    return loc


def _problem(prefix: list[Any], err: Any, root: type[BaseModel]) -> str:
    """'[watch] debounse: unknown key (did you mean "debounce"?)'."""
    full = prefix + _clean_loc(err)
    if full[-1:] == ["[key]"] and full[:1] == ["tables"]:
        name = err["input"]
        return (f"[tables.{name}]: unknown table{_did_you_mean(str(name), TABLE_NAMES)}; "
                f"tables are {', '.join(TABLE_NAMES)}")
    if not full:
        return _what(err)
    parents, key = full[:-1], str(full[-1])
    if isinstance(full[-1], int) and len(full) > 1:      # an item of a list
        parents, key = full[:-2], f"{full[-2]} (item {full[-1] + 1})"
    if err["type"] == "extra_forbidden" and not parents and not isinstance(err["input"], (dict, list)):
        owners = [f"[{name}]" for name in root.model_fields if key in _fields_at(root, [name])]
        return f"{key}: unknown key (keys belong under a [section]{': ' + ' or '.join(owners) if owners else ''})"
    if err["type"] == "extra_forbidden":
        known = _fields_at(root, list(err["loc"])[:-1])
        what = "unknown section" if not parents else "unknown key"
        return f"{_section(parents or [key])}{'' if not parents else ' ' + key}: {what}{_did_you_mean(key, known)}"
    if not parents and full[0] in ("digests", "channels") and isinstance(full[-1], int):
        return f"[[{full[0]}]] (item {full[-1] + 1}): {_what(err)}"
    if not parents:
        return f"[{key}]: {_what(err)}"
    return f"{_section(parents)} {key}: {_what(err)}"


def _section(parents: list[Any]) -> str:
    if parents[:1] in (["digests"], ["channels"]):
        return f"[[{parents[0]}]]" + "".join(f".{p}" for p in parents[2:])
    return f"[{'.'.join(str(p) for p in parents)}]"


_EXPECTED = {"int": "an integer", "float": "a number", "bool": "true or false", "string": "a string in quotes",
             "list": 'a list like ["a", "b"]', "dict": "a table", "model": "a table",
             "date": "a date like 2027-01-01"}


def _what(err: Any) -> str:
    kind, got = err["type"], json.dumps(err.get("input"), ensure_ascii=False, default=str)
    if kind == "missing":
        return "missing (required)"
    if kind == "source_kind":
        if not isinstance(err["input"], dict):     # [sources] path = "..." without a NAME
            return f"expected a table [sources.NAME] with kind = {' | '.join(SOURCE_MODELS)}, got {got}"
        given = json.dumps(err["input"].get("kind"), ensure_ascii=False)
        return f"expected one of {', '.join(SOURCE_MODELS)}, got {given}"
    if kind == "literal_error":
        return f"expected one of {err['ctx']['expected']}, got {got}"
    if kind == "string_pattern_mismatch":
        return f'expected a time like "08:30", got {got}'
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    base = kind.split("_")[0]
    if base in _EXPECTED and kind.endswith(("_type", "_parsing")):
        return f"expected {_EXPECTED[base]}, got {got}"
    return f"{err['msg'][0].lower()}{err['msg'][1:]}, got {got}"


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _fields_at(root: Any, loc: list[Any]) -> list[str]:
    """The keys allowed at ``loc`` (pydantic's own loc), walking the models' annotations."""
    tp: Any = root
    for part in loc:
        if tp is SourceConfig:                   # pydantic's loc names the kind next
            tp = SOURCE_MODELS.get(str(part))
            continue
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            tp = field.annotation if field else None
        elif get_origin(tp) in (dict, list):
            tp = get_args(tp)[-1]
        else:
            return []
    tp = _unwrap(tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _unwrap(tp: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` -> X."""
    while tp is not SourceConfig:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
        elif get_origin(tp) in (Union, UnionType) and len(real := [a for a in get_args(tp) if a is not NoneType]) == 1:
            tp = real[0]
        else:
            break
    return tp
