"""Numbers held in a carrier's inventory type, and their assignment to accounts.

Pure domain rules.  Nothing here reads the clock or touches storage.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import attrs

from ..errors import ValidationError
from .events import Actor

__all__ = [
    "InventoryChange",
    "InventoryNumber",
    "InventoryPage",
    "InventoryStatus",
    "assign_number",
    "return_number",
]


class InventoryStatus(StrEnum):
    """Where a number sits in inventory."""

    AVAILABLE = "available"
    ASSIGNED = "assigned"
    DISCONNECTED = "disconnected"


@attrs.frozen
class InventoryChange:
    """One assignment or return of an inventory number (its history)."""

    action: str  # "assigned" or "returned"
    at: datetime
    actor: Actor
    account_id: str
    service_line: str | None = None
    note: str | None = None


@attrs.define
class InventoryNumber:
    """A telephone number (E.164) in a carrier's inventory type.

    ``returned_from`` and ``returned_at`` name the account the number was last
    returned from and when, so that account's Active Numbers stop showing a
    number an older order delivered.  ``history`` lists assignments and returns.
    """

    number: str
    carrier_id: str
    inventory_type: str
    status: InventoryStatus
    added_at: datetime
    account_id: str | None = None
    service_line: str | None = None
    carrier_ref: str | None = None
    version: int = 0
    returned_from: str | None = None
    returned_at: datetime | None = None
    history: list[InventoryChange] = attrs.Factory(list)


@attrs.frozen
class InventoryPage:
    """One page of an inventory type's numbers, by number.

    ``next_cursor`` is passed as ``cursor`` for the next page; None on the last.
    """

    numbers: tuple[InventoryNumber, ...]
    next_cursor: str | None = None


def assign_number(
    record: InventoryNumber,
    account_id: str,
    service_line: str,
    *,
    actor: Actor,
    at: datetime,
    note: str | None = None,
) -> None:
    """Assign an Available number to an account's service line.

    Raises:
        ValidationError: the number is not Available (names it and its status).
    """
    if record.status is not InventoryStatus.AVAILABLE:
        raise ValidationError(
            f"number {record.number!r} is {record.status.value}, not available for assignment",
            field="number",
        )
    record.status = InventoryStatus.ASSIGNED
    record.account_id = account_id
    record.service_line = service_line
    record.history.append(InventoryChange("assigned", at, actor, account_id, service_line, note))


def return_number(
    record: InventoryNumber, *, actor: Actor, at: datetime, note: str | None = None
) -> str:
    """Take an Assigned number back from its account: it is Available again.

    Returns the account it was taken from.

    Raises:
        ValidationError: the number is not Assigned (names it and its status).
    """
    if record.status is not InventoryStatus.ASSIGNED or record.account_id is None:
        raise ValidationError(
            f"number {record.number!r} is {record.status.value}, not assigned to an account",
            field="number",
        )
    account_id = record.account_id
    record.history.append(
        InventoryChange("returned", at, actor, account_id, record.service_line, note)
    )
    record.status = InventoryStatus.AVAILABLE
    record.account_id = None
    record.service_line = None
    record.returned_from = account_id
    record.returned_at = at
    return account_id
