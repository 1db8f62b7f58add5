"""The shipped order-lifecycle state machine, run on each storage tnorder ships.

One subclass per storage: to add one, subclass ``OrderLifecycle`` with its
``make_storage`` (and ``dispose_storage``) and expose its ``TestCase`` here.
Both runs use the kit's default document storage (``MemoryDocumentStorage``)
and carrier (a realtime ``SimulatedCarrier``), so every run checks the core,
view, document and carrier invariants.  Each step checks some twenty
invariants through the service, so the in-memory run takes 100 examples
rather than the profile's 150; the SQLite run does real commits to a file,
so it runs fewer, shorter examples; the PostgreSQL run (a real server, the
session's throwaway database, emptied before each example) fewer still, to
fit the CI budget.  None of them is skipped: without a server the PostgreSQL
run fails under CI, as every PostgreSQL test does.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.storage import TABLES, raw_execute
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.ports import Storage
from tnorder.testing import OrderLifecycle

# The memory case runs about 30 s: collected first (tests/conftest.py).
pytestmark = pytest.mark.heavy


class MemoryOrderLifecycle(OrderLifecycle):
    def make_storage(self) -> Storage:
        return MemoryStorage()


TestMemoryOrderLifecycle = MemoryOrderLifecycle.TestCase
TestMemoryOrderLifecycle.settings = settings(max_examples=100, stateful_step_count=30)


class SqliteOrderLifecycle(OrderLifecycle):
    def make_storage(self) -> Storage:
        # Hypothesis runs many examples in one test, so each gets its own directory.
        self.directory = Path(tempfile.mkdtemp(prefix="tnorder-lifecycle-"))
        return SqliteStorage(self.directory / "orders.db")

    def dispose_storage(self, storage: Storage) -> None:
        assert isinstance(storage, SqliteStorage)
        storage.close()
        shutil.rmtree(self.directory, ignore_errors=True)


TestSqliteOrderLifecycle = SqliteOrderLifecycle.TestCase
TestSqliteOrderLifecycle.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)


class PostgresOrderLifecycle(OrderLifecycle):
    #: The session's database (``postgres_dsn``), set by the test case below.
    dsn: str = ""

    def make_storage(self) -> Storage:
        storage = PostgresStorage(self.dsn)
        # Every example starts from empty tables, as on memory and SQLite.
        raw_execute(storage, f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY")
        return storage

    def dispose_storage(self, storage: Storage) -> None:
        assert isinstance(storage, PostgresStorage)
        storage.close()


class TestPostgresOrderLifecycle(PostgresOrderLifecycle.TestCase):  # type: ignore[name-defined,misc]
    settings = settings(max_examples=8, stateful_step_count=15, deadline=None)

    @pytest.fixture(autouse=True)
    def _database(self, postgres_dsn: str) -> None:
        PostgresOrderLifecycle.dsn = postgres_dsn
