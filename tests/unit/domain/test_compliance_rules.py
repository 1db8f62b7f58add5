"""Compliance on orders, written down from docs/documents.md and docs/decisions.md.

Finished items take no documents and are never filled from the library; a
library document approved outside any item is still recorded; a rejection is
recorded with the item, document, kind, reviewer's note and actor; each
refusal names the facts the caller needs.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.actors import CARRIER, CUSTOMER, MANAGER, STAFF
from tnorder import (
    InvalidTransition,
    ItemStatus,
    NewItem,
    NumberType,
    Order,
    OrderKind,
    ValidationError,
)
from tnorder.domain.compliance import (
    assign_requirements,
    find_upload_target,
    record_approval,
    record_rejection,
    record_upload,
    reuse_for_order,
)
from tnorder.domain.documents import Document, DocumentStatus
from tnorder.domain.events import (
    DocumentApproved,
    DocumentRejected,
    DocumentReused,
    DocumentsRequested,
    DocumentUploaded,
)
from tnorder.domain.requirements import (
    DEFAULT_REQUIREMENTS_POLICY,
    RequirementRule,
    RulesPolicy,
)
from tnorder.domain.uploads import FileInfo

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LOCAL = "proof_of_local_address"
PDF = b"%PDF-1.7\n%%EOF\n"


def _doc(document_id: str, *, item_id: str | None = None) -> Document:
    return Document(
        document_id=document_id,
        account_id="acct-1",
        kind=LOCAL,
        region="US-GA",
        status=DocumentStatus.APPROVED,
        file=FileInfo("bill.pdf", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest()),
        uploaded_at=T0 - timedelta(days=1),
        valid_until=date(2026, 12, 31),
        item_id=item_id,
    )


def _truelocal() -> NewItem:
    return NewItem(OrderKind.NEW_NUMBER, number_type=NumberType.TRUELOCAL, region="US-GA")


def _assigned(*items: NewItem) -> Order:
    order = Order.place("A-1", "acct-1", list(items), actor=CUSTOMER, at=T0)
    assign_requirements(order, DEFAULT_REQUIREMENTS_POLICY, (), now=T0)
    order.pull_events()
    return order


def test_reuse_skips_finished_items_even_when_they_miss_documents() -> None:
    """A cancelled item waiting on documents is not filled from a grown library."""
    order = _assigned(_truelocal())
    order.cancel(actor=MANAGER, at=T0)
    order.pull_events()
    assert [] == reuse_for_order(order, [_doc("DOC-1")], now=T0)
    assert order.items[0].requirements[0].document_id is None
    assert [] == [e for e in order.pull_events() if isinstance(e, DocumentReused)]


def test_reuse_carries_on_past_items_needing_nothing() -> None:
    """An item with no missing documents before a waiting one does not stop the matcher."""
    order = _assigned(NewItem(OrderKind.NEW_NUMBER), _truelocal())
    completed = reuse_for_order(order, [_doc("DOC-1")], now=T0)
    assert ["A-1-2"] == [i.item_id for i in completed]
    assert ItemStatus.UNDER_REVIEW == order.items[1].status


def test_an_upload_for_a_finished_item_names_the_item_its_status_and_why() -> None:
    """A cancelled item takes no documents: InvalidTransition with the full facts."""
    order = _assigned(_truelocal())
    order.cancel(actor=MANAGER, at=T0)
    with pytest.raises(InvalidTransition) as info:
        find_upload_target(order, "A-1-1", LOCAL)
    error = info.value
    assert (
        "A-1",
        "A-1-1",
        "cancelled",
        "provide_information",
        (),
        "the item is final and takes no documents",
    ) == (
        error.order_id,
        error.item_id,
        error.status,
        error.trigger,
        error.allowed,
        error.reason,
    )


def test_a_library_document_approved_outside_any_item_is_recorded() -> None:
    """Approving a document that no item names records DocumentApproved with no item."""
    order = _assigned(_truelocal())
    d = _doc("DOC-LIB")
    record_approval(order, d, actor=STAFF, now=T0)
    (event,) = order.pull_events()
    assert isinstance(event, DocumentApproved)
    assert (None, "DOC-LIB", LOCAL, date(2026, 12, 31), STAFF, T0) == (
        event.item_id,
        event.document_id,
        event.kind,
        event.valid_until,
        event.actor,
        event.at,
    )
    assert order.items[0].requirements[0].approved_at is None


def test_a_rejection_is_recorded_with_every_fact() -> None:
    """DocumentRejected names the item, document, kind, the reviewer's note, actor and time."""
    order = _assigned(_truelocal())
    reuse_for_order(order, [_doc("DOC-1")], now=T0)
    order.pull_events()
    later = T0 + timedelta(hours=1)
    record_rejection(order, "A-1-1", _doc("DOC-1"), actor=CARRIER, now=later, note="Not local.")
    rejected = [e for e in order.pull_events() if isinstance(e, DocumentRejected)]
    assert [("A-1-1", "DOC-1", LOCAL, "Not local.", CARRIER, later)] == [
        (e.item_id, e.document_id, e.kind, e.reviewer_note, e.actor, e.at) for e in rejected
    ]


def test_rejecting_a_document_the_item_does_not_use_names_both() -> None:
    """The refusal names the order, the item and the document, on ``item_id``."""
    order = _assigned(_truelocal())
    with pytest.raises(ValidationError) as info:
        record_rejection(order, "A-1-1", _doc("DOC-X"), actor=STAFF, now=T0, note="No.")
    assert "order 'A-1' item 'A-1-1' does not use document 'DOC-X'" == str(info.value)
    assert "item_id" == info.value.field


def test_an_upload_for_a_kind_already_provided_names_the_document() -> None:
    """A second document for a satisfied requirement is refused on ``kind``, naming the first."""
    order = _assigned(_truelocal())
    reuse_for_order(order, [_doc("DOC-1")], now=T0)
    with pytest.raises(ValidationError) as info:
        find_upload_target(order, "A-1-1", LOCAL)
    assert (
        "order 'A-1' item 'A-1-1': 'Proof of local address' is already provided by document 'DOC-1'"
    ) == str(info.value)
    assert "kind" == info.value.field


def test_an_upload_for_a_kind_not_needed_lists_what_is_missing() -> None:
    """A kind the item does not need is refused on ``kind``, listing the missing kinds."""
    port_in = NewItem(OrderKind.PORT_IN, number="+14045550100", region="US-GA")
    order = _assigned(port_in, NewItem(OrderKind.NEW_NUMBER))
    with pytest.raises(ValidationError) as info:
        find_upload_target(order, "A-1-1", LOCAL)
    assert (
        "order 'A-1' item 'A-1-1' does not need 'proof_of_local_address'; missing documents: "
        "letter_of_authorization, recent_bill"
    ) == str(info.value)
    assert "kind" == info.value.field
    with pytest.raises(ValidationError) as info:
        find_upload_target(order, "A-1-2", "recent_bill")
    assert str(info.value).endswith("does not need 'recent_bill'; missing documents: none")


def _uploaded(document_id: str) -> Document:
    d = _doc(document_id, item_id="A-1-1")
    d.status = DocumentStatus.UPLOADED
    d.valid_until = None
    return d


def test_an_upload_is_attached_and_recorded_with_every_fact() -> None:
    """DocumentUploaded names the item, document, kind, file facts and uploader; the
    requirement is satisfied at the upload's time and the old rejection note is cleared."""
    order = _assigned(_truelocal())
    first = _uploaded("DOC-1")
    assert record_upload(order, first, actor=CUSTOMER, now=T0)
    record_rejection(order, "A-1-1", first, actor=STAFF, now=T0, note="Blurred.")
    assert "Blurred." == order.items[0].requirements[0].note
    order.pull_events()
    later = T0 + timedelta(hours=3)
    second = _uploaded("DOC-2")
    assert record_upload(order, second, actor=CUSTOMER, now=later)
    requirement = order.items[0].requirements[0]
    assert ("DOC-2", later, None) == (
        requirement.document_id,
        requirement.satisfied_at,
        requirement.note,
    )
    uploaded = [e for e in order.pull_events() if isinstance(e, DocumentUploaded)]
    assert [
        (
            "A-1-1",
            "DOC-2",
            LOCAL,
            "application/pdf",
            len(PDF),
            hashlib.sha256(PDF).hexdigest(),
            CUSTOMER,
            later,
        )
    ] == [
        (e.item_id, e.document_id, e.kind, e.content_type, e.size, e.sha256, e.actor, e.at)
        for e in uploaded
    ]


HAND_OFF = "All required documents received; our compliance team is reviewing them."


def test_an_item_handed_to_the_team_tells_the_customer_so() -> None:
    """Whether handed off at placement (all reused) or after an upload, the note says why."""
    reused = Order.place("A-1", "acct-1", [_truelocal()], actor=CUSTOMER, at=T0)
    assign_requirements(reused, DEFAULT_REQUIREMENTS_POLICY, [_doc("DOC-1")], now=T0)
    assert ("review", HAND_OFF) == (
        reused.items[0].history[-1].trigger.value,
        reused.items[0].latest_note,
    )
    order = _assigned(_truelocal())
    record_upload(order, _uploaded("DOC-2"), actor=CUSTOMER, now=T0)
    assert ("provide_information", HAND_OFF) == (
        order.items[0].history[-1].trigger.value,
        order.items[0].latest_note,
    )


def test_requirements_follow_the_items_region() -> None:
    """A rule for one region asks only the item placed in that region."""
    policy = RulesPolicy([RequirementRule((LOCAL,), region="US-GA")])
    order = Order.place(
        "A-1",
        "acct-1",
        [
            NewItem(OrderKind.NEW_NUMBER, region="us-ga"),
            NewItem(OrderKind.NEW_NUMBER, region="US-FL"),
        ],
        actor=CUSTOMER,
        at=T0,
    )
    assign_requirements(order, policy, (), now=T0)
    assert [[LOCAL], []] == [[r.kind for r in i.requirements] for i in order.items]


def test_placing_decides_which_items_wait_for_regulatory_approval() -> None:
    """Under the default policy a TrueLocal item is locked; a local number is not."""
    order = _assigned(_truelocal(), NewItem(OrderKind.NEW_NUMBER, region="US-GA"))
    assert [True, False] == [i.regulatory_approval_required for i in order.items]


class _NoLockPolicy:
    """A host policy asking TrueLocal items for a document but deciding no lock applies."""

    def requirements_for(
        self, *, region: str | None, number_type: NumberType, order_kind: OrderKind
    ) -> tuple[str, ...]:
        return (LOCAL,)

    def __init__(self) -> None:
        self.asked: list[tuple[str | None, NumberType, OrderKind]] = []

    def requires_regulatory_approval(
        self, *, region: str | None, number_type: NumberType, order_kind: OrderKind
    ) -> bool:
        self.asked.append((region, number_type, order_kind))
        return False


def test_placing_asks_the_policy_itself_whether_to_lock() -> None:
    """A policy's own lock decision is used on placing, even when it asks for documents."""
    order = Order.place("A-1", "acct-1", [_truelocal()], actor=CUSTOMER, at=T0)
    policy = _NoLockPolicy()
    assign_requirements(order, policy, (), now=T0)
    item = order.items[0]
    assert [("US-GA", NumberType.TRUELOCAL, OrderKind.NEW_NUMBER)] == policy.asked
    assert ([LOCAL], False) == (
        [r.kind for r in item.requirements],
        item.regulatory_approval_required,
    )


def test_the_documents_request_names_the_item_kinds_and_normalised_region() -> None:
    """DocumentsRequested carries the item, the kinds asked and the region as compared."""
    order = Order.place(
        "A-1",
        "acct-1",
        [NewItem(OrderKind.NEW_NUMBER, number_type=NumberType.TRUELOCAL, region=" us-ga ")],
        actor=CUSTOMER,
        at=T0,
    )
    order.pull_events()
    assign_requirements(order, DEFAULT_REQUIREMENTS_POLICY, (), now=T0)
    requested = [e for e in order.pull_events() if isinstance(e, DocumentsRequested)]
    assert [("A-1-1", (LOCAL,), "US-GA", T0)] == [
        (e.item_id, e.kinds, e.region, e.at) for e in requested
    ]
