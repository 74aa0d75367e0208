"""Watching workbook files the way programs really save them.

The observer's callbacks only put paths on a queue; the service loop decides.
A workbook is processed once it has been quiet for ``debounce`` seconds and is
stable: size and mtime unchanged since the last look, and (for zip packages)
the central directory readable. How saves look on disk:

- Excel writes a temporary file, deletes the original and renames the
  temporary into place: a *moved* event whose ``dest_path`` is the workbook,
  often with no *modified* event at all.
- LibreOffice rewrites in place (*modified*, *closed*) and keeps
  ``.~lock.NAME#`` while the document is open; Excel keeps ``~$NAME``.
  Lock files are never read as workbooks; they tell us someone has it open.
- Our own reads produce only *opened* / *closed-no-write* events, which are
  ignored, so reading never triggers another cycle.

inotify sees nothing that other machines write to a network share, so there a
polling observer is used (``[watch] polling = "auto"`` detects cifs/nfs/sshfs
mounts), and a periodic full rescan catches a dead observer or a missed event.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from sync.sources import is_lock_file

log = logging.getLogger(__name__)

NETWORK_FS = frozenset({"cifs", "smb3", "smbfs", "nfs", "nfs4", "fuse.sshfs", "9p", "afs", "davfs", "fuse.rclone",
                        "ncpfs", "glusterfs", "ceph", "fuse.s3fs"})
INTERESTING = frozenset({"created", "modified", "moved", "deleted", "closed"})


def on_network_share(path: Path) -> bool:
    """True for folders on cifs/nfs/... mounts (Linux), and UNC paths on Windows."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return False
    best, fstype = "", ""
    resolved = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and (resolved == parts[1] or resolved.startswith(parts[1].rstrip("/") + "/")):
            if len(parts[1]) > len(best):
                best, fstype = parts[1], parts[2]
    return fstype in NETWORK_FS


SETTLE = 0.2  # seconds the size and mtime must stay put, at the least, before a read
#: seconds an unreadable package must stay as it is before it is handed over to be reported as broken
#: (the reader calls a package truncated once nothing has written it for 2 s: sync.sources.safety)
STUCK = 2.5


@dataclass
class _Pending:
    last_event: float
    seen: tuple[int, int] | None = None   # (size, mtime_ns) at the last event or stability look
    seen_at: float = 0.0
    broken: tuple[int, int] | None = None  # the stat of a package found unreadable, and since when
    broken_at: float = 0.0


class _Handler(FileSystemEventHandler):
    def __init__(self, events: queue.SimpleQueue) -> None:
        self.events = events

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type not in INTERESTING:
            return
        self.events.put((os.fsdecode(event.src_path), time.monotonic()))
        if event.event_type == "moved":
            self.events.put((os.fsdecode(event.dest_path), time.monotonic()))


@dataclass
class Watcher:
    """Turns raw file events into 'this workbook is saved and ready to read'."""

    files: dict[Path, str]                 # workbook path -> source name
    debounce: float = 0.25
    polling: bool | str = "auto"           # True | False | "auto"
    poll_interval: float = 5.0
    _events: queue.SimpleQueue = field(default_factory=queue.SimpleQueue)
    _pending: dict[Path, _Pending] = field(default_factory=dict)
    _observer: object | None = None

    def __post_init__(self) -> None:
        self.files = {Path(p).resolve(): name for p, name in self.files.items()}

    @property
    def uses_polling(self) -> bool:
        if self.polling == "auto":
            return any(on_network_share(p.parent) for p in self.files)
        return bool(self.polling)

    def start(self) -> None:
        observer = PollingObserver(timeout=self.poll_interval) if self.uses_polling else Observer()
        handler = _Handler(self._events)
        for folder in sorted({p.parent for p in self.files}):
            if folder.is_dir():
                observer.schedule(handler, str(folder), recursive=False)
            else:
                log.warning("folder %s does not exist; not watching it", folder)
        observer.daemon = True
        observer.start()
        self._observer = observer
        log.info("watching %d folder(s) with %s", len({p.parent for p in self.files}), type(observer).__name__)

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None

    @property
    def alive(self) -> bool:
        return self._observer is not None and self._observer.is_alive()

    def follow(self, files: dict[Path, str]) -> None:
        """Watch these workbooks from now on (a glob's folder gained or lost one); their folders stay watched."""
        self.files = {Path(p).resolve(): name for p, name in files.items()}
        for gone in [p for p in self._pending if p not in self.files]:
            del self._pending[gone]

    def touch(self, path: Path) -> None:
        """Treat ``path`` as just changed (used by the periodic rescan)."""
        self._events.put((str(path), time.monotonic()))

    def wait(self, timeout: float) -> None:
        """Block until an event arrives or ``timeout`` passes (keeps the loop idle, not busy)."""
        try:
            item = self._events.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return
        self._events.put(item)

    def ready(self) -> list[str]:
        """Source names whose workbook has been quiet for ``debounce`` and is stable now.

        Stable means size and mtime as they were when the last event was taken in,
        at least ``SETTLE`` seconds ago (normally the whole quiet period); a workbook
        whose stat moved without an event (a polling observer between two looks)
        is looked at again ``SETTLE`` seconds later.
        """
        self._drain()
        now = time.monotonic()
        out = []
        for path, pending in list(self._pending.items()):
            if now - pending.last_event < self.debounce:
                continue
            state = _stat(path)
            if state is None:
                # deleted, or between the delete and the rename of an Excel save: wait for it
                if now - pending.last_event > 30 * self.debounce:
                    del self._pending[path]
                    out.append(self.files[path])
                continue
            if pending.seen != state:
                pending.seen, pending.seen_at = state, now
                continue
            if now - pending.seen_at < SETTLE:
                continue
            if not _package_readable(path):
                # mid-save: look again after another quiet period; but a package that stays unreadable and
                # untouched is broken (a copy cut short, a full disk): the read says so now, not at a rescan
                if pending.broken != state:
                    pending.broken, pending.broken_at = state, now
                if now - pending.broken_at < STUCK:
                    pending.seen, pending.last_event = None, now
                    continue
            del self._pending[path]
            out.append(self.files[path])
        return out

    def next_look(self, longest: float) -> float:
        """Seconds until ``ready`` may have something new to say: at most ``longest``, at least 0.05."""
        if not self._pending:
            return longest
        now = time.monotonic()
        due = min(max(p.last_event + self.debounce, p.seen_at + SETTLE) for p in self._pending.values())
        return min(longest, max(0.05, due - now))

    def _drain(self) -> None:
        while True:
            try:
                raw, at = self._events.get_nowait()
            except queue.Empty:
                return
            path = Path(raw)
            if is_lock_file(path):
                continue
            path = path.resolve()
            if path in self.files:
                pending = self._pending.setdefault(path, _Pending(at))
                pending.last_event = max(pending.last_event, at)
                pending.seen, pending.seen_at = _stat(path), time.monotonic()


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _package_readable(path: Path) -> bool:
    """A zip package must have its central directory; .xls and .csv have no such check."""
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".ods", ".xltx", ".xltm"):
        return True
    try:
        with zipfile.ZipFile(path):
            return True
    except (zipfile.BadZipFile, OSError):
        return False
