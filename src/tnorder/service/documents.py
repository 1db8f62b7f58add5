"""Documents and compliance: requirements, uploads, reuse, review and expiry."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime

from ..domain.compliance import (
    assign_requirements,
    find_upload_target,
    record_approval,
    record_rejection,
    record_upload,
    reuse_for_order,
)
from ..domain.documents import (
    Document,
    DocumentStatus,
    check_reviewer,
    check_uploader,
    is_expired,
)
from ..domain.events import Actor
from ..domain.expiry import ExpiryReport, default_valid_until, expiry_report
from ..domain.inputs import to_enum
from ..domain.order import Order
from ..domain.requirements import (
    RequirementsPolicy,
    RequirementState,
    normalize_region,
    requirement_kind,
    uploaded_document_ids,
)
from ..domain.uploads import display_file_name, validate_upload
from ..errors import (
    ConfigurationError,
    DocumentNotFound,
    InvalidDocument,
    NotFound,
    StorageError,
    TnorderError,
    ValidationError,
)
from ..ports import DocumentStorage, UnitOfWork
from .base import UseCaseBase, save_aggregate
from .config import ServiceConfig, ServicePorts

__all__ = ["DocumentUseCases"]


class DocumentUseCases(UseCaseBase):
    """Document use cases.

    Reads, besides what :class:`UseCaseBase` keeps: ``document_storage`` (a port),
    ``requirements_policy``, ``max_upload_bytes``, ``document_validity_days`` and
    the ``document_ids`` factory (as ``_document_ids``).
    """

    def __init__(self, config: ServiceConfig, ports: ServicePorts) -> None:
        super().__init__(config, ports)
        self.document_storage: DocumentStorage | None = ports.document_storage
        self.requirements_policy: RequirementsPolicy = config.requirements_policy
        self.max_upload_bytes: int = config.max_upload_bytes
        self.document_validity_days: int = config.document_validity_days
        self._document_ids: Callable[[], str] = config.document_ids
        # Content of uploads running in this service, counted (two uploads of the
        # same bytes may overlap): the sweep leaves it alone until they end.
        self._uploading: Counter[str] = Counter()
        self._uploading_lock = threading.Lock()

    def apply_requirements(self, uow: UnitOfWork, order: Order, now: datetime) -> None:
        """Give a just-placed order's items their requirements; reuse, then ask.

        Called by ``OrderUseCases.place_order`` inside its unit of work.
        """
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
        self._check_actor(actor)
        self._check_id(order_id, "order_id")
        self._check_id(item_id, "item_id")
        if isinstance(file_name, str):
            shown = display_file_name(file_name)
            if len(shown) > self.limits.max_file_name_length:
                raise InvalidDocument(
                    f"file name is {len(shown)} characters long; "
                    f"the limit is {self.limits.max_file_name_length}",
                    reason="file_name",
                    field="file_name",
                )
        check_uploader(actor)
        wanted = requirement_kind(kind)
        info = validate_upload(
            data, file_name, max_bytes=self.max_upload_bytes, content_type=content_type
        )
        document_id = self._document_ids()
        # Content this call stored that was not there before: if the document is
        # not committed after all, nothing may point at it, so it is removed.
        stored_new: list[str] = []

        def use_case(uow: UnitOfWork, now: datetime) -> Document:
            order = uow.orders.get(order_id)
            item = order.item(item_id)
            find_upload_target(order, item_id, wanted)
            # Bytes go in only after every check passed; put() is idempotent, so a
            # rerun after a conflict stores nothing new.
            if not stored_new and not storage.exists(info.sha256):
                stored_new.append(info.sha256)
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

        with self._uploading_lock:
            self._uploading[info.sha256] += 1
        try:
            document = self.run(use_case)
        except BaseException:
            if stored_new:
                self._discard_orphan(stored_new[0])
            raise
        finally:
            with self._uploading_lock:
                self._uploading[info.sha256] -= 1
                if not self._uploading[info.sha256]:
                    del self._uploading[info.sha256]
        # A sweep in another process may have taken the bytes between put and commit
        # (they were unreferenced then): the document is committed, so store them again.
        # A failure here must not report the committed upload as failed.
        with contextlib.suppress(TnorderError):
            if not storage.exists(info.sha256):
                storage.put(data)
        return document

    def _discard_orphan(self, key: str) -> None:
        """Remove content an upload stored but never committed a document for.

        Only unless a committed document (say, the same bytes uploaded at the same
        moment by someone else) turns out to use it.  A failure here leaves the
        file behind rather than hiding the upload's own error;
        :meth:`sweep_document_storage` takes it later.  A host storage written
        before ``delete`` joined the port keeps its bytes (the sweep tells).
        """
        delete = getattr(self.document_storage, "delete", None)
        if not callable(delete):
            return
        try:
            with self.storage.unit_of_work() as uow:
                if any(d.file.sha256 == key for d in uow.documents.find()):
                    return
        except TnorderError:
            pass  # cannot tell (the database is down): the orphan is the likelier case
        with contextlib.suppress(TnorderError, OSError):
            delete(key)

    def sweep_document_storage(self) -> list[str]:
        """Remove stored content no document points at; return the keys removed.

        An upload whose commit failed takes its bytes back itself; this sweep
        catches what that could not (the process died between storing and
        committing, the database was down when it looked, or the storage could
        not delete then).  Run it now and then, like ``expire_documents``.

        Keys are listed first and the documents read after, so content stored
        for an upload that commits meanwhile is seen as used; each candidate is
        checked once more just before it goes, and uploads running in this
        service are skipped, and an upload stores its bytes again if they are
        gone after its commit.  What is left: an upload in another process
        whose commit lands between a candidate's last check and its delete,
        and whose own after-commit look came first.  Its document then reports
        ``DocumentNotFound`` for its content, and uploading the same file again
        restores it.

        Raises:
            ConfigurationError: the service has no ``document_storage``, or it
                lacks ``keys``/``delete`` (a storage written before they joined
                the ``DocumentStorage`` port).
            StorageError: the documents or the stored keys could not be read.
        """
        storage = self.document_storage
        if storage is None:
            raise ConfigurationError(
                "sweep_document_storage needs OrderService(document_storage=...)"
            )
        keys = getattr(storage, "keys", None)
        delete = getattr(storage, "delete", None)
        if not callable(keys) or not callable(delete):
            raise ConfigurationError(
                f"{type(storage).__name__} has no keys()/delete(); the DocumentStorage "
                "port asks for both since this release"
            )
        stored = set(keys())

        def used() -> set[str]:
            with self.storage.unit_of_work() as uow:
                return {d.file.sha256 for d in uow.documents.find()}

        with self._uploading_lock:
            running = set(self._uploading)
        candidates = stored - used() - running
        removed: list[str] = []
        for key in sorted(candidates):
            # Checked again per key: an upload may have started or committed since.
            with self._uploading_lock:
                running = set(self._uploading)
            if key in running or key in used():
                continue
            delete(key)
            removed.append(key)
        return removed

    def reuse_approved_documents(self, order_id: str) -> Order:
        """Run the Smart Document Matcher over an order's missing documents.

        Placing an order already does this; call it again when the account's
        library may have grown (e.g. a document approved on another order).
        Items whose documents are then complete move to Under Review.
        """
        self._check_id(order_id, "order_id")

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
        self._check_actor(actor)
        self._check_id(document_id, "document_id")
        check_reviewer(actor, action="approve_document")
        if valid_until is not None and type(valid_until) is not date:
            raise ValidationError("valid_until must be a date", field="valid_until")

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
        self._check_actor(actor)
        self._check_id(document_id, "document_id")
        if order_id is not None:
            self._check_id(order_id, "order_id")
        if item_id is not None:
            self._check_id(item_id, "item_id")
        check_reviewer(actor, action="reject_document")
        self._check_note(note)
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
        self._check_id(document_id, "document_id")
        self._check_id(account_id, "account_id")
        with self.storage.unit_of_work() as uow:
            return self._load_document(uow, document_id, account_id)

    def list_documents(
        self, account_id: str, *, status: DocumentStatus | None = None
    ) -> list[Document]:
        """``account_id``'s documents (only the library with ``status=APPROVED``), by id."""
        self._check_id(account_id, "account_id")
        wanted = None if status is None else to_enum(DocumentStatus, status, "status")
        with self.storage.unit_of_work() as uow:
            if wanted is None:
                found = uow.documents.find(account_id=account_id)
            else:
                found = uow.documents.find(account_id=account_id, status=wanted)
        # Storage lists records in commit order; this view promises id order.
        return sorted((d for d in found if d.account_id == account_id), key=lambda d: d.document_id)

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
        if account_id is not None:
            self._check_id(account_id, "account_id")
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
        if account_id is not None:
            self._check_id(account_id, "account_id")

        def use_case(uow: UnitOfWork, now: datetime) -> list[Document]:
            if account_id is None:
                approved = uow.documents.find(status=DocumentStatus.APPROVED)
            else:
                approved = self._library(uow, account_id)
            expired = [d for d in approved if is_expired(d, now)]
            for document in expired:
                document.expire(at=now)
                save_aggregate(uow, uow.documents, document)
            return expired

        return self.run(use_case)
