"""One cycle: read -> check -> changes -> notices -> deliver.

The engine keeps the tables of every source in memory and re-reads only the
sources that changed: a save that leaves the bytes as they were costs one hash,
and a broken workbook becomes a finding about that workbook while every other
source carries on with its last good tables.

A source that cannot be read (a corrupt or half-written save, a locked file, a
network share gone) keeps its last good tables too, so everything made from
them keeps its state: reminder episodes stay open with their escalation
clocks, entry errors already mailed are not mailed again, the ledger records no
deletions, and the people sheet of the last good read still says who to tell.
The failure is in the cycle's findings and in ``SourceStatus`` at once; a file
that looks half-written is read again a moment later (``retry_due``), not at
the next rescan, and is reported as unreadable after ``BUSY_LIMIT`` tries. A
configured table whose sheet or header was not found keeps its last good table
the same way.

Each cycle works out its order model (the joined view and every order's
progress, ``sync.orders.model``) once and hands it to the checks, to the
change-request impacts and to the notices; its report and model are kept on
the ``CycleResult``, so the notices and digests that fall due between saves
use them instead of checking again.
"""

from __future__ import annotations

import hashlib
import logging
import time
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sync.calendar import zone
from sync.config import Config
from sync.delivery import make_backend
from sync.delivery.channels import deliver_channels, queue_notes
from sync.delivery.queue import DeliveryResult, MailQueue
from sync.errors import SourceError
from sync.findings import ERROR, Report
from sync.changes.ledger import remember
from sync.notices.digests import Inputs
from sync.notices.feedback_writer import FeedbackWriter
from sync.notices.chat import change_request_notes
from sync.notices.plan import Plan, gather, plan_digest, plan_notices
from sync.checks.lanes import TOGETHER, LaneMemo, apart_sources, check_lanes, lanes_of
from sync.checks.memo import PassMemo
from sync.checks.pipeline import check_register, memoised_model
from sync.orders.people import directory_from
from sync.orders.model import OrderModel, order_model
from sync.service.merge import Merger, same_objects
from sync.tables.register import Register, SheetMemo, SourceProblem, load
from sync.tables.table import Table
from sync.sources.base import Source
from sync.state import State

log = logging.getLogger("ordersync.cycle")
HASH_CHUNK = 1 << 20


@dataclass
class SourceStatus:
    name: str
    location: str
    last_read: str | None = None
    result: str = "not read yet"
    rows: int = 0
    findings: int = 0
    errors: int = 0
    changes: int = 0
    requests: int = 0
    busy_retries: int = 0
    open_elsewhere: bool = False
    last_good: str | None = None      # the last read that read everything configured
    failing_since: str | None = None  # the first read since then that did not


@dataclass
class CycleResult:
    read: list[str] = field(default_factory=list)        # sources actually parsed
    skipped: list[str] = field(default_factory=list)     # unchanged content
    report: Report | None = None
    orders: OrderModel | None = None                     # the order model the report was made with
    changes: int = 0
    notices: int = 0
    duration: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)  # step -> seconds, for the log line


def content_hash(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class SourceCache:
    """The last good register of each source, and what its content looked like."""

    BUSY_LIMIT = 5   # a file still half-written after this many tries is reported
    BUSY_RETRY = 2.0  # seconds between those tries

    def __init__(self, config: Config, sources: list[Source]) -> None:
        self.config = config
        self.sources = {s.name: s for s in sources}
        self.registers: dict[str, Register] = {}
        self.tokens: dict[str, str] = {}
        self.memos: dict[str, SheetMemo] = {}   # per source: each sheet's last read, by its content token
        self._merged: Register | None = None
        self.merger = Merger()
        #: the [sources.NAME] whose workbooks are registers of their own (``sync.checks.lanes``)
        self.apart = apart_sources(config)
        self._lanes: dict[str, Register] = {}
        self._together: tuple[list[weakref.ref], Register] | None = None   # the lane of the rest, while unchanged
        self._together_merger = Merger()
        self.regrouped = False   # a source left since the last cycle (``follow``)
        self.status = {s.name: SourceStatus(s.name, s.location) for s in sources}
        self._retry_at: dict[str, float] = {}   # source -> monotonic time of its next try while busy

    def refresh(self, names: list[str], now: datetime, *, force: bool = False) -> tuple[list[str], list[str]]:
        """Re-read the named sources whose content changed; return (read, unchanged)."""
        read, unchanged = [], []
        for name in names:
            source = self.sources[name]
            status = self.status[name]
            before = source.requests
            try:
                token = self._token(source)
                if not force and token and self.tokens.get(name) == token and not source.full_read_due:
                    unchanged.append(name)
                    continue
                register = self._load(source)
            except SourceError as exc:  # the token itself could not be taken
                register = Register(problems=[SourceProblem(name, source.location, str(exc), exc.retryable, exc.hint)])
                token = ""
            status.requests = source.requests - before
            stamp = now.isoformat(timespec="seconds")
            failed = [p for p in register.problems if p.table is None]
            if failed and failed[0].retryable and status.busy_retries < self.BUSY_LIMIT:
                status.busy_retries += 1
                status.failing_since = status.failing_since or stamp
                status.result = f"busy ({failed[0].message}); retrying ({status.busy_retries}/{self.BUSY_LIMIT})"
                self._retry_at[name] = time.monotonic() + self.BUSY_RETRY
                continue  # keep the last good tables; try again in a moment
            self._retry_at.pop(name, None)
            status.busy_retries = 0
            self.registers[name] = self._with_last_good(name, register)
            self._merged = None
            self.tokens[name] = token
            status.last_read = stamp
            status.rows = sum(len(t) for t in self.registers[name].tables.values())
            status.result = "ok" if not register.problems else register.problems[0].message
            if register.problems:
                status.failing_since = status.failing_since or stamp
            else:
                status.last_good, status.failing_since = stamp, None
            read.append(name)
        return read, unchanged

    def follow(self, sources: list[Source]) -> tuple[list[str], list[str]]:
        """Watch ``sources`` from now on (a path glob matched a new workbook, or no longer matches one): the new
        ones are read at the next refresh, a gone one's tables leave the register. Returns (added, removed)."""
        names = {s.name for s in sources}
        added = [s.name for s in sources if s.name not in self.sources]
        removed = [n for n in self.sources if n not in names]
        for name in removed:
            for held in (self.registers, self.tokens, self.memos, self.status, self._retry_at):
                held.pop(name, None)
        # in the order given (a glob's: by name), as a fresh start would join them
        self.sources = {s.name: self.sources.get(s.name, s) for s in sources}
        for name in added:
            self.status[name] = SourceStatus(name, self.sources[name].location)
        if added or removed:
            self._merged = None
        self.regrouped = self.regrouped or bool(removed)   # the register changed though no file is read
        return added, removed

    def retry_due(self) -> list[str]:
        """The sources that looked half-written and are due another try."""
        now = time.monotonic()
        return [name for name, at in self._retry_at.items() if at <= now]

    def _with_last_good(self, name: str, register: Register) -> Register:
        """``register`` with the last good tables of what it could not read: all of them when the workbook
        could not be read, else each configured table whose sheet or header was not found."""
        last = self.registers.get(name)
        if last is None or not register.problems:
            return register
        whole = any(p.table is None for p in register.problems)
        if whole:
            kept = dict(last.tables)
        else:
            kept = {p.table: last.tables[p.table] for p in register.problems
                    if p.table in last.tables and p.table not in register.tables}
        if not kept:
            return register
        log.warning("%s: %s; keeping the last good read of %s", name, register.problems[0].message,
                    ", ".join(sorted(kept)))
        return Register({**kept, **register.tables}, register.problems, register.warnings, register.notes,
                        register.seen, last.saved if whole else register.saved)

    def _token(self, source: Source) -> str:
        path = getattr(source, "path", None)
        if path is not None:
            return content_hash(Path(path)) if Path(path).exists() else ""
        return source.fingerprint()

    def _load(self, source: Source) -> Register:
        configured = {n: t for n, t in self.config.tables.items() if t.source == source.name} or None
        register = load([source], configured, day_first=self.config.service.day_first, memos=self.memos)
        if source.name in self.memos:
            memo = self.memos[source.name]
            log.debug("%s: read %s%s", source.name, ", ".join(memo.reread) or "no sheet (all kept)",
                      f" (cells as before: {', '.join(memo.same)})" if memo.same else "")
        return register

    def register(self) -> Register:
        """All sources' tables as one register (``sync.service.merge``); the same object until a source is read
        again. With workbooks kept apart, it is their lanes' registers joined (``lanes``)."""
        if self._merged is None:
            if self.apart:
                self._lanes = self._lane_registers()
                self._merged = self.merger.merge(self._lanes.values())
            else:
                self._merged = self.merger.merge(self.registers[n] for n in self.sources if n in self.registers)
        return self._merged

    def lanes(self) -> dict[str, Register]:
        """Lane -> its register (``sync.checks.lanes``): each workbook kept apart its own, the other sources'
        tables joined; each the same object while none of its sources is read again. Empty: nothing kept apart."""
        self.register()
        return self._lanes

    def _lane_registers(self) -> dict[str, Register]:
        read = [self.sources[n] for n in self.sources if n in self.registers]
        out: dict[str, Register] = {}
        for lane, sources in lanes_of(read, self.apart).items():
            registers = [self.registers[s.name] for s in sources]
            if lane != TOGETHER:
                out[lane] = registers[0]
                continue
            held = self._together
            if held is None or not same_objects(held[0], registers):
                held = self._together = ([weakref.ref(r) for r in registers], self._together_merger.merge(registers))
            out[lane] = held[1]
        return out

    def parts(self) -> dict[str, list[Table]]:
        """Each table of ``register()`` -> the sources' tables it was joined from."""
        self.register()
        return self.merger.members


def summarise(result: CycleResult) -> str:
    report = result.report
    errors = report.count(ERROR) if report else 0
    findings = len(report.findings) if report else 0
    rows = sum(report.tables.values()) if report else 0
    return (f"cycle read={','.join(result.read) or '-'} unchanged={','.join(result.skipped) or '-'} rows={rows} "
            f"findings={findings} errors={errors} changes={result.changes} notices={result.notices} "
            f"duration={result.duration:.2f}s"
            + (" steps=" + ",".join(f"{k}:{v:.2f}" for k, v in result.steps.items()) if result.steps else ""))


def timed() -> float:
    return time.perf_counter()


# --- the steps of a cycle ----------------------------------------------------------------------

def prepare_state(state: State) -> None:
    """Bring every component's schema up to date before the first cycle."""
    from sync.changes.requests import REQUEST_MIGRATIONS
    from sync.changes.ledger import LEDGER_MIGRATIONS

    state.migrate(LEDGER_MIGRATIONS)
    state.migrate(REQUEST_MIGRATIONS)
    MailQueue(state, "ordersync@localhost")  # creates its tables


def run_cycle(state: State, config: Config, register: Register, *, now: datetime, lang: str,
              result: CycleResult | None = None, memo: PassMemo | None = None,
              parts: dict[str, list[Table]] | None = None,
              lanes: tuple[dict[str, Register], LaneMemo] | None = None) -> CycleResult:
    """check -> remember -> plan notices -> queue -> deliver, for the register as it is now.

    ``memo``: the service's ``PassMemo``; the rules, the order model and the cross-tab findings whose
    tables no save changed are taken from the last cycle instead of being worked out again; ``parts``: what each
    table of ``register`` was joined from (``SourceCache.parts``), for the memo's fingerprints. ``lanes``: the
    registers kept apart that ``register`` joins (``SourceCache.lanes``), each checked on its own and again only
    when it changed (``sync.checks.lanes``); ``memo`` is not used then."""
    result = result or CycleResult()
    today = local_day(config, now)
    lap = timed()

    def step(name: str) -> None:
        nonlocal lap
        done = timed()
        result.steps[name] = done - lap
        lap = done

    # once: the checks, the ledger and the notices share it; with a memo, what no save touched is not redone
    if lanes is not None:   # each register kept apart checked on its own, and again only when it changed
        memo, keys = None, None
        report, orders = check_lanes(lanes[0], register, config, lang=lang, today=today, memo=lanes[1])
        unchanged = lanes[1].unchanged_since_stored(register)
    else:
        keys = memo.begin(register, config, today, parts) if memo is not None else None
        orders = memoised_model(register, config, today, memo, keys)
        report = check_register(register, config, lang=lang, today=today, orders=orders, memo=memo, keys=keys)
        unchanged = memo.unchanged_since_stored(keys) if memo is not None and keys is not None else frozenset()
    step("check")
    try:
        changes = remember(state, register, now=now, lang=lang, orders=orders, unchanged=unchanged)
    except BaseException:
        if memo is not None:
            memo.forget_stored()
        if lanes is not None:
            lanes[1].forget_stored()
        raise
    if memo is not None and keys is not None:
        memo.stored(keys)
    if lanes is not None:
        lanes[1].stored(register)
    step("remember")
    report.extend(changes.findings)
    result.report, result.orders, result.changes = report, orders, len(changes.changes)
    if changes.requests and config.channels:
        notes = change_request_notes(changes.requests, changes.cycle, directory_from(register, config.people), lang)
        with state.atomic():
            queue_notes(state, config, notes, now)
    result.notices = notify(state, config, register, report, now=now, lang=lang, orders=orders)
    step("notify")
    deliver(state, config, now=now)
    step("deliver")
    return result


def write_feedback(state: State, cache: SourceCache, writer: FeedbackWriter, result: CycleResult, *,
                   now: datetime) -> None:
    """The findings where people work ([feedback]), for the sources this cycle read."""
    if result.report is None or cache.config.feedback is None:
        return
    lap = timed()
    writer.after_cycle(state, [cache.sources[n] for n in result.read], result.report, now=now)
    result.steps["feedback"] = timed() - lap


def local_day(config: Config, now: datetime) -> date:
    """The day where the register is kept."""
    return now.astimezone(zone(config.service.timezone)).date()


def notify(state: State, config: Config, register: Register, report: Report, *, now: datetime, lang: str,
           orders: OrderModel | None = None) -> int:
    """Queue the reminders and entry-error mails due now; return how many were queued.

    ``orders``: the model ``report`` was made with; a model of another day is worked out again."""
    inputs = gather(state, config, register, now=now, lang=lang, report=report, orders=orders, history=False)
    return enqueue(state, config, plan_notices(state, config, inputs, now=now, lang=lang), now=now)


def enqueue(state: State, config: Config, plan: Plan, *, now: datetime) -> int:
    """Queue the planned mails and record them as sent-to-the-queue, in one transaction.

    They are queued as of ``now``, the cycle's clock, so the delivery that follows
    with the same ``now`` finds them due (queued at the wall clock, a moment later,
    they would wait for the next tick).
    The mails that cannot go (``plan.held``) wait in the queue with the reason; held mails of the
    plan's kinds that were not held again are over and leave the queue.
    """
    queue = MailQueue(state, config.mail.sender)
    with state.atomic():
        queued = sum(1 for mail in plan.outgoing if queue.enqueue(mail, now))
        for mail, why in plan.held:
            queue.hold(mail, why, now)
        keep = {mail.dedupe_key for mail, _ in plan.held}
        for prefix in plan.kinds:
            queue.release_held(prefix, keep)
        queue_notes(state, config, plan.notes, now)
        plan.record()
    if plan.held:
        log.warning("mail: %d held (%s)", len(plan.held), plan.held[0][1])
    return queued


def send_digest(state: State, config: Config, register: Register, name: str, *, slot_time: datetime,
                now: datetime, lang: str, last: CycleResult | None = None) -> int:
    """Queue the digest ``name``, made from the last cycle's report and order model (``last``); without one,
    the register is checked here, once."""
    inputs = digest_inputs(state, config, register, now=now, lang=lang, last=last)
    plan = plan_digest(state, config, name, inputs, now=now, lang=lang, slot=slot_time.isoformat())
    return enqueue(state, config, plan, now=now)


def digest_inputs(state: State, config: Config, register: Register, *, now: datetime, lang: str,
                  last: CycleResult | None = None, lanes: dict[str, Register] | None = None) -> Inputs:
    """What a digest is made of: the last cycle's report and model, or one check of the register now (of each
    of ``lanes`` on its own, when the register joins workbooks kept apart)."""
    if last is not None and last.report is not None:
        return gather(state, config, register, now=now, lang=lang, report=last.report, orders=last.orders)
    today = local_day(config, now)
    if lanes:
        report, orders = check_lanes(lanes, register, config, lang=lang, today=today)
        return gather(state, config, register, now=now, lang=lang, report=report, orders=orders)
    orders = order_model(register, config, today=today)
    report = check_register(register, config, lang=lang, today=today, orders=orders)
    return gather(state, config, register, now=now, lang=lang, report=report, orders=orders)


def deliver(state: State, config: Config, *, now: datetime) -> DeliveryResult | None:
    """Send the mail due, then the group messages due (each channel at its own pace)."""
    chat = deliver_channels(state, config, now)
    if chat is not None and (chat.deferred or chat.failed):
        log.warning("channels: %s", chat.summary("en"))
    queue = MailQueue(state, config.mail.sender)
    if not queue.pending_count():
        return None
    backend = make_backend(config.mail, config.base_dir)
    result = queue.deliver_due(backend, now)
    if result.deferred or result.failed:
        log.warning("mail: %s", result.summary("en"))
    elif result.sent:
        log.info("mail: %s", result.summary("en"))
    return result


def queue_length(state: State) -> int:
    return MailQueue(state, "ordersync@localhost").pending_count()
