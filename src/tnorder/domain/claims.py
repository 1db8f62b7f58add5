"""Which open order holds a telephone number: one open line item per number.

Pure domain rules.  Nothing here reads the clock or touches storage.

A :class:`NumberClaim` is stored per number (E.164) and names the order that
last took it.  It is never released explicitly: a claim whose item has become
final (completed, cancelled) no longer blocks, so every path that finishes an
item (customer, staff, carrier) frees the number without bookkeeping.
"""

from __future__ import annotations

import attrs

from ..errors import DuplicateNumber
from .order import Order

__all__ = ["NumberClaim", "claim_blocks", "refuse_claimed"]


@attrs.define
class NumberClaim:
    """The order that last took ``number`` (stored record, key ``number``)."""

    number: str
    order_id: str
    account_id: str
    item_id: str
    version: int = 0


def claim_blocks(claim: NumberClaim, holder: Order | None) -> bool:
    """Whether ``claim`` still blocks a new order: its item exists and is open."""
    if holder is None or holder.order_id != claim.order_id:
        return False
    item = next((i for i in holder.items if i.item_id == claim.item_id), None)
    return item is not None and not item.is_final and item.number == claim.number


def refuse_claimed(claim: NumberClaim, account_id: str) -> DuplicateNumber:
    """The error for a number another open order holds; another account's order stays hidden."""
    if claim.account_id == account_id:
        return DuplicateNumber(
            f"number {claim.number} already has an open order {claim.order_id!r}",
            number=claim.number,
            order_id=claim.order_id,
        )
    return DuplicateNumber(
        f"number {claim.number} already has an open order and cannot be ordered again "
        "until that order is finished",
        number=claim.number,
    )
