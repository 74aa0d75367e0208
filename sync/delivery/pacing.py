"""Each bot's pace and health, kept in the state so a restart neither bursts nor forgets a broken key.

Pace: every attempt is written down (``channel_sends``) in the same transaction
that claims its message, before the request leaves: the platform counts
requests, answered or not, and a crash right after one must still count it.
``room`` is how many more may go now: for every window of the channel's
``Limits``, its count minus the attempts inside it (a sliding window, stricter
than a token bucket: no window, wherever it starts, ever holds one too many).
A throttle answer pauses the channel until ``paused_until``.

Health: a bad key or signature holds the channel (``channel_health.problem``)
with the fingerprint of the webhook and secret it failed with. Its messages
wait, untouched, until the fingerprint changes (config.toml or the
environment mended) or ``recheck`` seconds have passed (the bot's settings may
have been mended on the platform's side), when one message tries again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sync.delivery.webhook_base import Limits
from sync.state import Migration, State

MIGRATIONS = [Migration("channels-001-pacing", """
    CREATE TABLE channel_sends (channel TEXT NOT NULL, at REAL NOT NULL);
    CREATE INDEX channel_sends_at ON channel_sends (channel, at);
    CREATE TABLE channel_health (
        channel TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        paused_until REAL NOT NULL DEFAULT 0,
        problem TEXT,                       -- set: held until the fingerprint changes or `recheck` passes
        hint TEXT,
        fingerprint TEXT,
        since TEXT,
        last_ok TEXT
    );""")]
#: attempts older than this are forgotten (longer than any window)
KEEP_SECONDS = 3600.0


@dataclass(frozen=True)
class Health:
    channel: str
    kind: str
    problem: str | None
    hint: str | None
    since: str | None
    last_ok: str | None
    paused_until: float
    fingerprint: str | None = None      # of the webhook and secret the problem was seen with


class Pacing:
    def __init__(self, state: State, recheck: float = 3600.0) -> None:
        self.state = state
        self.recheck = recheck
        state.migrate(MIGRATIONS)

    def room(self, channel: str, limits: Limits, now: datetime) -> int:
        """How many more attempts may start now (0 while paused); a large number when unlimited."""
        ts = now.timestamp()
        row = self.state.db.execute("SELECT paused_until FROM channel_health WHERE channel = ?",
                                    (channel,)).fetchone()
        if row and row[0] > ts:
            return 0
        free = 1 << 30
        for count, seconds in limits.windows:
            used = self.state.db.execute("SELECT count(*) FROM channel_sends WHERE channel = ? AND at > ?",
                                         (channel, ts - seconds)).fetchone()[0]
            free = min(free, count - used)
        return max(0, free)

    def attempt(self, channel: str, now: datetime) -> None:
        """One request is about to leave; call inside the transaction that claims its message."""
        with self.state.atomic() as db:
            db.execute("INSERT INTO channel_sends (channel, at) VALUES (?, ?)", (channel, now.timestamp()))
            db.execute("DELETE FROM channel_sends WHERE channel = ? AND at < ?",
                       (channel, now.timestamp() - KEEP_SECONDS))

    def pause(self, channel: str, kind: str, seconds: float, now: datetime) -> None:
        self._row(channel, kind)
        with self.state.atomic() as db:
            db.execute("UPDATE channel_health SET paused_until = ? WHERE channel = ?",
                       (now.timestamp() + seconds, channel))

    def hold(self, channel: str, kind: str, problem: str, hint: str, fingerprint: str, now: datetime) -> None:
        self._row(channel, kind)
        with self.state.atomic() as db:
            db.execute("UPDATE channel_health SET problem = ?, hint = ?, fingerprint = ?, since = ? WHERE channel = ?",
                       (problem, hint, fingerprint, now.isoformat(timespec="seconds"), channel))

    def held(self, channel: str, fingerprint: str, now: datetime) -> bool:
        """Held: the same webhook and secret failed, and not ``recheck`` seconds ago."""
        row = self.state.db.execute("SELECT problem, fingerprint, since FROM channel_health WHERE channel = ?",
                                    (channel,)).fetchone()
        if row is None or not row["problem"] or row["fingerprint"] != fingerprint:
            return False
        since = datetime.fromisoformat(row["since"])
        return (now - since).total_seconds() < self.recheck

    def ok(self, channel: str, kind: str, now: datetime) -> None:
        self._row(channel, kind)
        with self.state.atomic() as db:
            db.execute("UPDATE channel_health SET problem = NULL, hint = NULL, fingerprint = NULL, since = NULL, "
                       "last_ok = ? WHERE channel = ?", (now.isoformat(timespec="seconds"), channel))

    def health(self) -> list[Health]:
        rows = self.state.db.execute("SELECT * FROM channel_health ORDER BY channel").fetchall()
        return [Health(r["channel"], r["kind"], r["problem"], r["hint"], r["since"], r["last_ok"], r["paused_until"],
                       r["fingerprint"]) for r in rows]

    def _row(self, channel: str, kind: str) -> None:
        with self.state.atomic() as db:
            db.execute("INSERT OR IGNORE INTO channel_health (channel, kind) VALUES (?, ?)", (channel, kind))
