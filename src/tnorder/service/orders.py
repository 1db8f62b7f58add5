"""Order use cases: place an order, fire an event at a line item, cancel, approve, read.

The rules are the ``Order`` aggregate's (``tnorder.domain.order``); each use
case here checks its arguments, loads, calls the aggregate and saves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from ..domain.events import Actor
from ..domain.inputs import check_order_id
from ..domain.machine import Trigger
from ..domain.order import NewItem, Order, record_regulatory_approval
from ..domain.statuses import Role
from ..errors import PermissionDenied, ValidationError
from ..ports import UnitOfWork
from .base import UseCaseBase, add_aggregate, load_order
from .config import ServiceConfig, ServicePorts
from .documents import DocumentUseCases

__all__ = ["OrderUseCases"]

# Compliance is approved by our side: never by the customer or a carrier.
_APPROVER_ROLES = frozenset({Role.ACCOUNT_MANAGER, Role.STAFF, Role.SYSTEM})


class OrderUseCases(UseCaseBase):
    """The order lifecycle use cases.

    Args:
        config: reads ``order_ids`` (as ``_order_ids``) and ``cancel_roles``,
            besides what :class:`UseCaseBase` keeps.
        ports: storage and clock.
        documents: gives a new order's items their document requirements
            (:meth:`DocumentUseCases.apply_requirements`).
    """

    def __init__(
        self, config: ServiceConfig, ports: ServicePorts, *, documents: DocumentUseCases
    ) -> None:
        super().__init__(config, ports)
        self._order_ids: Callable[[], str] = config.order_ids
        self.cancel_roles: frozenset[Role] = config.cancel_roles
        self._documents = documents

    def place_order(
        self,
        account_id: str,
        items: Sequence[NewItem],
        *,
        actor: Actor,
        order_id: str | None = None,
    ) -> Order:
        """Place an order; every item starts in Order Submitted.

        With a ``requirements_policy``, each item then gets its document
        requirements: the Smart Document Matcher reuses the account's approved
        documents, an item still missing some moves to Information Required,
        and one whose documents were all reused moves to Under Review.

        Raises:
            DuplicateNumber: a number appears twice in ``items``, or already has
                an open order (named only if it belongs to the same account).
        """
        self._check_actor(actor)
        account = self._check_id(account_id, "account_id")
        new_id = check_order_id(
            self._order_ids() if order_id is None or order_id == "" else order_id,
            max_length=self.limits.max_id_length,
        )
        if isinstance(items, str | bytes) or not isinstance(items, Sequence):
            raise ValidationError("items must be a sequence of NewItem", field="items")
        if len(items) > self.limits.max_items_per_order:
            raise ValidationError(
                f"an order may have at most {self.limits.max_items_per_order} line items, "
                f"got {len(items)}",
                field="items",
            )
        for index, new in enumerate(items):
            if isinstance(new, NewItem):
                for name in ("item_id", "region", "number"):
                    value = getattr(new, name)
                    if value is not None and len(value) > self.limits.max_id_length:
                        raise ValidationError(
                            f"items[{index}].{name} is longer than "
                            f"{self.limits.max_id_length} characters",
                            field=f"items[{index}].{name}",
                        )

        def use_case(uow: UnitOfWork, now: datetime) -> Order:
            order = Order.place(new_id, account, items, actor=actor, at=now)
            self._documents.apply_requirements(uow, order, now)
            add_aggregate(uow, uow.orders, order)  # a taken order id is refused before any number
            self.claim_numbers(uow, order)
            return order

        return self.run(use_case)

    def get_order(self, order_id: str) -> Order:
        """The stored order; ``OrderNotFound`` if none.

        Read from the storage's read replica when it has one, so it may lag
        a write made a moment ago on the primary (``docs/scaling.md``).
        """
        self._check_id(order_id, "order_id")
        with self.read_unit_of_work() as uow:
            order = load_order(uow, order_id, all_items=True)
            # A whole-order read: every item is read now, at the order's version.
            list(order.items)
            return order

    def fire(
        self,
        order_id: str,
        item_id: str,
        trigger: Trigger | str,
        *,
        actor: Actor,
        note: str | None = None,
        committed_date: date | None = None,
    ) -> Order:
        """Send one event to one line item and save the order."""
        self._check_actor(actor)
        self._check_id(order_id, "order_id")
        self._check_id(item_id, "item_id")
        self._check_note(note)

        def use_case(uow: UnitOfWork, now: datetime) -> Order:
            order = load_order(uow, order_id, item_id)
            if trigger == Trigger.CANCEL:  # one item: the same configured roles
                order.item(item_id)
                order.cancel(
                    actor=actor, at=now, note=note, roles=self.cancel_roles, item_ids=[item_id]
                )
            else:
                order.fire(
                    item_id, trigger, actor=actor, at=now, note=note, committed_date=committed_date
                )
            self.save_order(uow, order)
            return order

        return self.run(use_case)

    def cancel_order(self, order_id: str, *, actor: Actor, note: str | None = None) -> Order:
        """Cancel every open item of an order.  Only the ``cancel_roles`` may
        cancel (account managers by default): anyone else gets
        ``PermissionDenied`` telling them to contact their account manager."""
        self._check_actor(actor)
        self._check_id(order_id, "order_id")
        self._check_note(note)

        def use_case(uow: UnitOfWork, now: datetime) -> Order:
            order = load_order(uow, order_id, all_items=True)
            order.cancel(actor=actor, at=now, note=note, roles=self.cancel_roles)
            self.save_order(uow, order)
            return order

        return self.run(use_case)

    def record_regulatory_approval(
        self, order_id: str, item_id: str, *, actor: Actor, note: str | None = None
    ) -> Order:
        """Record that local compliance approved a TrueLocal number: its lock lifts.

        Only items the requirements policy locked (``needs_regulatory_approval``)
        take an approval.  The item keeps who approved, when and the note, and
        ``RegulatoryApprovalRecorded`` goes to the outbox.  The item's status
        does not change: a Completed number turns live on Active Numbers.

        Raises:
            PermissionDenied: customers and carriers cannot approve compliance.
            ValidationError: the item's number needs no approval, or has it already.
            OrderNotFound, ItemNotFound: no such order or item.
        """
        if not isinstance(actor, Actor) or actor.role not in _APPROVER_ROLES:
            role = getattr(getattr(actor, "role", None), "value", str(actor))
            raise PermissionDenied(
                f"role {role!r} may not record regulatory approval",
                role=role,
                action="record_regulatory_approval",
            )
        self._check_actor(actor)
        self._check_id(order_id, "order_id")
        self._check_id(item_id, "item_id")
        self._check_note(note)

        def use_case(uow: UnitOfWork, now: datetime) -> Order:
            order = load_order(uow, order_id, item_id)
            record_regulatory_approval(order, item_id, actor=actor, at=now, note=note)
            self.save_order(uow, order)
            return order

        return self.run(use_case)
