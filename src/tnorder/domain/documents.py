"""Documents and compliance: requirements, uploads, the Approved Document Library.

Pure domain rules.  Nothing here reads the clock or touches storage; file bytes
go through the ``DocumentStorage`` port, never through this module, and the
caller passes ``now`` to everything that depends on time.

What belongs here:

- requirement kinds and the pluggable :class:`RequirementsPolicy` that decides
  which documents a line item needs (keyed by region, number type and order
  kind), with a small :data:`DEFAULT_REQUIREMENTS_POLICY`;
- :class:`RequirementState`, the per-item record of which document satisfied
  which requirement;
- :func:`validate_upload`, which checks a file by its own signature bytes and
  size before anything is stored;
- :class:`Document` and its review life cycle (uploaded, under review,
  approved, rejected, expired);
- the Smart Document Matcher (:func:`match_document`), which picks an approved,
  unexpired document of the same account, kind and region, deterministically;
- expiry detection (:func:`is_expired`, :func:`expiry_report`).

What must not: reading files, choosing storage paths, or anything about how a
host authenticates its customers.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Protocol

import attrs

from ..errors import InvalidDocument, InvalidTransition, PermissionDenied, ValidationError
from ._checks import require_aware
from .events import (
    Actor,
    DocumentApproved,
    DocumentExpired,
    DocumentRejected,
    DocumentReused,
    DocumentsRequested,
    DocumentUploaded,
    EventRecorder,
    document_stream,
)
from .inputs import check_text, to_enum
from .machine import Trigger
from .statuses import ItemStatus, NumberType, OrderKind, Role

if TYPE_CHECKING:  # order.py imports this module; the types are for mypy only.
    from .order import LineItem, Order

__all__ = [
    "ALLOWED_CONTENT_TYPES",
    "COMPLIANCE_ACTOR",
    "DEFAULT_MAX_UPLOAD_BYTES",
    "DEFAULT_REQUIREMENTS_POLICY",
    "NO_REQUIREMENTS",
    "REVIEWER_ROLES",
    "UPLOADER_ROLES",
    "Document",
    "DocumentSource",
    "DocumentStatus",
    "ExpiryReport",
    "FileInfo",
    "RequirementKind",
    "RequirementRule",
    "RequirementState",
    "RequirementsPolicy",
    "RulesPolicy",
    "advance_if_complete",
    "all_approved",
    "all_satisfied",
    "assign_requirements",
    "check_reviewer",
    "check_uploader",
    "default_valid_until",
    "detect_content_type",
    "display_file_name",
    "expiry_report",
    "find_upload_target",
    "is_expired",
    "is_reusable",
    "match_document",
    "missing_requirements",
    "normalize_region",
    "record_approval",
    "record_rejection",
    "record_upload",
    "requirement_kind",
    "requirement_label",
    "requirements_for",
    "reuse_for_order",
    "reuse_from_library",
    "uploaded_document_ids",
    "validate_upload",
]


# -- requirement kinds ---------------------------------------------------------


class RequirementKind(StrEnum):
    """Well-known kinds of compliance document.

    Kinds are stored as plain strings, so a host policy may also ask for kinds
    of its own (any lower-case ``snake_case`` name); these members are the ones
    the default policy uses and the ones with a built-in ``label``.
    """

    PROOF_OF_LOCAL_ADDRESS = "proof_of_local_address"
    PROOF_OF_ADDRESS = "proof_of_address"
    PROOF_OF_IDENTITY = "proof_of_identity"
    BUSINESS_REGISTRATION = "business_registration"
    LETTER_OF_AUTHORIZATION = "letter_of_authorization"
    RECENT_BILL = "recent_bill"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    RequirementKind.PROOF_OF_LOCAL_ADDRESS: "Proof of local address",
    RequirementKind.PROOF_OF_ADDRESS: "Proof of address",
    RequirementKind.PROOF_OF_IDENTITY: "Proof of identity",
    RequirementKind.BUSINESS_REGISTRATION: "Business registration",
    RequirementKind.LETTER_OF_AUTHORIZATION: "Letter of authorization",
    RequirementKind.RECENT_BILL: "Recent bill",
}

_KIND_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")


def requirement_kind(value: str) -> str:
    """The stored form of a requirement kind: a plain lower-case ``snake_case`` string.

    Accepts a :class:`RequirementKind` member or a host's own kind name.

    Raises:
        ValidationError: not a string, or not ``[a-z][a-z0-9_]{0,63}``.
    """
    if isinstance(value, Enum):
        value = value.value
    if not isinstance(value, str) or not _KIND_RE.fullmatch(value):
        raise ValidationError(
            f"requirement kind must be a lower-case snake_case name, got {value!r}", field="kind"
        )
    return value


def requirement_label(kind: str) -> str:
    """Customer-facing name of a requirement kind ("Proof of local address")."""
    try:
        return RequirementKind(kind).label
    except ValueError:
        return kind.replace("_", " ").capitalize()


def normalize_region(region: str | None) -> str | None:
    """The form regions are compared in: stripped, upper-case; empty means no region."""
    if region is None:
        return None
    cleaned = check_text(region, "region").strip().upper()
    return cleaned or None


# -- requirements policy -------------------------------------------------------


class RequirementsPolicy(Protocol):
    """Decides which documents a line item needs.

    A host supplies its own by passing any object with this method to
    ``OrderService(requirements_policy=...)``; :class:`RulesPolicy` covers the
    common case of a table of rules.
    """

    def requirements_for(
        self, *, region: str | None, number_type: NumberType, order_kind: OrderKind
    ) -> Sequence[str]:
        """The requirement kinds for an item in ``region`` (None when unknown)."""
        ...


def _optional_number_type(value: NumberType | str | None) -> NumberType | None:
    # The same rule as ``NewItem``: a value string is exactly that member.
    return None if value is None else to_enum(NumberType, value, "number_type")


def _optional_order_kind(value: OrderKind | str | None) -> OrderKind | None:
    return None if value is None else to_enum(OrderKind, value, "order_kind")


def _kinds(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValidationError(
            f"kinds must be a list of requirement kinds, got {type(values).__name__}",
            field="kinds",
        )
    return tuple(dict.fromkeys(requirement_kind(v) for v in values))


@attrs.frozen
class RequirementRule:
    """One row of a :class:`RulesPolicy`: items it matches need ``kinds``.

    Attributes:
        kinds: the requirement kinds this rule adds.
        region: ``None`` for any region; a country (``"US"``) matches the country
            and every region in it (``"US-GA"``); a region (``"US-GA"``) matches
            only itself.
        number_type: ``None`` for any number type.
        order_kind: ``None`` for any order kind.
    """

    kinds: tuple[str, ...] = attrs.field(converter=_kinds)
    region: str | None = attrs.field(default=None, converter=normalize_region)
    number_type: NumberType | None = attrs.field(default=None, converter=_optional_number_type)
    order_kind: OrderKind | None = attrs.field(default=None, converter=_optional_order_kind)

    def matches(
        self, *, region: str | None, number_type: NumberType, order_kind: OrderKind
    ) -> bool:
        if self.number_type is not None and self.number_type is not number_type:
            return False
        if self.order_kind is not None and self.order_kind is not order_kind:
            return False
        if self.region is None:
            return True
        wanted = normalize_region(region)
        if wanted is None:
            return False
        if "-" in self.region:
            return wanted == self.region
        return wanted == self.region or wanted.startswith(self.region + "-")


def _rules(values: Iterable[RequirementRule]) -> tuple[RequirementRule, ...]:
    rules = tuple(values)
    for rule in rules:
        if not isinstance(rule, RequirementRule):
            raise ValidationError(f"expected a RequirementRule, got {rule!r}", field="rules")
    return rules


@attrs.frozen
class RulesPolicy:
    """A requirements policy made of rules; every matching rule adds its kinds.

    Kinds come out in rule order, each once.  Adding (rather than "most
    specific rule wins") keeps combinations right without extra rows: a
    TrueLocal port-in needs the TrueLocal document *and* the port-in ones.
    """

    rules: tuple[RequirementRule, ...] = attrs.field(converter=_rules)

    def requirements_for(
        self, *, region: str | None, number_type: NumberType, order_kind: OrderKind
    ) -> Sequence[str]:
        # Strings equal to a member's value are that member here too.
        number_type = to_enum(NumberType, number_type, "number_type")
        order_kind = to_enum(OrderKind, order_kind, "order_kind")
        kinds: dict[str, None] = {}
        for rule in self.rules:
            if rule.matches(region=region, number_type=number_type, order_kind=order_kind):
                kinds.update(dict.fromkeys(rule.kinds))
        return tuple(kinds)


DEFAULT_REQUIREMENTS_POLICY = RulesPolicy(
    (
        RequirementRule(
            (RequirementKind.PROOF_OF_LOCAL_ADDRESS,), number_type=NumberType.TRUELOCAL
        ),
        RequirementRule(
            (RequirementKind.LETTER_OF_AUTHORIZATION, RequirementKind.RECENT_BILL),
            order_kind=OrderKind.PORT_IN,
        ),
    )
)
"""TrueLocal numbers need proof of local address; port-ins need a letter of
authorization and a recent bill; nothing else needs documents."""

NO_REQUIREMENTS = RulesPolicy(())
"""A policy under which no item needs documents (``OrderService``'s default)."""


def regulatory_approval_required(
    policy: RequirementsPolicy,
    *,
    region: str | None,
    number_type: NumberType,
    order_kind: OrderKind,
    kinds: Sequence[str],
) -> bool:
    """Whether an item's number stays locked until local compliance is approved.

    Only TrueLocal numbers are ever locked (the portal guide).  A policy may
    decide per country or region with an optional method
    ``requires_regulatory_approval(region=, number_type=, order_kind=) -> bool``;
    without one, a TrueLocal item is locked when the policy asks it for
    documents (``kinds``), so a region without regulatory documents (and every
    item under ``NO_REQUIREMENTS``) is never locked.
    """
    if number_type is not NumberType.TRUELOCAL:
        return False
    decide = getattr(policy, "requires_regulatory_approval", None)
    if decide is None:
        return bool(kinds)
    answer = decide(region=region, number_type=number_type, order_kind=order_kind)
    if not isinstance(answer, bool):
        raise ValidationError(
            "requires_regulatory_approval must return a bool", field="requirements_policy"
        )
    return answer


def requirements_for(
    policy: RequirementsPolicy,
    *,
    region: str | None,
    number_type: NumberType,
    order_kind: OrderKind,
) -> tuple[str, ...]:
    """Ask ``policy`` and return its kinds checked, in order, each once.

    Raises:
        ValidationError: the policy returned something that is not a kind name.
    """
    asked = policy.requirements_for(region=region, number_type=number_type, order_kind=order_kind)
    return _kinds(asked)


# -- per-item requirement tracking ---------------------------------------------


class DocumentSource(StrEnum):
    """How a requirement was satisfied."""

    UPLOAD = "upload"
    REUSE = "reuse"


@attrs.define
class RequirementState:
    """One document requirement of a line item, and what satisfied it.

    Attributes:
        kind: the requirement kind.
        document_id: the document that satisfies it, or None while it is missing.
        source: whether that document was uploaded for it or reused from the library.
        satisfied_at: when the document was attached.
        approved_at: when the attached document was approved (at attachment for a
            reused document, which is approved already).
        note: the reviewer's customer-facing note from the last rejection.
    """

    kind: str = attrs.field(converter=requirement_kind)
    document_id: str | None = None
    source: DocumentSource | None = None
    satisfied_at: datetime | None = None
    approved_at: datetime | None = None
    note: str | None = None

    @property
    def satisfied(self) -> bool:
        return self.document_id is not None

    @property
    def approved(self) -> bool:
        return self.document_id is not None and self.approved_at is not None

    def attach(self, document: Document, *, source: DocumentSource, at: datetime) -> None:
        """Record that ``document`` satisfies this requirement."""
        self.document_id = document.document_id
        self.source = source
        self.satisfied_at = at
        self.approved_at = at if document.status is DocumentStatus.APPROVED else None

    def detach(self, note: str | None) -> None:
        """The attached document no longer counts (rejected); keep the reviewer's note."""
        self.document_id = None
        self.source = None
        self.satisfied_at = None
        self.approved_at = None
        self.note = note


def missing_requirements(requirements: Iterable[RequirementState]) -> list[RequirementState]:
    """The requirements no document satisfies yet, in order."""
    return [r for r in requirements if not r.satisfied]


def all_satisfied(requirements: Sequence[RequirementState]) -> bool:
    """True when the item has requirements and every one has a document."""
    return bool(requirements) and all(r.satisfied for r in requirements)


def all_approved(requirements: Sequence[RequirementState]) -> bool:
    """True when the item has requirements and every document is approved."""
    return bool(requirements) and all(r.approved for r in requirements)


# -- upload validation ---------------------------------------------------------

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# content type -> (signature at offset 0, file-name extensions that may claim it)
ALLOWED_CONTENT_TYPES: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}

_MAX_FILE_NAME = 255


@attrs.frozen
class FileInfo:
    """Metadata of an uploaded file; the bytes live in document storage under ``sha256``.

    ``file_name`` is the customer's name for the file, kept for display only:
    it is never used to build a storage path.
    """

    file_name: str
    content_type: str
    size: int
    sha256: str


def detect_content_type(data: bytes) -> str | None:
    """The allowed content type ``data``'s signature bytes announce, or None."""
    for content_type, (signature, _) in ALLOWED_CONTENT_TYPES.items():
        if data.startswith(signature):
            return content_type
    return None


def display_file_name(file_name: str) -> str:
    """The customer's name for an uploaded file: the last part of a client path, stripped.

    Raises:
        InvalidDocument: not a string, names no file, too long, or has control
            characters (reason ``"file_name"``).
    """
    return _display_name(file_name)


def _display_name(file_name: str) -> str:
    if not isinstance(file_name, str):
        raise InvalidDocument(
            f"file name must be a string, got {type(file_name).__name__}",
            reason="file_name",
            field="file_name",
        )
    # Browsers may send a full client path ("C:\\fakepath\\bill.pdf"); only the last
    # part is the customer's name for the file.
    name = re.split(r"[\\/]", file_name)[-1].strip()
    if name in ("", ".", ".."):
        raise InvalidDocument(
            f"file name {file_name!r} names no file", reason="file_name", field="file_name"
        )
    if len(name) > _MAX_FILE_NAME:
        raise InvalidDocument(
            f"file name is {len(name)} characters long; the limit is {_MAX_FILE_NAME}",
            reason="file_name",
            field="file_name",
        )
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise InvalidDocument(
            f"file name {name!r} contains control characters",
            reason="file_name",
            field="file_name",
        )
    return name


def validate_upload(
    data: bytes | bytearray | memoryview,
    file_name: str,
    *,
    max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    content_type: str | None = None,
) -> FileInfo:
    """Check an uploaded file and describe it; nothing is stored here.

    Rules, in the order they are checked:

    - the file must not be empty (reason ``"empty"``);
    - it must be at most ``max_bytes`` long (reason ``"too_large"``);
    - the file name must name a file: the last path component, not empty,
      ``.`` or ``..``, at most 255 characters, no control characters
      (reason ``"file_name"``);
    - its own signature bytes must be those of a PDF, PNG or JPEG file, and a
      declared ``content_type`` or a file-name extension must agree with them
      (reason ``"content_type"``).

    Returns:
        The file's metadata with its content type as detected from the bytes.

    Raises:
        InvalidDocument: the file was refused; ``reason`` says why.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValidationError(
            f"max_bytes must be a positive integer, got {max_bytes!r}", field="max_bytes"
        )
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidDocument(
            f"file content must be bytes, got {type(data).__name__}",
            reason="content_type",
            field="data",
        )
    raw = bytes(data)
    if not raw:
        raise InvalidDocument("the file is empty", reason="empty", field="data")
    if len(raw) > max_bytes:
        raise InvalidDocument(
            f"the file is {len(raw)} bytes; the limit is {max_bytes} bytes",
            reason="too_large",
            field="data",
        )
    name = _display_name(file_name)
    detected = detect_content_type(raw)
    allowed = ", ".join(ALLOWED_CONTENT_TYPES)
    if detected is None:
        raise InvalidDocument(
            f"{name!r} is not a PDF, PNG or JPEG file (by its content); allowed: {allowed}",
            reason="content_type",
            field="data",
        )
    if content_type is not None:
        if not isinstance(content_type, str):
            raise InvalidDocument(
                f"content_type must be a string, got {type(content_type).__name__}",
                reason="content_type",
                field="content_type",
            )
        declared = content_type.split(";", 1)[0].strip().lower()
        if declared == "image/jpg":
            declared = "image/jpeg"
        if declared != detected:
            raise InvalidDocument(
                f"{name!r} was declared {content_type!r} but its content is {detected!r}",
                reason="content_type",
                field="content_type",
            )
    stem, dot, extension = name.rpartition(".")
    if dot and stem and "." + extension.lower() not in ALLOWED_CONTENT_TYPES[detected][1]:
        raise InvalidDocument(
            f"{name!r} is named like a .{extension} file but its content is {detected!r}",
            reason="content_type",
            field="file_name",
        )
    return FileInfo(
        file_name=name,
        content_type=detected,
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
    )


# -- documents -----------------------------------------------------------------


class DocumentStatus(StrEnum):
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

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()


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


def _utc_date(now: datetime) -> date:
    require_aware(now, field="now")
    return now.astimezone(UTC).date()


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

    def _refuse(self, action: str, allowed: Iterable[DocumentStatus]) -> ValidationError:
        names = ", ".join(s.value for s in allowed)
        return ValidationError(
            f"document {self.document_id!r} is {self.status.value!r}; "
            f"{action} needs status {names}",
            field="status",
        )

    def hand_off(self) -> None:
        """Every requirement of its item has a document: the team reviews it now."""
        if self.status is not DocumentStatus.UPLOADED:
            raise self._refuse("handing off for review", [DocumentStatus.UPLOADED])
        self.status = DocumentStatus.UNDER_REVIEW

    def approve(self, *, actor: Actor, at: datetime, valid_until: date) -> None:
        """Approve: the document enters its account's Approved Document Library.

        Raises:
            PermissionDenied: the actor may not approve documents.
            ValidationError: not under review, or ``valid_until`` is already past.
        """
        check_reviewer(actor, action="approve_document")
        if self.status is not DocumentStatus.UNDER_REVIEW:
            raise self._refuse("approval", [DocumentStatus.UNDER_REVIEW])
        if not isinstance(valid_until, date) or isinstance(valid_until, datetime):
            raise ValidationError(
                f"valid_until must be a date, got {valid_until!r}", field="valid_until"
            )
        if valid_until < _utc_date(at):
            raise ValidationError(
                f"valid_until {valid_until.isoformat()} is already past", field="valid_until"
            )
        self.status = DocumentStatus.APPROVED
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
        allowed = (DocumentStatus.UNDER_REVIEW, DocumentStatus.APPROVED)
        if self.status not in allowed:
            raise self._refuse("rejection", allowed)
        self.status = DocumentStatus.REJECTED
        self.reviewer_note = note.strip()
        self.reviewed_by = actor
        self.reviewed_at = at

    def expire(self, *, at: datetime) -> DocumentExpired:
        """Mark an approved document past its ``valid_until`` as expired.

        Returns:
            The ``DocumentExpired`` event, recorded on the document's own stream
            (drained with :meth:`pull_events` when the document is saved).
        """
        if self.status is not DocumentStatus.APPROVED or not is_expired(self, at):
            raise self._refuse("expiry (after valid_until)", [DocumentStatus.APPROVED])
        self.status = DocumentStatus.EXPIRED
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


# -- expiry and the Smart Document Matcher -------------------------------------


def is_expired(document: Document, now: datetime) -> bool:
    """Whether ``document`` is past its ``valid_until`` at ``now``.

    ``valid_until`` is the last valid day, in UTC; a document without one
    (not yet approved) does not expire.
    """
    today = _utc_date(now)
    return document.valid_until is not None and today > document.valid_until


def is_reusable(
    document: Document, *, account_id: str, kind: str, region: str | None, now: datetime
) -> bool:
    """Whether the matcher may attach ``document`` to a requirement.

    It must belong to ``account_id``, be approved, be of the same kind and
    region, and not be expired at ``now``.
    """
    return (
        document.account_id == account_id
        and document.status is DocumentStatus.APPROVED
        and document.kind == requirement_kind(kind)
        and normalize_region(document.region) == normalize_region(region)
        and not is_expired(document, now)
    )


def _choice_key(document: Document) -> tuple[int, str]:
    # The longest-valid document first (no end date counts as longest); ties by id.
    until = document.valid_until or date.max
    return (-until.toordinal(), document.document_id)


def match_document(
    library: Iterable[Document],
    *,
    account_id: str,
    kind: str,
    region: str | None,
    now: datetime,
) -> Document | None:
    """The Smart Document Matcher: the library document to reuse, or None.

    Only documents :func:`is_reusable` for this account, kind and region count.
    Among them the one valid longest is chosen, then the smallest
    ``document_id``, so the answer never depends on the order of ``library``.
    """
    candidates = [
        d
        for d in library
        if is_reusable(d, account_id=account_id, kind=kind, region=region, now=now)
    ]
    return min(candidates, key=_choice_key) if candidates else None


def reuse_from_library(
    requirements: Iterable[RequirementState],
    library: Sequence[Document],
    *,
    account_id: str,
    region: str | None,
    now: datetime,
) -> list[tuple[RequirementState, Document]]:
    """Attach a library document to every missing requirement the matcher can fill.

    Returns:
        The ``(requirement, document)`` pairs that were attached, in order.
    """
    attached: list[tuple[RequirementState, Document]] = []
    for requirement in requirements:
        if requirement.satisfied:
            continue
        found = match_document(
            library, account_id=account_id, kind=requirement.kind, region=region, now=now
        )
        if found is not None:
            requirement.attach(found, source=DocumentSource.REUSE, at=now)
            attached.append((requirement, found))
    return attached


@attrs.frozen
class ExpiryReport:
    """Approved documents the host should ask customers to replace.

    Attributes:
        as_of: the UTC date the report was made for.
        expired: approved documents already past ``valid_until`` (not reusable).
        expiring: approved documents whose ``valid_until`` falls within the window.
    """

    as_of: date
    expired: tuple[Document, ...]
    expiring: tuple[Document, ...]


def expiry_report(
    documents: Iterable[Document], *, now: datetime, within_days: int
) -> ExpiryReport:
    """Sort the approved documents among ``documents`` into expired and expiring.

    ``expiring`` holds those whose ``valid_until`` is today or within the next
    ``within_days`` days.  Each list is ordered by ``valid_until``, then
    ``document_id``.
    """
    if isinstance(within_days, bool) or not isinstance(within_days, int) or within_days < 0:
        raise ValidationError(
            f"within_days must be a non-negative integer, got {within_days!r}",
            field="within_days",
        )
    today = _utc_date(now)
    # A horizon past the calendar's end means "every approved document".
    room = (date.max - today).days
    horizon = date.max if within_days >= room else today + timedelta(days=within_days)
    expired: list[Document] = []
    expiring: list[Document] = []
    for doc in documents:
        if doc.status is not DocumentStatus.APPROVED or doc.valid_until is None:
            continue
        if doc.valid_until < today:
            expired.append(doc)
        elif doc.valid_until <= horizon:
            expiring.append(doc)

    def key(d: Document) -> tuple[date, str]:
        return (d.valid_until or date.max, d.document_id)

    return ExpiryReport(today, tuple(sorted(expired, key=key)), tuple(sorted(expiring, key=key)))


def default_valid_until(now: datetime, *, days: int) -> date:
    """The ``valid_until`` an approval gets when the reviewer gives none: ``days`` from today."""
    return _utc_date(now) + timedelta(days=days)


# -- compliance on orders --------------------------------------------------------
# These functions change an order the way the use cases in ``tnorder.service``
# need; the service loads and saves, they decide and record events.

COMPLIANCE_ACTOR = Actor.system("compliance")
"""The actor of the status changes tnorder makes on its own (asking for
documents, handing complete items to the compliance team)."""

HAND_OFF_NOTE = "All required documents received; our compliance team is reviewing them."


def _request_note(item: LineItem) -> str:
    labels = ", ".join(requirement_label(r.kind) for r in missing_requirements(item.requirements))
    return f"Please upload the following documents: {labels}."


def _update_regulatory(item: LineItem, now: datetime) -> None:
    # The TrueLocal lock lifts once every document the item needs is approved.
    if item.needs_regulatory_approval and all_approved(item.requirements):
        item.regulatory_approved_at = now


def _reuse_for_item(
    order: Order, item: LineItem, library: Sequence[Document], now: datetime
) -> bool:
    pairs = reuse_from_library(
        item.requirements, library, account_id=order.account_id, region=item.region, now=now
    )
    for requirement, document in pairs:
        order.record(
            DocumentReused,
            now,
            item_id=item.item_id,
            document_id=document.document_id,
            kind=requirement.kind,
        )
    _update_regulatory(item, now)
    return bool(pairs)


def advance_if_complete(order: Order, item: LineItem, *, now: datetime) -> bool:
    """Hand an item whose every requirement has a document to the compliance team.

    An item waiting on the customer (Information Required, Port Rejected) moves
    to Under Review with ``provide_information``; a just-placed item (Order
    Submitted) with ``review``.  Either is fired by :data:`COMPLIANCE_ACTOR` and
    recorded like any other change.

    Returns:
        Whether every requirement of the item is now satisfied.
    """
    if item.is_final or not all_satisfied(item.requirements):
        return False
    if item.status in (ItemStatus.INFORMATION_REQUIRED, ItemStatus.PORT_REJECTED):
        order.fire(
            item.item_id,
            Trigger.PROVIDE_INFORMATION,
            actor=COMPLIANCE_ACTOR,
            at=now,
            note=HAND_OFF_NOTE,
        )
    elif item.status is ItemStatus.ORDER_SUBMITTED:
        order.fire(item.item_id, Trigger.REVIEW, actor=COMPLIANCE_ACTOR, at=now, note=HAND_OFF_NOTE)
    return True


def assign_requirements(
    order: Order, policy: RequirementsPolicy, library: Sequence[Document], *, now: datetime
) -> None:
    """Give every item of a just-placed order its requirements, then reuse, then ask.

    For each item: ask ``policy`` for the requirement kinds; let the Smart
    Document Matcher fill what it can from ``library`` (the account's approved
    documents); an item still missing documents moves to Information Required
    with a note listing them, and an item whose documents were all reused goes
    straight to Under Review.
    """
    for item in order.items:
        kinds = requirements_for(
            policy, region=item.region, number_type=item.number_type, order_kind=item.kind
        )
        item.requirements = [RequirementState(kind) for kind in kinds]
        item.regulatory_approval_required = regulatory_approval_required(
            policy,
            region=item.region,
            number_type=item.number_type,
            order_kind=item.kind,
            kinds=kinds,
        )
        if not kinds:
            continue
        order.record(
            DocumentsRequested,
            now,
            item_id=item.item_id,
            kinds=kinds,
            region=normalize_region(item.region),
        )
        _reuse_for_item(order, item, library, now)
        if missing_requirements(item.requirements):
            order.fire(
                item.item_id,
                Trigger.REQUEST_INFORMATION,
                actor=COMPLIANCE_ACTOR,
                at=now,
                note=_request_note(item),
            )
        else:
            advance_if_complete(order, item, now=now)


def reuse_for_order(order: Order, library: Sequence[Document], *, now: datetime) -> list[LineItem]:
    """Run the matcher over every open item's missing requirements.

    Items that become complete are handed to the compliance team (see
    :func:`advance_if_complete`).

    Returns:
        The items that became complete.
    """
    completed: list[LineItem] = []
    for item in order.items:
        if item.is_final or not missing_requirements(item.requirements):
            continue
        if _reuse_for_item(order, item, library, now) and advance_if_complete(order, item, now=now):
            completed.append(item)
    return completed


def find_upload_target(order: Order, item_id: str, kind: str) -> RequirementState:
    """The missing requirement of ``kind`` an upload for ``item_id`` would satisfy.

    Raises:
        ItemNotFound: the order has no such item.
        InvalidTransition: the item is final and takes no documents.
        ValidationError: the item does not need ``kind``, or already has it.
    """
    kind = requirement_kind(kind)
    item = order.item(item_id)
    if item.is_final:
        raise InvalidTransition(
            order_id=order.order_id,
            item_id=item_id,
            status=item.status.value,
            trigger=Trigger.PROVIDE_INFORMATION.value,
            allowed=[],
            reason="the item is final and takes no documents",
        )
    same_kind = [r for r in item.requirements if r.kind == kind]
    for requirement in same_kind:
        if not requirement.satisfied:
            return requirement
    if same_kind:
        raise ValidationError(
            f"order {order.order_id!r} item {item_id!r}: {requirement_label(kind)!r} is "
            f"already provided by document {same_kind[0].document_id!r}",
            field="kind",
        )
    missing = ", ".join(r.kind for r in missing_requirements(item.requirements)) or "none"
    raise ValidationError(
        f"order {order.order_id!r} item {item_id!r} does not need {kind!r}; "
        f"missing documents: {missing}",
        field="kind",
    )


def record_upload(order: Order, document: Document, *, actor: Actor, now: datetime) -> bool:
    """Attach a freshly uploaded ``document`` to its item's missing requirement.

    The item is ``document.item_id``; the requirement is the one
    :func:`find_upload_target` names.  If that completes the item, the item is
    handed to the compliance team and the document goes under review.

    Returns:
        Whether every requirement of the item is now satisfied.
    """
    assert document.item_id is not None
    requirement = find_upload_target(order, document.item_id, document.kind)
    item = order.item(document.item_id)
    requirement.attach(document, source=DocumentSource.UPLOAD, at=now)
    requirement.note = None
    order.record(
        DocumentUploaded,
        now,
        item_id=item.item_id,
        document_id=document.document_id,
        kind=document.kind,
        content_type=document.file.content_type,
        size=document.file.size,
        sha256=document.file.sha256,
        actor=actor,
    )
    complete = advance_if_complete(order, item, now=now)
    if complete:
        document.hand_off()
    return complete


def uploaded_document_ids(requirements: Iterable[RequirementState]) -> list[str]:
    """Ids of the documents uploaded (not reused) for these requirements."""
    return [
        r.document_id
        for r in requirements
        if r.document_id is not None and r.source is DocumentSource.UPLOAD
    ]


def record_approval(order: Order, document: Document, *, actor: Actor, now: datetime) -> None:
    """Mark the requirements ``document`` satisfies on its item as approved.

    A TrueLocal item whose documents are now all approved gets
    ``regulatory_approved_at``, which lifts its regulatory lock.
    """
    assert document.valid_until is not None
    item = order.item(document.item_id) if document.item_id is not None else None
    if item is not None:
        for requirement in item.requirements:
            if requirement.document_id == document.document_id:
                requirement.approved_at = now
        _update_regulatory(item, now)
    order.record(
        DocumentApproved,
        now,
        item_id=document.item_id,
        document_id=document.document_id,
        kind=document.kind,
        valid_until=document.valid_until,
        actor=actor,
    )


def record_rejection(
    order: Order, item_id: str, document: Document, *, actor: Actor, now: datetime, note: str
) -> None:
    """Take a rejected ``document`` off ``item_id``'s requirements and tell the customer.

    The item goes back to the customer with the reviewer's note: ``reject``
    moves it to Information Required (Port Rejected for a port-in); where the
    machine does not allow ``reject`` it is asked for information instead; an
    item already waiting on the customer only gets the note on its requirement.

    Raises:
        ValidationError: no requirement of the item is satisfied by ``document``.
    """
    item = order.item(item_id)
    requirements = [r for r in item.requirements if r.document_id == document.document_id]
    if not requirements:
        raise ValidationError(
            f"order {order.order_id!r} item {item_id!r} does not use document "
            f"{document.document_id!r}",
            field="item_id",
        )
    for requirement in requirements:
        requirement.detach(note)
    order.record(
        DocumentRejected,
        now,
        item_id=item_id,
        document_id=document.document_id,
        kind=document.kind,
        reviewer_note=note,
        actor=actor,
    )
    if item.is_final:
        return
    # Compliance is no longer greenlit: a TrueLocal number locks again.
    item.regulatory_approved_at = None
    allowed = item.allowed_triggers()
    if item.status in (ItemStatus.INFORMATION_REQUIRED, ItemStatus.PORT_REJECTED):
        return
    if Trigger.REJECT in allowed:
        order.fire(item_id, Trigger.REJECT, actor=actor, at=now, note=note)
    elif Trigger.REQUEST_INFORMATION in allowed:
        order.fire(item_id, Trigger.REQUEST_INFORMATION, actor=actor, at=now, note=note)
