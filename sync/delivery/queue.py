"""The mail queue: every message goes through the state before it goes out.

``enqueue`` builds the message once (Message-ID and Date fixed) and stores it
under its ``dedupe_key``; queueing the same key again is a no-op, and it joins
the caller's ``state.atomic()`` block, so a notice is recorded as planned and
queued in one transaction. ``deliver_due`` sends what is due, one message at a
time, each in a few small steps:

1. *claim* it (status ``sending``, attempts + 1) in its own transaction;
2. hand it to the backend, which returns once the server accepted it;
3. mark it ``sent`` in its own transaction, immediately.

A crash before 3 can only duplicate the message if the server had already
accepted it: that instant between the server's "250 OK" and step 3 is the
whole window. A claim left behind by a crash is taken again after ``lease``;
the resend is byte-identical (same Message-ID) and is counted as ``resent``.
A server that is down means retry with exponential backoff (up to an hour),
for as long as it takes; a login failure retries hourly, or at once when the
mail settings or the password change (the backend's ``fingerprint``, kept in
the state when a login fails); a permanent refusal
(5xx) of a message, or ``max_refusals`` "try later" answers (4xx) to it, leaves
it ``failed`` - kept, visible, never deleted, and ``retry_failed`` puts it back.
So does a message the server took whole but never confirmed (``MaybeDelivered``):
sending it again by itself could make a second copy, so a person decides.
A notice whose address is not one cannot be built: ``hold`` keeps it ``held``,
with the reason, until its address is mended and it is queued again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sync.delivery.base import Backend
from sync.delivery.errors import BadRecipient, DeliveryError
from sync.delivery.message import Outgoing, build_email, clean_header_text, message_id_for, sender_address
from sync.i18n import say
from sync.state import Migration, State

MIGRATIONS = [
    Migration("mailq-001-queue", """
        CREATE TABLE mail_queue (
            id INTEGER PRIMARY KEY,
            dedupe_key TEXT NOT NULL UNIQUE,
            message_id TEXT NOT NULL,
            subject TEXT NOT NULL,
            sender TEXT NOT NULL,
            recipients TEXT NOT NULL,          -- JSON list: the envelope
            raw BLOB,                          -- the message as sent; dropped `keep_days` after sending
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,  -- every try, the server reached or not: drives the backoff
            refusals INTEGER NOT NULL DEFAULT 0,  -- times the server took this message and answered "later"
            resends INTEGER NOT NULL DEFAULT 0,  -- claims taken over after a crash mid-send
            queued_at TEXT NOT NULL,
            next_attempt TEXT NOT NULL,
            claimed_at TEXT,
            sent_at TEXT,
            backend TEXT,
            last_error TEXT
        );
        CREATE INDEX mail_queue_due ON mail_queue (status, next_attempt);"""),
    # 'held': a notice that cannot be built yet (its address is not one), kept in view with the reason
    Migration("mailq-002-held", """
        CREATE TABLE mail_queue_new (
            id INTEGER PRIMARY KEY,
            dedupe_key TEXT NOT NULL UNIQUE,
            message_id TEXT NOT NULL,
            subject TEXT NOT NULL,
            sender TEXT NOT NULL,
            recipients TEXT NOT NULL,
            raw BLOB,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'held')),
            attempts INTEGER NOT NULL DEFAULT 0,
            refusals INTEGER NOT NULL DEFAULT 0,
            resends INTEGER NOT NULL DEFAULT 0,
            queued_at TEXT NOT NULL,
            next_attempt TEXT NOT NULL,
            claimed_at TEXT,
            sent_at TEXT,
            backend TEXT,
            last_error TEXT
        );
        INSERT INTO mail_queue_new SELECT * FROM mail_queue;
        DROP TABLE mail_queue;
        ALTER TABLE mail_queue_new RENAME TO mail_queue;
        CREATE INDEX mail_queue_due ON mail_queue (status, next_attempt);"""),
    # group-bot messages share the queue (sync.delivery.chat_queue): the channel's name; NULL for mail
    Migration("mailq-channels-001-channel", "ALTER TABLE mail_queue ADD COLUMN channel TEXT"),
]

PENDING, SENDING, SENT, FAILED, HELD = "pending", "sending", "sent", "failed", "held"
LOGIN_REFUSED = "mail.login_refused_with"     # state_meta: the backend fingerprint a login or setup failed with


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: float = 60.0          # seconds before the first retry; doubles each time
    max_delay: float = 3600.0
    max_refusals: int = 30             # "try later" answers to one message before it is 'failed'
    slow_delay: float = 3600.0         # login or setup failures: somebody has to fix something first
    lease: float = 600.0               # a 'sending' claim older than this was left by a crash
    keep_days: int = 30                # sent messages keep their bytes this long, their record forever

    def delay(self, attempts: int, slow: bool) -> float:
        if slow:
            return self.slow_delay
        return min(self.max_delay, self.first_delay * 2 ** max(0, attempts - 1))


@dataclass
class Problem:
    dedupe_key: str
    subject: str
    error: str
    hint: str
    final: bool                        # True: status is now 'failed'


@dataclass
class DeliveryResult:
    sent: list[str] = field(default_factory=list)             # dedupe keys
    resent: list[str] = field(default_factory=list)           # sent again after a crash mid-send
    deferred: list[Problem] = field(default_factory=list)     # will be retried
    failed: list[Problem] = field(default_factory=list)       # gave up: kept as 'failed'
    refused: dict[str, list[str]] = field(default_factory=dict)  # key -> recipients refused, others accepted

    def summary(self, lang: str = "zh") -> str:
        text = say("已发送 {s} 封，推迟 {d} 封，失败 {f} 封", "{s} sent, {d} deferred, {f} failed", lang,
                   s=len(self.sent), d=len(self.deferred), f=len(self.failed))
        worst = (self.failed or self.deferred)[:1]
        return text + (f" ({worst[0].error})" if worst else "")


@dataclass(frozen=True)
class QueueEntry:
    dedupe_key: str
    message_id: str
    subject: str
    recipients: list[str]
    status: str
    attempts: int
    queued_at: str
    next_attempt: str
    sent_at: str | None
    last_error: str | None
    id: int = 0


class MailQueue:
    """The persistent queue in the state. ``allowed``: the only addresses mail may go to."""

    def __init__(self, state: State, sender: str, *, policy: RetryPolicy | None = None,
                 allowed: set[str] | None = None) -> None:
        self.state = state
        self.sender = sender
        self.envelope_from = sender_address(sender).addr_spec
        self.policy = policy or RetryPolicy()
        self.allowed = {a.lower() for a in allowed} if allowed is not None else None
        state.migrate(MIGRATIONS)

    # -- queueing ---------------------------------------------------------------------------

    def enqueue(self, outgoing: Outgoing, now: datetime | None = None) -> bool:
        """Queue a notice; False when its dedupe_key is already queued (or sent): nothing happens."""
        if not outgoing.dedupe_key.strip():
            raise ValueError("an outgoing message needs a dedupe_key")
        now = _utc(now)
        recipients = self._checked(outgoing)
        with self.state.atomic() as db:
            found = db.execute("SELECT status FROM mail_queue WHERE dedupe_key = ?", (outgoing.dedupe_key,)).fetchone()
            if found and found[0] != HELD:
                return False
            if found:   # it was held; its address is mended now: it goes as any other
                db.execute("DELETE FROM mail_queue WHERE dedupe_key = ?", (outgoing.dedupe_key,))
            message_id = message_id_for(outgoing.dedupe_key, self.sender)
            msg = build_email(outgoing, self.sender, message_id, now)
            db.execute("INSERT INTO mail_queue (dedupe_key, message_id, subject, sender, recipients, raw, "
                       "queued_at, next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (outgoing.dedupe_key, message_id, str(msg["Subject"]), self.envelope_from,
                        json.dumps(recipients), msg.as_bytes(), _iso(now), _iso(now)))
        return True

    def hold(self, outgoing: Outgoing, reason: str, now: datetime | None = None) -> bool:
        """Keep a notice that cannot be sent as it is (an address that is not one) in the queue as 'held',
        with ``reason``; it is never delivered, and ``enqueue`` of the same key, once mended, sends it.
        False when the key is queued or sent already."""
        now = _utc(now)
        written = [addr for _, addr in [*outgoing.to, *outgoing.cc]]
        with self.state.atomic() as db:
            found = db.execute("SELECT status FROM mail_queue WHERE dedupe_key = ?", (outgoing.dedupe_key,)).fetchone()
            if found and found[0] != HELD:
                return False
            db.execute("INSERT INTO mail_queue (dedupe_key, message_id, subject, sender, recipients, status, "
                       "queued_at, next_attempt, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT (dedupe_key) DO UPDATE SET last_error = excluded.last_error, "
                       "recipients = excluded.recipients",
                       (outgoing.dedupe_key, message_id_for(outgoing.dedupe_key, self.sender),
                        clean_header_text(outgoing.subject), self.envelope_from, json.dumps(written, ensure_ascii=False),
                        HELD, _iso(now), _iso(now), reason))
        return True

    def release_held(self, prefix: str, keep: set[str]) -> int:
        """Forget the held notices whose key starts with ``prefix`` and is not in ``keep``: what they were
        about is over (or planned anew under another key). Returns how many."""
        rows = self.state.db.execute("SELECT dedupe_key FROM mail_queue WHERE status = ? AND substr(dedupe_key, 1, ?)"
                                     " = ?", (HELD, len(prefix), prefix)).fetchall()
        gone = [(r[0],) for r in rows if r[0] not in keep]
        with self.state.atomic() as db:
            db.executemany("DELETE FROM mail_queue WHERE dedupe_key = ?", gone)
        return len(gone)

    def held_count(self) -> int:
        return self.state.db.execute("SELECT count(*) FROM mail_queue WHERE status = ?", (HELD,)).fetchone()[0]

    def _checked(self, outgoing: Outgoing) -> list[str]:
        recipients = outgoing.recipients()
        if self.allowed is not None:
            strangers = [a for a in recipients if a.lower() not in self.allowed]
            if strangers:
                raise BadRecipient(f"{outgoing.dedupe_key}: {', '.join(strangers)} is in neither config.toml "
                                   "nor the people sheet; mail goes only to known people")
        return recipients

    # -- delivering -------------------------------------------------------------------------

    def deliver_due(self, backend: Backend, now: datetime | None = None, limit: int = 200) -> DeliveryResult:
        """Send what is due. Call it outside any ``atomic()`` block: each step commits on its own."""
        if self.state.db.in_transaction:
            raise RuntimeError("deliver_due inside a transaction would hold back the 'sent' marks")
        now = _utc(now)
        result = DeliveryResult()
        self.prune(now)
        self._retry_if_mended(getattr(backend, "fingerprint", ""), now)
        due = self._due(now, limit)
        if not due:
            return result
        try:
            backend.open()
        except DeliveryError as exc:
            for row in due:   # the server is unreachable: every due message waits, none is at fault
                self._record_failure(row, exc, now, result, offered=False)
            if exc.slow:      # somebody has to mend the settings: retry as soon as they are not these
                self.state.set_meta(LOGIN_REFUSED, getattr(backend, "fingerprint", ""))
            return result
        try:
            self._send_all(backend, due, now, result)
        finally:
            backend.close()
        return result

    def _retry_if_mended(self, fingerprint: str, now: datetime) -> None:
        """A login refused with other settings or another password: the mail waiting for it is due now."""
        refused_with = self.state.meta(LOGIN_REFUSED)
        if refused_with is None or refused_with == fingerprint:
            return
        with self.state.atomic() as db:
            db.execute("UPDATE mail_queue SET next_attempt = ? WHERE status = 'pending' AND next_attempt > ?",
                       (_iso(now), _iso(now)))
            self.state.set_meta(LOGIN_REFUSED, None)

    def _send_all(self, backend: Backend, due: list[Any], now: datetime, result: DeliveryResult) -> None:
        for row in due:
            if not self._claim(row, now):
                continue                     # another process took it meanwhile
            try:
                refused = backend.send(row["raw"], row["sender"], json.loads(row["recipients"]))
            except DeliveryError as exc:
                self._record_failure(row, exc, now, result)
                if exc.retryable:
                    break                    # the server is down or busy: the rest waits, uncounted
                continue
            self._mark_sent(row, backend.name, refused, now)     # the instant after the server's "250 OK"
            result.sent.append(row["dedupe_key"])
            if row["status"] == SENDING:
                result.resent.append(row["dedupe_key"])
            if refused:
                result.refused[row["dedupe_key"]] = refused

    def _due(self, now: datetime, limit: int) -> list[Any]:
        stale = _iso(now - timedelta(seconds=self.policy.lease))
        return self.state.db.execute(
            "SELECT * FROM mail_queue WHERE channel IS NULL AND ((status = 'pending' AND next_attempt <= ?) "
            "OR (status = 'sending' AND claimed_at <= ?)) ORDER BY next_attempt, id LIMIT ?",
            (_iso(now), stale, limit)).fetchall()

    def _claim(self, row: Any, now: datetime) -> bool:
        with self.state.atomic() as db:
            cur = db.execute("UPDATE mail_queue SET status = 'sending', claimed_at = ?, attempts = attempts + 1, "
                             "resends = resends + (status = 'sending') "
                             "WHERE id = ? AND status = ? AND coalesce(claimed_at, '') = coalesce(?, '')",
                             (_iso(now), row["id"], row["status"], row["claimed_at"]))
        return cur.rowcount == 1

    def _mark_sent(self, row: Any, backend: str, refused: list[str], now: datetime) -> None:
        note = f"refused: {', '.join(refused)}" if refused else None
        with self.state.atomic() as db:
            db.execute("UPDATE mail_queue SET status = 'sent', sent_at = ?, backend = ?, last_error = ? "
                       "WHERE id = ?", (_iso(now), backend, note, row["id"]))

    def _record_failure(self, row: Any, exc: DeliveryError, now: datetime, result: DeliveryResult,
                        offered: bool = True) -> None:
        """Back off; a server that cannot be reached never fails a message, only delays it."""
        attempts = row["attempts"] + 1
        refusals = row["refusals"] + (offered and exc.retryable and not exc.slow)
        final = not exc.retryable or refusals >= self.policy.max_refusals
        retry_at = now + timedelta(seconds=self.policy.delay(attempts, exc.slow))
        with self.state.atomic() as db:
            db.execute("UPDATE mail_queue SET status = ?, attempts = ?, refusals = ?, next_attempt = ?, "
                       "last_error = ?, claimed_at = NULL WHERE id = ?",
                       (FAILED if final else PENDING, attempts, refusals, _iso(retry_at), str(exc), row["id"]))
        problem = Problem(row["dedupe_key"], row["subject"], str(exc), exc.hint, final)
        (result.failed if final else result.deferred).append(problem)

    # -- looking and mending ----------------------------------------------------------------

    def pending_count(self) -> int:
        """Messages not delivered yet (waiting, or being sent right now)."""
        return self.state.db.execute(    # group-bot messages (channel set) are counted by their channel
            "SELECT count(*) FROM mail_queue WHERE status IN ('pending', 'sending') AND channel IS NULL").fetchone()[0]

    def counts(self) -> dict[str, int]:
        rows = self.state.db.execute("SELECT status, count(*) FROM mail_queue GROUP BY status").fetchall()
        return {PENDING: 0, SENDING: 0, SENT: 0, FAILED: 0, **{r[0]: r[1] for r in rows}}   # held: when any are

    def entries(self, status: str | tuple[str, ...] | None = None, limit: int = 100) -> list[QueueEntry]:
        wanted = (status,) if isinstance(status, str) else tuple(status or ())
        where = f" WHERE status IN ({', '.join('?' * len(wanted))})" if wanted else ""
        sql = "SELECT * FROM mail_queue" + where + " ORDER BY id DESC LIMIT ?"
        rows = self.state.db.execute(sql, (*wanted, limit)).fetchall()
        return [QueueEntry(r["dedupe_key"], r["message_id"], r["subject"], json.loads(r["recipients"]),
                           r["status"], r["attempts"], r["queued_at"], r["next_attempt"], r["sent_at"],
                           r["last_error"], r["id"]) for r in rows]

    def raw(self, dedupe_key: str) -> bytes | None:
        row = self.state.db.execute("SELECT raw FROM mail_queue WHERE dedupe_key = ?", (dedupe_key,)).fetchone()
        return row[0] if row else None

    def retry_failed(self, keys: list[str] | None = None, now: datetime | None = None) -> int:
        """Put failed messages back in the queue (all, or those keys); returns how many."""
        return self._requeue(("failed",), "dedupe_key", keys, now)

    def retry(self, ids: list[int] | None = None, now: datetime | None = None) -> int:
        """``ordersync queue --retry``: failed messages back in the queue, waiting ones due now (all, or those
        ids); returns how many. Held ones wait for their address to be mended, sent ones are done."""
        return self._requeue(("failed", "pending"), "id", ids, now, unclaim=True)

    def _requeue(self, statuses: tuple[str, ...], column: str, only: list[Any] | None, now: datetime | None,
                 *, unclaim: bool = False) -> int:
        """Messages in ``statuses`` (all, or those whose ``column`` is in ``only``) due now, tries reset."""
        sql = ("UPDATE mail_queue SET status = 'pending', attempts = 0, refusals = 0, next_attempt = ?"
               + (", claimed_at = NULL" if unclaim else "")
               + f" WHERE status IN ({', '.join('?' * len(statuses))})")
        params: list[Any] = [_iso(_utc(now)), *statuses]
        if only is not None:
            sql += f" AND {column} IN ({', '.join('?' * len(only))})"
            params += only
        with self.state.atomic() as db:
            return db.execute(sql, params).rowcount

    def prune(self, now: datetime | None = None) -> int:
        """Drop the bytes of messages sent more than keep_days ago; their record stays (dedupe)."""
        cutoff = _iso(_utc(now) - timedelta(days=self.policy.keep_days))
        with self.state.atomic() as db:
            return db.execute("UPDATE mail_queue SET raw = NULL WHERE status = 'sent' AND raw IS NOT NULL "
                              "AND sent_at < ?", (cutoff,)).rowcount


def _utc(now: datetime | None) -> datetime:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")

