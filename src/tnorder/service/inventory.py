"""Inventory use cases: browse an inventory type, read a number, return it to stock.

Assigning a number (``assign_inventory_number``) lives with the carrier
workflows that fill inventory; the rules themselves are in
``tnorder.domain.inventory``.
"""

from __future__ import annotations

from datetime import datetime

from ..domain.events import Actor
from ..domain.inputs import check_optional_text
from ..domain.inventory import InventoryNumber, InventoryPage, InventoryStatus
from ..domain.machine import Trigger
from ..domain.order import check_permission
from ..domain.phone import normalize_number
from ..errors import ValidationError
from ..ports import UnitOfWork
from .base import UseCaseBase, save_aggregate

#: The largest page ``inventory_numbers`` returns.
__all__ = ["MAX_PAGE", "InventoryUseCases"]

MAX_PAGE = 500


class InventoryUseCases(UseCaseBase):
    """Reading and working through carriers' inventory types.

    Reads only what :class:`UseCaseBase` keeps (storage, clock, limits).
    """

    def inventory_numbers(
        self,
        inventory_type: str,
        *,
        state: InventoryStatus | str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> InventoryPage:
        """One page of an inventory type's numbers, by number, optionally in one state.

        Args:
            inventory_type: the inventory type's id.
            state: only numbers in this state (Available, Assigned, Disconnected).
            limit: the page size (1 to 500).
            cursor: the ``next_cursor`` of the previous page (None for the first).

        Raises:
            ValidationError: an unknown state, a bad limit or cursor, an empty type.
        """
        if not isinstance(inventory_type, str) or not inventory_type.strip():
            raise ValidationError(
                "inventory_type must be a non-empty string", field="inventory_type"
            )
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
            raise ValidationError(f"limit must be 1 to {MAX_PAGE}", field="limit")
        if cursor is not None:
            # A cursor is a number we handed out: text every storage can compare.
            check_optional_text(cursor, "cursor", max_length=self.limits.max_id_length)
            if "\x00" in cursor:
                raise ValidationError("cursor must be a string from next_cursor", field="cursor")
        wanted: InventoryStatus | None = None
        if state is not None:
            try:
                wanted = InventoryStatus(state)
            except ValueError:
                known = ", ".join(s.value for s in InventoryStatus)
                raise ValidationError(
                    f"unknown inventory state {state!r}; known: {known}", field="state"
                ) from None
        equals: dict[str, object] = {"inventory_type": inventory_type}
        if wanted is not None:
            equals["status"] = wanted
        with self.storage.unit_of_work() as uow:
            # A keyset page from storage where the repository has ``find_page``
            # (every shipped storage): only the page's rows are read.  A host's
            # repository without it is read whole and paged here, as in 0.2.
            find_page = getattr(uow.inventory, "find_page", None)
            if find_page is not None:
                found: list[InventoryNumber] = find_page(after=cursor, limit=limit + 1, **equals)
            else:
                found = sorted(uow.inventory.find(**equals), key=lambda r: r.number)
                if cursor is not None:
                    found = [r for r in found if r.number > cursor]
        page = tuple(found[:limit])
        more = len(found) > limit
        return InventoryPage(page, page[-1].number if more and page else None)

    def get_inventory_number(self, number: str) -> InventoryNumber:
        """One number in inventory; ``NumberNotFound`` if it is not there.

        Raises:
            InvalidPhoneNumber: ``number`` is not a telephone number.
            NumberNotFound: the number is not in inventory.
        """
        wanted = normalize_number(number)
        with self.storage.unit_of_work() as uow:
            return uow.inventory.get(wanted)

    def return_to_inventory(
        self, number: str, *, actor: Actor, note: str | None = None
    ) -> InventoryNumber:
        """Take an Assigned number back from its account: it is Available again.

        The number's history keeps who returned it, when and the note;
        ``NumberReturnedToInventory`` is published, and the number leaves that
        account's Active Numbers (also when an order had delivered it there).

        Raises:
            NumberNotFound: the number is not in inventory.
            ValidationError: the number is not Assigned.
            PermissionDenied: customers cannot return numbers to inventory.
        """
        check_permission(actor, Trigger.SUBMIT_TO_CARRIER)
        wanted = normalize_number(number)
        self._check_actor(actor)
        self._check_note(note)

        def use_case(uow: UnitOfWork, now: datetime) -> InventoryNumber:
            stocked = uow.inventory.get(wanted)
            stocked.take_back(actor=actor, at=now, note=note)
            save_aggregate(uow, uow.inventory, stocked)
            return stocked

        return self.run(use_case)
