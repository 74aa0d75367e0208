from __future__ import annotations

import sqlite3

import pytest

from sync.state import Migration, State


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
