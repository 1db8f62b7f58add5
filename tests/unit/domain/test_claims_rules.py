"""One open line item per number, written down from the module's contract and docs/decisions.md.

A claim blocks a new order only while the item it names exists, is open and
still holds the number; the refusal names the holding order to the same
account and hides it from any other account.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.actors import CUSTOMER, MANAGER
from tnorder import DuplicateNumber, NewItem, Order, OrderKind
from tnorder.domain.claims import NumberClaim, claim_blocks, refuse_claimed

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NUMBER = "+14045550100"
OTHER = "+14045550199"


def _order(order_id: str = "A-1", *numbers: str) -> Order:
    items = [NewItem(OrderKind.PORT_IN, number=n) for n in numbers or (NUMBER,)]
    return Order.place(order_id, "acct-1", items, actor=CUSTOMER, at=T0)


def _claim(order_id: str = "A-1", item_id: str = "A-1-1", number: str = NUMBER) -> NumberClaim:
    return NumberClaim(number=number, order_id=order_id, account_id="acct-1", item_id=item_id)


def test_an_open_item_holding_the_number_blocks() -> None:
    """The claimed item exists, is open and holds the number: a new order is blocked."""
    assert claim_blocks(_claim(), _order())


def test_a_claim_whose_order_is_gone_or_another_does_not_block() -> None:
    """No holder, or a holder that is not the claimed order, frees the number."""
    assert not claim_blocks(_claim(), None)
    assert not claim_blocks(_claim(order_id="A-2"), _order())


def test_a_claim_naming_a_missing_item_does_not_block() -> None:
    """The claimed item id is not in the order: nothing holds the number."""
    assert not claim_blocks(_claim(item_id="A-1-9"), _order())


def test_the_claimed_item_is_found_among_several() -> None:
    """With two items, the claim on the second is judged by the second."""
    order = _order("A-1", OTHER, NUMBER)
    assert claim_blocks(_claim(item_id="A-1-2"), order)
    assert not claim_blocks(_claim(item_id="A-1-1"), order)


def test_a_finished_item_frees_its_number() -> None:
    """Once the item is final (here cancelled), the claim no longer blocks."""
    order = _order()
    order.cancel(actor=MANAGER, at=T0)
    assert not claim_blocks(_claim(), order)


def test_an_item_holding_another_number_does_not_block() -> None:
    """A claim on a number the item no longer holds does not block."""
    assert not claim_blocks(_claim(number=OTHER), _order())


def test_the_same_account_is_told_which_order_holds_the_number() -> None:
    """Same account: the refusal names the open order."""
    error = refuse_claimed(_claim(), "acct-1")
    assert isinstance(error, DuplicateNumber)
    assert (
        f"number {NUMBER} already has an open order 'A-1'",
        NUMBER,
        "A-1",
        "items",
    ) == (str(error), error.number, error.order_id, error.field)


@pytest.mark.parametrize("account_id", ["acct-2", "ACCT-1", ""])
def test_another_account_is_not_told_which_order_holds_the_number(account_id: str) -> None:
    """Another account: the number is named, the order is never revealed."""
    error = refuse_claimed(_claim(), account_id)
    assert (
        f"number {NUMBER} already has an open order and cannot be ordered again "
        "until that order is finished",
        NUMBER,
        None,
        "items",
    ) == (str(error), error.number, error.order_id, error.field)
    assert "A-1" not in str(error)


def test_a_claim_is_a_versioned_record() -> None:
    """A new claim starts at storage version 0."""
    assert 0 == _claim().version
