"""The state file: migrations, transactions, and the faults a running service meets (deleted, replaced,
corrupt, another config's)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sync.state import Migration, State, StateError


def test_migrations_apply_once_in_order(tmp_path):
    path = tmp_path / "s.db"
    migs = [Migration("t-001", "CREATE TABLE a (x INTEGER);"),
            Migration("t-002", "ALTER TABLE a ADD COLUMN y TEXT; CREATE INDEX a_x ON a (x);")]
    with State(path) as state:
        assert state.migrate(migs) == ["t-001", "t-002"]
        assert state.migrate(migs) == []
    with State(path) as state:
        assert state.migrate(migs + [Migration("t-003", "CREATE TABLE b (z);")]) == ["t-003"]
        state.db.execute("INSERT INTO a (x, y) VALUES (1, 'one')")


def test_a_failed_migration_leaves_nothing_behind(tmp_path):
    with State(tmp_path / "s.db") as state:
        bad = Migration("t-001", "CREATE TABLE a (x); INSERT INTO nowhere VALUES (1);")
        with pytest.raises(sqlite3.OperationalError):
            state.migrate([bad])
        assert "t-001" not in state.applied()
        assert not state.db.execute("SELECT name FROM sqlite_master WHERE name='a'").fetchall()


def test_atomic_rolls_back_the_whole_batch(tmp_path):
    with State(tmp_path / "s.db") as state:
        state.migrate([Migration("t-001", "CREATE TABLE a (x);")])
        with pytest.raises(RuntimeError):
            with state.atomic() as db:
                db.execute("INSERT INTO a VALUES (1)")
                with state.atomic():
                    db.execute("INSERT INTO a VALUES (2)")
                raise RuntimeError("crash mid-cycle")
        assert state.db.execute("SELECT count(*) FROM a").fetchone()[0] == 0


def test_a_deleted_state_is_noticed_and_written_back_with_everything_committed(tmp_path):
    path = tmp_path / "s.db"
    with State(path) as state:
        state.migrate([Migration("t-001", "CREATE TABLE sent (key TEXT);")])
        with state.atomic() as db:
            db.execute("INSERT INTO sent VALUES ('digest/daily/zhang')")
        assert state.moved() == ""
        for part in ("", "-wal", "-shm"):
            Path(f"{path}{part}").unlink(missing_ok=True)
        assert state.moved() == "deleted"
        state.restore()
        assert state.moved() == "" and path.exists()
        with state.atomic() as db:
            db.execute("INSERT INTO sent VALUES ('reminder/x')")
    with State(path) as again:                         # what a restart sees: both, nothing lost
        assert [r[0] for r in again.db.execute("SELECT key FROM sent ORDER BY rowid")] == [
            "digest/daily/zhang", "reminder/x"]


def test_a_replaced_state_is_noticed(tmp_path):
    path = tmp_path / "s.db"
    with State(path) as state:
        path.unlink()
        State(path).close()                            # another file now has the name
        assert state.moved() == "replaced"


def test_a_corrupt_or_foreign_state_is_one_sentence_with_what_to_do(tmp_path):
    path = tmp_path / "s.db"
    path.write_bytes(b"PK\x03\x04 this is a zip, not a database" * 50)
    with pytest.raises(StateError, match="damaged or not an ordersync state") as caught:
        State(path)
    assert "move s.db aside" in caught.value.hint
    with pytest.raises(StateError, match="names a folder"):
        State(tmp_path)


def test_a_state_is_tied_to_its_config_and_refuses_another(tmp_path):
    with State(tmp_path / "s.db") as state:
        state.claim("/srv/a/config.toml", ["/srv/a/register.xlsx"])
        state.claim("/srv/a/config.toml", ["/srv/a/renamed.xlsx"])          # its own config, edited: fine
        state.claim("/srv/b/config.toml", ["/srv/a/renamed.xlsx", "/srv/b/more.xlsx"])   # shares a source: fine
        with pytest.raises(StateError, match="belongs to /srv/b/config.toml") as caught:
            state.claim("/srv/c/config.toml", ["/srv/c/other.xlsx"])
        assert "/srv/c/config.toml" in str(caught.value) and "/srv/c/other.xlsx" in str(caught.value)
