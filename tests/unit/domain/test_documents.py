"""Documents and compliance rules: kinds, policy, upload validation, review, matcher, expiry."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tests.support.actors import CARRIER, CUSTOMER, STAFF
from tests.support.clock import T0
from tnorder import (
    Actor,
    InvalidDocument,
    InvalidTransition,
    ItemStatus,
    ItemStatusChanged,
    NewItem,
    NumberType,
    Order,
    OrderKind,
    PermissionDenied,
    Role,
    ValidationError,
)
from tnorder.domain.documents import (
    COMPLIANCE_ACTOR,
    DEFAULT_REQUIREMENTS_POLICY,
    NO_REQUIREMENTS,
    Document,
    DocumentSource,
    DocumentStatus,
    FileInfo,
    RequirementKind,
    RequirementRule,
    RequirementState,
    RulesPolicy,
    all_approved,
    all_satisfied,
    assign_requirements,
    detect_content_type,
    expiry_report,
    find_upload_target,
    is_expired,
    match_document,
    missing_requirements,
    normalize_region,
    record_approval,
    record_rejection,
    record_upload,
    requirement_kind,
    requirement_label,
    requirements_for,
    reuse_for_order,
    reuse_from_library,
    validate_upload,
)
from tnorder.domain.events import (
    DocumentApproved,
    DocumentExpired,
    DocumentRejected,
    DocumentReused,
    DocumentsRequested,
    DocumentUploaded,
)
from tnorder.serialization import dumps, loads

TODAY = T0.date()

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16
LOA = RequirementKind.LETTER_OF_AUTHORIZATION.value
BILL = RequirementKind.RECENT_BILL.value
LOCAL = RequirementKind.PROOF_OF_LOCAL_ADDRESS.value


def doc(
    document_id: str = "DOC-1",
    *,
    account_id: str = "acct-1",
    kind: str = LOCAL,
    region: str | None = "US-GA",
    status: DocumentStatus = DocumentStatus.APPROVED,
    valid_until: date | None = TODAY + timedelta(days=30),
    order_id: str | None = None,
    item_id: str | None = None,
) -> Document:
    return Document(
        document_id=document_id,
        account_id=account_id,
        kind=kind,
        region=region,
        status=status,
        file=FileInfo("bill.pdf", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest()),
        uploaded_at=T0 - timedelta(days=1),
        valid_until=valid_until,
        order_id=order_id,
        item_id=item_id,
    )


def place(*items: NewItem, account_id: str = "acct-1") -> Order:
    return Order.place("A-1", account_id, list(items), actor=CUSTOMER, at=T0)


def truelocal(region: str | None = "US-GA") -> NewItem:
    return NewItem(OrderKind.NEW_NUMBER, number_type=NumberType.TRUELOCAL, region=region)


def port_in(region: str | None = "US-GA") -> NewItem:
    return NewItem(OrderKind.PORT_IN, number="+14045550100", region=region)


def assigned(*items: NewItem, library: Sequence[Document] = ()) -> Order:
    order = place(*items)
    order.pull_events()
    assign_requirements(order, DEFAULT_REQUIREMENTS_POLICY, library, now=T0)
    return order


# -- kinds and regions ----------------------------------------------------------


def test_requirement_kind_stores_enum_members_and_host_kinds_as_plain_strings() -> None:
    """Kinds are plain strings: well-known members by value, and a host's own snake_case names."""
    assert "recent_bill" == requirement_kind(RequirementKind.RECENT_BILL)
    assert str is type(requirement_kind(RequirementKind.RECENT_BILL))
    assert "tax_certificate" == requirement_kind("tax_certificate")


@pytest.mark.parametrize("bad", ["", "Recent bill", "../x", "1bill", "a" * 65, 7, None])
def test_requirement_kind_refuses_anything_but_snake_case(bad: object) -> None:
    """A kind that is not a lower-case snake_case name is refused, naming the field."""
    with pytest.raises(ValidationError) as info:
        requirement_kind(bad)  # type: ignore[arg-type]
    assert "kind" == info.value.field


def test_requirement_label_is_customer_facing() -> None:
    """Well-known kinds have labels; a host's own kinds read as words."""
    assert "Proof of local address" == requirement_label(LOCAL)
    assert "Letter of authorization" == requirement_label(LOA)
    assert "Tax certificate" == requirement_label("tax_certificate")


def test_normalize_region_strips_and_upper_cases() -> None:
    """Regions compare stripped and upper-case; blank means no region."""
    assert "US-GA" == normalize_region(" us-ga ")
    assert normalize_region("  ") is None
    assert normalize_region(None) is None


# -- requirements policy ------------------------------------------------------------


@pytest.mark.parametrize(
    ("number_type", "order_kind", "expected"),
    [
        (NumberType.TRUELOCAL, OrderKind.NEW_NUMBER, (LOCAL,)),
        (NumberType.LOCAL, OrderKind.PORT_IN, (LOA, BILL)),
        (NumberType.TRUELOCAL, OrderKind.PORT_IN, (LOCAL, LOA, BILL)),
        (NumberType.LOCAL, OrderKind.NEW_NUMBER, ()),
        (NumberType.TOLL_FREE, OrderKind.NEW_NUMBER, ()),
        (NumberType.LOCAL, OrderKind.DISCONNECT, ()),
    ],
)
def test_default_policy(
    number_type: NumberType, order_kind: OrderKind, expected: tuple[str, ...]
) -> None:
    """TrueLocal needs proof of local address, a port-in a letter of authorization and a bill."""
    assert expected == requirements_for(
        DEFAULT_REQUIREMENTS_POLICY,
        region="US-GA",
        number_type=number_type,
        order_kind=order_kind,
    )


def test_no_requirements_policy_asks_for_nothing() -> None:
    """The service's default policy asks no item for documents."""
    for number_type in NumberType:
        for order_kind in OrderKind:
            assert () == tuple(
                NO_REQUIREMENTS.requirements_for(
                    region="US", number_type=number_type, order_kind=order_kind
                )
            )


def test_rule_regions_match_a_country_or_exactly_one_region() -> None:
    """A country rule covers its regions; a region rule covers only itself; no region matches
    only rules without one."""
    policy = RulesPolicy(
        [
            RequirementRule(["proof_of_address"], region="de"),
            RequirementRule(["business_registration"], region="DE-BY"),
            RequirementRule(["proof_of_identity"]),
        ]
    )

    def kinds(region: str | None) -> tuple[str, ...]:
        return requirements_for(
            policy, region=region, number_type=NumberType.LOCAL, order_kind=OrderKind.NEW_NUMBER
        )

    assert ("proof_of_address", "business_registration", "proof_of_identity") == kinds("de-by")
    assert ("proof_of_address", "proof_of_identity") == kinds("DE-BE")
    assert ("proof_of_address", "proof_of_identity") == kinds("DE")
    assert ("proof_of_identity",) == kinds("DEU-X")
    assert ("proof_of_identity",) == kinds(None)


def test_rules_filter_by_number_type_and_order_kind() -> None:
    """A rule with a number type or order kind applies only to items that have it."""
    rule = RequirementRule(["recent_bill"], number_type="mobile", order_kind="port_in")
    assert rule.matches(region=None, number_type=NumberType.MOBILE, order_kind=OrderKind.PORT_IN)
    assert not rule.matches(region=None, number_type=NumberType.LOCAL, order_kind=OrderKind.PORT_IN)
    assert not rule.matches(
        region=None, number_type=NumberType.MOBILE, order_kind=OrderKind.NEW_NUMBER
    )


def test_a_host_policy_is_any_object_with_requirements_for() -> None:
    """A host's own policy plugs in; its answer is checked and deduplicated in order."""

    class HostPolicy:
        def requirements_for(
            self, *, region: str | None, number_type: NumberType, order_kind: OrderKind
        ) -> Sequence[str]:
            return ["recent_bill", "tax_id", "recent_bill"] if region == "FR" else []

    assert ("recent_bill", "tax_id") == requirements_for(
        HostPolicy(), region="FR", number_type=NumberType.LOCAL, order_kind=OrderKind.PORT_IN
    )

    class BrokenPolicy:
        def requirements_for(
            self, *, region: str | None, number_type: NumberType, order_kind: OrderKind
        ) -> Sequence[str]:
            return ["Recent Bill!"]

    with pytest.raises(
        ValidationError, match=r"requirement kind must be a lower-case snake_case name, got 'Recent"
    ):
        requirements_for(
            BrokenPolicy(), region="FR", number_type=NumberType.LOCAL, order_kind=OrderKind.PORT_IN
        )


def test_rules_policy_refuses_things_that_are_not_rules() -> None:
    """A policy table holds rules only."""
    with pytest.raises(
        ValidationError, match=r"expected a RequirementRule, got \('recent_bill',\)"
    ):
        RulesPolicy([("recent_bill",)])  # type: ignore[list-item]


# -- upload validation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (PDF, "bill.pdf", "application/pdf"),
        (PNG, "scan.PNG", "image/png"),
        (JPEG, "photo.jpeg", "image/jpeg"),
        (JPEG, "photo.jpg", "image/jpeg"),
        (PDF, "no-extension", "application/pdf"),
    ],
)
def test_allowed_files_are_described_by_their_bytes(data: bytes, name: str, expected: str) -> None:
    """PDF, PNG and JPEG files pass; type, size and SHA-256 come from the bytes."""
    info = validate_upload(data, name)
    assert FileInfo(name, expected, len(data), hashlib.sha256(data).hexdigest()) == info


def test_empty_file_is_refused_as_empty() -> None:
    """An empty file gets reason "empty"."""
    with pytest.raises(InvalidDocument) as info:
        validate_upload(b"", "bill.pdf")
    assert "empty" == info.value.reason
    assert "empty" in str(info.value)


def test_oversized_file_is_refused_as_too_large() -> None:
    """A file over the limit gets reason "too_large" and the message names both sizes."""
    validate_upload(PDF, "bill.pdf", max_bytes=len(PDF))
    with pytest.raises(InvalidDocument) as info:
        validate_upload(PDF, "bill.pdf", max_bytes=len(PDF) - 1)
    assert "too_large" == info.value.reason
    assert f"{len(PDF)} bytes" in str(info.value)


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a" + b"\x00" * 20,
        b"MZ\x90\x00 executable",
        b"<html><script>alert(1)</script>",
        b"%PD",  # a truncated signature is not a PDF
        b"\x89PNG\r\n",
    ],
)
def test_a_pdf_name_does_not_make_a_pdf(data: bytes) -> None:
    """The content type is checked against the file's own signature bytes, not its name."""
    with pytest.raises(InvalidDocument) as info:
        validate_upload(data, "bill.pdf", content_type="application/pdf")
    assert "content_type" == info.value.reason


def test_name_and_declared_type_must_agree_with_the_bytes() -> None:
    """A PNG named .pdf, or declared application/pdf, is refused; "image/jpg" means JPEG."""
    with pytest.raises(InvalidDocument) as named:
        validate_upload(PNG, "bill.pdf")
    assert ("content_type", "file_name") == (named.value.reason, named.value.field)
    with pytest.raises(InvalidDocument) as declared:
        validate_upload(PNG, "scan.png", content_type="application/pdf")
    assert ("content_type", "content_type") == (declared.value.reason, declared.value.field)
    with pytest.raises(
        InvalidDocument, match=r"'bill\.exe' is named like a \.exe file but its content is"
    ):
        validate_upload(PDF, "bill.exe")
    assert "image/jpeg" == validate_upload(JPEG, "a.jpg", content_type="image/jpg").content_type
    assert (
        "application/pdf"
        == validate_upload(
            PDF, "a.pdf", content_type="Application/PDF; charset=binary"
        ).content_type
    )


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\fakepath\\bill.pdf", "bill.pdf"),
        ("/abs/path/bill.pdf", "bill.pdf"),
        ("  bill.pdf  ", "bill.pdf"),
        ("facture été.pdf", "facture été.pdf"),
    ],
)
def test_file_names_keep_only_the_last_component(name: str, kept: str) -> None:
    """A file name is display metadata: directories are dropped, so it can never be a path."""
    assert kept == validate_upload(PDF, name).file_name


@pytest.mark.parametrize("name", ["", "   ", ".", "..", "dir/", "a/..", "bad\x00.pdf", "x\n.pdf"])
def test_file_names_that_name_no_file_are_refused(name: str) -> None:
    """Empty, dot, dot-dot, and control characters get reason "file_name"."""
    with pytest.raises(InvalidDocument) as info:
        validate_upload(PDF, name)
    assert "file_name" == info.value.reason


def test_overlong_file_name_is_refused() -> None:
    """File names are limited to 255 characters."""
    validate_upload(PDF, "a" * 251 + ".pdf")
    with pytest.raises(InvalidDocument) as info:
        validate_upload(PDF, "a" * 252 + ".pdf")
    assert "file_name" == info.value.reason


def test_detect_content_type() -> None:
    """Signatures decide the type; anything else is None."""
    assert "application/pdf" == detect_content_type(PDF)
    assert "image/png" == detect_content_type(PNG)
    assert "image/jpeg" == detect_content_type(JPEG)
    assert detect_content_type(b"plain text") is None


def test_validate_upload_checks_its_limit_and_input_type() -> None:
    """A silly limit is a ValidationError; non-bytes content is refused."""
    with pytest.raises(ValidationError, match=r"max_bytes must be a positive integer, got 0"):
        validate_upload(PDF, "bill.pdf", max_bytes=0)
    with pytest.raises(InvalidDocument, match=r"file content must be bytes, got str"):
        validate_upload("%PDF-1.7", "bill.pdf")  # type: ignore[arg-type]
    assert len(PDF) == validate_upload(bytearray(PDF), "bill.pdf").size


# -- document review ------------------------------------------------------------------


def test_review_life_cycle() -> None:
    """uploaded -> under review -> approved (in the library) -> expired."""
    d = doc(status=DocumentStatus.UPLOADED, valid_until=None)
    assert not d.in_library
    d.hand_off()
    assert DocumentStatus.UNDER_REVIEW == d.status
    d.approve(actor=STAFF, at=T0, valid_until=TODAY)
    assert (DocumentStatus.APPROVED, TODAY, STAFF, T0) == (
        d.status,
        d.valid_until,
        d.reviewed_by,
        d.reviewed_at,
    )
    assert d.in_library
    with pytest.raises(
        ValidationError, match=r"document 'DOC-1' is 'approved'; expiry \(after valid_until\) needs"
    ):
        d.expire(at=T0)  # still valid on its last day
    event = d.expire(at=T0 + timedelta(days=1))
    assert DocumentStatus.EXPIRED == d.status
    assert (
        DocumentExpired(
            stream="document:DOC-1",
            seq=1,
            at=T0 + timedelta(days=1),
            document_id="DOC-1",
            account_id="acct-1",
            kind=LOCAL,
            region="US-GA",
            valid_until=TODAY,
        )
        == event
    )
    assert "document:DOC-1#1" == event.event_id


def test_only_documents_under_review_can_be_approved() -> None:
    """Approving an uploaded (not yet handed off) or rejected document is refused."""
    for status in (DocumentStatus.UPLOADED, DocumentStatus.REJECTED, DocumentStatus.APPROVED):
        d = doc(status=status)
        with pytest.raises(ValidationError) as info:
            d.approve(actor=STAFF, at=T0, valid_until=TODAY)
        assert "status" == info.value.field
        assert status == d.status


def test_approval_needs_a_future_or_current_valid_until() -> None:
    """A document cannot be approved already expired."""
    d = doc(status=DocumentStatus.UNDER_REVIEW, valid_until=None)
    with pytest.raises(ValidationError) as info:
        d.approve(actor=STAFF, at=T0, valid_until=TODAY - timedelta(days=1))
    assert "valid_until" == info.value.field
    assert DocumentStatus.UNDER_REVIEW == d.status


def test_customers_and_carriers_cannot_approve_but_carriers_can_reject() -> None:
    """Approval is the team's; a carrier or authority may reject; a customer may do neither."""
    for actor in (CUSTOMER, CARRIER):
        with pytest.raises(PermissionDenied, match="may not approve documents") as info:
            doc(status=DocumentStatus.UNDER_REVIEW).approve(actor=actor, at=T0, valid_until=TODAY)
        assert (actor.role.value, "approve_document") == (info.value.role, info.value.action)
    with pytest.raises(PermissionDenied, match=r"role 'customer' may not reject documents"):
        doc(status=DocumentStatus.UNDER_REVIEW).reject(actor=CUSTOMER, at=T0, note="no")
    d = doc(status=DocumentStatus.APPROVED)
    d.reject(actor=CARRIER, at=T0, note="  Your document has expired.  ")
    assert (DocumentStatus.REJECTED, "Your document has expired.") == (
        d.status,
        d.reviewer_note,
    )
    assert not d.in_library


def test_rejection_needs_a_note_and_a_reviewable_document() -> None:
    """An empty note, or a document that is uploaded or expired, is refused unchanged."""
    d = doc(status=DocumentStatus.UNDER_REVIEW)
    with pytest.raises(ValidationError) as info:
        d.reject(actor=STAFF, at=T0, note="   ")
    assert "note" == info.value.field
    for status in (DocumentStatus.UPLOADED, DocumentStatus.EXPIRED, DocumentStatus.REJECTED):
        with pytest.raises(ValidationError, match=r"rejection needs status under_review, approved"):
            doc(status=status).reject(actor=STAFF, at=T0, note="bad")


# -- expiry ------------------------------------------------------------------------


def test_valid_until_is_the_last_valid_day_in_utc() -> None:
    """A document is valid through its valid_until (UTC) and expired from the next UTC day."""
    d = doc(valid_until=date(2026, 3, 2))
    assert not is_expired(d, datetime(2026, 3, 2, 23, 59, tzinfo=UTC))
    assert is_expired(d, datetime(2026, 3, 3, 0, 0, tzinfo=UTC))
    # 20:00 in New York on 2 March is already 3 March in UTC.
    assert is_expired(d, datetime(2026, 3, 2, 20, 0, tzinfo=timezone(timedelta(hours=-5))))
    assert not is_expired(doc(valid_until=None), T0)
    with pytest.raises(ValidationError, match=r"'now' must be a timezone-aware datetime"):
        is_expired(d, datetime(2026, 3, 2))


def test_expiry_report_sorts_approved_documents() -> None:
    """Expired and expiring approved documents are reported, by date then id; others are not."""
    docs = [
        doc("D-past2", valid_until=TODAY - timedelta(days=1)),
        doc("D-past1", valid_until=TODAY - timedelta(days=9)),
        doc("D-today", valid_until=TODAY),
        doc("D-edge", valid_until=TODAY + timedelta(days=30)),
        doc("D-later", valid_until=TODAY + timedelta(days=31)),
        doc("D-rejected", status=DocumentStatus.REJECTED, valid_until=TODAY - timedelta(days=1)),
        doc("D-marked", status=DocumentStatus.EXPIRED, valid_until=TODAY - timedelta(days=1)),
    ]
    report = expiry_report(docs, now=T0, within_days=30)
    assert TODAY == report.as_of
    assert ["D-past1", "D-past2"] == [d.document_id for d in report.expired]
    assert ["D-today", "D-edge"] == [d.document_id for d in report.expiring]
    with pytest.raises(
        ValidationError, match=r"within_days must be a non-negative integer, got -1"
    ):
        expiry_report(docs, now=T0, within_days=-1)


# -- the Smart Document Matcher ------------------------------------------------------


def test_matcher_prefers_the_document_valid_longest_then_the_smallest_id() -> None:
    """The choice is deterministic: latest valid_until wins, ties go to the smallest id."""
    short = doc("DOC-A", valid_until=TODAY + timedelta(days=10))
    long_b = doc("DOC-C", valid_until=TODAY + timedelta(days=90))
    long_a = doc("DOC-B", valid_until=TODAY + timedelta(days=90))
    for library in ([short, long_b, long_a], [long_a, short, long_b], [long_b, long_a, short]):
        found = match_document(library, account_id="acct-1", kind=LOCAL, region="US-GA", now=T0)
        assert long_a is found


@pytest.mark.parametrize(
    "other",
    [
        doc(account_id="acct-2"),
        doc(kind=BILL),
        doc(region="US-FL"),
        doc(region=None),
        doc(status=DocumentStatus.UNDER_REVIEW),
        doc(status=DocumentStatus.REJECTED),
        doc(status=DocumentStatus.EXPIRED),
        doc(valid_until=TODAY - timedelta(days=1)),
    ],
    ids=[
        "other-account",
        "other-kind",
        "other-region",
        "no-region",
        "under-review",
        "rejected",
        "expired-status",
        "past-valid-until",
    ],
)
def test_matcher_reuses_only_approved_unexpired_same_account_kind_and_region(
    other: Document,
) -> None:
    """Anything but an approved, unexpired document of the same account, kind and region is
    never reused."""
    assert match_document([other], account_id="acct-1", kind=LOCAL, region="US-GA", now=T0) is None


def test_matcher_compares_regions_normalised() -> None:
    """Regions "us-ga" and "US-GA" are the same region."""
    d = doc(region="us-ga ")
    assert d is match_document([d], account_id="acct-1", kind=LOCAL, region="US-GA", now=T0)


def test_reuse_from_library_fills_only_missing_requirements() -> None:
    """Satisfied requirements keep their document; missing ones get the match, marked reused
    and approved."""
    kept = RequirementState(LOA, document_id="DOC-OLD", source=DocumentSource.UPLOAD)
    missing = RequirementState(BILL)
    bill = doc("DOC-BILL", kind=BILL)
    loa = doc("DOC-LOA", kind=LOA)
    pairs = reuse_from_library(
        [kept, missing], [bill, loa], account_id="acct-1", region="US-GA", now=T0
    )
    assert [(missing, bill)] == pairs
    assert "DOC-OLD" == kept.document_id
    assert ("DOC-BILL", DocumentSource.REUSE, T0, T0) == (
        missing.document_id,
        missing.source,
        missing.satisfied_at,
        missing.approved_at,
    )


def test_requirement_helpers() -> None:
    """Missing, all satisfied and all approved read the requirement states; none means none."""
    a = RequirementState(LOA, document_id="D1", approved_at=T0)
    b = RequirementState(BILL, document_id="D2")
    c = RequirementState(LOCAL)
    assert [c] == missing_requirements([a, b, c])
    assert all_satisfied([a, b])
    assert not all_satisfied([a, c])
    assert not all_satisfied([])
    assert all_approved([a])
    assert not all_approved([a, b])
    assert not all_approved([])


# -- compliance on orders -------------------------------------------------------------


def test_items_missing_documents_move_to_information_required_with_a_note() -> None:
    """Placing asks for the documents: Information Required, listing what to upload."""
    order = assigned(truelocal(), NewItem(OrderKind.NEW_NUMBER), port_in())
    tl, plain, port = order.items
    assert [LOCAL] == [r.kind for r in tl.requirements]
    assert [] == plain.requirements
    assert [LOA, BILL] == [r.kind for r in port.requirements]
    assert ItemStatus.INFORMATION_REQUIRED == tl.status
    assert ItemStatus.ORDER_SUBMITTED == plain.status
    assert ItemStatus.INFORMATION_REQUIRED == port.status
    assert (
        "Please upload the following documents: Letter of authorization, Recent bill."
        == port.latest_note
    )
    assert COMPLIANCE_ACTOR == port.history[-1].actor
    events = order.pull_events()
    requested = [e for e in events if isinstance(e, DocumentsRequested)]
    assert [("A-1-1", (LOCAL,)), ("A-1-3", (LOA, BILL))] == [
        (e.item_id, e.kinds) for e in requested
    ]
    # OrderPlaced was #1; the compliance events follow it without gaps.
    assert list(range(2, len(events) + 2)) == [e.seq for e in events]


def test_items_whose_documents_are_all_reused_go_straight_to_under_review() -> None:
    """One-tap compliance: every document reused means Under Review at once, and a TrueLocal
    item's regulatory approval is recorded."""
    order = assigned(truelocal(), library=[doc("DOC-9")])
    item = order.items[0]
    assert ItemStatus.UNDER_REVIEW == item.status
    assert T0 == item.regulatory_approved_at
    assert "DOC-9" == item.requirements[0].document_id
    events = order.pull_events()
    reused = [e for e in events if isinstance(e, DocumentReused)]
    assert [("A-1-1", "DOC-9", LOCAL)] == [(e.item_id, e.document_id, e.kind) for e in reused]
    changed = [e for e in events if isinstance(e, ItemStatusChanged)]
    assert [("review", ItemStatus.UNDER_REVIEW)] == [(e.trigger, e.to_status) for e in changed]


def test_partial_reuse_still_asks_for_the_rest() -> None:
    """A reused bill does not stop the item asking for its letter of authorization."""
    order = assigned(port_in(), library=[doc("DOC-B", kind=BILL)])
    item = order.items[0]
    assert ItemStatus.INFORMATION_REQUIRED == item.status
    assert "Letter of authorization." in (item.latest_note or "")
    assert [None, "DOC-B"] == [r.document_id for r in item.requirements]


def uploaded(order: Order, item_id: str, kind: str, document_id: str) -> Document:
    item = order.item(item_id)
    return doc(
        document_id,
        kind=kind,
        region=item.region,
        status=DocumentStatus.UPLOADED,
        valid_until=None,
        order_id=order.order_id,
        item_id=item_id,
    )


def upload_all(order: Order, docs: Sequence[Document]) -> None:
    """Upload every document, then hand off the earlier ones as the service does."""
    for d in docs:
        record_upload(order, d, actor=CUSTOMER, now=T0)
    for d in docs:
        if d.status is DocumentStatus.UPLOADED:
            d.hand_off()


def test_the_last_upload_hands_the_item_to_the_team() -> None:
    """Uploads attach to missing requirements; the one completing the item moves it to Under
    Review (fired by the system) and puts the document under review."""
    order = assigned(port_in())
    order.pull_events()
    first = uploaded(order, "A-1-1", LOA, "D-LOA")
    assert not record_upload(order, first, actor=CUSTOMER, now=T0)
    assert DocumentStatus.UPLOADED == first.status
    assert ItemStatus.INFORMATION_REQUIRED == order.items[0].status
    second = uploaded(order, "A-1-1", BILL, "D-BILL")
    assert record_upload(order, second, actor=CUSTOMER, now=T0)
    assert DocumentStatus.UNDER_REVIEW == second.status
    item = order.items[0]
    assert ItemStatus.UNDER_REVIEW == item.status
    assert (COMPLIANCE_ACTOR, "provide_information") == (
        item.history[-1].actor,
        item.history[-1].trigger.value,
    )
    assert [DocumentSource.UPLOAD] * 2 == [r.source for r in item.requirements]
    events = order.pull_events()
    assert [DocumentUploaded, DocumentUploaded, ItemStatusChanged] == [type(e) for e in events]


def test_find_upload_target_refuses_kinds_the_item_does_not_miss() -> None:
    """An upload must aim at a missing requirement of an open item."""
    order = assigned(port_in(), NewItem(OrderKind.NEW_NUMBER))
    with pytest.raises(ValidationError) as unneeded:
        find_upload_target(order, "A-1-1", LOCAL)
    assert "kind" == unneeded.value.field
    assert "letter_of_authorization" in str(unneeded.value)
    record_upload(order, uploaded(order, "A-1-1", LOA, "D-LOA"), actor=CUSTOMER, now=T0)
    with pytest.raises(ValidationError, match="already provided by document 'D-LOA'"):
        find_upload_target(order, "A-1-1", LOA)
    with pytest.raises(
        ValidationError, match=r"order 'A-1' item 'A-1-2' does not need 'recent_bill'; missing"
    ):
        find_upload_target(order, "A-1-2", BILL)
    order.cancel(actor=Actor(Role.ACCOUNT_MANAGER, "am"), at=T0)
    with pytest.raises(
        InvalidTransition, match=r"order 'A-1' item 'A-1-1': trigger 'provide_information' is not"
    ):
        find_upload_target(order, "A-1-1", BILL)


def test_approval_marks_requirements_and_lifts_the_truelocal_lock() -> None:
    """A TrueLocal item gets regulatory_approved_at once all its documents are approved."""
    order = assigned(truelocal())
    d = uploaded(order, "A-1-1", LOCAL, "D-1")
    record_upload(order, d, actor=CUSTOMER, now=T0)
    assert order.items[0].regulatory_approved_at is None
    later = T0 + timedelta(hours=2)
    d.approve(actor=STAFF, at=later, valid_until=TODAY + timedelta(days=365))
    order.pull_events()
    record_approval(order, d, actor=STAFF, now=later)
    item = order.items[0]
    assert later == item.regulatory_approved_at
    assert later == item.requirements[0].approved_at
    (event,) = order.pull_events()
    assert isinstance(event, DocumentApproved)
    assert ("A-1-1", "D-1", TODAY + timedelta(days=365)) == (
        event.item_id,
        event.document_id,
        event.valid_until,
    )


def test_approval_does_not_lift_the_lock_while_another_document_is_pending() -> None:
    """A TrueLocal port-in needs all three documents approved."""
    order = assigned(NewItem(OrderKind.PORT_IN, number_type=NumberType.TRUELOCAL, region="US"))
    docs = [uploaded(order, "A-1-1", k, f"D-{k}") for k in (LOCAL, LOA, BILL)]
    upload_all(order, docs)
    for d in docs[:2]:
        d.approve(actor=STAFF, at=T0, valid_until=TODAY)
        record_approval(order, d, actor=STAFF, now=T0)
    assert order.items[0].regulatory_approved_at is None
    docs[2].approve(actor=STAFF, at=T0, valid_until=TODAY)
    record_approval(order, docs[2], actor=STAFF, now=T0)
    assert T0 == order.items[0].regulatory_approved_at


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (truelocal(), ItemStatus.INFORMATION_REQUIRED),
        (port_in(), ItemStatus.PORT_REJECTED),
    ],
)
def test_rejection_returns_the_item_to_the_customer_with_the_note(
    item: NewItem, expected: ItemStatus
) -> None:
    """Rejected: Information Required (Port Rejected for a port-in) with the reviewer's note."""
    order = assigned(item)
    kinds = [r.kind for r in order.items[0].requirements]
    docs = [uploaded(order, "A-1-1", k, f"D-{k}") for k in kinds]
    for d in docs:
        record_upload(order, d, actor=CUSTOMER, now=T0)
    note = "Your document has expired; please upload a current utility bill."
    docs[-1].reject(actor=STAFF, at=T0, note=note)
    order.pull_events()
    record_rejection(order, "A-1-1", docs[-1], actor=STAFF, now=T0, note=note)
    line = order.items[0]
    assert expected == line.status
    assert note == line.latest_note
    assert [docs[-1].kind] == [r.kind for r in missing_requirements(line.requirements)]
    assert note == line.requirements[-1].note
    events = order.pull_events()
    assert [DocumentRejected, ItemStatusChanged] == [type(e) for e in events]


def test_rejecting_for_an_item_that_does_not_use_the_document_is_refused() -> None:
    """The item must use the rejected document."""
    order = assigned(truelocal())
    with pytest.raises(ValidationError) as info:
        record_rejection(order, "A-1-1", doc("D-X"), actor=STAFF, now=T0, note="no")
    assert "item_id" == info.value.field


def test_a_second_rejection_keeps_the_item_waiting_and_relocks_truelocal() -> None:
    """An item already back with the customer stays there; a TrueLocal item locks again."""
    order = assigned(NewItem(OrderKind.PORT_IN, number_type=NumberType.TRUELOCAL, region="US"))
    docs = [uploaded(order, "A-1-1", r.kind, f"D-{r.kind}") for r in order.items[0].requirements]
    upload_all(order, docs)
    for d in docs:
        d.approve(actor=STAFF, at=T0, valid_until=TODAY)
        record_approval(order, d, actor=STAFF, now=T0)
    assert order.items[0].regulatory_approved_at is not None
    record_rejection(order, "A-1-1", docs[0], actor=CARRIER, now=T0, note="Address unreadable.")
    assert ItemStatus.PORT_REJECTED == order.items[0].status
    assert order.items[0].regulatory_approved_at is None
    history = len(order.items[0].history)
    record_rejection(order, "A-1-1", docs[1], actor=CARRIER, now=T0, note="Unsigned.")
    assert ItemStatus.PORT_REJECTED == order.items[0].status
    assert history == len(order.items[0].history)
    assert "Unsigned." == order.items[0].requirements[1].note


def test_rejection_where_reject_is_not_allowed_asks_for_information() -> None:
    """An item past the point where the machine allows reject is asked for information."""
    order = assigned(truelocal(), library=[doc("DOC-9")])
    order.fire("A-1-1", "submit_to_carrier", actor=STAFF, at=T0)
    order.fire("A-1-1", "start_configuration", actor=STAFF, at=T0)
    record_rejection(order, "A-1-1", doc("DOC-9"), actor=CARRIER, now=T0, note="Not local.")
    item = order.items[0]
    assert (ItemStatus.INFORMATION_REQUIRED, "request_information", "Not local.") == (
        item.status,
        item.history[-1].trigger.value,
        item.latest_note,
    )


def test_reuse_for_order_completes_waiting_items() -> None:
    """When the library grows, the matcher completes waiting items and hands them off."""
    order = assigned(truelocal(), truelocal("US-FL"))
    completed = reuse_for_order(order, [doc("DOC-GA")], now=T0)
    assert ["A-1-1"] == [i.item_id for i in completed]
    assert [ItemStatus.UNDER_REVIEW, ItemStatus.INFORMATION_REQUIRED] == [
        i.status for i in order.items
    ]
    assert [] == reuse_for_order(order, [doc("DOC-GA")], now=T0)


def test_orders_with_requirements_and_documents_round_trip_through_storage_json() -> None:
    """Requirement states and documents survive dumps/loads unchanged."""
    order = assigned(port_in(), library=[doc("DOC-B", kind=BILL)])
    order.pull_events()
    back = loads(Order, dumps(order), record="order 'A-1'")
    assert order == back
    assert order.items[0].requirements == back.items[0].requirements
    d = doc("DOC-B", kind=BILL, order_id="A-1", item_id="A-1-1")
    d.reviewed_by = STAFF
    d.uploaded_by = CUSTOMER
    assert d == loads(Document, dumps(d), record="document 'DOC-B'")
