"""Document storage: where the bytes of uploaded documents live.

Both adapters implement ``tnorder.ports.DocumentStorage`` and store a file by
its content: the key is the SHA-256 hex digest of the bytes.  A customer's
file name is never part of a key or a path, so it can neither escape the
storage root nor overwrite another file, and storing the same bytes twice
stores them once.  Keys are checked to be 64 lower-case hex digits before
they are used, which also rules out path traversal through ``get``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from pathlib import Path

from ..errors import DocumentNotFound, StorageError, ValidationError

__all__ = ["FilesystemDocumentStorage", "MemoryDocumentStorage"]

_KEY_RE = re.compile(r"[0-9a-f]{64}")


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise ValidationError(
            f"document storage key must be 64 lower-case hex digits, got {key!r}", field="key"
        )
    return key


def _as_bytes(data: bytes | bytearray | memoryview) -> bytes:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValidationError(
            f"document content must be bytes, got {type(data).__name__}", field="data"
        )
    return bytes(data)


class MemoryDocumentStorage:
    """Document bytes in process memory (tests, examples); thread-safe."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, data: bytes | bytearray | memoryview) -> str:
        raw = _as_bytes(data)
        key = hashlib.sha256(raw).hexdigest()
        with self._lock:
            self._blobs.setdefault(key, raw)
        return key

    def get(self, key: str) -> bytes:
        _check_key(key)
        with self._lock:
            try:
                data = self._blobs[key]
            except KeyError:
                raise DocumentNotFound(key, f"no document content under {key!r}") from None
        # Cheap for a test store, and it keeps the same promise as the filesystem
        # store: content that does not match its key is never handed out.
        if hashlib.sha256(data).hexdigest() != key:
            raise StorageError(f"document content under {key!r} does not match its hash")
        return data

    def exists(self, key: str) -> bool:
        _check_key(key)
        with self._lock:
            return key in self._blobs

    def delete(self, key: str) -> None:
        """Forget the content under ``key`` (no error if there is none)."""
        _check_key(key)
        with self._lock:
            self._blobs.pop(key, None)

    def keys(self) -> list[str]:
        """Every stored key, sorted (for tests and housekeeping)."""
        with self._lock:
            return sorted(self._blobs)


class FilesystemDocumentStorage:
    """Document bytes in files under ``root``, one file per content hash.

    Layout: ``root/<first two hex digits>/<64 hex digits>``.  A file is
    written to a temporary file in its final directory and moved into place
    with ``os.replace``, so a reader sees the whole file or none of it, and a
    crash leaves at most a stray temporary file (``*.tmp``), never a partial
    document.  Directories are created ``0o700`` and files ``0o600``: these are
    customers' compliance documents.

    Storing bytes whose file exists already checks that file first: a stored
    file that was damaged (its hash no longer matches) is replaced, so
    uploading the same document again repairs it.

    Args:
        root: the storage directory; created ``0o700`` on first write if
            missing (an existing directory keeps its mode).
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def put(self, data: bytes | bytearray | memoryview) -> str:
        raw = _as_bytes(data)
        key = hashlib.sha256(raw).hexdigest()
        path = self._path(key)
        try:
            if path.is_file() and self._intact(path, key, len(raw)):
                # Same hash, same bytes: never rewrite a good stored document.
                return key
            # ``mkdir(parents=True)`` gives created parents the default mode, so
            # the root is made first, with its own mode.
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.parent.mkdir(mode=0o700, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as tmp:
                    tmp.write(raw)
                    tmp.flush()
                    os.fsync(tmp.fileno())
                os.replace(tmp_name, path)
            except BaseException:
                Path(tmp_name).unlink(missing_ok=True)
                raise
        except OSError as exc:
            # Disk full, permissions, a read-only mount: callers handle StorageError only.
            raise StorageError(f"could not store document content {key}: {exc}") from exc
        return key

    @staticmethod
    def _intact(path: Path, key: str, size: int) -> bool:
        """Whether the stored file still holds the bytes its name promises."""
        if path.stat().st_size != size:
            return False
        digest = hashlib.sha256()
        with path.open("rb") as stored:
            for block in iter(lambda: stored.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest() == key

    def delete(self, key: str) -> None:
        """Remove the file under ``key`` (no error if there is none)."""
        path = self._path(_check_key(key))
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            # Permissions, a read-only mount: callers handle StorageError only.
            raise StorageError(f"could not delete document content {key}: {exc}") from exc

    def keys(self) -> list[str]:
        """Every stored key, sorted: the files named by a key in their two-digit
        directory (temporary files of an interrupted write are not keys)."""
        if not self.root.is_dir():
            return []
        try:
            return sorted(
                path.name
                for path in self.root.glob("??/*")
                if _KEY_RE.fullmatch(path.name) and path.parent.name == path.name[:2]
            )
        except OSError as exc:
            raise StorageError(f"could not list document content: {exc}") from exc

    def get(self, key: str) -> bytes:
        path = self._path(_check_key(key))
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise DocumentNotFound(key, f"no document content under {key!r}") from None
        except OSError as exc:
            # Permissions, I/O errors: translated so nothing foreign escapes the port.
            raise StorageError(f"could not read document content {key}: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != key:
            raise StorageError(f"document content {key} is corrupt (its hash does not match)")
        return data

    def exists(self, key: str) -> bool:
        path = self._path(_check_key(key))
        try:
            return path.is_file()
        except OSError as exc:
            # e.g. a permission error on the directory: a StorageError, not a False.
            raise StorageError(f"could not check document content {key}: {exc}") from exc
