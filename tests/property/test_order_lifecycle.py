"""The shipped order-lifecycle state machine, run on each storage tnorder ships.

One subclass per storage: to add one, subclass ``OrderLifecycle`` with its
``make_storage`` (and ``dispose_storage``) and expose its ``TestCase`` here.
Both runs use the kit's default document storage (``MemoryDocumentStorage``)
and carrier (a realtime ``SimulatedCarrier``), so every run checks the core,
view, document and carrier invariants.  Each step checks some twenty
invariants through the service, so the in-memory run takes 100 examples
rather than the profile's 150; the SQLite run does real commits to a file,
so it runs fewer, shorter examples.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings

from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.ports import Storage
from tnorder.testing import OrderLifecycle


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
