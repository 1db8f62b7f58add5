"""Issue 15, points 3 to 6: namespaced streams, no orphaned files, filesystem document
storage, and raw errors that are now typed."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.actors import CUSTOMER, STAFF
from tests.support.clock import T0
from tests.support.storage import AnyStorage
from tnorder import (
    DEFAULT_REQUIREMENTS_POLICY,
    AlreadyExists,
    CallbackNotVerified,
    ConfigurationError,
    InvalidDocument,
    NewItem,
    NumberType,
    OrderKind,
    OrderService,
    StorageError,
    ValidationError,
    validate_upload,
)
from tnorder.adapters.bandwidth import CallbackCredentials, verify_callback
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.document_storage import FilesystemDocumentStorage, MemoryDocumentStorage
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.notifiers import RecordingNotifier
from tnorder.domain.events import (
    carrier_request_stream,
    document_stream,
    inventory_stream,
)
from tnorder.world import build_service

PDF = b"%PDF-1.7\nletter of authorization\n%%EOF\n"


def port_in_service(storage: MemoryStorage, documents: object) -> tuple[OrderService, str]:
    svc = build_service(
        storage,
        clock=FixedClock(T0),
        notifier=RecordingNotifier(),
        requirements_policy=DEFAULT_REQUIREMENTS_POLICY,
        document_storage=documents,  # type: ignore[arg-type]
    )
    order = svc.place_order(
        "acct-1", [NewItem(OrderKind.PORT_IN, "+14045550100", region="US-GA")], actor=CUSTOMER
    )
    return svc, order.order_id


# -- point 3: stream namespaces ------------------------------------------------------


def test_stream_namespaces_never_meet_whatever_the_ids() -> None:
    """Document, carrier request and inventory streams carry their kind, so an order id
    (which may not contain ':') never names the same stream as any of them."""
    streams = {document_stream("X"), carrier_request_stream("X"), inventory_stream("X"), "X"}
    assert 4 == len(streams)


def test_an_order_and_a_document_with_the_same_id_have_different_event_ids() -> None:
    """An order whose id equals a document's id does not share event ids with the
    document's own events (they once did: DOC-1#1 for both)."""
    storage = MemoryStorage()
    svc = build_service(
        storage,
        clock=FixedClock(T0),
        notifier=RecordingNotifier(),
        requirements_policy=DEFAULT_REQUIREMENTS_POLICY,
        document_storage=MemoryDocumentStorage(),
        document_ids=lambda: "DOC-1",
    )
    order = svc.place_order(
        "acct-1",
        [NewItem(OrderKind.NEW_NUMBER, number_type=NumberType.TRUELOCAL, region="US-GA")],
        actor=CUSTOMER,
        order_id="DOC-1",
    )
    svc.upload_document(
        order.order_id,
        "DOC-1-1",
        "proof_of_local_address",
        PDF,
        file_name="loa.pdf",
        actor=CUSTOMER,
    )
    # The document is approved, then expires on its own stream.
    svc.approve_document("DOC-1", actor=STAFF, valid_until=date(2026, 3, 2))
    svc.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    (expired,) = svc.expire_documents()
    assert "DOC-1" == expired.document_id
    svc.relay_events(limit=1000)
    ids = [e.event_id for e in svc.notifier.events]  # type: ignore[union-attr]
    assert len(ids) == len(set(ids))
    assert "document:DOC-1#1" in ids
    assert "DOC-1#1" in ids


# -- point 4: no orphaned files ------------------------------------------------------


def test_a_failed_upload_commit_leaves_no_file_behind(tmp_path: Path) -> None:
    """When the commit of an upload fails, the caller gets StorageError, no document
    exists, and the bytes the upload stored are gone."""
    storage = MemoryStorage()
    files = FilesystemDocumentStorage(tmp_path / "docs")
    svc, order_id = port_in_service(storage, files)
    storage.fail_next_commit()
    with pytest.raises(StorageError):
        svc.upload_document(
            order_id,
            f"{order_id}-1",
            "letter_of_authorization",
            PDF,
            file_name="loa.pdf",
            actor=CUSTOMER,
        )
    assert [] == svc.list_documents("acct-1")
    assert not files.exists(hashlib.sha256(PDF).hexdigest())
    assert [] == [p for p in (tmp_path / "docs").rglob("*") if p.is_file()]


def test_a_failed_upload_keeps_bytes_that_another_document_uses() -> None:
    """Bytes that were stored before the failed upload (another document's) stay."""
    storage = MemoryStorage()
    files = MemoryDocumentStorage()
    svc, order_id = port_in_service(storage, files)
    svc.upload_document(
        order_id,
        f"{order_id}-1",
        "letter_of_authorization",
        PDF,
        file_name="loa.pdf",
        actor=CUSTOMER,
    )
    storage.fail_next_commit()
    with pytest.raises(StorageError):
        svc.upload_document(
            order_id, f"{order_id}-1", "recent_bill", PDF, file_name="bill.pdf", actor=CUSTOMER
        )
    assert [hashlib.sha256(PDF).hexdigest()] == files.keys()


class UndeletableDocumentStorage(MemoryDocumentStorage):
    """A document storage whose delete fails (a read-only mount, a lost permission)."""

    def delete(self, key: str) -> None:
        raise StorageError(f"could not delete document content {key}: read-only")


def test_the_sweep_removes_what_a_failed_upload_could_not(storage: AnyStorage) -> None:
    """When an upload's commit fails and its own clean-up fails too, the bytes stay;
    sweep_document_storage then removes exactly them (never a document's content),
    on every storage, and a second sweep finds nothing."""
    files = UndeletableDocumentStorage()
    svc = build_service(
        storage,
        clock=FixedClock(T0),
        requirements_policy=DEFAULT_REQUIREMENTS_POLICY,
        document_storage=files,
        # The second upload reuses the first's id: refused after its bytes are stored,
        # on any storage (the way a commit that fails late looks to the upload).
        document_ids=lambda: "DOC-1",
    )
    order_id = svc.place_order(
        "acct-1", [NewItem(OrderKind.PORT_IN, "+14045550100", region="US-GA")], actor=CUSTOMER
    ).order_id
    kept = svc.upload_document(
        order_id, f"{order_id}-1", "letter_of_authorization", PDF, file_name="a.pdf", actor=CUSTOMER
    )
    orphan_bytes = PDF + b"% another file\n"
    with pytest.raises(AlreadyExists):
        svc.upload_document(
            order_id,
            f"{order_id}-1",
            "recent_bill",
            orphan_bytes,
            file_name="b.pdf",
            actor=CUSTOMER,
        )
    orphan = hashlib.sha256(orphan_bytes).hexdigest()
    assert sorted([kept.file.sha256, orphan]) == files.keys()

    files.delete = MemoryDocumentStorage.delete.__get__(files)  # type: ignore[method-assign]
    assert [orphan] == svc.sweep_document_storage()
    assert [kept.file.sha256] == files.keys()
    assert PDF == svc.document_content(kept.document_id, account_id="acct-1")
    assert [] == svc.sweep_document_storage()


def test_the_sweep_finds_bytes_left_by_a_crash_on_disk(tmp_path: Path) -> None:
    """Bytes stored by a process that died before its commit (put, then nothing) are
    removed from the filesystem storage by the sweep; the document's file stays."""
    storage = MemoryStorage()
    files = FilesystemDocumentStorage(tmp_path / "docs")
    svc, order_id = port_in_service(storage, files)
    kept = svc.upload_document(
        order_id, f"{order_id}-1", "letter_of_authorization", PDF, file_name="a.pdf", actor=CUSTOMER
    )
    orphan = files.put(b"%PDF-1.7\nnever committed\n%%EOF\n")
    assert [orphan] == svc.sweep_document_storage()
    on_disk = [p.name for p in (tmp_path / "docs").rglob("*") if p.is_file()]
    assert [kept.file.sha256] == on_disk


class SweptRightAfterPut(MemoryDocumentStorage):
    """Loses each content right after storing it the first time, as when a sweep in
    another process takes the bytes before the upload's commit makes them used."""

    def __init__(self) -> None:
        super().__init__()
        self.swept: list[str] = []

    def put(self, data: bytes | bytearray | memoryview) -> str:
        key = super().put(data)
        if key not in self.swept:
            self.swept.append(key)
            self.delete(key)
        return key


def test_an_upload_whose_bytes_a_sweep_took_before_its_commit_stores_them_again() -> None:
    """The upload looks after its commit: bytes a concurrent sweep removed are stored
    again, so the committed document has its content."""
    files = SweptRightAfterPut()
    svc, order_id = port_in_service(MemoryStorage(), files)
    document = svc.upload_document(
        order_id, f"{order_id}-1", "letter_of_authorization", PDF, file_name="a.pdf", actor=CUSTOMER
    )
    assert [document.file.sha256] == files.swept
    assert PDF == svc.document_content(document.document_id, account_id="acct-1")


def test_the_sweep_needs_a_storage_that_can_list_and_delete() -> None:
    """A host's storage written before keys/delete joined the port: the sweep says so
    with a ConfigurationError, and deletes nothing."""

    class OldStorage:
        def __init__(self) -> None:
            self.inner = MemoryDocumentStorage()

        def put(self, data: bytes) -> str:
            return self.inner.put(data)

        def get(self, key: str) -> bytes:
            return self.inner.get(key)

        def exists(self, key: str) -> bool:
            return self.inner.exists(key)

    old = OldStorage()
    svc, _ = port_in_service(MemoryStorage(), old)
    key = old.put(PDF)
    with pytest.raises(ConfigurationError, match="keys"):
        svc.sweep_document_storage()
    assert old.exists(key)
    bare = build_service(MemoryStorage(), clock=FixedClock(T0))
    with pytest.raises(ConfigurationError, match="document_storage"):
        bare.sweep_document_storage()


# -- point 5: filesystem document storage ----------------------------------------------


def test_the_storage_root_is_created_private(tmp_path: Path) -> None:
    """The root the filesystem storage creates is 0700, like its subdirectories."""
    root = tmp_path / "new" / "docs"
    key = FilesystemDocumentStorage(root).put(PDF)
    assert 0o700 == stat.S_IMODE(root.stat().st_mode)
    assert 0o700 == stat.S_IMODE((root / key[:2]).stat().st_mode)


def test_uploading_the_same_bytes_again_repairs_a_damaged_file(tmp_path: Path) -> None:
    """A stored file whose bytes were damaged is rewritten when the same bytes are stored
    again; before that, reading it raises StorageError."""
    files = FilesystemDocumentStorage(tmp_path)
    key = files.put(PDF)
    path = tmp_path / key[:2] / key
    os.chmod(path, 0o600)
    path.write_bytes(b"%PDF-1.7\ndamaged")
    with pytest.raises(StorageError):
        files.get(key)
    assert key == files.put(PDF)
    assert PDF == files.get(key)


# -- point 6: raw errors that are now typed --------------------------------------------


def test_list_documents_refuses_an_unknown_status() -> None:
    """An unknown status string is a ValidationError, not a ValueError from the enum."""
    svc, _ = port_in_service(MemoryStorage(), MemoryDocumentStorage())
    with pytest.raises(ValidationError, match="status"):
        svc.list_documents("acct-1", status="bogus")  # type: ignore[arg-type]


def test_expiry_report_takes_any_horizon() -> None:
    """A horizon past the end of the calendar reports every approved document."""
    svc, _ = port_in_service(MemoryStorage(), MemoryDocumentStorage())
    report = svc.document_expiry_report(within_days=10**9)
    assert () == report.expired + report.expiring


@pytest.mark.parametrize(
    "now",
    [datetime(1, 1, 1, 0, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC)],
)
def test_views_at_the_ends_of_the_calendar_raise_validation_errors(now: datetime) -> None:
    """A clock at the edges of the calendar gives dashboards or a ValidationError naming
    what was out of range, never an OverflowError."""
    storage = MemoryStorage()
    build_service(storage, clock=FixedClock(T0)).place_order(
        "acct-1", [NewItem(OrderKind.NEW_NUMBER, number_type=NumberType.LOCAL)], actor=CUSTOMER
    )
    svc = build_service(storage, clock=FixedClock(now))
    fields = []
    for view in (svc.orders_tab, svc.order_history, svc.active_numbers):
        try:
            view("acct-1")
        except ValidationError as exc:  # any other error fails the test
            fields.append(exc.field)
    assert set(fields) <= {"now", "start"}


def test_relay_limit_must_be_an_integer() -> None:
    """relay_events(limit="10") is a ValidationError, not a TypeError."""
    svc = build_service(MemoryStorage(), clock=FixedClock(T0), notifier=RecordingNotifier())
    with pytest.raises(ValidationError, match="limit"):
        svc.relay_events(limit="10")  # type: ignore[arg-type]


def test_callback_with_a_bytes_header_is_not_verified() -> None:
    """A bytes Authorization header is refused as CallbackNotVerified, not a TypeError."""
    creds = CallbackCredentials("user", "secret-password")
    with pytest.raises(CallbackNotVerified):
        verify_callback({"Authorization": b"Basic dXNlcjpzZWNyZXQ="}, creds)  # type: ignore[dict-item]


def test_upload_with_a_bytes_content_type_is_refused() -> None:
    """validate_upload(content_type=b"...") raises InvalidDocument, not a TypeError."""
    with pytest.raises(InvalidDocument) as caught:
        validate_upload(PDF, "loa.pdf", content_type=b"application/pdf")  # type: ignore[arg-type]
    assert "content_type" == caught.value.reason


def test_demo_with_a_too_long_database_name_exits_with_a_message(tmp_path: Path) -> None:
    """`tnorder demo --db <300-character name>` prints a typed error, no traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "tnorder", "demo", "--plain", "--db", str(tmp_path / ("a" * 300))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert 1 == done.returncode
    assert "Traceback" not in done.stderr
    assert "tnorder: ValidationError" in done.stderr
