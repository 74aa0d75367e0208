"""``ordersync doctor``'s checks beyond the tables: mail, state, recipients, followers, times, templates, watching.

Each check is a small function ``(Doctor) -> Verdict`` in ``CHECKS``: what it
verified (said unless -q) and each problem (its lines: what is wrong, then what
to do). Everything ``run`` would trip on later is found here now: a login the
server refuses, a state that cannot be written, a digest whose recipients have
no address, a time zone that does not exist, a template that does not render.
A check that itself fails becomes a problem; none hides another. More checks
(group-chat channels, Google) are added to ``CHECKS``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sync.config import Config
from sync.delivery import DeliveryError, SmtpBackend
from sync.delivery.message import sender_address
from sync.errors import OrdersyncError
from sync.i18n import say
from sync.service.schedule import Slot
from sync.service.watch import on_network_share
from sync.state import State, StateError, disk_problems
from sync.tables.register import Register
from sync.tables.given import CONFIG, TAB
from sync.tables.table import Table


@dataclass
class Doctor:
    """What every check may look at."""

    config: Config
    register: Register
    lang: str
    send_test: bool = False


@dataclass
class Verdict:
    ok: list[str] = field(default_factory=list)
    problems: list[list[str]] = field(default_factory=list)

    def problem(self, first: str, *more: str) -> Verdict:
        self.problems.append([first, *(m for m in more if m)])
        return self


def run_checks(doctor: Doctor, checks: list[Callable[[Doctor], Verdict]] | None = None) -> list[Verdict]:
    out = []
    for check in checks or CHECKS:
        try:
            out.append(check(doctor))
        except Exception as exc:  # noqa: BLE001 - one check that breaks must not hide the others
            out.append(Verdict().problem(f"{check.__name__}: {type(exc).__name__}: {exc}"))
    return out


# --- mail ------------------------------------------------------------------------------------------

def check_mail(doctor: Doctor) -> Verdict:
    """The outbox folder can be written; or the SMTP server resolves, connects, speaks TLS and takes the login
    (with the password from the environment). Nothing is sent (--send-test is ``sync.cli.doctor_channels``)."""
    mail, lang = doctor.config.mail, doctor.lang
    verdict = Verdict()
    try:
        sender_address(mail.sender)
    except OrdersyncError as exc:
        verdict.problem(f"[mail] sender = {mail.sender!r}: {exc}")
    if mail.backend == "outbox":
        folder = doctor.config.resolve(mail.outbox)
        for line in _unwritable(folder):
            verdict.problem(f"[mail] outbox: {line}")
        if not verdict.problems:
            verdict.ok.append(say("邮件：写入发件箱文件夹 {p}", "mail: written to the outbox folder {p}", lang, p=folder))
        return verdict
    backend = SmtpBackend.from_config(mail, doctor.config.base_dir)
    try:
        backend.open()
        verdict.ok.append(say("邮件：{w} 已连接（{s}）{who}", "mail: {w} connected ({s}){who}", lang, w=backend.where,
                              s=mail.security, who=f", logged in as {mail.username}" if mail.username else ""))
    except DeliveryError as exc:
        verdict.problem(f"[mail] {exc}", exc.hint)
    finally:
        backend.close()
    return verdict


# --- state -----------------------------------------------------------------------------------------

def check_state(doctor: Doctor) -> Verdict:
    """The state opens, passes SQLite's integrity check, was made by this version, belongs to this config,
    and its disk is writable with room to spare."""
    cfg, lang = doctor.config, doctor.lang
    path = cfg.resolve(cfg.service.state)
    verdict = Verdict()
    for line in disk_problems(path):
        verdict.problem(line)
    if not path.exists():
        if not verdict.problems:
            verdict.ok.append(say("状态：{p} 将在第一次运行时创建", "state: {p} is made on the first run", lang, p=path))
        return verdict
    try:
        with State(path) as state:
            _state_contents(state, cfg, verdict)
    except StateError as exc:
        verdict.problem(str(exc), exc.hint)
    if not verdict.problems:
        verdict.ok.append(say("状态：{p} 完好、可写", "state: {p} is sound and writable", lang, p=path))
    return verdict


def _state_contents(state: State, cfg: Config, verdict: Verdict) -> None:
    answer = [r[0] for r in state.db.execute("PRAGMA integrity_check").fetchall()]
    if answer != ["ok"]:
        verdict.problem(f"{state.path}: SQLite's integrity check fails: {'; '.join(answer[:3])}",
                        f"Stop ordersync and move {state.path.name} aside (keep it); a new state is made.")
    unknown = sorted(state.applied() - known_migrations())
    if unknown:
        verdict.problem(f"{state.path}: made by a newer ordersync (schema {', '.join(unknown[:3])})",
                        "Run the version that made it, or give this one its own [service] state.")
    refused = state.claimed_by_another(str(cfg.path), cfg.source_places())
    if refused:
        verdict.problem(refused, "Give each config its own [service] state.")


def known_migrations() -> set[str]:
    from sync.changes.ledger import LEDGER_MIGRATIONS
    from sync.changes.requests import REQUEST_MIGRATIONS
    from sync.delivery.queue import MIGRATIONS as MAIL
    from sync.notices.digests import MIGRATIONS as DIGESTS
    from sync.notices.reminders import MIGRATIONS as REMINDERS
    from sync.service.daemon import SERVICE_MIGRATIONS

    return {m.name for group in (LEDGER_MIGRATIONS, REQUEST_MIGRATIONS, MAIL, DIGESTS, REMINDERS, SERVICE_MIGRATIONS)
            for m in group}


def _unwritable(folder: Path) -> list[str]:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        return [f"{folder}: {probe} is a file, not a folder"]
    if not os.access(probe, os.W_OK):
        return [f"{folder}: cannot be written (read-only)"]
    return []


# --- who gets mail, and when ------------------------------------------------------------------------

def check_recipients(doctor: Doctor) -> Verdict:
    """Every digest's recipients, and [reminders] unassigned_to, are people with valid addresses."""
    from sync.notices.digests import recipients
    from sync.notices.recipients import Recipients

    cfg, lang = doctor.config, doctor.lang
    known = Recipients.from_register(doctor.register, cfg.people, lang)
    verdict = Verdict()
    for spec in cfg.digests:
        people = []
        for entry in spec.to:          # each entry on its own: one unknown name must not hide the next
            try:
                people += recipients(spec.model_copy(update={"to": [entry]}), known.directory)
            except OrdersyncError as exc:
                verdict.problem(str(exc))
        if not people:
            verdict.problem(f"[[digests]] {spec.name}: to = {spec.to}: nobody in the people sheet or [people]")
        for why in (known.why_not(r.person) for r in people):
            if why:
                verdict.problem(f"[[digests]] {spec.name}: {why}")
        if people and not any(known.why_not(r.person) for r in people):
            verdict.ok.append(say("摘要 {n}：{k} 位收件人", "digest {n}: {k} recipients", lang, n=spec.name, k=len(people)))
    if cfg.reminders.unassigned_to:
        for why in known.resolve(cfg.reminders.unassigned_to).problems:
            verdict.problem(f"[reminders] unassigned_to = {cfg.reminders.unassigned_to!r}: {why}")
    return verdict


def check_followers(doctor: Doctor) -> Verdict:
    """Once people are set up, every order's reminders have someone to go to: the orders tab names a follower,
    and the people sheet or [people] knows them (an order two share, 张伟/李娜: each); else [reminders]
    unassigned_to takes them."""
    from sync.notices.recipients import Recipients

    cfg, lang = doctor.config, doctor.lang
    orders = doctor.register.get("orders")
    verdict = Verdict()
    if orders is None or not cfg.reminders.enabled:
        return verdict
    directory = Recipients.from_register(doctor.register, cfg.people, lang).directory
    if not directory.people:   # nobody set up to mail yet (a first `init`): not this check's to say
        return verdict
    fallback = cfg.reminders.unassigned_to
    if not orders.holds("follower"):
        if fallback:
            verdict.ok.append(say("提醒：订单表没有跟单员列，都发给 {who}", "reminders: the orders tab has no follower "
                                  "column; all go to {who}", lang, who=fallback))
            return verdict
        return verdict.problem(
            say("提醒：订单表（{where}）没有跟单员列，提醒没有人可发", "reminders: the orders tab ({where}) has no "
                "follower column, so no reminder has anyone to go to", lang, where=orders.describe()),
            say("在 [tables.orders.columns] 写 follower = \"列字母或表头\"；一人一本的登记表可在它的 [sources.名称] 写 "
                "follower = \"姓名\"；或设 [reminders] unassigned_to",
                "map it in [tables.orders.columns] (follower = \"column letter or header\"); a register kept by one "
                "person can say whose it is under its [sources.NAME] (follower = \"name\"); or set "
                "[reminders] unassigned_to", lang))
    if "follower" in orders.given:
        verdict.ok.append(_owners_said(orders, lang))
    said = orders.data["follower"].dropna().astype(str).str.strip().value_counts()   # follower -> order lines
    unknown = Counter({who: int(n) for who, n in said.items() if who and not directory.each(who)})
    if not unknown:
        verdict.ok.append(say("提醒：{k} 位跟单员都在人员表或 [people] 中", "reminders: the people sheet or [people] "
                              "knows every follower ({k})", lang, k=len(said)))
        return verdict
    names = "、".join(f"{who}（{n}）" for who, n in unknown.most_common(5)) + ("…" if len(unknown) > 5 else "")
    where = say("发给 {who}", "go to {who}", lang, who=fallback) if fallback else say("没有人接收", "go to nobody", lang)
    first = say("提醒：{n} 行订单的跟单员不在人员表或 [people] 中：{names}；这些订单的提醒{where}",
                "reminders: {n} order lines name followers neither the people sheet nor [people] knows: {names}; "
                "their reminders {where}", lang, n=sum(unknown.values()), names=names, where=where)
    if fallback:
        verdict.ok.append(first)
        return verdict
    return verdict.problem(first, say("把他们加进人员表或 config.toml 的 [people]，或设 [reminders] unassigned_to",
                                      "add them to the people sheet or [people] in config.toml, or set "
                                      "[reminders] unassigned_to", lang))


def _owners_said(orders: Table, lang: str) -> str:
    """Whose each workbook (or tab) is, where the orders tab has no follower column and the names say it."""
    follower, by_tab = orders.data["follower"], orders.given["follower"] == TAB
    owners = dict.fromkeys((f"{Path(p.location).name} › {p.sheet}" if by_tab else Path(p.location).name,
                            follower.iloc[at]) for p, at in orders.places() if at < len(orders))
    named = [f"{where} → {who}" for where, who in owners if isinstance(who, str)]
    nobody = [where for where, who in owners if not isinstance(who, str)]
    sep = say("、", ", ", lang)
    named_said = sep.join(named[:5]) + ("…" if len(named) > 5 else "")
    if orders.given["follower"] == CONFIG and not nobody:
        return say("提醒：订单表没有跟单员列，跟单员按 config.toml 的 follower：{named}", "reminders: the orders tab has "
                   "no follower column; config.toml's follower gives them: {named}", lang, named=named_said)
    text = say("提醒：订单表没有跟单员列，跟单员取自工作簿或工作表的名字：{named}", "reminders: the orders tab has no "
               "follower column; the names of the workbooks or tabs give their followers: {named}", lang,
               named=named_said)
    if nobody:
        text += say("；{names} 的名字不是人名，其订单没有跟单员（可在其 [sources.名称] 写 follower = \"姓名\"）",
                    "; the names of {names} name no one, so their orders have no follower (say whose they are under "
                    "their [sources.NAME]: follower = \"name\")", lang, names=sep.join(nobody))
    return text


def check_times(doctor: Doctor) -> Verdict:
    """The time zone exists; every digest's time and day, and the reminders' send_after, make a schedule."""
    cfg, lang = doctor.config, doctor.lang
    verdict = Verdict()
    try:
        tz = ZoneInfo(cfg.service.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return verdict.problem(f"[service] timezone = {cfg.service.timezone!r}: not a known time zone",
                               'Use a name like "Asia/Shanghai" or "Europe/Berlin".')
    now = datetime.now(timezone.utc)
    for spec in cfg.digests:
        try:
            upcoming = Slot.parse(spec.at, spec.every, spec.day).next(now, tz)
        except ValueError as exc:
            verdict.problem(f"[[digests]] {spec.name}: {exc}")
            continue
        verdict.ok.append(say("摘要 {n}：下次 {t}", "digest {n}: next {t}", lang, n=spec.name,
                              t=upcoming.strftime("%Y-%m-%d %H:%M %Z")))
    try:
        Slot.parse(cfg.reminders.send_after)
    except ValueError as exc:
        verdict.problem(f"[reminders] send_after = {cfg.reminders.send_after!r}: {exc}")
    return verdict


# --- templates and watching --------------------------------------------------------------------------

def check_templates(doctor: Doctor) -> Verdict:
    """Every mail template compiles; the digests and the reminders due now render with the register's data."""
    from jinja2 import TemplateError

    from sync.notices.render import environment

    cfg, lang = doctor.config, doctor.lang
    user = cfg.resolve("templates")
    env = environment(user)
    verdict = Verdict()
    names = [n for n in env.list_templates() if n.endswith(".j2")]
    for name in names:
        try:
            env.get_template(name)
        except TemplateError as exc:
            where = "templates/" if (user / name).exists() else "shipped "
            verdict.problem(f"mail template {where}{name} line {getattr(exc, 'lineno', '?')}: {exc}",
                            "Fix it, or delete your copy to use the shipped one.")
    if not verdict.problems and _zone_known(cfg.service.timezone):   # else check_times says it
        rendered = _render_samples(doctor, verdict)
        verdict.ok.append(say("邮件模板：{n} 个可编译，{m} 封示例邮件可生成", "mail templates: {n} compile, {m} sample "
                              "mails render", lang, n=len(names), m=rendered))
    return verdict


def _zone_known(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _render_samples(doctor: Doctor, verdict: Verdict) -> int:
    """Plan the digests and the notices due now against a scratch state: the real data through the templates."""
    from sync.notices.plan import plan_digest, plan_notices
    from sync.service.cycle import digest_inputs, prepare_state

    cfg, lang = doctor.config, doctor.lang
    rendered = 0
    with State(":memory:") as scratch:
        prepare_state(scratch)
        now = datetime.now(timezone.utc)
        inputs = digest_inputs(scratch, cfg, doctor.register, now=now, lang=lang)
        for spec in cfg.digests:
            try:
                rendered += len(plan_digest(scratch, cfg, spec.name, inputs, now=now, lang=lang).outgoing)
            except OrdersyncError as exc:
                verdict.problem(f"[[digests]] {spec.name}: {exc}", exc.hint)
        try:
            rendered += len(plan_notices(scratch, cfg, inputs, now=now, lang=lang).outgoing)
        except OrdersyncError as exc:
            verdict.problem(str(exc), exc.hint)
    return rendered


def check_watch(doctor: Doctor) -> Verdict:
    """Workbooks on a network share are seen only by polling: polling = false there misses other machines' saves."""
    cfg, lang = doctor.config, doctor.lang
    watch = cfg.watch
    verdict = Verdict()
    folders = {cfg.resolve(getattr(s, "path")).parent for s in cfg.sources.values() if getattr(s, "path", None)}
    shared = [f for f in folders if f.exists() and on_network_share(f)]
    if watch.polling is False and shared:
        verdict.problem(f"[watch] polling = false, but {', '.join(map(str, shared))} is on a network share: saves "
                        "made on other machines are never seen", 'Set polling = "auto" (or true).')
    if watch.debounce >= watch.rescan_seconds:
        verdict.problem(f"[watch] debounce = {watch.debounce:g} is not shorter than rescan_seconds = "
                        f"{watch.rescan_seconds:g}: a busy workbook would never be read")
    if not verdict.problems:
        mode = "polling" if watch.polling is True or (watch.polling == "auto" and shared) else "native"
        verdict.ok.append(say("监视：{m}，静默 {d} 秒后读取", "watching: {m}, read after {d} s of quiet", lang, m=mode,
                              d=f"{watch.debounce:g}"))
    return verdict


CHECKS: list[Callable[[Doctor], Verdict]] = [check_mail, check_state, check_recipients, check_followers, check_times,
                                             check_templates, check_watch]
