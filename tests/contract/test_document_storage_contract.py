"""The document storage contract, run against both reference document storages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tnorder.adapters.document_storage import FilesystemDocumentStorage, MemoryDocumentStorage
from tnorder.testing import DocumentStorageContract


class TestMemoryDocumentStorage(DocumentStorageContract):
    @pytest.fixture
    def document_storage(self) -> MemoryDocumentStorage:
        return MemoryDocumentStorage()

    @pytest.fixture
    def corrupt_content(self, document_storage: MemoryDocumentStorage) -> Callable[[str], None]:
        def corrupt(key: str) -> None:
            # Reaches into the store on purpose: nothing public can change stored bytes.
            document_storage._blobs[key] = document_storage._blobs[key][:-1] + b"!"

        return corrupt

    @pytest.fixture
    def supports_concurrent_writers(self) -> bool:
        return True


class TestFilesystemDocumentStorage(DocumentStorageContract):
    @pytest.fixture
    def root(self, tmp_path: Path) -> Path:
        return tmp_path / "documents"

    @pytest.fixture
    def document_storage(self, root: Path) -> FilesystemDocumentStorage:
        return FilesystemDocumentStorage(root)

    @pytest.fixture
    def corrupt_content(self, root: Path) -> Callable[[str], None]:
        def corrupt(key: str) -> None:
            # A tampered file of the same length: only the hash check can tell.
            path = root / key[:2] / key
            data = bytearray(path.read_bytes())
            data[-1] ^= 0xFF
            path.write_bytes(bytes(data))

        return corrupt

    @pytest.fixture
    def supports_concurrent_writers(self) -> bool:
        return True
