"""OrderService documents and compliance: requirements at placement, upload, reuse, review,
expiry and account isolation, end to end over memory storage and a real temp directory."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.actors import CARRIER, CUSTOMER, STAFF
from tests.support.clock import T0
from tnorder import (
    ConfigurationError,
    DocumentNotFound,
    InvalidDocument,
    ItemStatus,
    ItemStatusChanged,
    NewItem,
    NumberType,
    OrderKind,
    OrderService,
    PermissionDenied,
    ValidationError,
)
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.document_storage import FilesystemDocumentStorage, MemoryDocumentStorage
from tnorder.adapters.memory import MemoryStorage
from tnorder.domain.documents import (
    COMPLIANCE_ACTOR,
    DEFAULT_REQUIREMENTS_POLICY,
    DocumentSource,
    DocumentStatus,
    RequirementKind,
)
from tnorder.domain.events import (
    DocumentApproved,
    DocumentExpired,
    DocumentRejected,
    DocumentReused,
    DocumentsRequested,
    DocumentUploaded,
    Event,
)
from tnorder.ports import DocumentStorage
from tnorder.world import World as BaseWorld
from tnorder.world import build_service, build_world

LOCAL = RequirementKind.PROOF_OF_LOCAL_ADDRESS.value
LOA = RequirementKind.LETTER_OF_AUTHORIZATION.value
BILL = RequirementKind.RECENT_BILL.value
PDF = b"%PDF-1.7\nproof of address\n%%EOF\n"
PDF2 = b"%PDF-1.7\nanother bill\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\nletter"
NOTE = "Your document has expired; please upload a current utility bill."


class World(BaseWorld):
    """The shipped world with document storage and the default requirements policy."""

    @property
    def files(self) -> DocumentStorage:
        assert self.document_storage is not None
        return self.document_storage

    def place(self, order_id: str, *items: NewItem, account_id: str = "acct-1") -> None:
        self.service.place_order(account_id, list(items), actor=CUSTOMER, order_id=order_id)

    def status(self, order_id: str, item_index: int = 0) -> ItemStatus:
        return self.service.get_order(order_id).items[item_index].status

    def events(self) -> list[Event]:
        return self.relay()


def make_world(documents: DocumentStorage | None = None, **options: object) -> World:
    """A world over memory storage with a fixed clock at T0, counting ids and recording events."""
    return build_world(
        start=T0,
        document_storage=documents if documents is not None else MemoryDocumentStorage(),
        requirements_policy=DEFAULT_REQUIREMENTS_POLICY,
        world_class=World,
        **options,
    )


def truelocal(region: str = "US-GA") -> NewItem:
    return NewItem(OrderKind.NEW_NUMBER, number_type=NumberType.TRUELOCAL, region=region)


def port_in(region: str = "US-GA") -> NewItem:
    return NewItem(OrderKind.PORT_IN, number="+14045550100", region=region)


@pytest.fixture
def world() -> World:
    return make_world()


# -- placement --------------------------------------------------------------------


def test_items_missing_documents_are_placed_in_information_required(world: World) -> None:
    """Placing asks for documents: the item is in Information Required, and the request and the
    status change are published."""
    world.place("A", truelocal(), NewItem(OrderKind.NEW_NUMBER))
    order = world.service.get_order("A")
    assert [ItemStatus.INFORMATION_REQUIRED, ItemStatus.ORDER_SUBMITTED] == [
        i.status for i in order.items
    ]
    assert [LOCAL] == [r.kind for r in order.items[0].requirements]
    events = world.events()
    assert ["OrderPlaced", "DocumentsRequested", "ItemStatusChanged"] == [
        e.type_name for e in events
    ]
    assert ["A#1", "A#2", "A#3"] == [e.event_id for e in events]


def test_the_service_asks_for_no_documents_unless_given_a_policy() -> None:
    """Without requirements_policy, a port-in is placed in Order Submitted as before."""
    service = build_service(clock=FixedClock(T0))
    order = service.place_order("acct-1", [port_in()], actor=CUSTOMER, order_id="A")
    assert ItemStatus.ORDER_SUBMITTED == order.items[0].status
    assert [] == order.items[0].requirements


def test_constructor_checks_its_document_options() -> None:
    """Silly limits are refused up front."""
    with pytest.raises(ValidationError, match=r"max_upload_bytes must be positive"):
        OrderService(MemoryStorage(), clock=FixedClock(T0), max_upload_bytes=0)
    with pytest.raises(ValidationError, match=r"document_validity_days must be at least 1"):
        OrderService(MemoryStorage(), clock=FixedClock(T0), document_validity_days=0)


# -- upload -----------------------------------------------------------------------


def test_uploading_the_last_document_moves_the_item_to_under_review(world: World) -> None:
    """A port-in waits for both documents; the second upload hands the item and both documents
    to the team, and the change is published like any other."""
    world.place("A", port_in())
    first = world.service.upload_document("A", "A-1", LOA, PNG, file_name="loa.png", actor=CUSTOMER)
    assert DocumentStatus.UPLOADED == first.status
    assert ItemStatus.INFORMATION_REQUIRED == world.status("A")
    second = world.service.upload_document(
        "A", "A-1", BILL, PDF, file_name="bill.pdf", actor=CUSTOMER
    )
    assert DocumentStatus.UNDER_REVIEW == second.status
    assert ItemStatus.UNDER_REVIEW == world.status("A")
    assert [DocumentStatus.UNDER_REVIEW] * 2 == [
        d.status for d in world.service.list_documents("acct-1")
    ]
    item = world.service.get_order("A").items[0]
    assert [("DOC-1", DocumentSource.UPLOAD), ("DOC-2", DocumentSource.UPLOAD)] == [
        (r.document_id, r.source) for r in item.requirements
    ]
    events = world.events()
    uploads = [e for e in events if isinstance(e, DocumentUploaded)]
    assert [("DOC-1", LOA, "image/png"), ("DOC-2", BILL, "application/pdf")] == [
        (e.document_id, e.kind, e.content_type) for e in uploads
    ]
    last = events[-1]
    assert isinstance(last, ItemStatusChanged)
    assert (ItemStatus.UNDER_REVIEW, "provide_information", COMPLIANCE_ACTOR) == (
        last.to_status,
        last.trigger,
        last.actor,
    )


def test_uploaded_bytes_are_stored_by_hash_and_readable_by_their_account(world: World) -> None:
    """The content is kept by SHA-256; the account can read it back; metadata is recorded."""
    world.place("A", truelocal())
    d = world.service.upload_document(
        "A", "A-1", LOCAL, PDF, file_name="C:\\fakepath\\lease.pdf", actor=CUSTOMER
    )
    assert ("lease.pdf", "application/pdf", len(PDF)) == (
        d.file.file_name,
        d.file.content_type,
        d.file.size,
    )
    assert world.files.exists(d.file.sha256)
    assert PDF == world.service.document_content("DOC-1", account_id="acct-1")
    assert ("A", "A-1", "US-GA", CUSTOMER) == (d.order_id, d.item_id, d.region, d.uploaded_by)


@pytest.mark.parametrize(
    ("data", "file_name", "reason"),
    [
        (b"", "bill.pdf", "empty"),
        (PDF + b"x" * 100, "bill.pdf", "too_large"),
        (b"GIF89a fake", "bill.pdf", "content_type"),
        (PNG, "bill.pdf", "content_type"),
        (PDF, "..", "file_name"),
    ],
)
def test_an_upload_that_fails_validation_leaves_no_trace(
    data: bytes, file_name: str, reason: str
) -> None:
    """Refused files are neither stored nor recorded, and the order and outbox are unchanged."""
    world = make_world(max_upload_bytes=len(PDF) + 50)
    world.place("A", truelocal())
    before = world.service.get_order("A")
    outbox = world.storage.pending_event_count()
    with pytest.raises(InvalidDocument) as info:
        world.service.upload_document("A", "A-1", LOCAL, data, file_name=file_name, actor=CUSTOMER)
    assert reason == info.value.reason
    assert isinstance(world.files, MemoryDocumentStorage)
    assert [] == world.files.keys()
    assert [] == world.service.list_documents("acct-1")
    assert before == world.service.get_order("A")
    assert before.version == world.service.get_order("A").version
    assert outbox == world.storage.pending_event_count()


def test_an_upload_for_the_wrong_requirement_leaves_no_trace(world: World) -> None:
    """A kind the item does not miss (or an unknown item) stores nothing."""
    world.place("A", truelocal(), NewItem(OrderKind.NEW_NUMBER))
    with pytest.raises(
        ValidationError,
        match=r"order 'A' item 'A-1' does not need 'recent_bill'; missing documents",
    ):
        world.service.upload_document("A", "A-1", BILL, PDF, file_name="b.pdf", actor=CUSTOMER)
    with pytest.raises(
        ValidationError,
        match=r"order 'A' item 'A-2' does not need 'proof_of_local_address'; missing",
    ):
        world.service.upload_document("A", "A-2", LOCAL, PDF, file_name="b.pdf", actor=CUSTOMER)
    with pytest.raises(LookupError, match=r"order 'A' has no line item 'A-9'"):
        world.service.upload_document("A", "A-9", LOCAL, PDF, file_name="b.pdf", actor=CUSTOMER)
    with pytest.raises(
        ValidationError, match=r"requirement kind must be a lower-case snake_case name, got 'Not A"
    ):
        world.service.upload_document(
            "A", "A-1", "Not A Kind", PDF, file_name="b.pdf", actor=CUSTOMER
        )
    assert isinstance(world.files, MemoryDocumentStorage)
    assert [] == world.files.keys()
    assert [] == world.service.list_documents("acct-1")


def test_a_satisfied_requirement_takes_no_second_upload(world: World) -> None:
    """Once a requirement has a document, another upload for it is refused."""
    world.place("A", truelocal())
    world.service.upload_document("A", "A-1", LOCAL, PDF, file_name="a.pdf", actor=CUSTOMER)
    with pytest.raises(ValidationError, match="already provided"):
        world.service.upload_document("A", "A-1", LOCAL, PDF2, file_name="b.pdf", actor=CUSTOMER)
    assert ["DOC-1"] == [d.document_id for d in world.service.list_documents("acct-1")]


def test_upload_needs_document_storage_and_an_uploader() -> None:
    """No storage is a ConfigurationError; a carrier may not upload for the customer."""
    service = build_service(clock=FixedClock(T0), requirements_policy=DEFAULT_REQUIREMENTS_POLICY)
    service.place_order("acct-1", [truelocal()], actor=CUSTOMER, order_id="A")
    with pytest.raises(
        ConfigurationError, match=r"upload_document needs OrderService\(document_storage=\.\.\.\)"
    ):
        service.upload_document("A", "A-1", LOCAL, PDF, file_name="a.pdf", actor=CUSTOMER)
    with pytest.raises(
        ConfigurationError, match=r"document_content needs OrderService\(document_storage=\.\.\.\)"
    ):
        service.document_content("DOC-1", account_id="acct-1")
    world = make_world()
    world.place("A", truelocal())
    with pytest.raises(PermissionDenied, match=r"role 'carrier' may not upload documents"):
        world.service.upload_document("A", "A-1", LOCAL, PDF, file_name="a.pdf", actor=CARRIER)


def test_upload_works_over_the_filesystem_adapter(tmp_path: Path) -> None:
    """With real files: the bytes land under their hash and read back through the service."""
    world = make_world(FilesystemDocumentStorage(tmp_path))
    world.place("A", truelocal())
    d = world.service.upload_document(
        "A", "A-1", LOCAL, PDF, file_name="../../../etc/cron.d/x.pdf", actor=CUSTOMER
    )
    assert PDF == (tmp_path / d.file.sha256[:2] / d.file.sha256).read_bytes()
    assert [d.file.sha256] == [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert PDF == world.service.document_content(d.document_id, account_id="acct-1")


# -- review -----------------------------------------------------------------------


def approved_truelocal(world: World, order_id: str = "A", region: str = "US-GA") -> str:
    world.place(order_id, truelocal(region))
    d = world.service.upload_document(
        order_id, f"{order_id}-1", LOCAL, PDF, file_name="lease.pdf", actor=CUSTOMER
    )
    world.service.approve_document(d.document_id, actor=STAFF)
    return d.document_id


def test_approval_saves_to_the_library_and_lifts_the_truelocal_lock(world: World) -> None:
    """Approved: in the library with a default validity, and the TrueLocal item is greenlit."""
    world.place("A", truelocal())
    d = world.service.upload_document("A", "A-1", LOCAL, PDF, file_name="a.pdf", actor=CUSTOMER)
    assert world.service.get_order("A").items[0].regulatory_approved_at is None
    world.clock.advance(hours=3)
    approved = world.service.approve_document(d.document_id, actor=STAFF)
    assert (DocumentStatus.APPROVED, date(2027, 3, 2)) == (approved.status, approved.valid_until)
    library = world.service.list_documents("acct-1", status=DocumentStatus.APPROVED)
    assert ["DOC-1"] == [x.document_id for x in library]
    item = world.service.get_order("A").items[0]
    assert T0 + timedelta(hours=3) == item.regulatory_approved_at
    approvals = [e for e in world.events() if isinstance(e, DocumentApproved)]
    assert [("A", "A-1", "DOC-1")] == [(e.stream, e.item_id, e.document_id) for e in approvals]


def test_approval_takes_a_reviewer_and_a_document_under_review(world: World) -> None:
    """Customers cannot approve; a document still waiting for its siblings cannot be approved;
    an unknown id is DocumentNotFound."""
    world.place("A", port_in())
    d = world.service.upload_document("A", "A-1", LOA, PNG, file_name="loa.png", actor=CUSTOMER)
    with pytest.raises(PermissionDenied, match=r"role 'customer' may not approve documents"):
        world.service.approve_document(d.document_id, actor=CUSTOMER)
    with pytest.raises(ValidationError, match="under_review"):
        world.service.approve_document(d.document_id, actor=STAFF)
    with pytest.raises(DocumentNotFound, match=r"document 'DOC-404' not found"):
        world.service.approve_document("DOC-404", actor=STAFF)
    world.service.upload_document("A", "A-1", BILL, PDF, file_name="bill.pdf", actor=CUSTOMER)
    with pytest.raises(ValidationError, match="past"):
        world.service.approve_document(
            d.document_id, actor=STAFF, valid_until=T0.date() - timedelta(days=1)
        )
    approved = world.service.approve_document(
        d.document_id, actor=STAFF, valid_until=date(2026, 9, 1)
    )
    assert date(2026, 9, 1) == approved.valid_until


def test_approval_completes_sibling_items_waiting_for_the_same_document(world: World) -> None:
    """Two TrueLocal numbers in one region: one upload, once approved, serves both."""
    world.place("A", truelocal(), truelocal(), truelocal("US-FL"))
    d = world.service.upload_document("A", "A-1", LOCAL, PDF, file_name="a.pdf", actor=CUSTOMER)
    assert ItemStatus.INFORMATION_REQUIRED == world.status("A", 1)
    world.service.approve_document(d.document_id, actor=STAFF)
    order = world.service.get_order("A")
    assert [ItemStatus.UNDER_REVIEW, ItemStatus.UNDER_REVIEW, ItemStatus.INFORMATION_REQUIRED] == [
        i.status for i in order.items
    ]
    assert (d.document_id, DocumentSource.REUSE) == (
        order.items[1].requirements[0].document_id,
        order.items[1].requirements[0].source,
    )
    assert order.items[1].regulatory_approved_at is not None


@pytest.mark.parametrize(
    ("item", "expected"),
    [(truelocal(), ItemStatus.INFORMATION_REQUIRED), (port_in(), ItemStatus.PORT_REJECTED)],
)
def test_rejection_sends_the_item_back_with_the_reviewers_note(
    world: World, item: NewItem, expected: ItemStatus
) -> None:
    """Rejected: Information Required (Port Rejected for a port-in) with the customer-facing note;
    a fresh upload hands the item back to the team."""
    world.place("A", item)
    kinds = [r.kind for r in world.service.get_order("A").items[0].requirements]
    docs = [
        world.service.upload_document(
            "A", "A-1", kind, PDF + kind.encode(), file_name="doc.pdf", actor=CUSTOMER
        )
        for kind in kinds
    ]
    rejected = world.service.reject_document(docs[-1].document_id, actor=STAFF, note=NOTE)
    assert (DocumentStatus.REJECTED, NOTE) == (rejected.status, rejected.reviewer_note)
    line = world.service.get_order("A").items[0]
    assert expected == line.status
    assert NOTE == line.latest_note
    assert [NOTE] == [e.reviewer_note for e in world.events() if isinstance(e, DocumentRejected)]
    world.service.upload_document("A", "A-1", kinds[-1], PDF2, file_name="new.pdf", actor=CUSTOMER)
    assert ItemStatus.UNDER_REVIEW == world.status("A")
    assert [] == world.service.list_documents("acct-1", status=DocumentStatus.APPROVED)


def test_rejection_needs_a_note_and_a_reviewer(world: World) -> None:
    """A rejection without a note, or by the customer, changes nothing."""
    world.place("A", truelocal())
    d = world.service.upload_document("A", "A-1", LOCAL, PDF, file_name="a.pdf", actor=CUSTOMER)
    with pytest.raises(
        ValidationError, match=r"a rejection needs a note telling the customer what to correct"
    ):
        world.service.reject_document(d.document_id, actor=STAFF, note="  ")
    with pytest.raises(PermissionDenied, match=r"role 'customer' may not reject documents"):
        world.service.reject_document(d.document_id, actor=CUSTOMER, note=NOTE)
    with pytest.raises(ValidationError, match=r"name both order_id and item_id, or neither"):
        world.service.reject_document(d.document_id, actor=STAFF, note=NOTE, order_id="A")
    assert (
        DocumentStatus.UNDER_REVIEW
        == world.service.get_document(d.document_id, account_id="acct-1").status
    )
    assert ItemStatus.UNDER_REVIEW == world.status("A")


def test_a_carrier_can_reject_a_reused_document_for_its_order(world: World) -> None:
    """A carrier's rejection on a later order takes the document out of the library and sends
    that order's item back to the customer."""
    doc_id = approved_truelocal(world, "A")
    world.place("B", truelocal())
    assert ItemStatus.UNDER_REVIEW == world.status("B")
    world.service.reject_document(doc_id, actor=CARRIER, note=NOTE, order_id="B", item_id="B-1")
    b = world.service.get_order("B").items[0]
    assert (ItemStatus.INFORMATION_REQUIRED, NOTE, None) == (
        b.status,
        b.latest_note,
        b.regulatory_approved_at,
    )
    assert [] == world.service.list_documents("acct-1", status=DocumentStatus.APPROVED)
    world.place("C", truelocal())
    assert ItemStatus.INFORMATION_REQUIRED == world.status("C")


def test_a_rejection_cannot_reach_another_accounts_order(world: World) -> None:
    """Naming another account's order is DocumentNotFound, and nothing changes."""
    doc_id = approved_truelocal(world, "A")
    world.place("X", truelocal(), account_id="acct-2")
    with pytest.raises(DocumentNotFound, match=r"document 'DOC-1' not found"):
        world.service.reject_document(doc_id, actor=STAFF, note=NOTE, order_id="X", item_id="X-1")
    assert DocumentStatus.APPROVED == world.service.get_document(doc_id, account_id="acct-1").status


# -- reuse ------------------------------------------------------------------------


def test_the_matcher_reuses_the_library_on_the_next_order(world: World) -> None:
    """One-tap compliance: an approved document of the same region is attached automatically,
    the item goes straight to Under Review, and the reuse is published."""
    doc_id = approved_truelocal(world, "A")
    world.place("B", truelocal("us-ga"))
    b = world.service.get_order("B").items[0]
    assert ItemStatus.UNDER_REVIEW == b.status
    assert (doc_id, DocumentSource.REUSE) == (
        b.requirements[0].document_id,
        b.requirements[0].source,
    )
    assert b.regulatory_approved_at is not None
    reused = [e for e in world.events() if isinstance(e, DocumentReused)]
    assert [("B", "B-1", doc_id)] == [(e.stream, e.item_id, e.document_id) for e in reused]


def test_the_matcher_does_not_cross_regions_kinds_or_accounts(world: World) -> None:
    """Another region, another kind or another account gets no reuse."""
    approved_truelocal(world, "A")
    world.place("B", truelocal("US-FL"))
    world.place("C", port_in())
    world.place("D", truelocal(), account_id="acct-2")
    for order_id in ("B", "C", "D"):
        assert ItemStatus.INFORMATION_REQUIRED == world.status(order_id)


def test_the_matcher_picks_the_document_valid_longest(world: World) -> None:
    """With two approved documents, the one valid longest is reused, every time."""
    world.place("A", truelocal())
    world.place("B", truelocal())
    for order_id, until in (("A", date(2026, 6, 1)), ("B", date(2027, 1, 1))):
        d = world.service.upload_document(
            order_id,
            f"{order_id}-1",
            LOCAL,
            PDF + order_id.encode(),
            file_name="a.pdf",
            actor=CUSTOMER,
        )
        world.service.approve_document(d.document_id, actor=STAFF, valid_until=until)
    for order_id in ("C", "D"):
        world.place(order_id, truelocal())
        assert "DOC-2" == world.service.get_order(order_id).items[0].requirements[0].document_id


def test_reuse_approved_documents_completes_orders_placed_earlier(world: World) -> None:
    """An order waiting for a document picks it up once another order's copy is approved."""
    world.place("WAIT", truelocal())
    doc_id = approved_truelocal(world, "A")
    assert ItemStatus.INFORMATION_REQUIRED == world.status("WAIT")
    order = world.service.reuse_approved_documents("WAIT")
    assert ItemStatus.UNDER_REVIEW == order.items[0].status
    assert doc_id == order.items[0].requirements[0].document_id
    version = world.service.get_order("WAIT").version
    world.service.reuse_approved_documents("WAIT")
    assert version == world.service.get_order("WAIT").version


# -- expiry -----------------------------------------------------------------------


def test_an_expired_document_is_never_reused(world: World) -> None:
    """Past valid_until, the library document no longer satisfies new orders."""
    world.place("A", truelocal())
    d = world.service.upload_document("A", "A-1", LOCAL, PDF, file_name="a.pdf", actor=CUSTOMER)
    world.service.approve_document(d.document_id, actor=STAFF, valid_until=date(2026, 3, 10))
    world.clock.set(datetime(2026, 3, 10, 23, 59, tzinfo=UTC))
    world.place("B", truelocal())
    assert ItemStatus.UNDER_REVIEW == world.status("B")
    world.clock.set(datetime(2026, 3, 11, 0, 0, tzinfo=UTC))
    world.place("C", truelocal())
    assert ItemStatus.INFORMATION_REQUIRED == world.status("C")


def test_expiry_report_and_marking(world: World) -> None:
    """The report lists expiring and expired approved documents; marking publishes
    DocumentExpired on the document's own stream, once."""
    world.place("A", truelocal())
    world.place("B", truelocal())
    for order_id, until in (("A", date(2026, 3, 5)), ("B", date(2026, 3, 20))):
        d = world.service.upload_document(
            order_id,
            f"{order_id}-1",
            LOCAL,
            PDF + order_id.encode(),
            file_name="a.pdf",
            actor=CUSTOMER,
        )
        world.service.approve_document(d.document_id, actor=STAFF, valid_until=until)
    report = world.service.document_expiry_report(within_days=7)
    assert ([], ["DOC-1"]) == (
        [d.document_id for d in report.expired],
        [d.document_id for d in report.expiring],
    )
    world.clock.set(datetime(2026, 3, 6, tzinfo=UTC))
    report = world.service.document_expiry_report(within_days=30, account_id="acct-1")
    assert (["DOC-1"], ["DOC-2"]) == (
        [d.document_id for d in report.expired],
        [d.document_id for d in report.expiring],
    )
    assert () == world.service.document_expiry_report(account_id="acct-2").expiring
    marked = world.service.expire_documents()
    assert ["DOC-1"] == [d.document_id for d in marked]
    assert [] == world.service.expire_documents()
    assert DocumentStatus.EXPIRED == world.service.get_document("DOC-1", account_id="acct-1").status
    expired = [e for e in world.events() if isinstance(e, DocumentExpired)]
    assert [("document:DOC-1#1", "acct-1", date(2026, 3, 5))] == [
        (e.event_id, e.account_id, e.valid_until) for e in expired
    ]
    assert () == world.service.document_expiry_report(within_days=0).expired


# -- isolation ----------------------------------------------------------------------


def test_documents_are_never_shown_outside_their_account(world: World) -> None:
    """Another account cannot list, get or read a document: it does not exist for them."""
    doc_id = approved_truelocal(world, "A")
    assert [] == world.service.list_documents("acct-2")
    with pytest.raises(DocumentNotFound, match=r"document 'DOC-1' not found"):
        world.service.get_document(doc_id, account_id="acct-2")
    with pytest.raises(DocumentNotFound, match=r"document 'DOC-1' not found"):
        world.service.document_content(doc_id, account_id="acct-2")
    with pytest.raises(ValidationError, match=r"account_id must not be empty"):
        world.service.list_documents("")
    assert [doc_id] == [d.document_id for d in world.service.list_documents("acct-1")]


def test_events_of_a_full_flow_are_in_order_per_stream(world: World) -> None:
    """Every document event of an order is on its stream, numbered without gaps."""
    world.place("A", port_in())
    for kind, data in ((LOA, PNG), (BILL, PDF)):
        world.service.upload_document("A", "A-1", kind, data, file_name="f", actor=CUSTOMER)
    world.service.reject_document("DOC-2", actor=STAFF, note=NOTE)
    events = [e for e in world.events() if e.stream == "A"]
    assert list(range(1, len(events) + 1)) == [e.seq for e in events]
    assert [DocumentsRequested, ItemStatusChanged, DocumentUploaded, DocumentUploaded] == [
        type(e) for e in events[1:5]
    ]


def test_the_orders_tab_shows_unavailable_until_the_documents_are_in(world: World) -> None:
    """While documents are missing the delivery column reads "Unavailable" and the note says
    what to upload; once they are in, a delivery estimate is back; a rejection's note shows."""
    world.place("A", truelocal())
    line = world.service.orders_tab("acct-1")[0].items[0]
    assert ("Information Required", "Unavailable") == (line.label, line.delivery.text)
    assert "Proof of local address" in (line.latest_note or "")
    d = world.service.upload_document("A", "A-1", LOCAL, PDF, file_name="a.pdf", actor=CUSTOMER)
    line = world.service.orders_tab("acct-1")[0].items[0]
    assert "Under Review" == line.label
    assert "Unavailable" != line.delivery.text
    world.service.reject_document(d.document_id, actor=STAFF, note=NOTE)
    line = world.service.orders_tab("acct-1")[0].items[0]
    assert ("Unavailable", NOTE) == (line.delivery.text, line.latest_note)
