"""Compliance on orders: requirements assigned, documents attached, items handed on.

Pure domain rules.  Nothing here reads the clock or touches storage.  These
functions change an order the way the use cases in ``tnorder.service`` need:
the service loads and saves, they decide and record events on the order.

What belongs here: giving a just-placed order's items their requirements,
reusing library documents, attaching uploads, applying approvals and
rejections to the items, and moving items on when their documents are
complete.  What must not: the document's own life cycle (``documents.py``) or
the policy (``requirements.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..errors import InvalidTransition, ValidationError
from .documents import Document
from .events import (
    Actor,
    DocumentApproved,
    DocumentRejected,
    DocumentReused,
    DocumentsRequested,
    DocumentUploaded,
)
from .machine import Trigger
from .matching import reuse_from_library
from .order import LineItem, Order
from .requirements import (
    DocumentSource,
    RequirementsPolicy,
    RequirementState,
    all_approved,
    all_satisfied,
    missing_requirements,
    normalize_region,
    regulatory_approval_required,
    requirement_kind,
    requirement_label,
    requirements_for,
)
from .statuses import ItemStatus, NumberType, OrderKind

__all__ = [
    "COMPLIANCE_ACTOR",
    "HAND_OFF_NOTE",
    "advance_if_complete",
    "assign_requirements",
    "find_upload_target",
    "record_approval",
    "record_rejection",
    "record_upload",
    "reuse_for_order",
]

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
    # The policy's answers depend on (region, number type, kind) alone: asked
    # once per combination, not once per item (a bulk order has 10,000 items
    # and a handful of combinations).
    answers: dict[tuple[str | None, NumberType, OrderKind], tuple[tuple[str, ...], bool]] = {}
    for item in order.items:
        asked = (item.region, item.number_type, item.kind)
        answer = answers.get(asked)
        if answer is None:
            kinds = requirements_for(
                policy, region=item.region, number_type=item.number_type, order_kind=item.kind
            )
            locked = regulatory_approval_required(
                policy,
                region=item.region,
                number_type=item.number_type,
                order_kind=item.kind,
                kinds=kinds,
            )
            answer = answers[asked] = (kinds, locked)
        kinds = answer[0]
        if kinds or item.requirements:  # an item placed without any keeps its empty list
            item.requirements = [RequirementState(kind) for kind in kinds]
        item.regulatory_approval_required = answer[1]
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
