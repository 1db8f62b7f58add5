"""Property tests for your own code with ``tnorder.testing`` (install ``tnorder[testing]``).

Two uses of the kit a host typically needs:

1. The strategies: ``strategies.orders()`` draws orders in every state the
   library can actually reach (built through its public API, never by hand),
   so a host's own rule is checked against all of them.  Here the rule is
   the host's reminder e-mail: send one exactly when an order waits on the
   customer.
2. ``OrderLifecycle``: a Hypothesis state machine that drives ``OrderService``
   on *your* storage and checks the core, view, document and carrier invariants
   after every step.  Here it runs on the SQLite adapter; point ``make_storage``
   at yours.

Run it: ``pytest examples/property_test.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings

from tnorder import Intent, ItemStatus, Order, OrderStatus
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.ports import Storage
from tnorder.testing import OrderLifecycle
from tnorder.testing import strategies as tst


def reminder_subject(order: Order) -> str | None:
    """The host's rule under test: the subject of a reminder e-mail, or None for no e-mail."""
    waiting = [i for i in order.items if i.status.intent is Intent.ACTION_REQUIRED]
    if not waiting:
        return None
    labels = sorted({i.status.label for i in waiting})
    return f"Order {order.order_id}: {len(waiting)} item(s) need you ({', '.join(labels)})"


@settings(max_examples=50, deadline=None)
@given(tst.orders(max_items=4))
def test_a_reminder_goes_out_exactly_when_the_order_needs_the_customer(order: Order) -> None:
    """Every reachable order gets a reminder iff its status is Action Required."""
    subject = reminder_subject(order)
    assert (order.status is OrderStatus.ACTION_REQUIRED) == (subject is not None)
    if subject is not None:
        assert order.order_id in subject


@settings(max_examples=25, deadline=None)
@given(tst.orders(max_items=3, statuses={ItemStatus.COMPLETED, ItemStatus.CANCELLED}))
def test_finished_orders_never_get_a_reminder(order: Order) -> None:
    """Orders whose items all ended (Completed or Cancelled) never trigger an e-mail."""
    assert order.is_final
    assert reminder_subject(order) is None


class SqliteLifecycle(OrderLifecycle):
    """The lifecycle machine on the SQLite adapter: a fresh database file per run."""

    def make_storage(self) -> Storage:
        self.folder = tempfile.TemporaryDirectory()
        return SqliteStorage(Path(self.folder.name) / "lifecycle.db", synchronous="OFF")

    def dispose_storage(self, storage: Storage) -> None:
        assert isinstance(storage, SqliteStorage)
        storage.close()
        self.folder.cleanup()


TestSqliteLifecycle = SqliteLifecycle.TestCase
# Each step writes a real file; a few short runs show the idea quickly.
TestSqliteLifecycle.settings = settings(max_examples=10, stateful_step_count=15, deadline=None)
