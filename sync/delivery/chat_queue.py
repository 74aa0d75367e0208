"""Group-bot messages in the mail queue: once per notice per channel, paced, delayed but never lost.

A message is rendered for its channel when it is queued (``enqueue``) and
stored in ``mail_queue`` under ``chat/CHANNEL/NOTICE`` with the channel's name
in the ``channel`` column, so ``ordersync queue`` and ``status --service`` show
mail and group messages side by side, and queueing the same notice again is a
no-op. It is signed only when it is sent (the signature carries the time).

``deliver_due`` sends, channel by channel, as many as the channel's pace allows
(``sync.delivery.pacing``), each in the mail queue's steps: claim it
and count the attempt in one transaction, post it, mark it sent at once. What
the platform answers decides the rest:

- too fast: back to pending, the channel paused (DingTalk: 10 minutes); not a refusal, never 'failed';
- bad key or signature: back to pending, the channel held with the reason until it is mended;
- no answer: back to pending with the mail queue's backoff; the channel's other messages wait too;
- refused for good: 'failed', kept and shown, ``retry_failed`` puts it back.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from sync.delivery.webhook_base import Channel, ChannelError, ChannelSetupError, Throttled
from sync.delivery.pacing import Health, Pacing
from sync.delivery.message import ChatNote
from sync.delivery.queue import MIGRATIONS, DeliveryResult, Problem, RetryPolicy
from sync.state import State

PREFIX = "chat/"


class ChannelQueue:
    def __init__(self, state: State, *, policy: RetryPolicy | None = None, recheck: float = 3600.0) -> None:
        self.state = state
        self.policy = policy or RetryPolicy()
        state.migrate(MIGRATIONS)
        self.pacing = Pacing(state, recheck)

    # -- queueing ---------------------------------------------------------------------------

    def enqueue(self, note: ChatNote, channel: Channel, now: datetime | None = None) -> bool:
        """Queue ``note`` for ``channel``; False when it is queued (or sent) there already."""
        key = f"{PREFIX}{channel.name}/{note.key}"
        now = _utc(now)
        with self.state.atomic() as db:
            if db.execute("SELECT 1 FROM mail_queue WHERE dedupe_key = ?", (key,)).fetchone():
                return False
            body = json.dumps(channel.render(note), ensure_ascii=False).encode("utf-8")
            who = json.dumps([m.name for m in note.mentions] or [channel.name], ensure_ascii=False)
            db.execute("INSERT INTO mail_queue (dedupe_key, message_id, subject, sender, recipients, raw, queued_at, "
                       "next_attempt, backend, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (key, _message_id(key), note.title[:200], channel.name, who, body, _iso(now), _iso(now),
                        channel.kind, channel.name))
        return True

    # -- delivering -------------------------------------------------------------------------

    def deliver_due(self, channels: list[Channel], now: datetime | None = None) -> DeliveryResult:
        """Send what is due on each channel, within its pace. Call it outside any ``atomic()`` block."""
        if self.state.db.in_transaction:
            raise RuntimeError("deliver_due inside a transaction would hold back the 'sent' marks")
        now = _utc(now)
        result = DeliveryResult()
        for channel in channels:
            self._deliver(channel, now, result)
        return result

    def _deliver(self, channel: Channel, now: datetime, result: DeliveryResult) -> None:
        if self.pacing.held(channel.name, channel.fingerprint(), now):
            return
        room = self.pacing.room(channel.name, channel.limits, now)
        for row in self._due(channel.name, now, min(room, 500)):
            if self.pacing.room(channel.name, channel.limits, now) <= 0 or not self._claim(row, channel, now):
                break
            try:
                channel.send(json.loads(row["raw"]), now)
            except ChannelError as exc:
                self._failed(row, channel, exc, now, result)
                if exc.retryable:
                    break                 # the channel is throttled, held or unreachable: the rest waits
                continue
            self._sent(row, channel, now, result)

    def _due(self, channel: str, now: datetime, limit: int) -> list[Any]:
        if limit <= 0:
            return []
        stale = _iso(now - timedelta(seconds=self.policy.lease))
        return self.state.db.execute(
            "SELECT * FROM mail_queue WHERE channel = ? AND ((status = 'pending' AND next_attempt <= ?) "
            "OR (status = 'sending' AND claimed_at <= ?)) ORDER BY next_attempt, id LIMIT ?",
            (channel, _iso(now), stale, limit)).fetchall()

    def _claim(self, row: Any, channel: Channel, now: datetime) -> bool:
        with self.state.atomic() as db:
            cur = db.execute("UPDATE mail_queue SET status = 'sending', claimed_at = ?, attempts = attempts + 1, "
                             "resends = resends + (status = 'sending') "
                             "WHERE id = ? AND status = ? AND coalesce(claimed_at, '') = coalesce(?, '')",
                             (_iso(now), row["id"], row["status"], row["claimed_at"]))
            if cur.rowcount == 1:
                self.pacing.attempt(channel.name, now)     # counted before it leaves, in the same transaction
        return cur.rowcount == 1

    def _sent(self, row: Any, channel: Channel, now: datetime, result: DeliveryResult) -> None:
        with self.state.atomic() as db:
            db.execute("UPDATE mail_queue SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?",
                       (_iso(now), row["id"]))
            self.pacing.ok(channel.name, channel.kind, now)
        result.sent.append(row["dedupe_key"])
        if row["status"] == "sending":
            result.resent.append(row["dedupe_key"])

    def _failed(self, row: Any, channel: Channel, exc: ChannelError, now: datetime, result: DeliveryResult) -> None:
        """Throttled, held or unreachable: pending again; refused for good: 'failed'."""
        attempts = row["attempts"] + 1
        final = not exc.retryable
        delay = 0.0
        if isinstance(exc, Throttled):
            delay = channel.limits.pause
            self.pacing.pause(channel.name, channel.kind, delay, now)
        elif isinstance(exc, ChannelSetupError):
            self.pacing.hold(channel.name, channel.kind, str(exc), exc.hint, channel.fingerprint(), now)
        elif not final:
            delay = self.policy.delay(attempts, False)
        with self.state.atomic() as db:
            db.execute("UPDATE mail_queue SET status = ?, attempts = ?, next_attempt = ?, last_error = ?, "
                       "claimed_at = NULL WHERE id = ?",
                       ("failed" if final else "pending", attempts, _iso(now + timedelta(seconds=delay)), str(exc),
                        row["id"]))
        problem = Problem(row["dedupe_key"], row["subject"], str(exc), exc.hint, final)
        (result.failed if final else result.deferred).append(problem)

    # -- looking ----------------------------------------------------------------------------

    def counts(self) -> dict[str, dict[str, int]]:
        """channel -> status -> how many."""
        out: dict[str, dict[str, int]] = {}
        for r in self.state.db.execute("SELECT channel, status, count(*) FROM mail_queue WHERE channel IS NOT NULL "
                                       "GROUP BY channel, status"):
            out.setdefault(r[0], {})[r[1]] = r[2]
        return out

    def health(self) -> list[Health]:
        return self.pacing.health()

    def report(self) -> dict[str, dict[str, Any]]:
        """channel -> its counts by status and its health (problem, hint, since, paused_until), for status files."""
        out: dict[str, dict[str, Any]] = {name: {"counts": counts} for name, counts in self.counts().items()}
        for h in self.health():
            out.setdefault(h.channel, {"counts": {}}).update(
                kind=h.kind, problem=h.problem, hint=h.hint, since=h.since, last_ok=h.last_ok,
                paused_until=h.paused_until or None)
        return out

    def bodies(self, channel: str, status: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT raw FROM mail_queue WHERE channel = ?" + (" AND status = ?" if status else "") + " ORDER BY id"
        rows = self.state.db.execute(sql, (channel, status) if status else (channel,)).fetchall()
        return [json.loads(r[0]) for r in rows if r[0]]


def _message_id(key: str) -> str:
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}.chat.ordersync@localhost>"


def _utc(now: datetime | None) -> datetime:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
