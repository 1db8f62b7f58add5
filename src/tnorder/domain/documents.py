"""A compliance document and its review life cycle, as a transition table.

Pure domain rules.  Nothing here reads the clock or touches storage; file bytes
go through the ``DocumentStorage`` port, and the caller passes ``now``.

What belongs here: :class:`Document`, its statuses, who may upload and review,
and :data:`DOCUMENT_TRANSITIONS`, the review life cycle as data (uploaded ->
under review -> approved or rejected; approved -> expired or rejected).  The
rows are the moves of :data:`DOCUMENT_TABLE`, a
:class:`~tnorder.domain.tables.TransitionTable` like every other unguarded
lifecycle (carrier requests, their numbers, inventory): built once into a
``transitions.Machine`` with no model (so the library validates it) and
compiled into the lookup :class:`Document`'s methods read; the docs table and
diagram are generated from the same rows.

What must not: requirement kinds and the policy (``requirements.py``), file
checks (``uploads.py``), the matcher (``matching.py``), expiry reports
(``expiry.py``), or changing an order (``compliance.py``).

For code written against 0.1, every name those modules took from here is
still importable from this module (see ``__getattr__`` at the end).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import attrs
from transitions import Machine

from ..errors import PermissionDenied, ValidationError
from ._checks import utc_date
from ._labels import LabelledEnum
from .events import Actor, DocumentExpired, EventRecorder, document_stream
from .requirements import (
    DEFAULT_REQUIREMENTS_POLICY,
    NO_REQUIREMENTS,
    DocumentSource,
    RequirementKind,
    RequirementRule,
    RequirementsPolicy,
    RequirementState,
    RulesPolicy,
    all_approved,
    all_satisfied,
    missing_requirements,
    normalize_region,
    requirement_kind,
    requirement_label,
    requirements_for,
    uploaded_document_ids,
)
from .statuses import Role
from .tables import Move, TransitionTable
from .uploads import (
    ALLOWED_CONTENT_TYPES,
    DEFAULT_MAX_UPLOAD_BYTES,
    FileInfo,
    detect_content_type,
    display_file_name,
    validate_upload,
)

__all__ = [
    "ALLOWED_CONTENT_TYPES",
    "DEFAULT_MAX_UPLOAD_BYTES",
    "DEFAULT_REQUIREMENTS_POLICY",
    "DOCUMENT_LOOKUP",
    "DOCUMENT_TABLE",
    "DOCUMENT_TRANSITIONS",
    "NO_REQUIREMENTS",
    "REVIEWER_ROLES",
    "UPLOADER_ROLES",
    "Document",
    "DocumentSource",
    "DocumentStatus",
    "DocumentTransition",
    "DocumentTrigger",
    "FileInfo",
    "RequirementKind",
    "RequirementRule",
    "RequirementState",
    "RequirementsPolicy",
    "RulesPolicy",
    "all_approved",
    "all_satisfied",
    "build_document_machine",
    "check_reviewer",
    "check_uploader",
    "detect_content_type",
    "display_file_name",
    "document_machine_transitions",
    "document_triggers",
    "is_expired",
    "missing_requirements",
    "normalize_region",
    "requirement_kind",
    "requirement_label",
    "requirements_for",
    "uploaded_document_ids",
    "validate_upload",
]


class DocumentStatus(LabelledEnum, label_key="document_status"):
    """Where a document stands in review.

    ``uploaded`` -> ``under_review`` (once every requirement of its item has a
    document) -> ``approved`` (in the Approved Document Library) or
    ``rejected``; an approved document may later become ``expired`` or be
    ``rejected`` by a carrier or local authority.
    """

    UPLOADED = "uploaded"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class DocumentTrigger(StrEnum):
    """What can happen to a document in review."""

    HAND_OFF = "hand_off"
    """Every requirement of its item has a document: the team reviews it now."""
    APPROVE = "approve"
    """The team approves it: it enters its account's Approved Document Library."""
    REJECT = "reject"
    """The team, a carrier or a local authority rejects it, with a note."""
    EXPIRE = "expire"
    """An approved document is past its ``valid_until``."""


@attrs.frozen
class DocumentTransition(Move[DocumentStatus, DocumentTrigger]):
    """One row of :data:`DOCUMENT_TRANSITIONS`: ``trigger`` moves ``sources`` to ``dest``.

    A :class:`~tnorder.domain.tables.Move` of :data:`DOCUMENT_TABLE` that also
    carries how a refusal names the attempt.

    Attributes:
        trigger: what happens.
        sources: the statuses it may happen in.
        dest: the status afterwards.
        action: how a refusal names the attempt ("approval"), kept from 0.1's messages.
    """

    action: str


DOCUMENT_TRANSITIONS: tuple[DocumentTransition, ...] = (
    DocumentTransition(
        DocumentTrigger.HAND_OFF,
        (DocumentStatus.UPLOADED,),
        DocumentStatus.UNDER_REVIEW,
        "handing off for review",
    ),
    DocumentTransition(
        DocumentTrigger.APPROVE,
        (DocumentStatus.UNDER_REVIEW,),
        DocumentStatus.APPROVED,
        "approval",
    ),
    # A carrier or local authority may still refuse a document the team approved.
    DocumentTransition(
        DocumentTrigger.REJECT,
        (DocumentStatus.UNDER_REVIEW, DocumentStatus.APPROVED),
        DocumentStatus.REJECTED,
        "rejection",
    ),
    DocumentTransition(
        DocumentTrigger.EXPIRE,
        (DocumentStatus.APPROVED,),
        DocumentStatus.EXPIRED,
        "expiry (after valid_until)",
    ),
)
"""The document review life cycle as data: the single source of truth for
:class:`Document`'s methods, the generated docs table and the diagram."""

DOCUMENT_TABLE: TransitionTable[DocumentStatus, DocumentTrigger] = TransitionTable(
    name="Document",
    states=DocumentStatus,
    triggers=DocumentTrigger,
    initial=DocumentStatus.UPLOADED,
    moves=DOCUMENT_TRANSITIONS,
)
""":data:`DOCUMENT_TRANSITIONS` built once into a ``transitions.Machine`` and compiled."""

DOCUMENT_LOOKUP: Mapping[tuple[DocumentStatus, DocumentTrigger], DocumentStatus] = (
    DOCUMENT_TABLE.lookup
)
"""``(status, trigger) -> status afterwards``: ``DOCUMENT_TABLE.lookup``, kept from 0.1."""

_ROW: Mapping[DocumentTrigger, DocumentTransition] = MappingProxyType(
    {row.trigger: row for row in DOCUMENT_TRANSITIONS}
)


def document_machine_transitions() -> list[dict[str, Any]]:
    """:data:`DOCUMENT_TRANSITIONS` as ``transitions.Machine(transitions=...)`` takes them.

    Kept from 0.1: the same as ``DOCUMENT_TABLE.machine_transitions()``.
    """
    return DOCUMENT_TABLE.machine_transitions()


def build_document_machine(machine_cls: type[Machine] = Machine, **kwargs: Any) -> Machine:
    """Build a ``transitions`` machine from :data:`DOCUMENT_TRANSITIONS` (no model unless given).

    Kept from 0.1: the same as ``DOCUMENT_TABLE.build(...)``.

    Args:
        machine_cls: ``Machine`` or an extension such as ``GraphMachine``.
        **kwargs: passed to the machine (e.g. ``model=``, ``graph_engine=``).
    """
    return DOCUMENT_TABLE.build(machine_cls, **kwargs)


def document_triggers(status: DocumentStatus) -> tuple[DocumentTrigger, ...]:
    """The triggers a document in ``status`` accepts, in table order.

    Kept from 0.1: the same as ``DOCUMENT_TABLE.allowed(status)``.
    """
    return DOCUMENT_TABLE.allowed(status)


def _refused(document_id: str, status: DocumentStatus, trigger: DocumentTrigger) -> ValidationError:
    """The refusal of ``trigger`` in ``status``, naming the statuses its row needs."""
    row = _ROW[trigger]
    names = ", ".join(s.value for s in row.sources)
    return ValidationError(
        f"document {document_id!r} is {status.value!r}; {row.action} needs status {names}",
        field="status",
    )


# Who may upload (the same people who may provide information for an item).
UPLOADER_ROLES = frozenset({Role.CUSTOMER, Role.ACCOUNT_MANAGER, Role.STAFF, Role.SYSTEM})
# Who may approve: "our team".  Carriers and local authorities may also reject.
REVIEWER_ROLES = frozenset({Role.ACCOUNT_MANAGER, Role.STAFF, Role.SYSTEM})
_REJECTER_ROLES = REVIEWER_ROLES | {Role.CARRIER}


def check_uploader(actor: Actor) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may upload documents."""
    if actor.role not in UPLOADER_ROLES:
        raise PermissionDenied(
            f"role {actor.role.value!r} may not upload documents",
            role=actor.role.value,
            action="upload_document",
        )


def check_reviewer(actor: Actor, *, action: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may ``action`` (approve or reject) documents."""
    roles = _REJECTER_ROLES if action == "reject_document" else REVIEWER_ROLES
    if actor.role not in roles:
        raise PermissionDenied(
            f"role {actor.role.value!r} may not {action.replace('_', ' ')}s",
            role=actor.role.value,
            action=action,
        )


@attrs.define
class Document(EventRecorder):
    """A customer's compliance document, owned by exactly one account.

    Attributes:
        document_id: unique id.
        account_id: the owning customer account; the document is never shown,
            matched or reused outside it.
        kind: the requirement kind it was uploaded for (see :func:`requirement_kind`).
        region: the region of the item it was uploaded for (the matcher compares
            regions through :func:`normalize_region`).
        status: where it stands in review.
        file: the file's metadata; the bytes are in document storage under
            ``file.sha256``.
        uploaded_at: when it was uploaded.
        valid_until: the last day (UTC) it counts as valid; set on approval.
        reviewer_note: the reviewer's customer-facing note on rejection.
        order_id, item_id: the line item it was uploaded for.
        uploaded_by, reviewed_by, reviewed_at: who did what, when.
        version: storage version (optimistic concurrency).
        event_seq: numbers the events recorded on the document's own stream.
    """

    document_id: str
    account_id: str
    kind: str
    region: str | None
    status: DocumentStatus
    file: FileInfo
    uploaded_at: datetime
    valid_until: date | None = None
    reviewer_note: str | None = None
    version: int = 0
    order_id: str | None = None
    item_id: str | None = None
    uploaded_by: Actor | None = None
    reviewed_by: Actor | None = None
    reviewed_at: datetime | None = None
    event_seq: int = 0
    _pending: list[DocumentExpired] = attrs.field(factory=list, init=False, repr=False, eq=False)

    def _event_stream(self) -> str:
        return document_stream(self.document_id)

    @property
    def in_library(self) -> bool:
        """Whether the document is in its account's Approved Document Library."""
        return self.status is DocumentStatus.APPROVED

    def _move(self, trigger: DocumentTrigger) -> None:
        """Take ``trigger``'s row of the table, or refuse naming the statuses it needs."""
        dest = DOCUMENT_TABLE.resolve(self.status, trigger)
        if dest is None:
            raise _refused(self.document_id, self.status, trigger)
        self.status = dest

    def hand_off(self) -> None:
        """Every requirement of its item has a document: the team reviews it now."""
        self._move(DocumentTrigger.HAND_OFF)

    def approve(self, *, actor: Actor, at: datetime, valid_until: date) -> None:
        """Approve: the document enters its account's Approved Document Library.

        Raises:
            PermissionDenied: the actor may not approve documents.
            ValidationError: not under review, or ``valid_until`` is already past.
        """
        check_reviewer(actor, action="approve_document")
        if DOCUMENT_TABLE.resolve(self.status, DocumentTrigger.APPROVE) is None:
            self._move(DocumentTrigger.APPROVE)  # raises, naming the statuses it needs
        if not isinstance(valid_until, date) or isinstance(valid_until, datetime):
            raise ValidationError(
                f"valid_until must be a date, got {valid_until!r}", field="valid_until"
            )
        if valid_until < utc_date(at):
            raise ValidationError(
                f"valid_until {valid_until.isoformat()} is already past", field="valid_until"
            )
        self._move(DocumentTrigger.APPROVE)
        self.valid_until = valid_until
        self.reviewer_note = None
        self.reviewed_by = actor
        self.reviewed_at = at

    def reject(self, *, actor: Actor, at: datetime, note: str) -> None:
        """Reject with a customer-facing note; an approved document leaves the library.

        Raises:
            PermissionDenied: the actor may not reject documents.
            ValidationError: an empty note, or not under review or approved.
        """
        check_reviewer(actor, action="reject_document")
        if not isinstance(note, str) or not note.strip():
            raise ValidationError(
                "a rejection needs a note telling the customer what to correct", field="note"
            )
        self._move(DocumentTrigger.REJECT)
        self.reviewer_note = note.strip()
        self.reviewed_by = actor
        self.reviewed_at = at

    def expire(self, *, at: datetime) -> DocumentExpired:
        """Mark an approved document past its ``valid_until`` as expired.

        Returns:
            The ``DocumentExpired`` event, recorded on the document's own stream
            (drained with :meth:`pull_events` when the document is saved).
        """
        if not is_expired(self, at):
            # Approved but still valid: refused like any status the row does not list.
            raise _refused(self.document_id, self.status, DocumentTrigger.EXPIRE)
        self._move(DocumentTrigger.EXPIRE)
        assert self.valid_until is not None  # is_expired() is False without one
        return self.record(
            DocumentExpired,
            at,
            document_id=self.document_id,
            account_id=self.account_id,
            kind=self.kind,
            region=self.region,
            valid_until=self.valid_until,
        )


def is_expired(document: Document, now: datetime) -> bool:
    """Whether ``document`` is past its ``valid_until`` at ``now``.

    ``valid_until`` is the last valid day, in UTC; a document without one
    (not yet approved) does not expire.
    """
    today = utc_date(now)
    return document.valid_until is not None and today > document.valid_until


# Names 0.1 exported from here that now live in modules importing this one
# (the matcher, expiry reports, compliance on orders).  Importing them eagerly
# would be an import cycle, so they are looked up on first use (PEP 562).
_MOVED = {
    "ExpiryReport": "expiry",
    "default_valid_until": "expiry",
    "expiry_report": "expiry",
    "is_reusable": "matching",
    "match_document": "matching",
    "reuse_from_library": "matching",
    "COMPLIANCE_ACTOR": "compliance",
    "HAND_OFF_NOTE": "compliance",
    "advance_if_complete": "compliance",
    "assign_requirements": "compliance",
    "find_upload_target": "compliance",
    "record_approval": "compliance",
    "record_rejection": "compliance",
    "record_upload": "compliance",
    "reuse_for_order": "compliance",
}


def __getattr__(name: str) -> Any:
    home = _MOVED.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import compliance, expiry, matching

    module = {"compliance": compliance, "expiry": expiry, "matching": matching}[home]
    return getattr(module, name)
