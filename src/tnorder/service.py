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

import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TypeVar

import attrs

from .domain.calendar import BusinessCalendar
from .domain.carrier import (
    AppliedUpdate,
    AvailableNumber,
    CarrierAccount,
    CarrierCapabilities,
    CarrierRequest,
    CarrierStep,
    CarrierSubmission,
    CarrierUpdate,
    Destination,
    NumberState,
    PortDetails,
    ProvisioningConfig,
    ReleaseSummary,
    RequestedNumber,
    RequestStatus,
    SetupMethod,
    StatusMapping,
)
from .domain.carrier_status import SIDE_TRIGGERS, number_steps, plan_item, plan_number
from .domain.delivery import DEFAULT_ESTIMATES, DeliveryEstimates
from .domain.documents import (
    DEFAULT_MAX_UPLOAD_BYTES,
    NO_REQUIREMENTS,
    Document,
    DocumentStatus,
    ExpiryReport,
    RequirementsPolicy,
    RequirementState,
    assign_requirements,
    check_reviewer,
    check_uploader,
    default_valid_until,
    expiry_report,
    find_upload_target,
    is_expired,
    normalize_region,
    record_approval,
    record_rejection,
    record_upload,
    requirement_kind,
    reuse_for_order,
    uploaded_document_ids,
    validate_upload,
)
from .domain.events import (
    Actor,
    CarrierOrderPlaced,
    CarrierUpdateApplied,
    DisconnectRequested,
    NumberAddedToInventory,
    NumberAssigned,
    NumberDisconnected,
    NumbersReleased,
    NumbersReserved,
    PortInSubmitted,
)
from .domain.inventory import InventoryNumber, InventoryStatus
from .domain.lookup import LookupCriteria, is_toll_free
from .domain.machine import Trigger, resolve
from .domain.order import NewItem, Order, check_permission
from .domain.phone import normalize_number
from .domain.statuses import NumberType, OrderKind, Role
from .domain.visibility import (
    ActiveNumber,
    NumberAction,
    OrderSummary,
    VisibilityPolicy,
    active_numbers_view,
    check_action,
    order_history_view,
    orders_tab_view,
    parse_number_action,
)
from .errors import (
    CarrierError,
    CarrierNotConfigured,
    CarrierProtocolError,
    ConcurrencyConflict,
    ConfigurationError,
    DocumentNotFound,
    InvalidTransition,
    NotFound,
    NumberNotFound,
    RequestNotFound,
    ReservationExpired,
    StorageError,
    ValidationError,
)
from .ports import Carrier, Clock, DocumentStorage, Notifier, Storage, UnitOfWork
from .relay import relay_outbox

__all__ = ["OrderService"]

T = TypeVar("T")


def _default_order_id() -> str:
    return "ORD-" + uuid.uuid4().hex[:10].upper()


class OrderService:
    """The application service.

    Args:
        storage: the database (``tnorder.adapters.sqlite.SqliteStorage``, ...).
        clock: the only source of ``now``.
        notifier: receives events from :meth:`relay_events`.
        max_attempts: how often a use case runs before a ``ConcurrencyConflict`` escapes.
        order_ids: makes new order numbers (default ``ORD-`` + 10 hex digits).
    """

    def __init__(
        self,
        storage: Storage,
        *,
        clock: Clock,
        notifier: Notifier | None = None,
        max_attempts: int = 5,
        order_ids: Callable[[], str] = _default_order_id,
        # -- constructor extensions: keyword-only parameters added by each area --
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
    ) -> None:
        if max_attempts < 1:
            raise ValidationError("max_attempts must be at least 1", field="max_attempts")
        self.storage = storage
        self.clock = clock
        self.notifier = notifier
        self.max_attempts = max_attempts
        self._order_ids = order_ids
        # -- constructor extensions: attribute assignments --
        self.carriers: dict[str, Carrier] = dict(carriers or {})
        self.provisioning = (
            provisioning if provisioning is not None else ProvisioningConfig(enabled=False)
        )
        self._carrier_request_ids = (
            carrier_request_ids
            if carrier_request_ids is not None
            else self._new_carrier_request_id
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
        self._document_ids = (
            document_ids if document_ids is not None else self._new_document_id
        )
        self.view_policy = view_policy if view_policy is not None else VisibilityPolicy()
        self.calendar = calendar if calendar is not None else BusinessCalendar()
        self.delivery_estimates = (
            delivery_estimates if delivery_estimates is not None else DEFAULT_ESTIMATES
        )

    # -- the runner -----------------------------------------------------------

    def run(self, use_case: Callable[[UnitOfWork, datetime], T]) -> T:
        """Run ``use_case(uow, now)`` in one unit of work, retrying on conflicts.

        The use case must only change state through ``uow`` (it may be run
        again from scratch).  ``now`` is read once per attempt.  Its staged
        writes and events are committed together after it returns; if another
        writer saved the same record first (``ConcurrencyConflict``), the use
        case runs again from a fresh load after a short random pause, at most
        ``max_attempts`` times in all.  Any other error propagates at once and
        nothing is written.
        """
        for attempt in range(1, self.max_attempts + 1):
            now = self.clock.now()
            try:
                with self.storage.unit_of_work() as uow:
                    result = use_case(uow, now)
                    uow.commit()
                return result
            except ConcurrencyConflict:
                if attempt == self.max_attempts:
                    raise
            # Jittered backoff, so writers that collided do not collide again in step.
            time.sleep(random.uniform(0, min(0.05, 0.002 * 2**attempt)))
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def save_order(uow: UnitOfWork, order: Order) -> None:
        """Save ``order`` and put its recorded events in the outbox."""
        uow.orders.save(order)
        uow.add_events(order.pull_events())

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
        """
        new_id = order_id or self._order_ids()

        def use_case(uow: UnitOfWork, now: datetime) -> Order:
            order = Order.place(new_id, account_id, items, actor=actor, at=now)
            self._apply_requirements(uow, order, now)
            events = order.pull_events()
            uow.orders.add(order)
            uow.add_events(events)
            return order

        return self.run(use_case)

    def get_order(self, order_id: str) -> Order:
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

        def use_case(uow: UnitOfWork, now: datetime) -> Order:
            order = uow.orders.get(order_id)
            order.fire(
                item_id, trigger, actor=actor, at=now, note=note, committed_date=committed_date
            )
            self.save_order(uow, order)
            return order

        return self.run(use_case)

    def cancel_order(self, order_id: str, *, actor: Actor, note: str | None = None) -> Order:
        """Cancel every open item of an order.  Only account managers may cancel:
        anyone else gets ``PermissionDenied`` telling them to contact theirs."""

        def use_case(uow: UnitOfWork, now: datetime) -> Order:
            order = uow.orders.get(order_id)
            order.cancel(actor=actor, at=now, note=note)
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
        return relay_outbox(self.storage, self.notifier, limit=limit)

    # -- views: Orders tab, Order History, Active Numbers (issue 3) --------------

    @staticmethod
    def _check_account_id(account_id: str) -> None:
        if not isinstance(account_id, str) or not account_id:
            raise ValidationError(
                f"account_id must be a non-empty string, got {account_id!r}", field="account_id"
            )

    def orders_tab(self, account_id: str) -> list[OrderSummary]:
        """The account's Orders tab now: open orders and those still in their grace period.

        Orders come oldest first, each with its line items (status label,
        intent, delivery column and window, latest note).  Only orders that are
        open or were finalized within the policy's longest grace period are
        loaded.
        """
        self._check_account_id(account_id)
        now = self.clock.now()
        policy = self.view_policy
        since = now - max(policy.single_item_grace, policy.multi_item_grace)
        with self.storage.unit_of_work() as uow:
            orders = uow.orders.for_account(account_id, finalized_since=since)
        return orders_tab_view(orders, now, policy, self.calendar, self.delivery_estimates)

    def order_history(self, account_id: str) -> list[OrderSummary]:
        """The account's Order History now: finalized orders past their grace period.

        Orders come oldest first, summarized like :meth:`orders_tab`.
        """
        self._check_account_id(account_id)
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            orders = uow.orders.for_account(account_id, finalized_since=None)
        return order_history_view(
            orders, now, self.view_policy, self.calendar, self.delivery_estimates
        )

    def active_numbers(self, account_id: str) -> list[ActiveNumber]:
        """The account's Active Numbers dashboard now, sorted by number.

        Reads every order of the account (a number completed years ago is still
        live) and the inventory numbers assigned to it.
        """
        self._check_account_id(account_id)
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            orders = uow.orders.for_account(account_id, finalized_since=None)
            assigned = uow.inventory.find(account_id=account_id, status=InventoryStatus.ASSIGNED)
        return active_numbers_view(orders, now, self.view_policy, assigned, account_id=account_id)

    def check_number_action(
        self, account_id: str, number: str, action: NumberAction | str
    ) -> ActiveNumber:
        """Return the number's dashboard entry if ``action`` is allowed on it now.

        Raises:
            NumberNotFound: the number is not on the account's Active Numbers.
            ActionRestricted: the number's activation stage refuses the action
                (the message says why).
            ValidationError: unknown action or empty account id.
        """
        act = parse_number_action(action)
        for entry in self.active_numbers(account_id):
            if entry.number == number:
                check_action(entry, act)
                return entry
        raise NumberNotFound(
            number, f"number {number!r} is not on the Active Numbers of account {account_id!r}"
        )

    # -- documents and compliance (issue 4) -----------------------------------

    @staticmethod
    def _new_document_id() -> str:
        """A fresh document id: ``DOC-`` and 12 upper-case hex digits."""
        return "DOC-" + uuid.uuid4().hex[:12].upper()

    def _apply_requirements(self, uow: UnitOfWork, order: Order, now: datetime) -> None:
        """Give a just-placed order's items their requirements; reuse, then ask."""
        library = self._library(uow, order.account_id)
        assign_requirements(order, self.requirements_policy, library, now=now)

    @staticmethod
    def _library(uow: UnitOfWork, account_id: str) -> list[Document]:
        """The account's Approved Document Library (the matcher re-checks expiry)."""
        return uow.documents.find(account_id=account_id, status=DocumentStatus.APPROVED)

    @staticmethod
    def _load_document(
        uow: UnitOfWork, document_id: str, account_id: str | None = None
    ) -> Document:
        """The stored document; ``DocumentNotFound`` if none or owned by another account."""
        try:
            document = uow.documents.get(document_id)
        except NotFound:
            raise DocumentNotFound(document_id) from None
        if account_id is not None and document.account_id != account_id:
            # Same answer as "no such document": another account's ids reveal nothing.
            raise DocumentNotFound(document_id)
        return document

    @staticmethod
    def _hand_off_uploads(
        uow: UnitOfWork, requirements: Sequence[RequirementState], *, skip: str | None = None
    ) -> None:
        """Put an item's uploaded documents that still wait in front of the reviewers."""
        for document_id in uploaded_document_ids(requirements):
            if document_id == skip:
                continue
            document = uow.documents.get(document_id)
            if document.status is DocumentStatus.UPLOADED:
                document.hand_off()
                uow.documents.save(document)

    def upload_document(
        self,
        order_id: str,
        item_id: str,
        kind: str,
        data: bytes,
        *,
        file_name: str,
        actor: Actor,
        content_type: str | None = None,
    ) -> Document:
        """Upload a file against one missing requirement of a line item.

        The file is checked first (:func:`~tnorder.domain.documents.validate_upload`:
        signature bytes, size, file name), then the item (it must be open and
        miss a document of ``kind``); only then are the bytes stored (by their
        SHA-256) and the document recorded.  A refused upload leaves no trace.
        If this was the item's last missing document, the item moves to Under
        Review on its own and its uploaded documents go to the reviewers.

        Raises:
            InvalidDocument: the file was refused (``reason``: ``"empty"``,
                ``"too_large"``, ``"file_name"``, ``"content_type"``).
            ValidationError: the item does not miss a document of ``kind``.
            PermissionDenied: the actor may not upload documents.
            ConfigurationError: the service has no ``document_storage``.
            OrderNotFound, ItemNotFound: no such order or item.
        """
        storage = self.document_storage
        if storage is None:
            raise ConfigurationError("upload_document needs OrderService(document_storage=...)")
        check_uploader(actor)
        wanted = requirement_kind(kind)
        info = validate_upload(
            data, file_name, max_bytes=self.max_upload_bytes, content_type=content_type
        )
        document_id = self._document_ids()

        def use_case(uow: UnitOfWork, now: datetime) -> Document:
            order = uow.orders.get(order_id)
            item = order.item(item_id)
            find_upload_target(order, item_id, wanted)
            # Bytes go in only after every check passed; put() is idempotent, so a
            # rerun after a conflict stores nothing new.
            key = storage.put(data)
            if key != info.sha256:
                raise StorageError(f"document storage returned key {key!r} for {info.sha256!r}")
            document = Document(
                document_id=document_id,
                account_id=order.account_id,
                kind=wanted,
                region=normalize_region(item.region),
                status=DocumentStatus.UPLOADED,
                file=info,
                uploaded_at=now,
                order_id=order_id,
                item_id=item_id,
                uploaded_by=actor,
            )
            if record_upload(order, document, actor=actor, now=now):
                self._hand_off_uploads(uow, item.requirements, skip=document_id)
            uow.documents.add(document)
            self.save_order(uow, order)
            return document

        return self.run(use_case)

    def reuse_approved_documents(self, order_id: str) -> Order:
        """Run the Smart Document Matcher over an order's missing documents.

        Placing an order already does this; call it again when the account's
        library may have grown (e.g. a document approved on another order).
        Items whose documents are then complete move to Under Review.
        """

        def use_case(uow: UnitOfWork, now: datetime) -> Order:
            order = uow.orders.get(order_id)
            completed = reuse_for_order(order, self._library(uow, order.account_id), now=now)
            for item in completed:
                self._hand_off_uploads(uow, item.requirements)
            if order.pending_events:
                self.save_order(uow, order)
            return order

        return self.run(use_case)

    def approve_document(
        self, document_id: str, *, actor: Actor, valid_until: date | None = None
    ) -> Document:
        """Approve a document under review; it joins the account's Approved Document Library.

        ``valid_until`` (the last valid day, UTC) defaults to
        ``document_validity_days`` from today.  The item it was uploaded for
        records the approval (a TrueLocal item whose documents are all approved
        gets ``regulatory_approved_at``), and the matcher then offers the
        document to the order's other items that still miss one like it.

        Raises:
            PermissionDenied: only account managers, staff and the system approve.
            ValidationError: the document is not under review, or ``valid_until`` is past.
            DocumentNotFound: no such document.
        """
        check_reviewer(actor, action="approve_document")

        def use_case(uow: UnitOfWork, now: datetime) -> Document:
            document = self._load_document(uow, document_id)
            until = valid_until
            if until is None:
                until = default_valid_until(now, days=self.document_validity_days)
            document.approve(actor=actor, at=now, valid_until=until)
            uow.documents.save(document)
            if document.order_id is not None:
                order = uow.orders.get(document.order_id)
                record_approval(order, document, actor=actor, now=now)
                library = [
                    d
                    for d in self._library(uow, order.account_id)
                    if d.document_id != document.document_id
                ]
                for item in reuse_for_order(order, [*library, document], now=now):
                    self._hand_off_uploads(uow, item.requirements)
                self.save_order(uow, order)
            return document

        return self.run(use_case)

    def reject_document(
        self,
        document_id: str,
        *,
        actor: Actor,
        note: str,
        order_id: str | None = None,
        item_id: str | None = None,
    ) -> Document:
        """Reject a document with a customer-facing note.

        The item (by default the one the document was uploaded for; name
        another with ``order_id`` and ``item_id``, e.g. when a carrier rejects
        a reused document) loses the document and goes back to the customer:
        Information Required, or Port Rejected for a port-in, with ``note``.
        An approved document leaves the library and is never reused again.

        Raises:
            PermissionDenied: customers cannot reject documents.
            ValidationError: an empty note, a document neither under review nor
                approved, or an item that does not use the document.
            DocumentNotFound: no such document (or it belongs to another account
                than the named order).
        """
        check_reviewer(actor, action="reject_document")
        if not isinstance(note, str) or not note.strip():
            raise ValidationError(
                "a rejection needs a note telling the customer what to correct", field="note"
            )
        if (order_id is None) != (item_id is None):
            raise ValidationError("name both order_id and item_id, or neither", field="item_id")
        customer_note = note.strip()

        def use_case(uow: UnitOfWork, now: datetime) -> Document:
            document = self._load_document(uow, document_id)
            target_order = order_id or document.order_id
            target_item = item_id or document.item_id
            document.reject(actor=actor, at=now, note=customer_note)
            uow.documents.save(document)
            if target_order is not None and target_item is not None:
                order = uow.orders.get(target_order)
                if order.account_id != document.account_id:
                    raise DocumentNotFound(document_id)
                record_rejection(
                    order, target_item, document, actor=actor, now=now, note=customer_note
                )
                self.save_order(uow, order)
            return document

        return self.run(use_case)

    def get_document(self, document_id: str, *, account_id: str) -> Document:
        """One of ``account_id``'s documents; ``DocumentNotFound`` for anyone else's."""
        with self.storage.unit_of_work() as uow:
            return self._load_document(uow, document_id, account_id)

    def list_documents(
        self, account_id: str, *, status: DocumentStatus | None = None
    ) -> list[Document]:
        """``account_id``'s documents (only the library with ``status=APPROVED``), by id."""
        if not isinstance(account_id, str) or not account_id:
            raise ValidationError("account_id must not be empty", field="account_id")
        with self.storage.unit_of_work() as uow:
            if status is None:
                found = uow.documents.find(account_id=account_id)
            else:
                found = uow.documents.find(account_id=account_id, status=DocumentStatus(status))
        return [d for d in found if d.account_id == account_id]

    def document_content(self, document_id: str, *, account_id: str) -> bytes:
        """The bytes of one of ``account_id``'s documents."""
        if self.document_storage is None:
            raise ConfigurationError("document_content needs OrderService(document_storage=...)")
        document = self.get_document(document_id, account_id=account_id)
        return self.document_storage.get(document.file.sha256)

    def document_expiry_report(
        self, *, within_days: int = 30, account_id: str | None = None
    ) -> ExpiryReport:
        """Approved documents already expired or expiring within ``within_days``, as of now.

        Hosts run this to ask customers for new documents before reuse stops.
        """
        now = self.clock.now()
        with self.storage.unit_of_work() as uow:
            if account_id is None:
                approved = uow.documents.find(status=DocumentStatus.APPROVED)
            else:
                approved = self._library(uow, account_id)
        return expiry_report(approved, now=now, within_days=within_days)

    def expire_documents(self, *, account_id: str | None = None) -> list[Document]:
        """Mark approved documents past ``valid_until`` as expired; publish ``DocumentExpired``.

        Returns:
            The documents that were marked, by id.
        """

        def use_case(uow: UnitOfWork, now: datetime) -> list[Document]:
            if account_id is None:
                approved = uow.documents.find(status=DocumentStatus.APPROVED)
            else:
                approved = self._library(uow, account_id)
            expired = [d for d in approved if is_expired(d, now)]
            for document in expired:
                event = document.expire(at=now)
                uow.documents.save(document)
                uow.add_events([event])
            return expired

        return self.run(use_case)

    # -- carrier ordering workflows (issue 5) ---------------------------------

    # Carrier calls never run inside ``run``: a unit of work may be run again
    # after a conflict, and a carrier order must not be placed twice.  Each
    # workflow records what it is about to do (a SUBMITTING request), calls the
    # carrier, then records the answer, so a crash leaves a visible trace.

    _CARRIER_SYNC = Actor(Role.SYSTEM, "carrier-sync")

    @staticmethod
    def _new_carrier_request_id() -> str:
        return "CR-" + uuid.uuid4().hex[:10].upper()

    def _carrier(self, carrier_id: str) -> Carrier:
        """The adapter of a configured carrier.

        Raises:
            ProvisioningDisabled: the provisioning module is off for the tenant.
            CarrierNotConfigured: unknown carrier, or no adapter for it.
        """
        self.provisioning.carrier(carrier_id)
        adapter = self.carriers.get(carrier_id)
        if adapter is None:
            raise CarrierNotConfigured(
                f"carrier {carrier_id!r} is configured but the service has no adapter for it"
            )
        return adapter

    @staticmethod
    def _check_orderer(actor: Actor) -> None:
        # Carrier orders are placed by the roles that may submit items to a
        # carrier (staff, account managers, the system), never by customers.
        check_permission(actor, Trigger.SUBMIT_TO_CARRIER)

    def _destination(self, carrier_id: str, destination: Destination) -> Destination:
        if not isinstance(destination, Destination):
            raise ValidationError(
                "destination must be Destination.to_inventory(...) or Destination.to_account(...)",
                field="destination",
            )
        kind = self.provisioning.inventory_type(carrier_id, destination.inventory_type)
        return attrs.evolve(destination, inventory_type=kind.inventory_type_id)

    @staticmethod
    def _number_list(numbers: Sequence[str]) -> tuple[str, ...]:
        if isinstance(numbers, str):
            raise ValidationError("give a list of numbers, not a single string", field="numbers")
        chosen = tuple(normalize_number(n) for n in numbers)
        if not chosen:
            raise ValidationError("choose at least one number", field="numbers")
        if len(set(chosen)) != len(chosen):
            raise ValidationError("a number is listed twice", field="numbers")
        return chosen

    @staticmethod
    def _search(
        adapter: Carrier,
        account: CarrierAccount,
        criteria: LookupCriteria,
        carrier_id: str,
        now: datetime,
    ) -> list[AvailableNumber]:
        found: dict[str, AvailableNumber] = {}
        for entry in adapter.search(account, criteria, now=now):
            found.setdefault(entry.number, entry)
        if not found:
            raise NumberNotFound(
                criteria.describe(),
                f"carrier {carrier_id!r} has no numbers available for {criteria.describe()}",
            )
        return list(found.values())[: criteria.quantity]

    @staticmethod
    def _request_by_ref(uow: UnitOfWork, carrier_id: str, carrier_ref: str) -> CarrierRequest:
        # Callbacks name the carrier's reference only; it is an indexed field.
        for request in uow.carrier_requests.find(carrier_id=carrier_id, carrier_ref=carrier_ref):
            return request
        raise RequestNotFound(
            carrier_ref, f"no carrier request for {carrier_id!r} order {carrier_ref!r}"
        )

    def carrier_capabilities(self, carrier_id: str) -> CarrierCapabilities:
        """What a configured carrier can do (realtime or request-and-wait, disconnects...)."""
        return self._carrier(carrier_id).capabilities

    def get_carrier_request(self, request_id: str) -> CarrierRequest:
        """A carrier request by id; ``RequestNotFound`` if none."""
        with self.storage.unit_of_work() as uow:
            return uow.carrier_requests.get(request_id)

    def list_carrier_requests(
        self, carrier_id: str, *, status: RequestStatus | None = None
    ) -> list[CarrierRequest]:
        """A carrier's requests, oldest first, optionally with one status
        (``PENDING`` for those in progress, ``COMPLETED`` for finished ones)."""
        with self.storage.unit_of_work() as uow:
            if status is None:
                found = uow.carrier_requests.find(carrier_id=carrier_id)
            else:
                found = uow.carrier_requests.find(carrier_id=carrier_id, status=status)
        return sorted(found, key=lambda r: (r.created_at, r.request_id))

    # Lookup and Select ---------------------------------------------------

    def lookup_numbers(
        self,
        carrier_id: str,
        criteria: LookupCriteria,
        *,
        destination: Destination,
        actor: Actor,
        carrier_account_id: str | None = None,
        request_id: str | None = None,
    ) -> CarrierRequest:
        """Lookup and Select, step 1: search, hold what was found, and keep the hold.

        The returned request is ``RESERVED``; its ``OFFERED`` numbers are held
        at the carrier until ``expires_at``.  Follow with :meth:`select_numbers`
        or :meth:`abandon_lookup`; :meth:`release_expired_reservations` gives
        back holds nobody finished.

        Raises:
            PermissionDenied: a customer tried to order from a carrier.
            ProvisioningDisabled, CarrierNotConfigured: the setup does not allow it.
            CapabilityNotSupported: the carrier cannot search by this criterion.
            InvalidLookup: the quantity is above the carrier's limit.
            NumberNotFound: nothing available (or nothing could be held).
            CarrierError: the carrier failed; nothing is held.
        """
        self._check_orderer(actor)
        adapter = self._carrier(carrier_id)
        account = self.provisioning.account(carrier_id, carrier_account_id)
        target = self._destination(carrier_id, destination)
        adapter.capabilities.check_lookup(criteria, carrier_id=carrier_id)
        now = self.clock.now()
        found = self._search(adapter, account, criteria, carrier_id, now)
        holds = adapter.reserve(account, [f.number for f in found], now=now)
        by_number = {h.number: h for h in holds}
        offered = [f for f in found if f.number in by_number]
        if len(offered) != len(holds) or not offered:
            self._release_quietly(adapter, account, [h.reservation_id for h in holds])
            if offered:
                raise CarrierProtocolError(
                    "the carrier held numbers that were not asked for", carrier_id=carrier_id
                )
            raise NumberNotFound(
                criteria.describe(),
                f"carrier {carrier_id!r} could not hold any number for {criteria.describe()}",
            )
        new_id = request_id or self._carrier_request_ids()
        expires = min(h.expires_at for h in holds)

        def use_case(uow: UnitOfWork, now: datetime) -> CarrierRequest:
            request = CarrierRequest(
                new_id,
                carrier_id,
                RequestStatus.RESERVED,
                now,
                kind=OrderKind.NEW_NUMBER,
                method=SetupMethod.LOOKUP_AND_SELECT,
                carrier_account_id=account.account_id,
                destination=target,
                criteria=criteria,
                numbers=[
                    RequestedNumber(
                        f.number,
                        NumberState.OFFERED,
                        reservation_id=by_number[f.number].reservation_id,
                        details=f.details,
                    )
                    for f in offered
                ],
                expires_at=expires,
                updated_at=now,
            )
            request.record(
                NumbersReserved,
                now,
                carrier_id=carrier_id,
                numbers=tuple(f.number for f in offered),
                expires_at=expires,
                actor=actor,
            )
            uow.carrier_requests.add(request)
            uow.add_events(request.pull_events())
            return request

        try:
            return self.run(use_case)
        except BaseException:
            # Nothing recorded the holds, so nothing else could ever release them.
            self._release_quietly(adapter, account, [h.reservation_id for h in holds])
            raise

    def select_numbers(
        self, request_id: str, numbers: Sequence[str], *, actor: Actor
    ) -> CarrierRequest:
        """Lookup and Select, step 2: order the chosen numbers, release every other one.

        The chosen numbers are ordered with their holds; every unselected
        number goes back to the carrier.  If the carrier refuses the order,
        every hold is released, the request becomes ``FAILED`` and the
        ``CarrierError`` is raised.

        Raises:
            ValidationError: nothing chosen, a number not offered by this
                request, or the request is not waiting for a selection
                (nothing changes).
            ReservationExpired: the hold expired; every hold was released.
            CarrierError: the carrier refused or failed the order.
        """
        self._check_orderer(actor)
        chosen = self._number_list(numbers)
        known = self.get_carrier_request(request_id)
        adapter = self._carrier(known.carrier_id)
        account = self.provisioning.account(known.carrier_id, known.carrier_account_id)

        def claim(uow: UnitOfWork, now: datetime) -> tuple[CarrierRequest, bool]:
            request = uow.carrier_requests.get(request_id)
            if (
                request.status is not RequestStatus.RESERVED
                or request.method is not SetupMethod.LOOKUP_AND_SELECT
            ):
                raise ValidationError(
                    f"carrier request {request_id!r} is {request.status.value}, "
                    "not waiting for a selection",
                    field="request_id",
                )
            for number in chosen:
                if request.number(number).state is not NumberState.OFFERED:
                    raise ValidationError(
                        f"number {number!r} was not offered by request {request_id!r}",
                        field="numbers",
                    )
            expired = request.expires_at is not None and request.expires_at <= now
            request.status = RequestStatus.EXPIRED if expired else RequestStatus.SUBMITTING
            request.reason = "the hold expired before a selection" if expired else None
            for entry in request.numbers:
                chosen_now = entry.number in chosen and not expired
                entry.state = NumberState.PENDING if chosen_now else NumberState.RELEASED
            request.updated_at = now
            uow.carrier_requests.save(request)
            return request, not expired

        request, claimed = self.run(claim)
        if not claimed:
            self._give_back(request_id, reason="expired")
            expired_at = request.expires_at
            raise ReservationExpired(
                f"the numbers held by carrier request {request_id!r} expired at "
                f"{expired_at.isoformat() if expired_at else '?'}; every hold was released, "
                "look the numbers up again",
                request_id=request_id,
                expired_at=expired_at,
            )
        holds = [e.reservation_id for e in request.numbers_in(NumberState.PENDING)]
        submission = CarrierSubmission(
            OrderKind.NEW_NUMBER,
            request_id,
            chosen,
            reservation_ids=tuple(h for h in holds if h is not None),
        )
        self._send(adapter, account, request_id, submission, actor=actor)
        self._give_back(request_id, reason="unselected")
        return self.get_carrier_request(request_id)

    def abandon_lookup(self, request_id: str, *, actor: Actor) -> CarrierRequest:
        """End a Lookup and Select without ordering: every held number goes back.

        If the carrier cannot be reached, the request is still ``RELEASED`` and
        :meth:`release_expired_reservations` gives the holds back later.
        """
        self._check_orderer(actor)

        def claim(uow: UnitOfWork, now: datetime) -> None:
            request = uow.carrier_requests.get(request_id)
            if request.status is not RequestStatus.RESERVED:
                raise ValidationError(
                    f"carrier request {request_id!r} is {request.status.value}, not a held lookup",
                    field="request_id",
                )
            request.status = RequestStatus.RELEASED
            request.reason = "abandoned"
            for entry in request.numbers_in(NumberState.OFFERED):
                entry.state = NumberState.RELEASED
            request.updated_at = now
            uow.carrier_requests.save(request)

        self.run(claim)
        self._give_back(request_id, reason="abandoned")
        return self.get_carrier_request(request_id)

    def release_expired_reservations(self) -> ReleaseSummary:
        """Give back every hold that outlived its workflow (a maintenance job).

        Releases the holds of lookups whose hold expired (the request becomes
        ``EXPIRED``), of submissions that never finished before the hold
        expired, and any hold whose earlier release failed.  Run it
        periodically; a failed release is retried on the next run.
        """
        now = self.clock.now()
        waiting = (RequestStatus.RESERVED, RequestStatus.SUBMITTING)
        candidates: list[CarrierRequest] = []
        with self.storage.unit_of_work() as uow:
            for status in RequestStatus:
                for request in uow.carrier_requests.find(status=status):
                    if not request.held:
                        continue
                    if status in waiting and (
                        request.expires_at is None or request.expires_at > now
                    ):
                        continue
                    candidates.append(request)
        released: list[str] = []
        retry: list[str] = []
        for request in sorted(candidates, key=lambda r: r.request_id):
            if request.status is RequestStatus.RESERVED:
                self.run(self._expire_hold(request.request_id))
            in_flight = request.status is RequestStatus.SUBMITTING
            reason = "expired" if request.status in waiting else "cleanup"
            ok = self._give_back(request.request_id, reason=reason, in_flight=in_flight)
            (released if ok else retry).append(request.request_id)
        return ReleaseSummary(tuple(released), tuple(retry))

    @staticmethod
    def _expire_hold(request_id: str) -> Callable[[UnitOfWork, datetime], None]:
        def use_case(uow: UnitOfWork, now: datetime) -> None:
            request = uow.carrier_requests.get(request_id)
            if request.status is not RequestStatus.RESERVED or (
                request.expires_at is not None and request.expires_at > now
            ):
                return
            request.status = RequestStatus.EXPIRED
            request.reason = "the hold expired before a selection"
            for entry in request.numbers_in(NumberState.OFFERED):
                entry.state = NumberState.RELEASED
            request.updated_at = now
            uow.carrier_requests.save(request)

        return use_case

    @staticmethod
    def _release_quietly(adapter: Carrier, account: CarrierAccount, ids: Sequence[str]) -> bool:
        if not ids:
            return True
        try:
            adapter.release(account, list(ids))
        except CarrierError:
            return False
        return True

    def _give_back(self, request_id: str, *, reason: str, in_flight: bool = False) -> bool:
        """Release the request's holds that no order will consume, then record it.

        With ``in_flight`` the holds of numbers being ordered are released too
        (a submission that never finished).  Returns False when the carrier
        could not be reached; the holds stay recorded for the next sweep.
        """
        request = self.get_carrier_request(request_id)
        states = {NumberState.OFFERED, NumberState.RELEASED, NumberState.FAILED}
        if in_flight:
            states.add(NumberState.PENDING)
        ids = {e.reservation_id for e in request.held if e.state in states}
        if not ids:
            return True
        adapter = self.carriers.get(request.carrier_id)
        if adapter is None:
            return False
        try:
            account = self.provisioning.account(request.carrier_id, request.carrier_account_id)
        except ConfigurationError:
            return False
        if not self._release_quietly(adapter, account, sorted(i for i in ids if i is not None)):
            return False

        def use_case(uow: UnitOfWork, now: datetime) -> None:
            current = uow.carrier_requests.get(request_id)
            done: list[str] = []
            for entry in current.numbers:
                if entry.reservation_id is not None and entry.reservation_id in ids:
                    entry.reservation_id = None
                    if entry.state is NumberState.OFFERED:
                        entry.state = NumberState.RELEASED
                    done.append(entry.number)
            if not done:
                return
            current.record(
                NumbersReleased,
                now,
                carrier_id=current.carrier_id,
                numbers=tuple(done),
                reason=reason,
            )
            current.updated_at = now
            uow.carrier_requests.save(current)
            uow.add_events(current.pull_events())

        self.run(use_case)
        return True

    # Lookup and Order, Select and Disconnect, port-ins ----------------------

    def lookup_and_order(
        self,
        carrier_id: str,
        criteria: LookupCriteria,
        *,
        destination: Destination,
        actor: Actor,
        carrier_account_id: str | None = None,
        request_id: str | None = None,
    ) -> CarrierRequest:
        """Lookup and Order: search and order every number found, in one step.

        Raises the same errors as :meth:`lookup_numbers`, plus ``CarrierError``
        when the carrier refuses the order (the request is kept as ``FAILED``).
        """
        self._check_orderer(actor)
        adapter = self._carrier(carrier_id)
        account = self.provisioning.account(carrier_id, carrier_account_id)
        target = self._destination(carrier_id, destination)
        adapter.capabilities.check_lookup(criteria, carrier_id=carrier_id)
        found = self._search(adapter, account, criteria, carrier_id, self.clock.now())
        new_id = request_id or self._carrier_request_ids()

        def create(uow: UnitOfWork, now: datetime) -> None:
            uow.carrier_requests.add(
                CarrierRequest(
                    new_id,
                    carrier_id,
                    RequestStatus.SUBMITTING,
                    now,
                    kind=OrderKind.NEW_NUMBER,
                    method=SetupMethod.LOOKUP_AND_ORDER,
                    carrier_account_id=account.account_id,
                    destination=target,
                    criteria=criteria,
                    numbers=[
                        RequestedNumber(f.number, NumberState.PENDING, details=f.details)
                        for f in found
                    ],
                    updated_at=now,
                )
            )

        self.run(create)
        submission = CarrierSubmission(
            OrderKind.NEW_NUMBER, new_id, tuple(f.number for f in found)
        )
        return self._send(adapter, account, new_id, submission, actor=actor).request

    def disconnect_numbers(
        self,
        carrier_id: str,
        numbers: Sequence[str],
        *,
        actor: Actor,
        carrier_account_id: str | None = None,
        request_id: str | None = None,
    ) -> CarrierRequest:
        """Select and Disconnect: a disconnect order for numbers in the carrier's inventory.

        Numbers assigned to a customer get a disconnect order on that account
        (so the customer sees it); unassigned numbers are disconnected without
        one.  When the carrier confirms, the numbers become ``DISCONNECTED``.

        Raises:
            CapabilityNotSupported: the carrier does not support disconnects
                (checked before anything else happens).
            NumberNotFound: a number is not in inventory.
            ValidationError: a number of another carrier, already disconnected,
                or numbers of several accounts at once.
            CarrierError: the carrier refused; the request is kept as ``FAILED``.
        """
        self._check_orderer(actor)
        adapter = self._carrier(carrier_id)
        adapter.capabilities.require(OrderKind.DISCONNECT, carrier_id=carrier_id)
        account = self.provisioning.account(carrier_id, carrier_account_id)
        chosen = self._number_list(numbers)
        new_id = request_id or self._carrier_request_ids()

        def create(uow: UnitOfWork, now: datetime) -> str | None:
            owners: set[str | None] = set()
            for number in chosen:
                held = uow.inventory.get(number)
                if held.carrier_id != carrier_id:
                    raise ValidationError(
                        f"number {number!r} is in carrier {held.carrier_id!r}'s inventory, "
                        f"not {carrier_id!r}'s",
                        field="numbers",
                    )
                if held.status is InventoryStatus.DISCONNECTED:
                    raise ValidationError(
                        f"number {number!r} is already disconnected", field="numbers"
                    )
                owners.add(held.account_id if held.status is InventoryStatus.ASSIGNED else None)
            if len(owners) > 1:
                raise ValidationError(
                    "disconnect the numbers of one account (or only unassigned numbers) at a time",
                    field="numbers",
                )
            uow.carrier_requests.add(
                CarrierRequest(
                    new_id,
                    carrier_id,
                    RequestStatus.SUBMITTING,
                    now,
                    kind=OrderKind.DISCONNECT,
                    method=SetupMethod.SELECT_AND_DISCONNECT,
                    carrier_account_id=account.account_id,
                    numbers=[RequestedNumber(n, NumberState.PENDING) for n in chosen],
                    updated_at=now,
                )
            )
            return owners.pop()

        owner = self.run(create)
        submission = CarrierSubmission(OrderKind.DISCONNECT, new_id, chosen)
        return self._send(
            adapter, account, new_id, submission, actor=actor, order_account=owner
        ).request

    def submit_port_in(
        self,
        order_id: str,
        *,
        carrier_id: str,
        port: PortDetails,
        actor: Actor,
        item_ids: Sequence[str] | None = None,
        carrier_account_id: str | None = None,
    ) -> CarrierRequest:
        """Submit a port request for an order's port-in items (all open ones by default).

        The items move to Submitted to Carrier; the carrier's port statuses
        then drive them (approved, FOC date as committed date, rejected with
        the carrier's reason, completed).  Items that were rejected and
        corrected (Under Review again) are resubmitted as a supplement to
        their earlier port request.

        Raises:
            CapabilityNotSupported: the carrier does not take port-ins.
            ValidationError: no port-in items, items of different port
                requests, or a supplement with other numbers.
            InvalidTransition: an item cannot be submitted in its status.
            CarrierError: the carrier refused the submission.
        """
        self._check_orderer(actor)
        adapter = self._carrier(carrier_id)
        adapter.capabilities.require(OrderKind.PORT_IN, carrier_id=carrier_id)
        account = self.provisioning.account(carrier_id, carrier_account_id)
        inventory_type = self.provisioning.inventory_type(carrier_id).inventory_type_id
        new_id = self._carrier_request_ids()

        def claim(
            uow: UnitOfWork, now: datetime
        ) -> tuple[str, str | None, RequestStatus | None, tuple[str, ...]]:
            order = uow.orders.get(order_id)
            if item_ids is None:
                items = [i for i in order.items if i.kind is OrderKind.PORT_IN and not i.is_final]
            else:
                items = [order.item(i) for i in item_ids]
            if not items:
                raise ValidationError(
                    f"order {order_id!r} has no open port-in items", field="item_ids"
                )
            for item in items:
                if item.kind is not OrderKind.PORT_IN or not item.number:
                    raise ValidationError(
                        f"item {item.item_id!r} is not a port-in with a number", field="item_ids"
                    )
                if resolve(item, item.status, Trigger.SUBMIT_TO_CARRIER) is None:
                    raise InvalidTransition(
                        order_id=order_id,
                        item_id=item.item_id,
                        status=item.status.value,
                        trigger=Trigger.SUBMIT_TO_CARRIER.value,
                        allowed=[t.value for t in item.allowed_triggers()],
                    )
            numbers = tuple(normalize_number(i.number or "") for i in items)
            refs = {i.carrier_ref for i in items} - {None}
            if len(refs) > 1:
                raise ValidationError(
                    "the items belong to different port requests; submit them separately",
                    field="item_ids",
                )
            if refs:
                ref = refs.pop() or ""
                request = self._request_by_ref(uow, carrier_id, ref)
                if {e.number for e in request.numbers} != set(numbers):
                    raise ValidationError(
                        f"a supplement to port request {ref!r} must cover the same numbers",
                        field="item_ids",
                    )
                previous = request.status
                request.status = RequestStatus.SUBMITTING
                for entry in request.numbers:
                    entry.state = NumberState.PENDING
                request.updated_at = now
                uow.carrier_requests.save(request)
                return request.request_id, ref, previous, numbers
            uow.carrier_requests.add(
                CarrierRequest(
                    new_id,
                    carrier_id,
                    RequestStatus.SUBMITTING,
                    now,
                    kind=OrderKind.PORT_IN,
                    carrier_account_id=account.account_id,
                    destination=Destination.to_inventory(inventory_type),
                    numbers=[
                        RequestedNumber(n, NumberState.PENDING, item_id=i.item_id)
                        for n, i in zip(numbers, items, strict=True)
                    ],
                    order_id=order_id,
                    updated_at=now,
                )
            )
            return new_id, None, None, numbers

        request_id, supplements, previous, numbers = self.run(claim)
        submission = CarrierSubmission(
            OrderKind.PORT_IN, request_id, numbers, port=port, supplements=supplements
        )
        return self._send(
            adapter, account, request_id, submission, actor=actor, restore=previous
        ).request

    def _send(
        self,
        adapter: Carrier,
        account: CarrierAccount,
        request_id: str,
        submission: CarrierSubmission,
        *,
        actor: Actor,
        order_account: str | None = None,
        restore: RequestStatus | None = None,
    ) -> AppliedUpdate:
        """Submit to the carrier, then record its answer (or the failure) and apply it."""
        try:
            update = adapter.submit(account, submission, now=self.clock.now())
        except CarrierError as exc:
            self.run(self._submission_failed(request_id, exc, restore))
            self._give_back(request_id, reason="failed")
            raise
        self.run(self._accept(request_id, update, actor, order_account))
        return self.apply_carrier_update(update, request_id=request_id)

    @staticmethod
    def _submission_failed(
        request_id: str, error: CarrierError, restore: RequestStatus | None
    ) -> Callable[[UnitOfWork, datetime], None]:
        def use_case(uow: UnitOfWork, now: datetime) -> None:
            request = uow.carrier_requests.get(request_id)
            if restore is not None:  # a failed supplement leaves the port as it was
                request.status = restore
            else:
                request.status = RequestStatus.FAILED
                for entry in request.numbers_in(NumberState.PENDING):
                    entry.state = NumberState.FAILED
                    entry.reason = str(error)
            request.reason = f"{type(error).__name__}: {error}"
            request.updated_at = now
            uow.carrier_requests.save(request)

        return use_case

    def _accept(
        self, request_id: str, update: CarrierUpdate, actor: Actor, order_account: str | None
    ) -> Callable[[UnitOfWork, datetime], None]:
        """Record that the carrier took the order: its reference, the customer's order."""

        def use_case(uow: UnitOfWork, now: datetime) -> None:
            request = uow.carrier_requests.get(request_id)
            if (update.carrier_id, update.kind) != (request.carrier_id, request.kind):
                raise CarrierProtocolError(
                    f"the carrier answered a {request.kind.value} order with a "
                    f"{update.kind.value} update from {update.carrier_id!r}",
                    carrier_id=request.carrier_id,
                )
            request.carrier_ref = update.carrier_ref
            request.status = RequestStatus.PENDING
            request.reason = None
            request.updated_at = now
            in_flight = request.numbers_in(NumberState.PENDING)
            for entry in in_flight:
                entry.reservation_id = None  # the order consumed the hold
            order, is_new = self._order_for(uow, request, in_flight, actor, order_account, now)
            if order is not None:
                for entry in in_flight:
                    item = order.item(entry.item_id or "")
                    if resolve(item, item.status, Trigger.SUBMIT_TO_CARRIER) is not None:
                        order.fire(item.item_id, Trigger.SUBMIT_TO_CARRIER, actor=actor, at=now)
                    item.carrier_ref = update.carrier_ref
            numbers = tuple(e.number for e in in_flight)
            if request.kind is OrderKind.PORT_IN:
                request.record(
                    PortInSubmitted,
                    now,
                    carrier_id=request.carrier_id,
                    carrier_ref=update.carrier_ref,
                    numbers=numbers,
                    order_id=request.order_id or "",
                    actor=actor,
                )
            elif request.kind is OrderKind.DISCONNECT:
                request.record(
                    DisconnectRequested,
                    now,
                    carrier_id=request.carrier_id,
                    carrier_ref=update.carrier_ref,
                    numbers=numbers,
                    order_id=request.order_id,
                    actor=actor,
                )
            else:
                request.record(
                    CarrierOrderPlaced,
                    now,
                    carrier_id=request.carrier_id,
                    carrier_ref=update.carrier_ref,
                    numbers=numbers,
                    method=(request.method or SetupMethod.LOOKUP_AND_ORDER).value,
                    order_id=request.order_id,
                    actor=actor,
                )
            uow.carrier_requests.save(request)
            uow.add_events(request.pull_events())
            if order is not None:
                if is_new:
                    uow.orders.add(order)
                    uow.add_events(order.pull_events())
                else:
                    self.save_order(uow, order)

        return use_case

    def _order_for(
        self,
        uow: UnitOfWork,
        request: CarrierRequest,
        entries: Sequence[RequestedNumber],
        actor: Actor,
        order_account: str | None,
        now: datetime,
    ) -> tuple[Order | None, bool]:
        """The customer order that tracks the request's numbers, created if needed.

        New numbers for a customer and disconnects of a customer's numbers get
        a new order (so they show on the customer's Orders tab); port-ins
        already have theirs; numbers for inventory have none.
        """
        if request.order_id is not None:
            return uow.orders.get(request.order_id), False
        destination = request.destination
        account_id = order_account
        if request.kind is OrderKind.NEW_NUMBER and destination is not None:
            account_id = destination.account_id
        if account_id is None:
            return None, False
        items = [
            NewItem(
                kind=request.kind,
                number=e.number,
                number_type=NumberType.TOLL_FREE if is_toll_free(e.number) else NumberType.LOCAL,
                region=e.details.region if e.details is not None else None,
            )
            for e in entries
        ]
        order = Order.place(self._order_ids(), account_id, items, actor=actor, at=now)
        for entry, item in zip(entries, order.items, strict=True):
            entry.item_id = item.item_id
        request.order_id = order.order_id
        return order, True

    # Carrier updates -------------------------------------------------------

    def poll_carrier_request(self, request_id: str) -> AppliedUpdate:
        """Ask the carrier where a request stands and apply the answer.

        Raises:
            ValidationError: the request has no carrier order (yet).
            CarrierError: the carrier failed; nothing changed.
        """
        request = self.get_carrier_request(request_id)
        ref = request.ref
        if ref is None:
            raise ValidationError(
                f"carrier request {request_id!r} has no carrier order to poll", field="request_id"
            )
        adapter = self._carrier(request.carrier_id)
        account = self.provisioning.account(request.carrier_id, request.carrier_account_id)
        update = adapter.status(account, ref, now=self.clock.now())
        return self.apply_carrier_update(update, request_id=request_id)

    def apply_carrier_update(
        self, update: CarrierUpdate, *, request_id: str | None = None
    ) -> AppliedUpdate:
        """Apply a carrier's status report: a poll answer or a callback payload.

        Idempotent and order-safe, per number: an update applies to a number
        only if it is at least as new as every update seen for it and newer
        than the last one applied (``UpdateKey``: carrier time, then
        sequence).  So the same update twice changes nothing the second time,
        and an older update after a newer one is ignored.  Forward steps never
        move an item backwards along the carrier's path; per-number verdicts
        complete some numbers and reject others (partial fulfilment).  A
        number whose item waits for the customer is held back and reported in
        ``held``; the carrier's next report applies once the customer acted.

        Raises:
            UnknownCarrierStatus: the status word is not in the carrier's
                tables (nothing changed).
            CarrierProtocolError: the update contradicts the request (other
                kind, unknown numbers, a FOC without a date); nothing changed.
            RequestNotFound: no request has this carrier reference.
        """
        adapter = self._carrier(update.carrier_id)
        mapping = adapter.capabilities.vocabulary.map(
            update.kind, update.status, carrier_id=update.carrier_id
        )
        if mapping.step is CarrierStep.PORT_DATE_SET and update.foc_date is None:
            raise CarrierProtocolError(
                f"status {update.status!r} of {update.carrier_ref!r} carries no FOC date",
                carrier_id=update.carrier_id,
            )

        def use_case(uow: UnitOfWork, now: datetime) -> AppliedUpdate:
            if request_id is None:
                request = self._request_by_ref(uow, update.carrier_id, update.carrier_ref)
            else:
                request = uow.carrier_requests.get(request_id)
            if (request.carrier_id, request.carrier_ref, request.kind) != (
                update.carrier_id,
                update.carrier_ref,
                update.kind,
            ):
                raise CarrierProtocolError(
                    f"update for {update.kind.value} {update.carrier_ref!r} does not match "
                    f"carrier request {request.request_id!r}",
                    carrier_id=update.carrier_id,
                )
            return self._apply_update(uow, request, update, mapping, now)

        return self.run(use_case)

    def _apply_update(
        self,
        uow: UnitOfWork,
        request: CarrierRequest,
        update: CarrierUpdate,
        mapping: StatusMapping,
        now: datetime,
    ) -> AppliedUpdate:
        active = [
            e for e in request.numbers if e.state not in (NumberState.OFFERED, NumberState.RELEASED)
        ]
        stray = sorted({r.number for r in update.numbers} - {e.number for e in active})
        if stray:
            raise CarrierProtocolError(
                f"update for {update.carrier_ref!r} lists numbers that are not in the order: "
                + ", ".join(stray),
                carrier_id=update.carrier_id,
            )
        steps = number_steps(update, mapping, [e.number for e in active])
        order = uow.orders.get(request.order_id) if request.order_id else None
        key = update.key
        by_carrier = Actor(Role.CARRIER, request.carrier_id)
        changed: list[str] = []
        held: list[str] = []
        touched = fired = False
        for entry in active:
            if not entry.accepts(key):
                continue
            step, note = steps[entry.number]
            item = None
            owner = order
            if owner is not None and entry.item_id is not None:
                candidate = owner.item(entry.item_id)
                # An item resubmitted under another carrier order follows that one.
                if candidate.carrier_ref in (None, request.carrier_ref):
                    item = candidate
            moved = False
            if item is not None and owner is not None:
                plan = plan_item(
                    item.kind,
                    item.status,
                    item.committed_date,
                    step,
                    foc_date=update.foc_date,
                    note=note,
                    fallback_date=update.at.date(),
                )
                if plan is None:
                    if entry.seen is None or key > entry.seen:
                        entry.seen = key
                        touched = True
                    held.append(entry.number)
                    continue
                for planned in plan:
                    order_actor = (
                        self._CARRIER_SYNC
                        if planned.trigger is Trigger.SUBMIT_TO_CARRIER
                        else by_carrier
                    )
                    owner.fire(
                        item.item_id,
                        planned.trigger,
                        actor=order_actor,
                        at=now,
                        note=planned.note,
                        committed_date=planned.committed_date,
                    )
                if plan:
                    moved = fired = True
            new_state = plan_number(entry.state, step)
            if new_state is not None:
                entry.state = new_state
                moved = True
                if new_state is NumberState.COMPLETED:
                    self._deliver(uow, request, entry, order, now)
            if step in SIDE_TRIGGERS:
                entry.reason = note
            entry.seen = entry.applied = key
            touched = True
            if moved:
                changed.append(entry.number)
        newer = request.last_update is None or key > request.last_update
        if newer:
            request.last_update = key
            request.carrier_status = update.status.strip().upper()
            request.status = mapping.request_status
            explained = mapping.step in SIDE_TRIGGERS or mapping.step is CarrierStep.PARTIAL
            request.reason = update.reason or (mapping.note if explained else None)
            touched = True
        if newer or changed:
            request.record(
                CarrierUpdateApplied,
                now,
                carrier_id=request.carrier_id,
                carrier_ref=update.carrier_ref,
                carrier_status=update.status.strip().upper(),
                request_status=request.status.value,
                changed_numbers=tuple(changed),
            )
        if not touched:  # a duplicate or an older report: nothing is written
            return AppliedUpdate(request, (), tuple(held))
        request.updated_at = now
        uow.carrier_requests.save(request)
        uow.add_events(request.pull_events())
        if order is not None and fired:
            self.save_order(uow, order)
        return AppliedUpdate(request, tuple(changed), tuple(held))

    def _deliver(
        self,
        uow: UnitOfWork,
        request: CarrierRequest,
        entry: RequestedNumber,
        order: Order | None,
        now: datetime,
    ) -> None:
        """Put a number the carrier completed where it belongs in inventory."""
        number = entry.number
        stream = f"inventory:{number}"
        try:
            stocked: InventoryNumber | None = uow.inventory.get(number)
        except NotFound:
            stocked = None
        if request.kind is OrderKind.DISCONNECT:
            if stocked is None or stocked.status is InventoryStatus.DISCONNECTED:
                return
            stocked.status = InventoryStatus.DISCONNECTED
            uow.inventory.save(stocked)
            uow.add_events(
                [
                    NumberDisconnected(
                        stream=stream,
                        seq=stocked.version,
                        at=now,
                        number=number,
                        carrier_id=request.carrier_id,
                    )
                ]
            )
            return
        destination = request.destination or Destination()
        inventory_type = (
            destination.inventory_type
            or self.provisioning.inventory_type(request.carrier_id).inventory_type_id
        )
        if request.kind is OrderKind.PORT_IN:
            account_id = order.account_id if order is not None else None
            service_line = None
        else:
            account_id, service_line = destination.account_id, destination.service_line
        status = InventoryStatus.ASSIGNED if account_id else InventoryStatus.AVAILABLE
        wanted = (request.carrier_id, inventory_type, status, account_id, service_line)
        if stocked is None:
            stocked = InventoryNumber(
                number,
                request.carrier_id,
                inventory_type,
                status,
                now,
                account_id=account_id,
                service_line=service_line,
                carrier_ref=request.carrier_ref,
            )
            uow.inventory.add(stocked)
        elif wanted == (
            stocked.carrier_id,
            stocked.inventory_type,
            stocked.status,
            stocked.account_id,
            stocked.service_line,
        ):
            return
        else:  # a number we held before (e.g. disconnected, then ordered again)
            stocked.carrier_id, stocked.inventory_type, stocked.status = wanted[:3]
            stocked.account_id, stocked.service_line = account_id, service_line
            stocked.carrier_ref = request.carrier_ref
            stocked.added_at = now
            uow.inventory.save(stocked)
        uow.add_events(
            [
                NumberAddedToInventory(
                    stream=stream,
                    seq=stocked.version,
                    at=now,
                    number=number,
                    carrier_id=request.carrier_id,
                    inventory_type=inventory_type,
                    status=status.value,
                    account_id=account_id,
                    service_line=service_line,
                )
            ]
        )

    # Inventory -------------------------------------------------------------

    def assign_inventory_number(
        self, number: str, account_id: str, service_line: str, *, actor: Actor
    ) -> InventoryNumber:
        """Assign an Available number from inventory to a customer's service line.

        Raises:
            NumberNotFound: the number is not in inventory.
            ValidationError: the number is not Available, or empty ids.
            PermissionDenied: customers cannot assign inventory numbers.
        """
        self._check_orderer(actor)
        wanted = normalize_number(number)
        for value, field in ((account_id, "account_id"), (service_line, "service_line")):
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(f"{field} must be a non-empty string", field=field)

        def use_case(uow: UnitOfWork, now: datetime) -> InventoryNumber:
            stocked = uow.inventory.get(wanted)
            if stocked.status is not InventoryStatus.AVAILABLE:
                raise ValidationError(
                    f"number {wanted!r} is {stocked.status.value}, not available for assignment",
                    field="number",
                )
            stocked.status = InventoryStatus.ASSIGNED
            stocked.account_id = account_id
            stocked.service_line = service_line
            uow.inventory.save(stocked)
            uow.add_events(
                [
                    NumberAssigned(
                        stream=f"inventory:{wanted}",
                        seq=stocked.version,
                        at=now,
                        number=wanted,
                        account_id=account_id,
                        service_line=service_line,
                        actor=actor,
                    )
                ]
            )
            return stocked

        return self.run(use_case)
