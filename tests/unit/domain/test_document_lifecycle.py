"""The document review life cycle: table, Machine and Document methods agree."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from transitions import MachineError

from tnorder import Actor, Role, ValidationError
from tnorder.domain.documents import (
    DOCUMENT_LOOKUP,
    DOCUMENT_TRANSITIONS,
    Document,
    DocumentStatus,
    DocumentTrigger,
    build_document_machine,
    document_triggers,
)
from tnorder.domain.uploads import FileInfo

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF = Actor(Role.STAFF, "ops-1")
CASES = list(itertools.product(DocumentStatus, DocumentTrigger))


class _Model:
    """A stand-in document for the reference Machine: only its state."""

    def __init__(self, status: DocumentStatus) -> None:
        self.state = status.value


def _through_machine(status: DocumentStatus, trigger: DocumentTrigger) -> DocumentStatus | None:
    model = _Model(status)
    machine = build_document_machine(model=model)
    # Adding a model puts it in the initial state; put it where the case starts.
    machine.set_state(status.value, model=model)
    try:
        getattr(model, trigger.value)()
    except MachineError:
        return None
    return DocumentStatus(model.state)


def _document(status: DocumentStatus, valid_until: date | None) -> Document:
    return Document(
        document_id="doc-1",
        account_id="acct-1",
        kind="recent_bill",
        region="US-GA",
        status=status,
        file=FileInfo("bill.pdf", "application/pdf", 10, "0" * 64),
        uploaded_at=T0,
        valid_until=valid_until,
    )


def _fire(document: Document, trigger: DocumentTrigger, at: datetime) -> None:
    if trigger is DocumentTrigger.HAND_OFF:
        document.hand_off()
    elif trigger is DocumentTrigger.APPROVE:
        document.approve(actor=STAFF, at=at, valid_until=at.date() + timedelta(days=30))
    elif trigger is DocumentTrigger.REJECT:
        document.reject(actor=STAFF, at=at, note="Unreadable scan.")
    else:
        document.expire(at=at)


@pytest.mark.parametrize(("status", "trigger"), CASES)
def test_lookup_matches_machine(status: DocumentStatus, trigger: DocumentTrigger) -> None:
    """Every (status, trigger) resolves the same through the Machine and the compiled lookup."""
    assert _through_machine(status, trigger) == DOCUMENT_LOOKUP.get((status, trigger))


@pytest.mark.parametrize(("status", "trigger"), CASES)
def test_document_methods_follow_the_table(
    status: DocumentStatus, trigger: DocumentTrigger
) -> None:
    """A method moves a document where the table says, and refuses where it has no row."""
    # valid_until is past at the firing time, so an approved document may expire.
    document = _document(status, valid_until=T0.date())
    at = T0 + timedelta(days=2)
    expected = DOCUMENT_LOOKUP.get((status, trigger))
    if expected is None:
        with pytest.raises(ValidationError, match=f"is '{status.value}'"):
            _fire(document, trigger, at)
        assert status == document.status
    else:
        _fire(document, trigger, at)
        assert expected == document.status


def test_the_table_is_the_published_life_cycle() -> None:
    """Uploaded -> under review -> approved or rejected; approved -> expired or rejected."""
    expected = {
        (DocumentStatus.UPLOADED, DocumentTrigger.HAND_OFF): DocumentStatus.UNDER_REVIEW,
        (DocumentStatus.UNDER_REVIEW, DocumentTrigger.APPROVE): DocumentStatus.APPROVED,
        (DocumentStatus.UNDER_REVIEW, DocumentTrigger.REJECT): DocumentStatus.REJECTED,
        (DocumentStatus.APPROVED, DocumentTrigger.REJECT): DocumentStatus.REJECTED,
        (DocumentStatus.APPROVED, DocumentTrigger.EXPIRE): DocumentStatus.EXPIRED,
    }
    assert expected == dict(DOCUMENT_LOOKUP)


def test_rejected_and_expired_documents_are_final() -> None:
    """No trigger moves a rejected or expired document."""
    assert () == document_triggers(DocumentStatus.REJECTED)
    assert () == document_triggers(DocumentStatus.EXPIRED)


def test_every_trigger_has_one_row() -> None:
    """Each trigger appears in exactly one row, so its refusal names one set of statuses."""
    assert sorted(DocumentTrigger) == sorted(row.trigger for row in DOCUMENT_TRANSITIONS)


def test_an_approved_document_still_valid_does_not_expire() -> None:
    """The table allows expiry from approved, but only once valid_until has passed."""
    document = _document(DocumentStatus.APPROVED, valid_until=T0.date() + timedelta(days=1))
    with pytest.raises(ValidationError, match="expiry"):
        document.expire(at=T0)
    assert DocumentStatus.APPROVED == document.status


def test_the_generated_section_of_documents_md_is_current() -> None:
    """docs/documents.md ends with exactly the generated life-cycle table (run `make docs`)."""
    from pathlib import Path

    from tnorder.docgen import DOCUMENT_LIFECYCLE_MARKER, document_lifecycle_markdown

    text = (Path(__file__).resolve().parents[3] / "docs" / "documents.md").read_text("utf-8")
    assert 1 == text.count(DOCUMENT_LIFECYCLE_MARKER)
    generated = DOCUMENT_LIFECYCLE_MARKER + text.split(DOCUMENT_LIFECYCLE_MARKER)[1]
    assert document_lifecycle_markdown() == generated
