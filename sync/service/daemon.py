"""``ordersync run``: the daemon that watches, checks, remembers and notifies.

It runs unattended for months next to the shared drive. The loop is simple on
purpose: wait for file events (or a tick), run a cycle for the workbooks that
were saved, let ``schedule`` tick the timed jobs, write the status file. The
state is the truth for everything timed: a digest slot is recorded in the same
transaction that queues its mails, so a restart neither loses nor repeats it.

It outlives every fault it can name (``sync.service.health``): before any
work it makes sure the state path still names the open file (a deleted state
is written back from the open database, so the record of what was sent
survives; a replaced one stops all writing until restart); a state that
cannot be written (disk full, read-only) fails the cycle, which is tried
again every ``notice_tick_seconds`` with the sources read afresh, so nothing is
lost when space comes back; a digest whose template does not render waits,
unrecorded, while everything else goes on. Each problem is one log line and
is listed in service.json; ``run --once`` exits 1 when any remains.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import schedule

from sync.calendar import local_now
from sync.checks.lanes import LaneMemo, could_keep_apart
from sync.checks.memo import PassMemo
from sync.config import Config
from sync.delivery.channels import ChannelQueue
from sync.service.cycle import (CycleResult, SourceCache, deliver, notify, prepare_state, queue_length, run_cycle,
                        send_digest, summarise, write_feedback)
from sync.notices.feedback_writer import FeedbackWriter
from sync.errors import UserError
from sync.gcpause import collection_paused
from sync.service.health import Health
from sync.sources import Source, from_config, is_glob, is_open_elsewhere
from sync.service.lock import InstanceLock
from sync.service.schedule import Slot, due
from sync.state import Migration, State, StateError, now_iso
from sync.service.watch import Watcher

log = logging.getLogger("ordersync")

#: a workbook a glob no longer matches is looked for again after this long: Excel deletes it and renames the
#: saved copy into its place, a few milliseconds apart
SETTLE_SECONDS = 1.0

SERVICE_MIGRATIONS = [
    Migration("service-001-schedule", """
        CREATE TABLE schedule_runs (
            job TEXT PRIMARY KEY,
            first_seen TEXT NOT NULL,
            last_slot TEXT
        );"""),
]


def setup_logging(config: Config, verbose: bool = False, *, quiet: bool = False) -> None:
    """stderr and a rotating file; ``quiet`` keeps stderr to warnings (the file still gets every cycle line)."""
    root = logging.getLogger("ordersync")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    if not any(getattr(h, "_ordersync", False) for h in root.handlers):
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setFormatter(fmt)
        stderr.setLevel(logging.WARNING if quiet and not verbose else logging.DEBUG)
        stderr._ordersync = True  # type: ignore[attr-defined]
        root.addHandler(stderr)
        if config.service.log_file:
            path = config.resolve(config.service.log_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            rotating = logging.handlers.RotatingFileHandler(path, maxBytes=5 * 1024**2, backupCount=5,
                                                            encoding="utf-8")
            rotating.setFormatter(fmt)
            rotating._ordersync = True  # type: ignore[attr-defined]
            root.addHandler(rotating)
    logging.getLogger("sync").setLevel(root.level)


class Service:
    def __init__(self, config: Config, sources, *, lang: str | None = None) -> None:
        self.config = config
        self.lang = lang or config.service.language
        self.tz = ZoneInfo(config.service.timezone)
        self.state_path = config.resolve(config.service.state)
        self.watch_cfg = config.watch
        self.cache = SourceCache(config, sources)
        self.memo = PassMemo()   # each cycle redoes only what the saves since the last one changed
        self.lanes = LaneMemo()  # with workbooks kept apart: each one's last check (``sync.checks.lanes``)
        self.stopping = False
        self.lock = InstanceLock(self.state_path)
        self.state: State | None = None
        self.watcher: Watcher | None = None
        self.scheduler = schedule.Scheduler()
        self.status_path = self.state_path.with_name("service.json")
        self.started = now_iso()
        self.last: CycleResult | None = None
        self.health = Health()
        self.unfinished: set[str] = set()     # sources whose last cycle failed: read again at the next retry
        self.retry_at = 0.0
        self.kept_open: set[str] = set()      # globbed workbooks missing at the last rescan, kept while open
        self.feedback = FeedbackWriter(config, self.lang)
        #: run beside the loop (the status page): each is started with the service, returns how to stop it
        self.companions: list[Callable[[Service], Callable[[], None]]] = []

    # --- lifecycle -------------------------------------------------------------------

    def run(self, *, once: bool = False) -> int:
        if not self.cache.sources:
            where = self.config.path or "the config"
            raise UserError(f"{where}: no [sources.NAME]: nothing to watch or check",
                            hint="Add a source (see the reference config.toml), or run `ordersync init WORKBOOK`.")
        self.lock.acquire()
        try:
            self.state = State(self.state_path)
            prepare_state(self.state)
            self.state.migrate(SERVICE_MIGRATIONS)
            self.state.claim(str(self.config.path or "this config"), self.config.source_places())
            if once:
                self.cycle(list(self.cache.sources), force=True)
                self.run_scheduled()
                self.write_status()
                return self._once_verdict()
            stops = [start(self) for start in self.companions]
            try:
                return self._loop()
            finally:
                for stop in stops:
                    stop()
        finally:
            if self.state is not None:
                self.state.close()
            self.lock.release()

    def _loop(self) -> int:
        self._install_signals()
        files = {Path(s.path): name for name, s in self.cache.sources.items() if hasattr(s, "path")}
        self.watcher = Watcher(files, debounce=self.watch_cfg.debounce, polling=self.watch_cfg.polling,
                               poll_interval=self.watch_cfg.poll_interval)
        self.watcher.start()
        remote = [n for n, s in self.cache.sources.items() if not hasattr(s, "path")]
        self.scheduler.every(self.watch_cfg.rescan_seconds).seconds.do(self.rescan)
        if remote:
            self.scheduler.every(self.watch_cfg.remote_poll_seconds).seconds.do(
                lambda: self.cycle(remote))
        self.scheduler.every(self.watch_cfg.schedule_tick_seconds).seconds.do(self.run_scheduled)
        self.scheduler.every(self.watch_cfg.notice_tick_seconds).seconds.do(self.notify)
        log.info("ordersync started: %d source(s), state %s", len(self.cache.sources), self.state_path)
        self.cycle(list(self.cache.sources), force=True)
        self.run_scheduled()
        self.write_status()
        try:
            while not self.stopping:
                self.watcher.wait(self.watcher.next_look(0.2))
                ready = self.watcher.ready()
                ready += [n for n in self.cache.retry_due() if n not in ready]   # half-written: again soon
                if self.unfinished and time.monotonic() >= self.retry_at:
                    ready = sorted(set(ready) | self.unfinished)
                if ready and not self.stopping:
                    self.cycle(ready, force=bool(self.unfinished & set(ready)))
                    self.write_status()
                self.scheduler.run_pending()
        finally:
            self.watcher.stop()
            self.write_status()
            log.info("ordersync stopped")
        return 0

    def _install_signals(self) -> None:
        def stop(signum, _frame):
            log.info("signal %s: finishing the current cycle, then exiting", signal.Signals(signum).name)
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def rescan(self) -> None:
        """Catch what the observer missed (network shares, a dead observer): compare content tokens."""
        if self.watcher is not None and not self.watcher.alive:
            log.warning("file observer died; restarting it")
            self.watcher.stop()
            self.watcher.start()
        try:
            self.follow_globs()
        except Exception:  # noqa: BLE001 - the folder looked at again at the next rescan; the rest carries on
            log.exception("cannot look for added or removed workbooks; carrying on with those known")
        self.cycle(list(self.cache.sources))

    def follow_globs(self) -> None:
        """A ``path`` glob (one register per follower) takes in the workbooks added to its folder since the start
        and lets go of those removed or renamed: the next cycle reads the new ones and drops the gone ones.

        Excel saves a workbook by deleting it and renaming its new copy into its place. A look that falls
        between the two would let go of the workbook, file all its rows as deleted and take them in again as
        new at the next rescan, minutes later: a workbook gone is looked for again after ``SETTLE_SECONDS``,
        and one still missing but open in Excel or LibreOffice (its owner file is there) is kept, once: an owner
        file a crash left behind does not hold a deleted workbook beyond the next rescan."""
        globbed = {n for n, cfg in self.config.sources.items() if is_glob(cfg.options().get("path", ""))}
        if not globbed:
            return
        wanted = self._globbed(globbed)
        if self._gone(wanted):
            time.sleep(SETTLE_SECONDS)
            wanted = self._globbed(globbed)
        kept: dict[str, Source] = {}
        for name in self._gone(wanted):
            source = self.cache.sources[name]
            if source.group in globbed and name not in self.kept_open and is_open_elsewhere(Path(source.path)):
                log.info("%s: not found, but open in Excel (or being saved): kept until the next rescan", name)
                kept[name] = source
        self.kept_open = set(kept)
        if kept:   # each in its place, as a glob would list it
            order = {name: at for at, name in enumerate(self.config.sources)}
            wanted = sorted([*wanted, *kept.values()], key=lambda s: (
                order.get(s.group or s.name, len(order)), str(getattr(s, "path", "")) if s.group in globbed else ""))
        added, removed = self.cache.follow(wanted)
        self.unfinished &= set(self.cache.sources)
        if self.watcher is not None:
            self.watcher.follow({Path(s.path): n for n, s in self.cache.sources.items() if hasattr(s, "path")})
        if added or removed:
            log.info("sources: %s", ", ".join([f"+{n}" for n in added] + [f"-{n}" for n in removed]))

    def _globbed(self, globbed: set[str]) -> list[Source]:
        """The sources the config names now: each glob's workbooks as the folder has them, the others as held."""
        wanted: list[Source] = []
        for name, cfg in self.config.sources.items():
            if name in globbed:
                wanted += from_config(name, cfg.kind, cfg.options(), self.config.base_dir, self.config.limits)
            else:
                wanted += [s for s in self.cache.sources.values() if name in (s.name, s.group)]
        return wanted

    def _gone(self, wanted: list[Source]) -> list[str]:
        """The held sources ``wanted`` has not got."""
        names = {s.name for s in wanted}
        return [n for n in self.cache.sources if n not in names]

    # --- work -----------------------------------------------------------------------------

    def now(self) -> datetime:
        return local_now("UTC")     # the one clock: $ORDERSYNC_NOW pins it

    def _once_verdict(self) -> int:
        """``run --once``: 0 only when every source was read and the cycle, the notices and digests went through."""
        unread = [s for s in self.cache.status.values() if s.result != "ok"]
        for s in unread:
            log.error("%s: %s", s.name, s.result)
        checked = self.last is not None and self.last.report is not None and bool(self.last.report.tables)
        if not checked and not unread:
            log.error("no table recognised in %s: nothing was checked (see `ordersync doctor`)",
                      ", ".join(s.location for s in self.cache.sources.values()))
        held = self._held()
        if held:
            log.error("mail: %d held, not sent (see `ordersync queue`)", held)
        return 1 if self.health or unread or not checked or held else 0

    def _held(self) -> int:
        from sync.delivery.queue import MailQueue

        return MailQueue(self.state, self.config.mail.sender).held_count() if self.state else 0

    def state_usable(self) -> bool:
        """The state path still names the open file: a deleted one is written back, a replaced one stops writes."""
        assert self.state is not None
        moved = self.state.moved()
        if moved == "deleted":
            log.warning("state %s was deleted while ordersync ran; writing it back from the open database "
                        "(nothing lost). To start afresh, stop ordersync first.", self.state_path)
            try:
                self.state.restore()
            except StateError as exc:
                self.health.failed("state", exc)
                return False
        elif moved == "replaced":
            self.health.note("state", f"{self.state_path} was replaced by another file while ordersync ran; "
                             "nothing is written until ordersync is restarted",
                             "Restart ordersync to use the new file, or put the old one back.")
            return False
        return True

    def cycle(self, names: list[str], *, force: bool = False) -> CycleResult | None:
        """One cycle; a failure is one log line (a traceback when it is not ours to explain), the service carries
        on, and the sources are read again at the next retry (``unfinished``), so no change is lost.

        The cyclic garbage collector waits while the cycle runs (``sync.gcpause``).
        """
        if not self.state_usable():
            self._retry_later(names)
            return None
        try:
            with collection_paused():
                result = self._cycle(names, force=force)
        except Exception as exc:  # noqa: BLE001 - the daemon must outlive any one bad cycle
            self.health.failed("state" if isinstance(exc, StateError) else "cycle", exc)
            self._retry_later(names)
            return None
        self.unfinished -= set(names)
        self.health.ok("cycle")
        self.health.ok("state")
        return result

    def _retry_later(self, names: list[str]) -> None:
        self.unfinished |= set(names)
        for name in names:      # what was read was not remembered: read it again, even if unchanged
            self.cache.tokens.pop(name, None)
        self.retry_at = time.monotonic() + self.watch_cfg.notice_tick_seconds

    def _cycle(self, names: list[str], *, force: bool = False) -> CycleResult:
        started = time.perf_counter()
        now = self.now()
        names = [n for n in names if n in self.cache.sources]   # a glob's workbook may be gone meanwhile
        read, unchanged = self.cache.refresh(names, now, force=force)
        result = CycleResult(read=read, skipped=unchanged, steps={"read": time.perf_counter() - started})
        if read or self.cache.regrouped:
            self.cache.regrouped = False
            lap = time.perf_counter()
            register, parts = self.cache.register(), self.cache.parts()
            joined = time.perf_counter() - lap    # the sources' tables joined (sync.service.merge)
            lanes = (self.cache.lanes(), self.lanes) if self.cache.apart else None
            result = run_cycle(self.state, self.config, register, now=now, lang=self.lang,
                               result=result, memo=self.memo, parts=parts, lanes=lanes)
            result.steps["join"] = joined         # last: the log line's first steps keep their places
            write_feedback(self.state, self.cache, self.feedback, result, now=now)
        result.duration = time.perf_counter() - started
        if result.report is not None:
            if self.last is None:
                self._suggest_apart()
            self.last = result
        findings = result.report.findings if result.report else []
        for name in read:
            status = self.cache.status[name]
            location = self.cache.sources[name].location
            mine = [f for f in findings if f.source in (name, location)]
            status.findings = len(mine)
            status.errors = sum(1 for f in mine if f.severity == "error")
            status.changes = result.changes
        for name, source in self.cache.sources.items():
            if hasattr(source, "path"):
                self.cache.status[name].open_elsewhere = is_open_elsewhere(Path(source.path))
        if read:
            requests = sum(self.cache.status[n].requests for n in read)
            log.info("%s requests=%d", summarise(result), requests)
        return result

    def _suggest_apart(self) -> None:
        """Once, at the first cycle: a folder of registers that each keep orders of their own could be kept apart."""
        try:
            groups = could_keep_apart(self.config, self.cache.sources.values(), self.cache.parts().get("orders", []))
        except Exception:  # noqa: BLE001 - a suggestion, never a failure
            log.debug("could not tell whether the registers could be kept apart", exc_info=True)
            return
        for group in groups:
            log.info("[sources.%s]: each workbook keeps orders of its own; with apart = true each is checked on its "
                     "own, as `ordersync check` checks it alone, and a save re-checks only its own workbook", group)

    def notify(self) -> int:
        """Reminders and batched entry-error mails fall due with time, not only with saves."""
        if self.last is None or self.last.report is None or not self.state_usable():
            return 0
        if self.config.feedback is not None:
            try:   # a findings workbook that waited (open in Excel), or saved with 处理 typed in it
                self.feedback.tick(self.state, now=self.now())
            except Exception:  # noqa: BLE001
                log.exception("findings workbook: retry failed; carrying on")
        try:
            queued = self._notify()
        except Exception as exc:  # noqa: BLE001
            self.health.failed("notices", exc)
            return 0
        self.health.ok("notices")
        return queued

    def _notify(self) -> int:
        now = self.now()
        queued = notify(self.state, self.config, self.cache.register(), self.last.report, now=now, lang=self.lang,
                        orders=self.last.orders)
        deliver(self.state, self.config, now=now)
        if queued:
            log.info("notices queued=%d", queued)
        return queued

    def run_scheduled(self) -> list[str]:
        """Run every digest whose latest slot is not recorded yet; record it in the same transaction.

        A digest that fails (its template does not render, the state cannot be written) is not recorded: it
        is tried again at the next tick, and the other digests and the mail go on meanwhile."""
        if not self.state_usable():
            return []
        ran = []
        now = self.now()
        for spec in self.config.digests:
            job = f"digest:{spec.name}"
            try:
                if self._run_digest(spec, job, now):
                    ran.append(spec.name)
            except Exception as exc:  # noqa: BLE001 - one digest must not hold back the others
                self.health.failed(job, exc)
                continue
            self.health.ok(job)
        try:
            deliver(self.state, self.config, now=now)
        except Exception as exc:  # noqa: BLE001
            self.health.failed("mail", exc)
        else:
            self.health.ok("mail")
        return ran

    def _run_digest(self, spec, job: str, now: datetime) -> bool:
        slot = Slot.parse(spec.at, spec.every, spec.day)
        first_seen, last = self._job_record(job, now)
        when = due(slot, last, now, self.tz, first_run=first_seen)
        if when is None:
            return False
        with self.state.atomic() as db:
            send_digest(self.state, self.config, self.cache.register(), spec.name, slot_time=when, now=now,
                        lang=self.lang, last=self.last)
            db.execute("UPDATE schedule_runs SET last_slot = ? WHERE job = ?", (when.isoformat(), job))
        log.info("digest %s for %s queued", spec.name, when.isoformat())
        return True

    def _job_record(self, job: str, now: datetime) -> tuple[datetime, datetime | None]:
        row = self.state.db.execute("SELECT first_seen, last_slot FROM schedule_runs WHERE job = ?", (job,)).fetchone()
        if row is None:
            with self.state.atomic() as db:
                db.execute("INSERT INTO schedule_runs (job, first_seen) VALUES (?, ?)", (job, now.isoformat()))
            return now, None
        last = datetime.fromisoformat(row["last_slot"]) if row["last_slot"] else None
        return datetime.fromisoformat(row["first_seen"]), last

    def next_runs(self) -> dict[str, str]:
        out = {}
        now = self.now()
        for spec in self.config.digests:
            slot = Slot.parse(spec.at, spec.every, spec.day)
            out[spec.name] = slot.next(now, self.tz).isoformat()
        return out

    def write_status(self) -> None:
        """service.json beside the state; on a full or read-only disk it cannot be written, which is logged once
        (``status --service`` then looks at the state folder itself)."""
        data = {
            "pid": os.getpid(), "started": self.started, "updated": now_iso(),
            "observer": "polling" if self.watcher and self.watcher.uses_polling else "native",
            "sources": {n: asdict(s) for n, s in self.cache.status.items()},
            "queue_length": self._queue_length(),
            "held": self._safely(self._held),
            "channels": self._channels(),
            "next_runs": self.next_runs(),
            "state": str(self.state_path),
            "state_file": list(self.state.opened or ()) if self.state else [],
            "problems": self.health.listed(),
        }
        tmp = self.status_path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            os.replace(tmp, self.status_path)
        except OSError as exc:
            log.warning("cannot write %s (%s)", self.status_path, exc.strerror or exc)

    def _channels(self) -> dict:
        try:
            return ChannelQueue(self.state).report() if self.state and self.config.channels else {}
        except Exception:  # noqa: BLE001 - a state that cannot be read is reported by the cycle
            return {}

    def _queue_length(self) -> int:
        return self._safely(lambda: queue_length(self.state) if self.state else 0)

    @staticmethod
    def _safely(count) -> int:
        try:
            return count()
        except Exception:  # noqa: BLE001 - a state that cannot be read is reported by the cycle
            return -1
