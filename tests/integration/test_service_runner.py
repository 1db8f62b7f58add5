"""OrderService.run: one unit of work per attempt, bounded retries on ConcurrencyConflict."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.support.actors import STAFF
from tests.support.clock import T0
from tests.support.storage import AnyStorage, add_order, new_order
from tnorder import ConcurrencyConflict, InvalidTransition, ItemStatus, Trigger
from tnorder.adapters.clocks import FixedClock
from tnorder.ports import UnitOfWork
from tnorder.service.base import save_order
from tnorder.world import build_service


def _bump_behind_its_back(storage: AnyStorage) -> None:
    """Another writer saves order A (bumping its version) while a use case runs."""
    with storage.unit_of_work() as uow:
        order = uow.orders.get("A")
        uow.orders.save(order)
        uow.commit()


def test_a_conflicting_use_case_is_run_again_from_a_fresh_load(storage: AnyStorage) -> None:
    """After losing a race once, the use case reruns on the newer state and commits."""
    add_order(storage, new_order("A"))
    service = build_service(storage, clock=FixedClock(T0), max_attempts=3)
    seen: list[int] = []

    def use_case(uow: UnitOfWork, now: datetime) -> int:
        order = uow.orders.get("A")
        seen.append(order.version)
        if len(seen) == 1:
            _bump_behind_its_back(storage)
        order.fire("A-1", Trigger.REVIEW, actor=STAFF, at=now)
        save_order(uow, order)
        return order.version

    assert 3 == service.run(use_case)
    assert [1, 2] == seen
    with storage.unit_of_work() as uow:
        assert ItemStatus.UNDER_REVIEW == uow.orders.get("A").items[0].status


def test_retries_are_bounded_by_max_attempts(storage: AnyStorage) -> None:
    """A use case that loses every race runs max_attempts times, then ConcurrencyConflict
    escapes and nothing it staged is stored."""
    add_order(storage, new_order("A"))
    service = build_service(storage, clock=FixedClock(T0), max_attempts=3)
    runs: list[int] = []

    def use_case(uow: UnitOfWork, now: datetime) -> None:
        order = uow.orders.get("A")
        runs.append(order.version)
        _bump_behind_its_back(storage)
        order.fire("A-1", Trigger.REVIEW, actor=STAFF, at=now)
        save_order(uow, order)

    with pytest.raises(ConcurrencyConflict) as conflict:
        service.run(use_case)
    assert "A" == conflict.value.key
    with storage.unit_of_work() as uow:
        stored = uow.orders.get("A")
    assert [1, 2, 3] == runs
    assert (4, ItemStatus.ORDER_SUBMITTED) == (stored.version, stored.items[0].status)


def test_other_errors_are_not_retried(storage: AnyStorage) -> None:
    """A domain refusal propagates from the first attempt."""
    add_order(storage, new_order("A"))
    service = build_service(storage, clock=FixedClock(T0), max_attempts=3)
    runs = 0

    def use_case(uow: UnitOfWork, now: datetime) -> None:
        nonlocal runs
        runs += 1
        uow.orders.get("A").fire("A-1", Trigger.COMPLETE, actor=STAFF, at=now)

    with pytest.raises(InvalidTransition) as refused:
        service.run(use_case)
    assert ("A", "A-1", "complete") == (
        refused.value.order_id,
        refused.value.item_id,
        refused.value.trigger,
    )
    assert 1 == runs
