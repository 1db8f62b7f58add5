"""Document storage adapters: what each adds to the shared contract.

The behaviour every document storage shares (content addressing, idempotent
puts, no traversal) is ``tnorder.testing.DocumentStorageContract``, run against
both adapters in ``tests/contract/test_document_storage_contract.py``.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from tnorder import StorageError, ValidationError
from tnorder.adapters.document_storage import FilesystemDocumentStorage, MemoryDocumentStorage
from tnorder.ports import DocumentStorage

PDF = b"%PDF-1.7\n%%EOF\n"
OTHER = b"\x89PNG\r\n\x1a\nsomething else"


class _TnorderAdapterTests:
    """What tnorder's own document storages add to the port: other buffers are taken
    (the port promises bytes), anything else is refused."""

    def test_buffers_are_stored_as_their_bytes(self, storage: DocumentStorage) -> None:
        """bytearray and memoryview contents are stored as the bytes they hold."""
        assert storage.put(PDF) == storage.put(bytearray(PDF))  # type: ignore[arg-type]
        assert PDF == storage.get(storage.put(memoryview(PDF)))  # type: ignore[arg-type]

    def test_non_bytes_content_is_refused(self, storage: DocumentStorage) -> None:
        """Text is not document content."""
        with pytest.raises(ValidationError, match=r"document content must be bytes, got str"):
            storage.put("%PDF-1.7")  # type: ignore[arg-type]


class TestMemoryDocumentStorage(_TnorderAdapterTests):
    @pytest.fixture
    def storage(self) -> DocumentStorage:
        return MemoryDocumentStorage()

    def test_keys_lists_what_is_stored(self) -> None:
        """keys() lists stored keys, sorted."""
        storage = MemoryDocumentStorage()
        keys = sorted([storage.put(PDF), storage.put(OTHER)])
        assert keys == storage.keys()


class TestFilesystemDocumentStorage(_TnorderAdapterTests):
    @pytest.fixture
    def storage(self, tmp_path: Path) -> DocumentStorage:
        return FilesystemDocumentStorage(tmp_path / "docs")

    def test_files_live_under_their_hash_with_private_permissions(self, tmp_path: Path) -> None:
        """Layout root/<2 hex>/<64 hex>; files 0600, directories 0700; no temporary files left."""
        root = tmp_path / "docs"
        key = FilesystemDocumentStorage(root).put(PDF)
        path = root / key[:2] / key
        assert PDF == path.read_bytes()
        assert 0o600 == stat.S_IMODE(path.stat().st_mode)
        assert 0o700 == stat.S_IMODE(path.parent.stat().st_mode)
        assert [path] == [p for p in root.rglob("*") if p.is_file()]

    def test_content_survives_a_new_instance(self, tmp_path: Path) -> None:
        """What one instance stored, another over the same root reads."""
        key = FilesystemDocumentStorage(tmp_path).put(PDF)
        assert PDF == FilesystemDocumentStorage(str(tmp_path)).get(key)

    def test_an_existing_document_is_never_rewritten(self, tmp_path: Path) -> None:
        """put() of bytes already stored leaves the stored file untouched."""
        storage = FilesystemDocumentStorage(tmp_path)
        key = storage.put(PDF)
        path = tmp_path / key[:2] / key
        before = path.stat().st_mtime_ns
        os.utime(path, ns=(before - 10**9, before - 10**9))
        storage.put(PDF)
        assert before - 10**9 == path.stat().st_mtime_ns

    def test_os_errors_become_storage_errors(self, tmp_path: Path) -> None:
        """A root that is a file cannot hold documents: StorageError, with the OSError as cause."""
        root = tmp_path / "not-a-dir"
        root.write_bytes(b"")
        storage = FilesystemDocumentStorage(root)
        with pytest.raises(StorageError) as info:
            storage.put(PDF)
        assert isinstance(info.value.__cause__, OSError)

    def test_a_failed_write_leaves_no_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """If moving the finished file into place fails, neither it nor a temp file remains."""
        storage = FilesystemDocumentStorage(tmp_path)

        def broken_replace(src: str, dst: str) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", broken_replace)
        with pytest.raises(StorageError, match="No space left"):
            storage.put(PDF)
        monkeypatch.undo()
        assert [] == [p for p in tmp_path.rglob("*") if p.is_file()]
        assert not storage.exists(hashlib.sha256(PDF).hexdigest())

    def test_corrupt_content_is_a_storage_error(self, tmp_path: Path) -> None:
        """Bytes that no longer match their hash are never returned."""
        storage = FilesystemDocumentStorage(tmp_path)
        key = storage.put(PDF)
        (tmp_path / key[:2] / key).write_bytes(b"tampered")
        with pytest.raises(StorageError, match="corrupt"):
            storage.get(key)

    def test_a_directory_in_place_of_a_file_is_a_storage_error(self, tmp_path: Path) -> None:
        """Reading something that is not a file is translated, not leaked as IsADirectoryError."""
        storage = FilesystemDocumentStorage(tmp_path)
        key = hashlib.sha256(PDF).hexdigest()
        (tmp_path / key[:2] / key).mkdir(parents=True)
        with pytest.raises(StorageError) as info:
            storage.get(key)
        assert isinstance(info.value.__cause__, OSError)
