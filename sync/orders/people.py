"""The people master: who someone is, how to mail and @-mention them, who their supervisor is, and which
address cells cannot be mailed.

Read from the people sheet (name / email / role / supervisor, and the optional
mobile / WeCom / DingTalk / Feishu id columns group bots mention by) and ``[people]``
of config.toml (adds or overrides by name). An email cell that is not an
address is a finding on that cell (``people-bad-email``): the check reports
it, and the notices hold that person's mail until it is mended, while everyone
else's goes. Addresses are judged by ``sync.addresses.is_address``,
the test a message must pass to be built, so the two never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sync.addresses import is_address
from sync.config import PersonConfig
from sync.findings import ERROR, Finding
from sync.i18n import say
from sync.tables.cells import text
from sync.tables.normalize import fold_text
from sync.tables.register import Register
from sync.tables.table import ROW

BAD_EMAIL = "people-bad-email"
#: between the names of a cell that names several people: 张伟/李娜, 张伟、李娜, Amy & Bob
_SEVERAL = re.compile(r"\s*(?:[/／、,，;；&＆+\n])\s*")
#: role words (after fold_text) -> what the person is: follower, a department, or manager
ROLE_WORDS = (
    ("manager", ("经理", "总监", "厂长", "老板", "主管经理", "manager", "director", "management", "gm")),
    ("follower", ("跟单", "业务", "merchandiser", "follower", "sales")),
    ("production", ("生产", "车间", "计划", "production", "planner", "planning")),
    ("qc", ("质检", "品质", "品检", "qc", "qa", "quality", "inspector")),
    ("shipping", ("仓", "发货", "物流", "船务", "warehouse", "shipping", "logistics")),
    ("procurement", ("采购", "物料", "purchas", "procurement", "buyer")),
)


@dataclass
class Person:
    name: str
    email: str | None = None
    role: str = ""            # as written in the people sheet
    kind: str = "follower"    # follower | production | qc | shipping | procurement | manager
    supervisor: str | None = None   # the supervisor's name or email, as written
    mobile: str | None = None       # how group bots @-mention them (optional people-sheet columns)
    wecom_id: str | None = None
    dingtalk_id: str | None = None
    feishu_id: str | None = None


@dataclass
class Directory:
    """The people master: who someone is, how to mail them, who their supervisor is."""

    people: dict[str, Person] = field(default_factory=dict)   # by fold_text(name)

    def find(self, who: str | None) -> Person | None:
        """The person ``who`` names (by name or email); of a cell naming several (张伟/李娜), the first known."""
        found = self.each(who)
        return found[0] if found else None

    def each(self, who: str | None) -> list[Person]:
        """Everyone ``who`` names: one person, or each known one of a cell shared by several (张伟/李娜, 张伟、李娜)."""
        if not who:
            return []
        one = self._one(str(who))
        if one is not None:
            return [one]
        found: list[Person] = []
        for part in _SEVERAL.split(str(who)):
            person = self._one(part)
            if person is not None and person not in found:
                found.append(person)
        return found

    def _one(self, who: str) -> Person | None:
        key = fold_text(who)
        if not key:
            return None
        if key in self.people:
            return self.people[key]
        return next((p for p in self.people.values() if p.email and fold_text(p.email) == key), None)

    def supervisor_of(self, who: str | None) -> Person | None:
        person = self.find(who)
        return self.find(person.supervisor) if person and person.supervisor else None

    def of_kind(self, kind: str) -> list[Person]:
        return [p for p in self.people.values() if p.kind == kind]


@lru_cache(maxsize=4096)
def names_in(cell: str | None) -> frozenset[str]:
    """The folded names a follower cell gives: itself, and each name of a cell shared by several (张伟/李娜)."""
    if not cell:
        return frozenset()
    whole = fold_text(str(cell))
    return frozenset({whole, *(n for part in _SEVERAL.split(str(cell)) if (n := fold_text(part)))})


def role_kind(role: str) -> str:
    folded = fold_text(role or "")
    for kind, words in ROLE_WORDS:
        if any(w in folded for w in words):
            return kind
    return "follower"


def directory_from(register: Register, extra: Mapping[str, PersonConfig | Mapping[str, Any]] | None = None
                   ) -> Directory:
    """From the people sheet; ``extra`` ([people] in config.toml) adds or overrides by name."""
    d = Directory()
    table = register.get("people")
    if table is not None and "name" in table.data:
        for rec in table.data.to_dict("records"):
            name = text(rec.get("name"))
            if name:
                role = text(rec.get("role")) or ""
                d.people[fold_text(name)] = Person(name, text(rec.get("email")), role, role_kind(role),
                                                   text(rec.get("supervisor")), **_chat_ids(rec))
    for name, p in (extra or {}).items():   # [people] NAME = {email, role, kind, supervisor, mobile, ...}
        p = PersonConfig.model_validate(p) if isinstance(p, Mapping) else p
        sheet = d.people.get(fold_text(name))
        ids = {f: getattr(p, f) or (getattr(sheet, f) if sheet else None) for f in CHAT_IDS}
        d.people[fold_text(name)] = Person(name, p.email, p.role, p.kind or role_kind(p.role), p.supervisor, **ids)
    return d


#: the optional people-sheet columns a group bot @-mentions by
CHAT_IDS = ("mobile", "wecom_id", "dingtalk_id", "feishu_id")


def _chat_ids(rec: Mapping[str, Any]) -> dict[str, str | None]:
    """A mobile typed as a number (13800138000.0) is the digits; ids are kept as written."""
    out = {}
    for f in CHAT_IDS:
        value = rec.get(f)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[f] = text(value)
    return out


def people_findings(register: Register, lang: str = "zh") -> list[Finding]:
    """An error on each people-sheet email cell that is filled in and is not an address."""
    table = register.get("people")
    if table is None or not table.has("email"):
        return []
    out = []
    names = table.data["name"].tolist() if "name" in table.data else [None] * len(table)
    for pos, (email, name, row) in enumerate(zip(table.data["email"].tolist(), names, table.data[ROW].tolist())):
        written = text(email)
        if written is None or is_address(written):
            continue
        row = int(row)
        who = text(name) or "?"
        out.append(Finding(BAD_EMAIL, ERROR, say(
            "{name} 的邮箱“{email}”不是有效的邮件地址，发给 {name} 的提醒和通知会暂存在发送队列里",
            "{name}'s email '{email}' is not an email address; reminders and notices to {name} wait in the "
            "mail queue", lang, name=who, email=written),
            table="people", source=table.source, sheet=table.sheet, row=row,
            column=table.columns["email"].header, cell=table.cell("email", row), field="email",
            value=table.raw_text("email", pos) or written,
            hint=say("改成完整的邮箱地址，例如 name@example.com", "write the full address, e.g. name@example.com",
                     lang)))
    return out
