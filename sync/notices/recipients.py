"""Who mail may go to: only people named in config.toml or in the people master.

A notice names people ("张伟"), kinds of people ("role:qc", "role:manager"),
someone's supervisor ("supervisor:张伟"), or an address that one of those people
has. Each resolves to (name, address) from the people sheet (name / email /
role / supervisor) and the ``[people]`` table of config.toml, nothing else.
Whatever resolves to nothing is reported with the reason (no such person, no
email, an email cell that is not an address, with its cell) and never guessed.
``allowed()`` is the closed list the mail queue accepts; ``why_not`` is why a
planned notice waits in the queue instead of going (``sync.notices.plan``).
``cell_savers`` says who saved the cell of each entry error, from the ledger
(issue 17): the error goes to that person when the people sheet knows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any

from sync.changes.history import cell_savers
from sync.delivery.errors import BadRecipient
from sync.findings import ERROR, Finding
from sync.delivery.message import check_address
from sync.i18n import say
from sync.state import State
from sync.tables.normalize import fold_text, normalise_key
from sync.orders.people import Directory, Person, directory_from
from sync.tables.register import Register

KIND_PREFIXES = ("role:", "kind:")


@dataclass
class Resolution:
    addresses: list[tuple[str, str]] = field(default_factory=list)   # (name, address), each address once
    problems: list[str] = field(default_factory=list)

    def add(self, name: str, address: str) -> None:
        if all(address.lower() != a.lower() for _, a in self.addresses):
            self.addresses.append((name, address))


class Recipients:
    def __init__(self, directory: Directory, where: dict[str, str] | None = None, lang: str = "zh") -> None:
        self.directory = directory
        self.where = where or {}     # fold_text(name) -> "people › 人员 C5": where that email came from
        self.lang = lang

    @classmethod
    def from_register(cls, register: Register, config_people: Mapping[str, Any] | None = None,
                      lang: str = "zh") -> Recipients:
        """The people sheet, then ``[people]`` in config.toml (adds or overrides by name)."""
        where = _email_cells(register)
        for name in config_people or {}:
            where.pop(fold_text(name), None)
        return cls(directory_from(register, config_people), where, lang)

    def address_of(self, person: Person) -> str:
        """The person's address, or BadRecipient saying what is missing and where."""
        where = self.where.get(fold_text(person.name), "config.toml [people]")
        if not person.email:
            raise BadRecipient(say("{name} 没有邮箱（{where}）", "{name} has no email ({where})", self.lang,
                                   name=person.name, where=where))
        try:
            return check_address(person.email)
        except BadRecipient:
            raise BadRecipient(say("{name} 的邮箱 {email!r} 不是有效地址（{where}）",
                                   "{name}: {email!r} is not an email address ({where})", self.lang,
                                   name=person.name, email=person.email, where=where)) from None

    def why_not(self, person: Person) -> str | None:
        """Why mail to ``person`` cannot go (no address, or one that is not an address, and where); None: it can."""
        try:
            self.address_of(person)
        except BadRecipient as exc:
            return str(exc)
        return None

    def resolve(self, *who: str) -> Resolution:
        out = Resolution()
        for spec in who:
            try:
                people = self._people(spec)
            except BadRecipient as exc:
                out.problems.append(str(exc))
                continue
            for person in people:
                try:
                    out.add(person.name, self.address_of(person))
                except BadRecipient as exc:
                    out.problems.append(str(exc))
        return out

    def _people(self, spec: str) -> list[Person]:
        text = fold_text(str(spec or ""))
        lowered = text.lower()
        if lowered.startswith(KIND_PREFIXES):
            kind = lowered.split(":", 1)[1].strip()
            people = [p for p in self.directory.people.values() if p.kind == kind or fold_text(p.role) == kind]
            if not people:
                raise BadRecipient(say("人员表里没有角色为 {kind} 的人", "nobody in the people sheet has role {kind}",
                                       self.lang, kind=kind))
            return people
        if lowered.startswith("supervisor:"):
            name = text.split(":", 1)[1].strip()
            boss = self.directory.supervisor_of(name)
            if boss is None:
                raise BadRecipient(say("找不到 {name} 的上级", "no supervisor found for {name}", self.lang, name=name))
            return [boss]
        person = self.directory.find(text)
        if person is None:
            raise BadRecipient(say("{who} 不在人员表或 config.toml [people] 中，不发送",
                                   "{who} is in neither the people sheet nor config.toml [people]; not mailed",
                                   self.lang, who=text or "''"))
        return [person]

    def allowed(self) -> set[str]:
        """Every address a notice may go to: the valid emails of known people."""
        out = set()
        for person in self.directory.people.values():
            try:
                out.add(self.address_of(person).lower())
            except BadRecipient:
                continue
        return out


def _email_cells(register: Register) -> dict[str, str]:
    table = register.get("people")
    if table is None or "name" not in table.data or not table.has("email"):
        return {}
    out = {}
    for rec in table.data[["name", "_row"]].to_dict("records"):
        if isinstance(rec["name"], str) and rec["name"].strip():
            out[fold_text(rec["name"])] = f"{table.describe()} {table.cell('email', int(rec['_row']))}"
    return out


def entry_error_savers(state: State, findings: list[Finding]) -> dict[int, str]:
    """id(finding) -> the name filed in the ledger with the save that wrote the finding's cell, for errors."""
    cells = {id(f): (f.table, normalise_key(f.order_no), f.field, f.row) for f in findings
             if f.severity == ERROR and f.table and f.order_no and f.field}
    if not cells:
        return {}
    try:
        named = cell_savers(state, cells.values())
    except Exception:   # noqa: BLE001 - no ledger yet (or an unreadable one): the followers are told, as before
        return {}
    return {key: named[cell] for key, cell in cells.items() if cell in named}
