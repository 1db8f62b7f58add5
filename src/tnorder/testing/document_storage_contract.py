"""The conformance suite for document storage: subclass :class:`DocumentStorageContract`.

Document storage keeps the bytes of customers' compliance documents by
content: ``put`` returns the SHA-256 hex digest of the bytes, ``get`` returns
exactly those bytes, and storing the same bytes twice stores them once.  A
host that keeps documents in its own object store writes::

    class TestMyDocumentStorage(DocumentStorageContract):
        @pytest.fixture
        def document_storage(self, tmp_path):
            return MyDocumentStorage(bucket=...)

Fixtures an implementer overrides:

* ``document_storage`` (required): an empty document storage for each test.
* ``corrupt_content`` (default None): a function ``(key) -> None`` that
  changes the stored bytes behind the storage's back (bit rot, a tampered
  file); enables the test that such bytes are never returned.
* ``supports_concurrent_writers`` (default False): ``put`` and ``get`` may be
  called from several threads at once.

Keys are 64 lower-case hex digits and nothing else: anything else (a path, a
digest in upper case) is refused with ``ValidationError`` naming ``key``, so a
key can never reach outside the storage.  ``delete`` removes one content and
``keys`` lists what is stored: ``OrderService.sweep_document_storage`` uses both
to remove content no document points at.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..errors import DocumentNotFound, StorageError, ValidationError
from ..ports import DocumentStorage
from . import strategies as tst
from ._support import run_property

__all__ = ["BAD_KEYS", "DocumentStorageContract"]

MAX_EXAMPLES = 25

BAD_KEYS = (
    "",
    "../../etc/passwd",
    "a" * 63,
    "a" * 65,
    "A" * 64,
    "g" * 64,
    "/" + "a" * 63,
    "aa/" + "a" * 61,
    "a" * 62 + "\x00a",
    " " + "a" * 63,
)
"""Strings that are not keys: wrong length, upper case, non-hex, paths, NUL, spaces."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DocumentStorageContract:
    """Behaviour every ``DocumentStorage`` adapter must have.  Subclass it as ``Test...``."""

    hypothesis_settings: ClassVar[settings | None] = None

    # -- fixtures the implementer provides ------------------------------------------

    @pytest.fixture
    def document_storage(self) -> DocumentStorage:
        """An empty document storage for each test (override this)."""
        raise NotImplementedError(
            "override the `document_storage` fixture in your DocumentStorageContract subclass"
        )

    @pytest.fixture
    def corrupt_content(self) -> Callable[[str], None] | None:
        """A function changing the bytes stored under a key behind the storage's back, or None."""
        return None

    @pytest.fixture
    def supports_concurrent_writers(self) -> bool:
        """True if ``put`` and ``get`` may be called from several threads at once."""
        return False

    def _run(self, test: Callable[[], None]) -> None:
        """Run a ``@given`` test (see ``hypothesis_settings``)."""
        run_property(test, self.hypothesis_settings, MAX_EXAMPLES)

    # -- tests -------------------------------------------------------------------------

    def test_put_returns_the_sha256_of_the_bytes(self, document_storage: DocumentStorage) -> None:
        """The key ``put`` returns is the SHA-256 hex digest of the content, whatever it is."""

        @given(tst.document_contents())
        def check(data: bytes) -> None:
            assert _sha256(data) == document_storage.put(data)

        self._run(check)

    def test_get_returns_exactly_what_was_put(self, document_storage: DocumentStorage) -> None:
        """Every stored content comes back byte for byte under its own key, however many
        others were stored (empty files, NUL bytes and invalid UTF-8 included)."""

        @given(st.lists(tst.document_contents(max_size=1024), min_size=1, max_size=6))
        def check(contents: list[bytes]) -> None:
            keys = [document_storage.put(data) for data in contents]
            assert contents == [document_storage.get(key) for key in keys]

        self._run(check)

    def test_put_is_idempotent(self, document_storage: DocumentStorage) -> None:
        """Storing the same bytes again gives the same key and changes nothing stored."""

        @given(tst.document_contents(max_size=1024))
        def check(data: bytes) -> None:
            first = document_storage.put(data)
            assert first == document_storage.put(bytes(data))
            assert data == document_storage.get(first)

        self._run(check)

    def test_exists_only_after_put(self, document_storage: DocumentStorage) -> None:
        """``exists`` is False for content never stored and True once it is."""
        data = b"%PDF-1.7 contract " + threading.current_thread().name.encode()
        key = _sha256(data)
        assert not document_storage.exists(key)
        document_storage.put(data)
        assert document_storage.exists(key)

    def test_missing_content_is_document_not_found(self, document_storage: DocumentStorage) -> None:
        """``get`` of a well-formed key with nothing stored raises DocumentNotFound naming it."""
        key = _sha256(b"never stored")
        with pytest.raises(DocumentNotFound) as info:
            document_storage.get(key)
        assert key == info.value.key

    @pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
    def test_malformed_keys_are_refused(self, document_storage: DocumentStorage, key: str) -> None:
        """Only 64 lower-case hex digits are keys: anything else raises ValidationError
        naming ``key`` from ``get`` and ``exists``, so no key reaches outside the storage."""
        with pytest.raises(ValidationError) as info:
            document_storage.get(key)
        assert "key" == info.value.field
        with pytest.raises(ValidationError):
            document_storage.exists(key)
        with pytest.raises(ValidationError):
            document_storage.delete(key)

    def test_delete_removes_only_its_content(self, document_storage: DocumentStorage) -> None:
        """``delete`` removes the content under one key and nothing else; deleting it
        again (or a key never stored) is no error; ``keys`` lists exactly what is
        stored, before and after."""

        @given(st.lists(tst.document_contents(max_size=256), min_size=1, max_size=5, unique=True))
        def check(contents: list[bytes]) -> None:
            keys = [document_storage.put(data) for data in contents]
            assert set(keys) <= set(document_storage.keys())
            gone, kept = keys[0], keys[1:]
            document_storage.delete(gone)
            document_storage.delete(gone)
            assert not document_storage.exists(gone)
            with pytest.raises(DocumentNotFound):
                document_storage.get(gone)
            assert gone not in set(document_storage.keys())
            assert contents[1:] == [document_storage.get(key) for key in kept]
            assert set(kept) <= set(document_storage.keys())
            # Stored again after a delete, the content is back whole.
            assert gone == document_storage.put(contents[0])
            assert contents[0] == document_storage.get(gone)

        self._run(check)

    def test_keys_are_only_well_formed_keys(self, document_storage: DocumentStorage) -> None:
        """``keys`` of an empty storage is empty; after a put it holds that content's key,
        and every key it lists is 64 lower-case hex digits that ``exists``."""
        assert [] == list(document_storage.keys())
        key = document_storage.put(b"%PDF-1.7 keys")
        listed = list(document_storage.keys())
        assert [key] == listed
        assert all(document_storage.exists(k) for k in listed)

    def test_corrupted_content_is_never_returned(
        self,
        document_storage: DocumentStorage,
        corrupt_content: Callable[[str], None] | None,
    ) -> None:
        """Bytes changed behind the storage's back raise StorageError from ``get``: the
        storage never hands out content that does not match its key."""
        if corrupt_content is None:
            pytest.skip("the storage does not offer the `corrupt_content` capability")
        key = document_storage.put(b"%PDF-1.7 a utility bill")
        corrupt_content(key)
        with pytest.raises(StorageError):
            document_storage.get(key)

    def test_concurrent_writers_lose_nothing(
        self, document_storage: DocumentStorage, supports_concurrent_writers: bool
    ) -> None:
        """Threads storing the same and different contents at once all get their keys, and
        every content reads back whole."""
        if not supports_concurrent_writers:
            pytest.skip("the storage does not declare `supports_concurrent_writers`")
        shared = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64
        contents = [shared] + [b"%PDF-1.4 thread " + bytes([n]) * 4096 for n in range(4)]
        errors: list[BaseException] = []

        def write(own: bytes) -> None:
            try:
                for _ in range(10):
                    for data in (shared, own):
                        assert _sha256(data) == document_storage.put(data)
                        assert data == document_storage.get(_sha256(data))
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        pool = [threading.Thread(target=write, args=(data,)) for data in contents]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        assert [] == errors
        assert contents == [document_storage.get(_sha256(data)) for data in contents]
