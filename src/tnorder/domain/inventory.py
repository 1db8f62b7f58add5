"""The inventory number aggregate: numbers held in a carrier's inventory types.

Pure domain rules.  Nothing here reads the clock or touches storage.

An :class:`InventoryNumber` is one telephone number a carrier delivered to
us.  Its lifecycle is data (``INVENTORY_TABLE``, built like the line item's
through ``tnorder.domain.tables``): a delivered number is stocked Available or
Assigned, is assigned to and returned from customer accounts, and is
disconnected when the carrier confirms a disconnect.  Every change is a method
here that records its event on the number's stream (``EventRecorder``); the
service drains the events when it saves the number.

An inventory number's events are numbered by the storage version the save
will give it, as in 0.1 (so their event ids are unchanged): one event per
saved change.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import attrs

from ..errors import ValidationError
from .events import (
    Actor,
    Event,
    EventRecorder,
    NumberAddedToInventory,
    NumberAssigned,
    NumberDisconnected,
    NumberReturnedToInventory,
    inventory_stream,
)
from .tables import Move, TransitionTable

__all__ = [
    "INVENTORY_TABLE",
    "InventoryChange",
    "InventoryNumber",
    "InventoryPage",
    "InventoryStatus",
    "InventoryTrigger",
    "assign_number",
    "return_number",
]


class InventoryStatus(StrEnum):
    """Where a number sits in inventory."""

    AVAILABLE = "available"
    ASSIGNED = "assigned"
    DISCONNECTED = "disconnected"


class InventoryTrigger(StrEnum):
    """What can happen to an inventory number."""

    STOCK = "stock"
    """The carrier delivered the number for inventory (again): Available."""
    STOCK_ASSIGNED = "stock_assigned"
    """The carrier delivered the number for a customer (again): Assigned."""
    ASSIGN = "assign"
    """An available number goes to a customer's service line."""
    RETURN = "return"
    """An assigned number is taken back from its account."""
    DISCONNECT = "disconnect"
    """The carrier confirmed the disconnect."""


# Short names: the table reads as one row per line.
_I = InventoryStatus
_IT = InventoryTrigger
_ALL = tuple(InventoryStatus)

INVENTORY_TABLE: TransitionTable[InventoryStatus, InventoryTrigger] = TransitionTable(
    "Inventory number",
    InventoryStatus,
    InventoryTrigger,
    _I.AVAILABLE,
    (
        # A number we held before may be delivered again (disconnected, then
        # ordered again; or moved to another inventory type or account).
        Move(_IT.STOCK, _ALL, _I.AVAILABLE),
        Move(_IT.STOCK_ASSIGNED, _ALL, _I.ASSIGNED),
        Move(_IT.ASSIGN, (_I.AVAILABLE,), _I.ASSIGNED),
        Move(_IT.RETURN, (_I.ASSIGNED,), _I.AVAILABLE),
        Move(_IT.DISCONNECT, (_I.AVAILABLE, _I.ASSIGNED), _I.DISCONNECTED),
    ),
)
"""An inventory number's lifecycle.  Delivered numbers start Available or Assigned."""


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
class InventoryNumber(EventRecorder):
    """A telephone number (E.164) in a carrier's inventory type.

    Create one with :meth:`deliver`; change it only through its methods.
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
    _pending: list[Event] = attrs.field(factory=list, init=False, repr=False, eq=False)

    def _event_stream(self) -> str:
        return inventory_stream(self.number)

    def next_seq(self) -> int:
        # No sequence of its own is stored: the version the next save gives it.
        return self.version + 1 + len(self._pending)

    def _move(self, trigger: InventoryTrigger) -> None:
        dest = INVENTORY_TABLE.resolve(self.status, trigger)
        if dest is None:  # pragma: no cover - every caller checks the status first
            raise ValidationError(
                f"number {self.number!r} is {self.status.value}: {trigger.value!r} is not allowed",
                field="number",
            )
        self.status = dest

    @classmethod
    def deliver(
        cls,
        number: str,
        carrier_id: str,
        inventory_type: str,
        *,
        account_id: str | None,
        service_line: str | None,
        carrier_ref: str | None,
        at: datetime,
    ) -> InventoryNumber:
        """A number the carrier delivered: Assigned when it is for an account, else Available.

        Records ``NumberAddedToInventory``.
        """
        status = InventoryStatus.ASSIGNED if account_id else InventoryStatus.AVAILABLE
        record = cls(
            number,
            carrier_id,
            inventory_type,
            status,
            at,
            account_id=account_id,
            service_line=service_line,
            carrier_ref=carrier_ref,
        )
        record._record_added(at)
        return record

    def redeliver(
        self,
        carrier_id: str,
        inventory_type: str,
        *,
        account_id: str | None,
        service_line: str | None,
        carrier_ref: str | None,
        at: datetime,
    ) -> bool:
        """The carrier delivered a number we held before (e.g. disconnected, then ordered again).

        Returns False, changing nothing, when it already sits where it is
        delivered to; otherwise it moves there and ``NumberAddedToInventory``
        is recorded.
        """
        trigger = InventoryTrigger.STOCK_ASSIGNED if account_id else InventoryTrigger.STOCK
        wanted = (carrier_id, inventory_type, INVENTORY_TABLE.resolve(self.status, trigger))
        here = (self.carrier_id, self.inventory_type, self.status)
        if wanted == here and (account_id, service_line) == (self.account_id, self.service_line):
            return False
        self._move(trigger)
        self.carrier_id, self.inventory_type = carrier_id, inventory_type
        self.account_id, self.service_line = account_id, service_line
        self.carrier_ref = carrier_ref
        self.added_at = at
        self._record_added(at)
        return True

    def _record_added(self, at: datetime) -> None:
        self.record(
            NumberAddedToInventory,
            at,
            number=self.number,
            carrier_id=self.carrier_id,
            inventory_type=self.inventory_type,
            status=self.status.value,
            account_id=self.account_id,
            service_line=self.service_line,
        )

    def disconnect(self, *, at: datetime) -> bool:
        """The carrier confirmed the disconnect; False if it already was (nothing changes).

        Records ``NumberDisconnected``.
        """
        if self.status is InventoryStatus.DISCONNECTED:
            return False
        self._move(InventoryTrigger.DISCONNECT)
        self.record(NumberDisconnected, at, number=self.number, carrier_id=self.carrier_id)
        return True

    def assign(
        self, account_id: str, service_line: str, *, actor: Actor, at: datetime, note: str | None
    ) -> None:
        """Assign an Available number to an account's service line; records ``NumberAssigned``.

        Raises:
            ValidationError: the number is not Available (names it and its status).
        """
        if self.status is not InventoryStatus.AVAILABLE:
            raise ValidationError(
                f"number {self.number!r} is {self.status.value}, not available for assignment",
                field="number",
            )
        self._move(InventoryTrigger.ASSIGN)
        self.account_id = account_id
        self.service_line = service_line
        self.history.append(InventoryChange("assigned", at, actor, account_id, service_line, note))
        self.record(
            NumberAssigned,
            at,
            number=self.number,
            account_id=account_id,
            service_line=service_line,
            actor=actor,
        )

    def take_back(self, *, actor: Actor, at: datetime, note: str | None) -> str:
        """Take an Assigned number back from its account: it is Available again.

        Returns the account it was taken from; records ``NumberReturnedToInventory``.

        Raises:
            ValidationError: the number is not Assigned (names it and its status).
        """
        if self.status is not InventoryStatus.ASSIGNED or self.account_id is None:
            raise ValidationError(
                f"number {self.number!r} is {self.status.value}, not assigned to an account",
                field="number",
            )
        account_id = self.account_id
        self.history.append(
            InventoryChange("returned", at, actor, account_id, self.service_line, note)
        )
        self._move(InventoryTrigger.RETURN)
        self.account_id = None
        self.service_line = None
        self.returned_from = account_id
        self.returned_at = at
        self.record(
            NumberReturnedToInventory,
            at,
            number=self.number,
            account_id=account_id,
            actor=actor,
            note=note,
        )
        return account_id


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
    """Assign an Available number to an account's service line (:meth:`InventoryNumber.assign`).

    Raises:
        ValidationError: the number is not Available (names it and its status).
    """
    record.assign(account_id, service_line, actor=actor, at=at, note=note)


def return_number(
    record: InventoryNumber, *, actor: Actor, at: datetime, note: str | None = None
) -> str:
    """Take an Assigned number back from its account (:meth:`InventoryNumber.take_back`).

    Returns the account it was taken from.

    Raises:
        ValidationError: the number is not Assigned (names it and its status).
    """
    return record.take_back(actor=actor, at=at, note=note)
