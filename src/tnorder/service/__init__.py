"""Use cases: the front door a host application calls.

Each use case reads the clock once, opens one unit of work, loads what it
needs, applies domain rules, saves, and writes the recorded domain events to
the outbox in the same transaction.  ``relay_events`` later delivers the
outbox to the notifier (at least once, in order per stream).

A use case that loses an optimistic-concurrency race is run again from a
fresh load, up to ``max_attempts`` times: that is safe because each use case
is a function of what it loads and its arguments, and a rerun re-checks every
rule against the newer state.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime

from .._telemetry import instrument_service
from ..domain.calendar import BusinessCalendar
from ..domain.carrier import ProvisioningConfig
from ..domain.delivery import DEFAULT_ESTIMATES, DeliveryEstimates
from ..domain.documents import (
    DEFAULT_MAX_UPLOAD_BYTES,
    NO_REQUIREMENTS,
    RequirementsPolicy,
)
from ..domain.events import Actor
from ..domain.inputs import DEFAULT_INPUT_LIMITS, InputLimits, check_order_id
from ..domain.machine import Trigger
from ..domain.order import NewItem, Order, record_regulatory_approval
from ..domain.statuses import Role
from ..domain.visibility import VisibilityPolicy
from ..errors import PermissionDenied, ValidationError
from ..ports import Carrier, Clock, DocumentStorage, Notifier, Storage, UnitOfWork
from ..relay import (
    ParkedEvent,
    drop_parked_events,
    parked_events,
    relay_outbox,
    retry_parked_events,
)
from .base import add_aggregate
from .carriers import CarrierUseCases
from .documents import DocumentUseCases
from .inventory import InventoryUseCases
from .views import ViewUseCases

__all__ = ["OrderService"]

# Compliance is approved by our side: never by the customer or a carrier.
_APPROVER_ROLES = frozenset({Role.ACCOUNT_MANAGER, Role.STAFF, Role.SYSTEM})


def _cancel_roles(roles: Collection[Role]) -> frozenset[Role]:
    if isinstance(roles, str) or not isinstance(roles, Collection):
        raise ValidationError("cancel_roles must be a collection of Role", field="cancel_roles")
    try:
        chosen = frozenset(Role(r) for r in roles)
    except ValueError:
        raise ValidationError(
            f"cancel_roles must be Role members, got {sorted(map(str, roles))}",
            field="cancel_roles",
        ) from None
    if not chosen:
        raise ValidationError("cancel_roles must name at least one role", field="cancel_roles")
    if Role.CUSTOMER in chosen:
        # The guide: cancellations cannot be made in the portal.
        raise ValidationError("customers cannot be allowed to cancel", field="cancel_roles")
    return chosen


def _default_order_id() -> str:
    return "ORD-" + uuid.uuid4().hex[:10].upper()


class OrderService(ViewUseCases, DocumentUseCases, CarrierUseCases, InventoryUseCases):
    """The application service.

    Args:
        storage: the database (``tnorder.adapters.sqlite.SqliteStorage``, ...).
        clock: the only source of ``now``.
        notifier: receives events from :meth:`relay_events`.
        max_attempts: how often a use case runs before a ``ConcurrencyConflict`` escapes.
        order_ids: makes new order numbers (default ``ORD-`` + 10 hex digits).
        carriers: the carrier adapters by carrier id (``tnorder.ports.Carrier``).
        provisioning: the tenant's provisioning module, carriers, carrier accounts
            and inventory types; ordering is refused while it is disabled (the default).
        carrier_request_ids: makes carrier request ids (idempotency keys sent to carriers).
        document_storage: where uploaded document bytes go (``DocumentStorage``).
        requirements_policy: which documents each line item needs; the default asks
            for none (pass ``tnorder.DEFAULT_REQUIREMENTS_POLICY`` or your own).
        max_upload_bytes: the largest document accepted.
        document_validity_days: how long an approved document stays valid when the
            reviewer gives no date.
        document_ids: makes document ids.
        view_policy: Orders tab / Order History rules (``tnorder.VisibilityPolicy``).
        calendar: business days for delivery estimates (``tnorder.BusinessCalendar``).
        delivery_estimates: business-day ranges per order kind and status.
        limits: size limits checked before anything is written (ids, notes,
            items per order, file names); ``tnorder.InputLimits``.
        cancel_roles: who may cancel (default: account managers only, as the
            portal guide says).  Add ``Role.STAFF`` to let support agents cancel
            too; customers never can (the portal does not cancel).

    The use cases are grouped by area in private mixins (orders and events here;
    views, documents and carrier workflows in the ``tnorder.service`` submodules).
    """

    def __init__(
        self,
        storage: Storage,
        *,
        clock: Clock,
        notifier: Notifier | None = None,
        max_attempts: int = 5,
        order_ids: Callable[[], str] = _default_order_id,
        carriers: Mapping[str, Carrier] | None = None,
        provisioning: ProvisioningConfig | None = None,
        carrier_request_ids: Callable[[], str] | None = None,
        document_storage: DocumentStorage | None = None,
        requirements_policy: RequirementsPolicy | None = None,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        document_validity_days: int = 365,
        document_ids: Callable[[], str] | None = None,
        view_policy: VisibilityPolicy | None = None,
        calendar: BusinessCalendar | None = None,
        delivery_estimates: DeliveryEstimates | None = None,
        limits: InputLimits | None = None,
        cancel_roles: Collection[Role] = (Role.ACCOUNT_MANAGER,),
    ) -> None:
        if limits is not None and not isinstance(limits, InputLimits):
            raise ValidationError("limits must be an InputLimits", field="limits")
        self.limits = limits if limits is not None else DEFAULT_INPUT_LIMITS
        if type(max_attempts) is not int or max_attempts < 1:
            raise ValidationError("max_attempts must be at least 1", field="max_attempts")
        self.storage = storage
        self.clock = clock
        self.notifier = notifier
        self.max_attempts = max_attempts
        self._order_ids = order_ids
        self.carriers: dict[str, Carrier] = dict(carriers or {})
        self.provisioning = (
            provisioning if provisioning is not None else ProvisioningConfig(enabled=False)
        )
        self._carrier_request_ids = (
            carrier_request_ids if carrier_request_ids is not None else self._new_carrier_request_id
        )
        if isinstance(max_upload_bytes, bool) or max_upload_bytes < 1:
            raise ValidationError("max_upload_bytes must be positive", field="max_upload_bytes")
        if isinstance(document_validity_days, bool) or document_validity_days < 1:
            raise ValidationError(
                "document_validity_days must be at least 1", field="document_validity_days"
            )
        self.document_storage = document_storage
        self.requirements_policy: RequirementsPolicy = (
            requirements_policy if requirements_policy is not None else NO_REQUIREMENTS
        )
        self.max_upload_bytes = max_upload_bytes
        self.document_validity_days = document_validity_days
        self._document_ids = document_ids if document_ids is not None else self._new_document_id
        self.view_policy = view_policy if view_policy is not None else VisibilityPolicy()
        self.calendar = calendar if calendar is not None else BusinessCalendar()
        self.delivery_estimates = (
            delivery_estimates if delivery_estimates is not None else DEFAULT_ESTIMATES
        )
        self.cancel_roles = _cancel_roles(cancel_roles)

    # -- orders ---------------------------------------------------------------

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
            self._apply_requirements(uow, order, now)
            add_aggregate(uow, uow.orders, order)  # a taken order id is refused before any number
            self.claim_numbers(uow, order)
            return order

        return self.run(use_case)

    def get_order(self, order_id: str) -> Order:
        """The stored order; ``OrderNotFound`` if none."""
        self._check_id(order_id, "order_id")
        with self.storage.unit_of_work() as uow:
            return uow.orders.get(order_id)

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
            order = uow.orders.get(order_id)
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
            order = uow.orders.get(order_id)
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
        if note is not None and not isinstance(note, str):
            raise ValidationError("note must be a string", field="note")

        def use_case(uow: UnitOfWork, now: datetime) -> Order:
            order = uow.orders.get(order_id)
            record_regulatory_approval(order, item_id, actor=actor, at=now, note=note)
            self.save_order(uow, order)
            return order

        return self.run(use_case)

    # -- events ---------------------------------------------------------------

    def relay_events(self, limit: int = 100) -> int:
        """Deliver up to ``limit`` outbox events to the notifier; return how many.

        See :func:`tnorder.relay.relay_outbox`: at least once, in order per
        stream; a failing event holds back only its own stream and ends in
        ``NotificationError`` after the others were delivered.
        """
        if self.notifier is None:
            raise ValidationError("relay_events needs a notifier", field="notifier")
        if type(limit) is not int:
            raise ValidationError(
                f"limit must be an integer, got {type(limit).__name__}", field="limit"
            )
        return relay_outbox(self.storage, self.notifier, limit=limit, clock=self.clock)

    def parked_events(self) -> list[ParkedEvent]:
        """Outbox records parked because they could not be decoded (oldest first).

        Each holds back its own stream only; see :mod:`tnorder.relay`.
        """
        return parked_events(self.storage)

    def retry_parked_events(self, positions: Sequence[int]) -> int:
        """Put parked records back in line after fixing the cause; return how many."""
        return retry_parked_events(self.storage, positions)

    def drop_parked_events(self, positions: Sequence[int]) -> int:
        """Delete parked records for good, releasing their streams; return how many."""
        return drop_parked_events(self.storage, positions)


# With the ``otel`` extra installed, each public use case runs in a span.
instrument_service(OrderService)
