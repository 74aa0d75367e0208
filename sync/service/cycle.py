"""One cycle: read -> check -> changes -> notices -> deliver.

The engine keeps the tables of every source in memory and re-reads only the
sources that changed: a save that leaves the bytes as they were costs one hash,
and a broken workbook becomes a finding about that workbook while every other
source carries on with its last good tables.

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
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sync.calendar import zone
from sync.config import Config
from sync.delivery import make_backend
from sync.delivery.queue import DeliveryResult, MailQueue
from sync.errors import SourceError
from sync.findings import ERROR, Report
from sync.changes.ledger import remember
from sync.notices.digests import Inputs
from sync.notices.plan import Plan, gather, plan_digest, plan_notices
from sync.checks.memo import PassMemo
from sync.checks.pipeline import check_register, memoised_model
from sync.orders.model import OrderModel, order_model
from sync.tables.register import Register, SheetMemo, SourceProblem, load
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

    def __init__(self, config: Config, sources: list[Source]) -> None:
        self.config = config
        self.sources = {s.name: s for s in sources}
        self.registers: dict[str, Register] = {}
        self.tokens: dict[str, str] = {}
        self.memos: dict[str, SheetMemo] = {}   # per source: each sheet's last read, by its content token
        self._merged: Register | None = None
        self.status = {s.name: SourceStatus(s.name, s.location) for s in sources}

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
            busy = [p for p in register.problems if p.retryable]
            if busy and status.busy_retries < self.BUSY_LIMIT:
                status.busy_retries += 1
                status.result = f"busy ({busy[0].message}); retrying"
                continue  # keep the last good tables; try again on the next tick
            status.busy_retries = 0
            self.registers[name] = register
            self._merged = None
            self.tokens[name] = token
            status.last_read = now.isoformat(timespec="seconds")
            status.rows = sum(len(t) for t in register.tables.values())
            status.result = "ok" if not register.problems else register.problems[0].message
            read.append(name)
        return read, unchanged

    def _token(self, source: Source) -> str:
        path = getattr(source, "path", None)
        if path is not None:
            return content_hash(Path(path)) if Path(path).exists() else ""
        return source.fingerprint()

    def _load(self, source: Source) -> Register:
        configured = {n: t for n, t in self.config.tables.items() if t.source == source.name} or None
        register = load([source], configured, day_first=self.config.service.day_first, memos=self.memos)
        if source.name in self.memos:
            log.debug("%s: read %s", source.name, ", ".join(self.memos[source.name].reread) or "no sheet (all kept)")
        return register

    def register(self) -> Register:
        """All sources' tables as one register; the same object until a source is read again."""
        if self._merged is None:
            merged, scores = Register(), {}
            for reg in self.registers.values():
                # one register per follower (a path glob): same-layout tables of several files are one
                # table, as ``load`` makes them when it reads the files together
                for table in reg.tables.values():
                    merged.add(table, 0.0, scores)
                merged.problems += reg.problems
                merged.notes += reg.notes
                merged.seen.update(reg.seen)
            self._merged = merged
        return self._merged


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
              result: CycleResult | None = None, memo: PassMemo | None = None) -> CycleResult:
    """check -> remember -> plan notices -> queue -> deliver, for the register as it is now.

    ``memo``: the service's ``PassMemo``; the rules, the order model and the cross-tab findings whose
    tables no save changed are taken from the last cycle instead of being worked out again."""
    result = result or CycleResult()
    today = local_day(config, now)
    lap = timed()

    def step(name: str) -> None:
        nonlocal lap
        done = timed()
        result.steps[name] = done - lap
        lap = done

    # once: the checks, the ledger and the notices share it; with a memo, what no save touched is not redone
    keys = memo.begin(register, config, today) if memo is not None else None
    orders = memoised_model(register, config, today, memo, keys)
    report = check_register(register, config, lang=lang, today=today, orders=orders, memo=memo, keys=keys)
    step("check")
    unchanged = memo.unchanged_since_stored(keys) if memo is not None and keys is not None else frozenset()
    try:
        changes = remember(state, register, now=now, lang=lang, orders=orders, unchanged=unchanged)
    except BaseException:
        if memo is not None:
            memo.forget_stored()
        raise
    if memo is not None and keys is not None:
        memo.stored(keys)
    step("remember")
    report.extend(changes.findings)
    result.report, result.orders, result.changes = report, orders, len(changes.changes)
    result.notices = notify(state, config, register, report, now=now, lang=lang, orders=orders)
    step("notify")
    deliver(state, config, now=now)
    step("deliver")
    return result


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
                  last: CycleResult | None = None) -> Inputs:
    """What a digest is made of: the last cycle's report and model, or one check of the register now."""
    if last is not None and last.report is not None:
        return gather(state, config, register, now=now, lang=lang, report=last.report, orders=last.orders)
    today = local_day(config, now)
    orders = order_model(register, config, today=today)
    report = check_register(register, config, lang=lang, today=today, orders=orders)
    return gather(state, config, register, now=now, lang=lang, report=report, orders=orders)


def deliver(state: State, config: Config, *, now: datetime) -> DeliveryResult | None:
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
