"""Properties of documents and compliance: the matcher, upload validation, content storage,
event round trips, and account isolation over many accounts."""

from __future__ import annotations

import hashlib
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.actors import CUSTOMER
from tests.support.clock import T0
from tnorder import (
    Actor,
    DocumentNotFound,
    InvalidDocument,
    NewItem,
    NumberType,
    OrderKind,
    Role,
)
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.document_storage import FilesystemDocumentStorage, MemoryDocumentStorage
from tnorder.adapters.memory import MemoryStorage
from tnorder.domain.documents import (
    ALLOWED_CONTENT_TYPES,
    DEFAULT_REQUIREMENTS_POLICY,
    Document,
    DocumentStatus,
    FileInfo,
    RequirementKind,
    is_reusable,
    match_document,
    validate_upload,
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
from tnorder.serialization import dump_event, load_event
from tnorder.testing.strategies import events, identifiers
from tnorder.world import build_service

ACCOUNTS = [f"acct-{n}" for n in range(8)]
REGIONS = ["US-GA", "US-FL", "DE-BY", None]
KINDS = [
    RequirementKind.PROOF_OF_LOCAL_ADDRESS.value,
    RequirementKind.LETTER_OF_AUTHORIZATION.value,
    RequirementKind.RECENT_BILL.value,
]
SIGNATURES = [sig for sig, _ in ALLOWED_CONTENT_TYPES.values()]
_FILE = FileInfo("f.pdf", "application/pdf", 1, hashlib.sha256(b"x").hexdigest())


@st.composite
def library_documents(draw: st.DrawFn) -> Document:
    offset = draw(st.none() | st.integers(min_value=-30, max_value=60))
    return Document(
        document_id=draw(st.sampled_from([f"DOC-{n:02d}" for n in range(40)])),
        account_id=draw(st.sampled_from(ACCOUNTS)),
        kind=draw(st.sampled_from(KINDS)),
        region=draw(st.sampled_from(REGIONS)),
        status=draw(st.sampled_from(list(DocumentStatus))),
        file=_FILE,
        uploaded_at=T0,
        valid_until=None if offset is None else T0.date() + timedelta(days=offset),
    )


libraries = st.lists(library_documents(), max_size=30, unique_by=lambda d: d.document_id)
nows = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 6, 1), timezones=st.just(UTC)
)


@given(
    library=libraries,
    account=st.sampled_from(ACCOUNTS),
    kind=st.sampled_from(KINDS),
    region=st.sampled_from(REGIONS),
    now=nows,
    data=st.data(),
)
def test_matcher_picks_the_longest_valid_reusable_document_whatever_the_order(
    library: list[Document],
    account: str,
    kind: str,
    region: str | None,
    now: datetime,
    data: st.DataObject,
) -> None:
    """The match is reusable (same account, kind, region, approved, unexpired), none is valid
    longer, and shuffling the library never changes it."""
    found = match_document(library, account_id=account, kind=kind, region=region, now=now)
    reusable = [
        d for d in library if is_reusable(d, account_id=account, kind=kind, region=region, now=now)
    ]
    if found is None:
        assert [] == reusable
        return
    assert found.account_id == account
    assert found.status is DocumentStatus.APPROVED
    assert (found.kind, found.region) == (kind, region)
    assert found.valid_until is None or found.valid_until >= now.date()
    best = max((d.valid_until or date.max) for d in reusable)
    assert best == (found.valid_until or date.max)
    shuffled = data.draw(st.permutations(library))
    again = match_document(shuffled, account_id=account, kind=kind, region=region, now=now)
    assert found is again


@given(st.binary(min_size=1, max_size=64).filter(lambda b: not b.startswith(tuple(SIGNATURES))))
def test_bytes_without_an_allowed_signature_are_refused(data: bytes) -> None:
    """Whatever the name says, bytes that are not PDF, PNG or JPEG are refused by content."""
    for name in ("bill.pdf", "scan.png", "photo.jpg", "noext"):
        with pytest.raises(InvalidDocument) as info:
            validate_upload(data, name)
        assert "content_type" == info.value.reason


# Each case draws its limit on its own side of the file's size, so both are
# exercised on every run (an ``if`` on a drawn limit could skip one).
@given(signature=st.sampled_from(SIGNATURES), body=st.binary(max_size=200), data=st.data())
def test_files_within_the_limit_are_described_exactly(
    signature: bytes, body: bytes, data: st.DataObject
) -> None:
    """A signed file that fits the limit is accepted, with its exact size and hash."""
    payload = signature + body
    limit = data.draw(st.integers(min_value=len(payload), max_value=len(payload) + 50))
    info = validate_upload(payload, "upload", max_bytes=limit)
    assert (len(payload), hashlib.sha256(payload).hexdigest()) == (info.size, info.sha256)


@given(signature=st.sampled_from(SIGNATURES), body=st.binary(max_size=200), data=st.data())
def test_files_over_the_limit_are_refused_as_too_large(
    signature: bytes, body: bytes, data: st.DataObject
) -> None:
    """A signed file larger than the limit is refused as too large, naming both sizes."""
    payload = signature + body
    limit = data.draw(st.integers(min_value=1, max_value=len(payload) - 1))
    expected = f"the file is {len(payload)} bytes; the limit is {limit} bytes"
    with pytest.raises(InvalidDocument) as refused:
        validate_upload(payload, "upload", max_bytes=limit)
    assert expected == str(refused.value)
    assert ("too_large", "data") == (refused.value.reason, refused.value.field)


@given(st.text(max_size=80))
def test_a_file_name_is_never_a_path(name: str) -> None:
    """Any accepted file name is a single component: no separators, never "." or ".."."""
    refused: str | None = None
    try:
        info = validate_upload(b"%PDF-1.7", name)
    except InvalidDocument as exc:
        refused = exc.reason
    else:
        assert "/" not in info.file_name
        assert "\\" not in info.file_name
        assert info.file_name not in ("", ".", "..")
        assert info.file_name == info.file_name.strip()
    assert refused in (None, "file_name", "content_type")


@settings(max_examples=60)
@given(st.lists(st.binary(max_size=512), min_size=1, max_size=4))
def test_filesystem_storage_round_trips_any_bytes_under_its_root(blobs: list[bytes]) -> None:
    """put() returns the SHA-256, get() returns the bytes, and every file stays under root,
    one file per distinct content."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        storage = FilesystemDocumentStorage(root)
        for data in blobs:
            key = storage.put(data)
            assert hashlib.sha256(data).hexdigest() == key
            assert data == storage.get(key)
            assert storage.exists(key)
        files = [p for p in root.rglob("*") if p.is_file()]
        assert len(set(blobs)) == len(files)
        assert all(root in p.resolve().parents for p in files)


@given(
    events(
        [
            DocumentsRequested,
            DocumentUploaded,
            DocumentReused,
            DocumentApproved,
            DocumentRejected,
            DocumentExpired,
        ]
    )
)
def test_document_events_round_trip(event: Event) -> None:
    """Every document event survives dump_event/load_event unchanged."""
    assert event == load_event(dump_event(event))


# -- isolation over many accounts -------------------------------------------------------

accounts = st.lists(identifiers(max_size=8), min_size=2, max_size=6, unique=True)


@settings(max_examples=50)
@given(
    account_ids=accounts,
    approvals=st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from(["US-GA", "US-FL"]), st.booleans()),
        max_size=8,
    ),
    placements=st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from(["US-GA", "US-FL"]), st.booleans()),
        min_size=1,
        max_size=6,
    ),
)
def test_documents_never_cross_accounts(
    account_ids: list[str],
    approvals: list[tuple[int, str, bool]],
    placements: list[tuple[int, str, bool]],
) -> None:
    """Over many accounts: every reused document belongs to the order's account, each account
    lists only its own documents, and another account's id is DocumentNotFound."""
    n = 0

    def next_id() -> str:
        nonlocal n
        n += 1
        return f"DOC-{n}"

    service = build_service(
        MemoryStorage(),
        clock=FixedClock(T0),
        document_storage=MemoryDocumentStorage(),
        requirements_policy=DEFAULT_REQUIREMENTS_POLICY,
        document_ids=next_id,
    )
    staff = Actor(Role.STAFF, "ops")

    def item(region: str, port: bool) -> NewItem:
        if port:
            return NewItem(OrderKind.PORT_IN, number_type=NumberType.TRUELOCAL, region=region)
        return NewItem(OrderKind.NEW_NUMBER, number_type=NumberType.TRUELOCAL, region=region)

    for index, (who, region, port) in enumerate(approvals):
        account = account_ids[who % len(account_ids)]
        order = service.place_order(account, [item(region, port)], actor=CUSTOMER)
        line = order.items[0]
        for requirement in line.requirements:
            if requirement.document_id is None:
                body = f"%PDF-1.7 {account} {index} {requirement.kind}".encode()
                service.upload_document(
                    order.order_id,
                    line.item_id,
                    requirement.kind,
                    body,
                    file_name="doc.pdf",
                    actor=CUSTOMER,
                )
        for requirement in service.get_order(order.order_id).items[0].requirements:
            assert requirement.document_id is not None
            document = service.get_document(requirement.document_id, account_id=account)
            if document.status is DocumentStatus.UNDER_REVIEW:
                service.approve_document(document.document_id, actor=staff)

    owner = {
        d.document_id: account for account in account_ids for d in service.list_documents(account)
    }
    for who, region, port in placements:
        account = account_ids[who % len(account_ids)]
        order = service.place_order(account, [item(region, port)], actor=CUSTOMER)
        for requirement in order.items[0].requirements:
            if requirement.document_id is not None:
                assert account == owner[requirement.document_id]

    for account in account_ids:
        own = service.list_documents(account)
        assert all(account == d.account_id for d in own)
        for other in account_ids:
            if other == account:
                continue
            for d in own:
                try:
                    service.get_document(d.document_id, account_id=other)
                except DocumentNotFound:
                    pass
                else:
                    raise AssertionError(f"{other!r} saw {d.document_id!r} of {account!r}")
