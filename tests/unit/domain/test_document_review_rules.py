"""The document review rules, written down from docs/documents.md and docs/decisions.md.

Each test pins a fact the guides state (who may upload, approve or reject; the
review life cycle; what a refusal names) independently of the module's own
tables, so a wrong rule in ``tnorder.domain.documents`` fails here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tests.support.actors import CARRIER, CUSTOMER, MANAGER, STAFF, SYSTEM
from tnorder import Actor, PermissionDenied, ValidationError
from tnorder.domain import compliance, documents, expiry, matching
from tnorder.domain.documents import (
    Document,
    DocumentStatus,
    DocumentTrigger,
    build_document_machine,
    check_reviewer,
    check_uploader,
    document_machine_transitions,
    document_triggers,
    is_expired,
)
from tnorder.domain.events import DocumentExpired
from tnorder.domain.uploads import FileInfo

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)

# The published life cycle (docs/documents.md, "Document review life cycle").
PUBLISHED = {
    DocumentStatus.UPLOADED: (DocumentTrigger.HAND_OFF,),
    DocumentStatus.UNDER_REVIEW: (DocumentTrigger.APPROVE, DocumentTrigger.REJECT),
    DocumentStatus.APPROVED: (DocumentTrigger.REJECT, DocumentTrigger.EXPIRE),
    DocumentStatus.REJECTED: (),
    DocumentStatus.EXPIRED: (),
}


def _document(
    status: DocumentStatus,
    *,
    valid_until: date | None = None,
    reviewer_note: str | None = None,
) -> Document:
    return Document(
        document_id="doc-1",
        account_id="acct-1",
        kind="recent_bill",
        region="US-GA",
        status=status,
        file=FileInfo("bill.pdf", "application/pdf", 10, "0" * 64),
        uploaded_at=T0,
        valid_until=valid_until,
        reviewer_note=reviewer_note,
    )


# -- who may do what ---------------------------------------------------------------


@pytest.mark.parametrize("actor", [CUSTOMER, MANAGER, STAFF, SYSTEM])
def test_customers_and_the_team_may_upload(actor: Actor) -> None:
    """The people who may provide information for an item may upload its documents."""
    assert check_uploader(actor) is None


def test_a_carrier_may_not_upload_and_the_refusal_names_role_and_action() -> None:
    """A carrier uploading is refused with its role and the action named."""
    with pytest.raises(PermissionDenied) as info:
        check_uploader(CARRIER)
    assert "role 'carrier' may not upload documents" == str(info.value)
    assert ("carrier", "upload_document") == (info.value.role, info.value.action)


@pytest.mark.parametrize("actor", [MANAGER, STAFF, SYSTEM])
def test_the_team_may_approve_and_reject(actor: Actor) -> None:
    """Approval and rejection are "our team"'s: account managers, staff and the system."""
    assert check_reviewer(actor, action="approve_document") is None
    assert check_reviewer(actor, action="reject_document") is None


def test_a_carrier_may_reject_but_not_approve() -> None:
    """A carrier or local authority may refuse a document, never approve one."""
    assert check_reviewer(CARRIER, action="reject_document") is None
    with pytest.raises(PermissionDenied) as info:
        check_reviewer(CARRIER, action="approve_document")
    assert "role 'carrier' may not approve documents" == str(info.value)
    assert ("carrier", "approve_document") == (info.value.role, info.value.action)


def test_a_customer_may_neither_approve_nor_reject() -> None:
    """A customer reviewing their own document is refused, naming the action."""
    with pytest.raises(PermissionDenied) as info:
        check_reviewer(CUSTOMER, action="reject_document")
    assert "role 'customer' may not reject documents" == str(info.value)
    assert ("customer", "reject_document") == (info.value.role, info.value.action)


# -- the life cycle ------------------------------------------------------------------


@pytest.mark.parametrize("status", list(DocumentStatus))
def test_each_status_accepts_the_published_triggers(status: DocumentStatus) -> None:
    """document_triggers gives the published triggers of each status, in table order."""
    assert PUBLISHED[status] == document_triggers(status)


def test_the_machine_rows_are_the_published_ones() -> None:
    """The rows handed to ``transitions`` are the published life cycle, by value."""
    assert [
        {"trigger": "hand_off", "source": ["uploaded"], "dest": "under_review"},
        {"trigger": "approve", "source": ["under_review"], "dest": "approved"},
        {"trigger": "reject", "source": ["under_review", "approved"], "dest": "rejected"},
        {"trigger": "expire", "source": ["approved"], "dest": "expired"},
    ] == document_machine_transitions()


def test_the_machine_starts_uploaded_with_no_model_and_no_shortcut_triggers() -> None:
    """A new document is uploaded; there is no ``to_<status>`` trigger around the table."""
    machine = build_document_machine()
    assert [] == machine.models
    assert {"hand_off", "approve", "reject", "expire"} == set(machine.events)
    assert "uploaded" == machine.initial


def test_a_model_given_to_the_machine_starts_uploaded() -> None:
    """A model handed to the machine is placed in the initial status, uploaded."""

    class Model:
        state = ""

    model = Model()
    build_document_machine(model=model)
    assert "uploaded" == model.state


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            DocumentStatus.UNDER_REVIEW,
            "document 'doc-1' is 'under_review'; handing off for review needs status uploaded",
        ),
        (
            DocumentStatus.APPROVED,
            "document 'doc-1' is 'approved'; handing off for review needs status uploaded",
        ),
        (
            DocumentStatus.REJECTED,
            "document 'doc-1' is 'rejected'; handing off for review needs status uploaded",
        ),
    ],
)
def test_a_refused_hand_off_names_the_document_its_status_and_the_status_needed(
    status: DocumentStatus, message: str
) -> None:
    """A refusal is a ValidationError on ``status`` naming what the step needs."""
    d = _document(status)
    with pytest.raises(ValidationError) as info:
        d.hand_off()
    assert message == str(info.value)
    assert "status" == info.value.field
    assert status == d.status


def test_hand_off_moves_an_uploaded_document_under_review() -> None:
    """Handing off is the only step out of uploaded."""
    d = _document(DocumentStatus.UPLOADED)
    d.hand_off()
    assert DocumentStatus.UNDER_REVIEW == d.status
    assert not d.in_library


def test_a_refused_approval_names_the_status_needed_before_checking_the_date() -> None:
    """Approving a rejected document names the status, even with an unusable date."""
    d = _document(DocumentStatus.REJECTED)
    with pytest.raises(ValidationError) as info:
        d.approve(actor=STAFF, at=T0, valid_until=TODAY - timedelta(days=5))
    assert "document 'doc-1' is 'rejected'; approval needs status under_review" == str(info.value)
    assert "status" == info.value.field


def test_approval_is_checked_for_permission_first() -> None:
    """A customer approving a document in the wrong status hears about permission."""
    d = _document(DocumentStatus.REJECTED)
    with pytest.raises(PermissionDenied):
        d.approve(actor=CUSTOMER, at=T0, valid_until=TODAY)
    assert DocumentStatus.REJECTED == d.status


@pytest.mark.parametrize("bad", [datetime(2026, 4, 1, tzinfo=UTC), "2026-04-01", None])
def test_approval_needs_valid_until_as_a_date(bad: object) -> None:
    """valid_until is a date (the last valid day); a datetime or a string is refused."""
    d = _document(DocumentStatus.UNDER_REVIEW)
    with pytest.raises(ValidationError) as info:
        d.approve(actor=STAFF, at=T0, valid_until=bad)  # type: ignore[arg-type]
    assert f"valid_until must be a date, got {bad!r}" == str(info.value)
    assert "valid_until" == info.value.field
    assert (DocumentStatus.UNDER_REVIEW, None) == (d.status, d.valid_until)


def test_approval_with_a_past_valid_until_names_the_date() -> None:
    """Yesterday's valid_until is refused, naming the date, and nothing changes."""
    d = _document(DocumentStatus.UNDER_REVIEW)
    with pytest.raises(ValidationError) as info:
        d.approve(actor=STAFF, at=T0, valid_until=date(2026, 3, 1))
    assert "valid_until 2026-03-01 is already past" == str(info.value)
    assert "valid_until" == info.value.field
    assert (DocumentStatus.UNDER_REVIEW, None, None) == (d.status, d.valid_until, d.reviewed_by)


def test_approval_judges_past_in_utc() -> None:
    """20:00 in New York on 2 March is 3 March in UTC: valid_until 2 March is already past."""
    evening = datetime(2026, 3, 2, 20, 0, tzinfo=timezone(timedelta(hours=-5)))
    d = _document(DocumentStatus.UNDER_REVIEW)
    with pytest.raises(ValidationError, match="valid_until 2026-03-02 is already past"):
        d.approve(actor=STAFF, at=evening, valid_until=TODAY)
    d.approve(actor=STAFF, at=evening, valid_until=date(2026, 3, 3))
    assert date(2026, 3, 3) == d.valid_until


def test_approval_records_who_when_and_clears_an_old_note() -> None:
    """An approved document is in the library with its reviewer, time and no rejection note."""
    d = _document(DocumentStatus.UNDER_REVIEW, reviewer_note="Old note.")
    d.approve(actor=MANAGER, at=T0, valid_until=TODAY)
    assert (DocumentStatus.APPROVED, TODAY, None, MANAGER, T0) == (
        d.status,
        d.valid_until,
        d.reviewer_note,
        d.reviewed_by,
        d.reviewed_at,
    )
    assert d.in_library


@pytest.mark.parametrize("note", ["", "   ", None, 42])
def test_a_rejection_needs_a_written_note(note: object) -> None:
    """No note (or not text) is refused on ``note`` with what the customer would miss."""
    d = _document(DocumentStatus.UNDER_REVIEW)
    with pytest.raises(ValidationError) as info:
        d.reject(actor=STAFF, at=T0, note=note)  # type: ignore[arg-type]
    assert "a rejection needs a note telling the customer what to correct" == str(info.value)
    assert "note" == info.value.field
    assert DocumentStatus.UNDER_REVIEW == d.status


def test_a_refused_rejection_names_the_statuses_needed() -> None:
    """Rejecting an expired document names both statuses a rejection accepts."""
    d = _document(DocumentStatus.EXPIRED)
    with pytest.raises(ValidationError) as info:
        d.reject(actor=STAFF, at=T0, note="Unreadable.")
    assert "document 'doc-1' is 'expired'; rejection needs status under_review, approved" == str(
        info.value
    )
    assert ("status", DocumentStatus.EXPIRED) == (info.value.field, d.status)


def test_rejection_records_the_stripped_note_who_and_when() -> None:
    """A rejected document leaves the library with the note (trimmed), reviewer and time."""
    d = _document(DocumentStatus.UNDER_REVIEW)
    d.reject(actor=STAFF, at=T0, note="  Unreadable scan.\n")
    assert (DocumentStatus.REJECTED, "Unreadable scan.", STAFF, T0) == (
        d.status,
        d.reviewer_note,
        d.reviewed_by,
        d.reviewed_at,
    )
    assert not d.in_library


@pytest.mark.parametrize(
    ("status", "valid_until"),
    [
        (DocumentStatus.UPLOADED, None),
        (DocumentStatus.UNDER_REVIEW, None),
        (DocumentStatus.APPROVED, TODAY),
        (DocumentStatus.APPROVED, None),
    ],
)
def test_expiry_is_refused_before_valid_until_has_passed(
    status: DocumentStatus, valid_until: date | None
) -> None:
    """Only an approved document past its last valid day expires; others are told so."""
    d = _document(status, valid_until=valid_until)
    with pytest.raises(ValidationError) as info:
        d.expire(at=T0)
    assert (
        f"document 'doc-1' is {status.value!r}; expiry (after valid_until) needs status approved"
        == str(info.value)
    )
    assert ("status", status) == (info.value.field, d.status)
    assert [] == d.pull_events()


def test_an_expired_document_records_its_event_on_its_own_stream() -> None:
    """Expiry records DocumentExpired on ``document:<id>``, numbered from 1."""
    d = _document(DocumentStatus.APPROVED, valid_until=date(2026, 3, 1))
    event = d.expire(at=T0)
    assert DocumentStatus.EXPIRED == d.status
    assert (
        DocumentExpired(
            stream="document:doc-1",
            seq=1,
            at=T0,
            document_id="doc-1",
            account_id="acct-1",
            kind="recent_bill",
            region="US-GA",
            valid_until=date(2026, 3, 1),
        )
        == event
    )
    assert [event] == d.pull_events()
    assert 1 == d.event_seq


def test_a_document_without_valid_until_never_expires() -> None:
    """No valid_until (not yet approved) means not expired, at any time."""
    assert not is_expired(_document(DocumentStatus.UNDER_REVIEW), datetime.max.replace(tzinfo=UTC))
    assert is_expired(_document(DocumentStatus.APPROVED, valid_until=date(2026, 3, 1)), T0)
    assert not is_expired(_document(DocumentStatus.APPROVED, valid_until=TODAY), T0)


# -- 0.1 names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("ExpiryReport", expiry),
        ("default_valid_until", expiry),
        ("expiry_report", expiry),
        ("is_reusable", matching),
        ("match_document", matching),
        ("reuse_from_library", matching),
        ("COMPLIANCE_ACTOR", compliance),
        ("HAND_OFF_NOTE", compliance),
        ("advance_if_complete", compliance),
        ("assign_requirements", compliance),
        ("find_upload_target", compliance),
        ("record_approval", compliance),
        ("record_rejection", compliance),
        ("record_upload", compliance),
        ("reuse_for_order", compliance),
    ],
)
def test_names_0_1_exported_still_import_from_documents(name: str, home: object) -> None:
    """Code written against 0.1 gets the moved names, the very same objects, from documents."""
    assert getattr(home, name) is getattr(documents, name)


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    """Only the moved names resolve; anything else is an AttributeError naming the module."""
    with pytest.raises(AttributeError) as info:
        documents.no_such_name  # noqa: B018
    assert "module 'tnorder.domain.documents' has no attribute 'no_such_name'" == str(info.value)


def test_a_freshly_compiled_lookup_is_the_published_life_cycle() -> None:
    """Compiling the machine gives exactly the published (status, trigger) -> status pairs."""
    published = {
        (DocumentStatus.UPLOADED, DocumentTrigger.HAND_OFF): DocumentStatus.UNDER_REVIEW,
        (DocumentStatus.UNDER_REVIEW, DocumentTrigger.APPROVE): DocumentStatus.APPROVED,
        (DocumentStatus.UNDER_REVIEW, DocumentTrigger.REJECT): DocumentStatus.REJECTED,
        (DocumentStatus.APPROVED, DocumentTrigger.REJECT): DocumentStatus.REJECTED,
        (DocumentStatus.APPROVED, DocumentTrigger.EXPIRE): DocumentStatus.EXPIRED,
    }
    # The table compiles once at import, before a mutation test switches a change
    # on; compiling again is how a wrong compiler shows.
    table = documents.DOCUMENT_TABLE
    compiled = table._compile(build_document_machine())
    assert published == dict(compiled)
    assert published == dict(documents.DOCUMENT_LOOKUP)
    assert all(
        type(k[0]) is DocumentStatus and type(v) is DocumentStatus for k, v in compiled.items()
    )
