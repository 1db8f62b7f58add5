"""Document requirements: their kinds, the policy that asks for them, and each item's record.

Pure domain rules.  Nothing here reads the clock or touches storage.

What belongs here:

- requirement kinds (:class:`RequirementKind`, :func:`requirement_kind`) and
  how regions are compared (:func:`normalize_region`);
- the pluggable :class:`RequirementsPolicy` that decides which documents a line
  item needs (keyed by region, number type and order kind), the rule-table
  :class:`RulesPolicy`, and :data:`DEFAULT_REQUIREMENTS_POLICY`;
- :class:`RequirementState`, the per-item record of which document satisfied
  which requirement, and the questions asked of a list of them.

What must not: the document itself and its review (``documents.py``), file
checks (``uploads.py``), or changing an order (``compliance.py``).  This module
imports neither of those, so ``order.py`` can hold ``RequirementState`` without
an import cycle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import Enum, StrEnum
from typing import Protocol

import attrs

from ..errors import ValidationError
from ._labels import LabelledEnum
from .inputs import check_text, to_enum
from .statuses import NumberType, OrderKind

__all__ = [
    "DEFAULT_REQUIREMENTS_POLICY",
    "NO_REQUIREMENTS",
    "Attachable",
    "DocumentSource",
    "RequirementKind",
    "RequirementRule",
    "RequirementState",
    "RequirementsPolicy",
    "RulesPolicy",
    "all_approved",
    "all_satisfied",
    "missing_requirements",
    "normalize_region",
    "regulatory_approval_required",
    "requirement_kind",
    "requirement_label",
    "requirements_for",
    "uploaded_document_ids",
]


# -- requirement kinds ---------------------------------------------------------


class RequirementKind(LabelledEnum, label_key="requirement_kind"):
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


class Attachable(Protocol):
    """What a requirement needs to know of the document attached to it.

    A :class:`~tnorder.domain.documents.Document` is one; naming the two
    properties here instead keeps this module free of ``documents.py``.
    """

    @property
    def document_id(self) -> str: ...

    @property
    def in_library(self) -> bool: ...


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

    def attach(self, document: Attachable, *, source: DocumentSource, at: datetime) -> None:
        """Record that ``document`` satisfies this requirement."""
        self.document_id = document.document_id
        self.source = source
        self.satisfied_at = at
        self.approved_at = at if document.in_library else None

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


def uploaded_document_ids(requirements: Iterable[RequirementState]) -> list[str]:
    """Ids of the documents uploaded (not reused) for these requirements."""
    return [
        r.document_id
        for r in requirements
        if r.document_id is not None and r.source is DocumentSource.UPLOAD
    ]
