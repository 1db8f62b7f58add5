"""SQLite sends many rows of one plain insert as multi-row statements: the same rows,
in the same order, the same counts and errors as one ``executemany`` (issue 17)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tnorder import StorageError
from tnorder.adapters.sqlite import _SqliteSession

_TABLE = "CREATE TABLE t (pos INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT UNIQUE, v TEXT)"
_INSERT = "INSERT INTO t (k, v) VALUES (?, ?)"
_INSERT_NEW = "INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING"
_UPSERT = "INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v"


def _session(tmp_path: Path) -> _SqliteSession:
    conn = sqlite3.connect(tmp_path / "db", isolation_level=None)
    conn.execute(_TABLE)
    return _SqliteSession(conn)


def _rows(session: _SqliteSession) -> list[tuple[object, ...]]:
    return session.query("SELECT pos, k, v FROM t ORDER BY pos")


@pytest.mark.parametrize("count", [1, 7, 8, 499, 500, 501, 1234])
def test_many_rows_are_inserted_in_order_and_counted(tmp_path: Path, count: int) -> None:
    """Every row is stored once, numbered in the order given, and counted."""
    session = _session(tmp_path)
    rows = [(f"k{i}", f"v{i}") for i in range(count)]
    with session.transaction():
        assert [count] == session.execute_batch([(_INSERT, rows)], results=True)
    assert [(i + 1, f"k{i}", f"v{i}") for i in range(count)] == _rows(session)


def test_rows_skipped_on_conflict_are_not_counted(tmp_path: Path) -> None:
    """``ON CONFLICT DO NOTHING`` counts the inserted rows only, repeats within the
    statement included, as row-by-row inserts would."""
    session = _session(tmp_path)
    with session.transaction():
        session.executemany(_INSERT, [("k3", "old"), ("k700", "old")])
        rows = [(f"k{i}", "new") for i in range(1000)] + [("k5", "again")]
        assert [998] == session.execute_batch([(_INSERT_NEW, rows)], results=True)
    stored = {k: v for _, k, v in _rows(session)}
    assert 1000 == len(stored)
    assert ("old", "old", "new") == (stored["k3"], stored["k700"], stored["k5"])


def test_upserts_apply_in_order_within_one_statement(tmp_path: Path) -> None:
    """A key repeated among the rows ends with its last row's values."""
    session = _session(tmp_path)
    rows = [(f"k{i % 50}", f"v{i}") for i in range(600)]
    with session.transaction():
        assert [600] == session.execute_batch([(_UPSERT, rows)], results=True)
    stored = {k: v for _, k, v in _rows(session)}
    assert {f"k{j}": f"v{550 + j}" for j in range(50)} == stored


def test_a_refused_row_fails_the_whole_batch_as_storage_error(tmp_path: Path) -> None:
    """A duplicate key among many rows raises StorageError and the transaction stores none."""
    session = _session(tmp_path)
    rows = [(f"k{i}", "v") for i in range(900)] + [("k1", "twice")]
    with pytest.raises(StorageError, match="refused the rows"), session.transaction():
        session.executemany(_INSERT, rows)
    assert [] == _rows(session)


def test_rows_of_the_wrong_width_are_refused_not_shifted(tmp_path: Path) -> None:
    """A short row next to a long one is an error, never parameters moved across rows."""
    session = _session(tmp_path)
    rows: list[tuple[str, ...]] = [(f"k{i}", "v") for i in range(20)]
    rows[3], rows[4] = ("k3",), ("k4", "v", "extra")
    with pytest.raises(StorageError), session.transaction():
        session.executemany(_INSERT, rows)
    assert [] == _rows(session)
