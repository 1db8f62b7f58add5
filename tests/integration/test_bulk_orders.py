"""Placing big orders on SQLite and PostgreSQL: the batched claim reads decide as before.

``claim_numbers`` reads a multi-number order's claims with the SQL
repositories' ``get_many`` (one query per 500 numbers); these tests pin that
the outcome is the one the per-number reads gave: a number held by an open
item refuses the whole order and writes nothing, a claim whose item is final
is taken over, and a number no one holds is claimed.
"""

from __future__ import annotations

import pytest

from tests.support.actors import MANAGER, STAFF
from tests.support.clock import T0
from tnorder import DuplicateNumber, NewItem, OrderKind, OrderNotFound, OrderService, Trigger
from tnorder.adapters._sql import SqlUnitOfWork
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.claims import NumberClaim
from tnorder.errors import AlreadyExists

NUMBERS = [f"+1404555{n:04d}" for n in range(200, 1400)]  # 1,200: more than one batch of 500


def _items(numbers: list[str]) -> list[NewItem]:
    return [NewItem(OrderKind.PORT_IN, number=n) for n in numbers]


def _nothing_of_the_big_order(
    service: OrderService, storage: SqliteStorage | PostgresStorage, *, held: dict[str, str]
) -> None:
    """BIG-1 was not stored, and of its numbers only ``held`` (number -> order) are claimed."""
    with pytest.raises(OrderNotFound):
        service.get_order("BIG-1")
    with storage.unit_of_work() as uow:
        claims = uow.number_claims.get_many(NUMBERS)
    assert held == {n: c.order_id for n, c in claims.items()}


def test_a_big_order_claims_every_number(sql_storage: SqliteStorage | PostgresStorage) -> None:
    """1,200 numbers in one order: each is claimed by its item, in one call."""
    service = OrderService(sql_storage, clock=FixedClock(T0))
    order = service.place_order("ACC-1", _items(NUMBERS), actor=STAFF, order_id="BIG-1")
    with sql_storage.unit_of_work() as uow:
        claims = uow.number_claims.get_many(NUMBERS)
    assert len(NUMBERS) == len(claims)
    assert {i.number: i.item_id for i in order.items} == {n: c.item_id for n, c in claims.items()}
    assert {"BIG-1"} == {c.order_id for c in claims.values()}


def test_a_number_held_by_an_open_order_refuses_the_big_order(
    sql_storage: SqliteStorage | PostgresStorage,
) -> None:
    """One number of 1,200 is in another open order: DuplicateNumber names it, and
    nothing of the big order is stored (no order, no claim)."""
    service = OrderService(sql_storage, clock=FixedClock(T0))
    service.place_order("ACC-1", _items([NUMBERS[700]]), actor=STAFF, order_id="FIRST")
    with pytest.raises(DuplicateNumber) as caught:
        service.place_order("ACC-1", _items(NUMBERS), actor=STAFF, order_id="BIG-1")
    assert NUMBERS[700] == caught.value.number
    _nothing_of_the_big_order(service, sql_storage, held={NUMBERS[700]: "FIRST"})


def test_a_claim_of_a_final_item_is_taken_over(
    sql_storage: SqliteStorage | PostgresStorage,
) -> None:
    """A number whose earlier order was cancelled is claimed again by the big order."""
    service = OrderService(sql_storage, clock=FixedClock(T0))
    first = service.place_order("ACC-1", _items([NUMBERS[3]]), actor=STAFF, order_id="FIRST")
    service.fire("FIRST", first.items[0].item_id, Trigger.CANCEL, actor=MANAGER)
    service.place_order("ACC-1", _items(NUMBERS[:600]), actor=STAFF, order_id="BIG-1")
    with sql_storage.unit_of_work() as uow:
        claims = uow.number_claims.get_many(NUMBERS[:600])
    assert {"BIG-1"} == {c.order_id for c in claims.values()}
    assert 600 == len(claims)


def test_a_claim_taken_while_the_big_order_commits_is_named(
    sql_storage: SqliteStorage | PostgresStorage,
) -> None:
    """New claims are inserted many rows to a statement: a number another unit of
    work claimed first still fails the commit with ``AlreadyExists`` naming that
    number, and none of the other 599 claims is stored."""
    numbers = NUMBERS[:600]
    with sql_storage.unit_of_work() as slow:
        for n, number in enumerate(numbers):
            slow.number_claims.add(NumberClaim(number, "BIG-1", "ACC-1", f"I-{n}"))
        with sql_storage.unit_of_work() as fast:
            fast.number_claims.add(NumberClaim(numbers[417], "FIRST", "ACC-2", "I-X"))
            fast.commit()
        with pytest.raises(AlreadyExists) as caught:
            slow.commit()
    assert numbers[417] == caught.value.key
    with sql_storage.unit_of_work() as uow:
        claims = uow.number_claims.get_many(numbers)
    assert {numbers[417]: "FIRST"} == {n: c.order_id for n, c in claims.items()}


def test_a_number_claimed_while_the_big_order_commits_refuses_it(
    sql_storage: SqliteStorage | PostgresStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another account's order takes one of the 1,200 numbers after the big order
    read the claims and before it commits: the big order's claims are inserted
    many rows to a statement, yet its commit is refused on that number, the use
    case runs again and refuses the order with ``DuplicateNumber`` naming it, and
    nothing of the big order is stored."""
    service = OrderService(sql_storage, clock=FixedClock(T0))
    rival = OrderService(sql_storage, clock=FixedClock(T0))
    commit = SqlUnitOfWork.commit
    raced: list[bool] = []

    def racing_commit(uow: SqlUnitOfWork) -> None:
        if not raced:
            raced.append(True)
            rival.place_order("ACC-2", _items([NUMBERS[950]]), actor=STAFF, order_id="RIVAL")
        commit(uow)

    monkeypatch.setattr(SqlUnitOfWork, "commit", racing_commit)
    with pytest.raises(DuplicateNumber) as caught:
        service.place_order("ACC-1", _items(NUMBERS), actor=STAFF, order_id="BIG-1")
    monkeypatch.undo()

    assert NUMBERS[950] == caught.value.number
    _nothing_of_the_big_order(service, sql_storage, held={NUMBERS[950]: "RIVAL"})
