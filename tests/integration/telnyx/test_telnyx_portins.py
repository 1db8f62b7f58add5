"""Port-ins through TelnyxCarrier against FakeTelnyx: draft, documents, confirm, FOC, exceptions."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime

import pytest

from tests.support.telnyx import make_config
from tnorder.adapters.document_storage import MemoryDocumentStorage
from tnorder.adapters.telnyx import TelnyxCarrier
from tnorder.adapters.telnyx.fake import FakeTelnyx
from tnorder.domain.carrier import CarrierAccount, CarrierSubmission, PortDetails, RequestStatus
from tnorder.domain.statuses import OrderKind
from tnorder.errors import CapabilityNotSupported, CarrierRejected

NUMBERS = ("+19192281234",)
LOA = b"%PDF-1.4 signed letter of authorization"
INVOICE = b"%PDF-1.4 recent invoice"


def _port(documents: MemoryDocumentStorage | None, **extra: str) -> PortDetails:
    files = {}
    if documents is not None:
        files = {"loa_document": documents.put(LOA), "invoice_document": documents.put(INVOICE)}
    return PortDetails(
        authorizing_person="Jane Doe",
        subscriber_name="Acme Corporation",
        billing_number="+19192281234",
        losing_account_number="ACC-0001",
        pin="1234",
        requested_date=date(2026, 5, 20),
        extra={**files, **extra},
    )


def _submission(
    port: PortDetails, request_id: str = "CR-P1", supplements: str | None = None
) -> CarrierSubmission:
    return CarrierSubmission(
        OrderKind.PORT_IN, request_id, NUMBERS, port=port, supplements=supplements
    )


def test_a_port_with_documents_is_confirmed_and_reaches_ported(
    carrier: TelnyxCarrier,
    account: CarrierAccount,
    fake_telnyx: FakeTelnyx,
    documents: MemoryDocumentStorage,
    now: datetime,
) -> None:
    """The draft is filled in (end user, full port, requested FOC, LOA and invoice uploaded
    as documents) and confirmed; polling goes submitted, FOC date confirmed (the requested
    date) and ported, and every word maps through the vocabulary."""
    first = carrier.submit(account, _submission(_port(documents)), now=now)
    assert "in-process" == first.status
    (patch,) = fake_telnyx.calls("PATCH", "^porting_orders/")
    sent = json.loads(patch.body)
    assert {
        "entity_name": "Acme Corporation",
        "auth_person_name": "Jane Doe",
        "billing_phone_number": "+19192281234",
        "account_number": "ACC-0001",
        "pin_passcode": "1234",
    } == sent["end_user"]["admin"]
    assert {"type": "full"} == sent["misc"]
    assert "2026-05-20T16:00:00Z" == sent["activation_settings"]["foc_datetime_requested"]
    uploaded = {fake_telnyx.documents[i][1] for i in sent["documents"].values()}
    assert {LOA, INVOICE} == uploaded
    words = [carrier.status(account, first.ref, now=now) for _ in range(3)]
    assert ["submitted", "foc-date-confirmed", "ported"] == [u.status for u in words]
    assert date(2026, 5, 20) == words[1].foc_date
    mapped = [carrier.capabilities.vocabulary.map(OrderKind.PORT_IN, u.status) for u in words]
    assert RequestStatus.COMPLETED is mapped[-1].request_status
    assert [u.key for u in words] == sorted(u.key for u in words)


def test_a_port_without_documents_stays_a_draft_that_asks_for_them(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """Telnyx will not confirm without the LOA and invoice: the answer is the draft, which
    maps to Information Required, with Telnyx's reason."""
    update = carrier.submit(account, _submission(_port(None)), now=now)
    assert "draft" == update.status
    assert update.reason is not None
    assert "documents.loa" in update.reason
    mapping = carrier.capabilities.vocabulary.map(OrderKind.PORT_IN, update.status)
    assert RequestStatus.ACTION_REQUIRED is mapping.request_status


def test_a_supplement_adds_the_documents_and_confirms_the_same_order(
    carrier: TelnyxCarrier,
    account: CarrierAccount,
    fake_telnyx: FakeTelnyx,
    documents: MemoryDocumentStorage,
    now: datetime,
) -> None:
    """Resubmitting with the documents as a supplement of the draft confirms that order;
    submitting the first request again finds it by reference instead of creating one."""
    draft = carrier.submit(account, _submission(_port(None)), now=now)
    assert (
        draft.carrier_ref == carrier.submit(account, _submission(_port(None)), now=now).carrier_ref
    )
    fixed = carrier.submit(
        account, _submission(_port(documents), "CR-P2", supplements=draft.carrier_ref), now=now
    )
    assert (draft.carrier_ref, "in-process") == (fixed.carrier_ref, fixed.status)
    assert 1 == len(fake_telnyx.calls("POST", "^porting_orders$"))


def test_an_exception_carries_telnyx_reason_and_a_supplement_resumes_it(
    carrier: TelnyxCarrier,
    account: CarrierAccount,
    fake_telnyx: FakeTelnyx,
    documents: MemoryDocumentStorage,
    now: datetime,
) -> None:
    """The losing carrier's rejection arrives as ``exception`` with Telnyx's detail as the
    reason; a corrected supplement puts the order back in process."""
    fake_telnyx.reject_ports(("ACCOUNT_NUMBER_MISMATCH", "The account number does not match."))
    first = carrier.submit(account, _submission(_port(documents)), now=now)
    carrier.status(account, first.ref, now=now)
    rejected = carrier.status(account, first.ref, now=now)
    assert ("exception", "The account number does not match.") == (rejected.status, rejected.reason)
    fake_telnyx.reject_ports(None)
    again = carrier.submit(
        account,
        _submission(_port(documents), "CR-P3", supplements=first.carrier_ref),
        now=now,
    )
    assert "in-process" == again.status


def test_a_port_telnyx_splits_is_undone_and_refused(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """When Telnyx splits the numbers into two porting orders, both drafts are deleted and
    the submission is refused naming the split; nothing is left behind."""
    fake_telnyx.split_next_port = True
    submission = CarrierSubmission(
        OrderKind.PORT_IN, "CR-P4", ("+19192281234", "+14045550106"), port=_port(None)
    )
    with pytest.raises(CarrierRejected) as info:
        carrier.submit(account, submission, now=now)
    assert "port_split" == info.value.code
    assert {} == fake_telnyx.ports


def test_documents_need_a_document_storage(fake_telnyx: FakeTelnyx, now: datetime) -> None:
    """Port details naming documents, on an adapter built without storage, are refused
    before anything is sent."""
    with TelnyxCarrier(make_config(fake_telnyx)) as adapter:
        port = _port(None, loa_document="0" * 64)
        with pytest.raises(CapabilityNotSupported):
            adapter.submit(adapter.account(), _submission(port), now=now)
    assert [] == fake_telnyx.calls()


def test_documents_are_sent_as_base64_with_the_request_reference(
    carrier: TelnyxCarrier,
    account: CarrierAccount,
    fake_telnyx: FakeTelnyx,
    documents: MemoryDocumentStorage,
    now: datetime,
) -> None:
    """Each document is one ``POST documents`` with the file as base64 and our reference."""
    carrier.submit(account, _submission(_port(documents)), now=now)
    bodies = [json.loads(c.body) for c in fake_telnyx.calls("POST", "^documents$")]
    assert {LOA, INVOICE} == {base64.b64decode(b["file"]) for b in bodies}
    assert {"CR-P1"} == {b["customer_reference"] for b in bodies}
