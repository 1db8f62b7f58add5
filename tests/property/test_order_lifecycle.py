"""The shipped order-lifecycle state machine, run on each storage tnorder ships.

One subclass per storage: to add one, subclass ``OrderLifecycle`` with its
``make_storage`` (and ``dispose_storage``) and expose its ``TestCase`` here.
"""

from __future__ import annotations

from hypothesis import settings

from tnorder.adapters.memory import MemoryStorage
from tnorder.ports import Storage
from tnorder.testing import OrderLifecycle


class MemoryOrderLifecycle(OrderLifecycle):
    def make_storage(self) -> Storage:
        return MemoryStorage()


TestMemoryOrderLifecycle = MemoryOrderLifecycle.TestCase
TestMemoryOrderLifecycle.settings = settings(stateful_step_count=30)
