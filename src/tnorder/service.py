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
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TypeVar

from .domain.calendar import BusinessCalendar
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
    new_document_id,
    normalize_region,
    record_approval,
    record_rejection,
    record_upload,
    requirement_kind,
    reuse_for_order,
    uploaded_document_ids,
    validate_upload,
)
from .domain.events import Actor
from .domain.inventory import InventoryStatus
from .domain.machine import Trigger
from .domain.order import NewItem, Order
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
    ConcurrencyConflict,
    ConfigurationError,
    DocumentNotFound,
    NotFound,
    NumberNotFound,
    StorageError,
    ValidationError,
)
from .ports import Clock, DocumentStorage, Notifier, Storage, UnitOfWork
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
        document_storage: DocumentStorage | None = None,
        requirements_policy: RequirementsPolicy | None = None,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        document_validity_days: int = 365,
        document_ids: Callable[[], str] = new_document_id,
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
        self._document_ids = document_ids
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
        """Place an order; every item starts in Order Submitted."""
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
        return active_numbers_view(
            orders, now, self.view_policy, assigned, account_id=account_id
        )

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
