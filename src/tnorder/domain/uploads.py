"""Upload checks: a file is judged by its own bytes, size and name before anything is stored.

Pure domain rules.  Nothing here reads the clock or touches storage; the bytes
go to the ``DocumentStorage`` port afterwards, never through this module.

What belongs here: the allowed content types and their signature bytes, the
size limit, the customer's display name of a file, and :class:`FileInfo`.
What must not: storage paths (the customer's file name is never used to build
one) or the document's review (``documents.py``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import attrs

from ..errors import InvalidDocument, ValidationError

__all__ = [
    "ALLOWED_CONTENT_TYPES",
    "DEFAULT_MAX_UPLOAD_BYTES",
    "FileInfo",
    "detect_content_type",
    "display_file_name",
    "validate_upload",
]


DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# content type -> (signature at offset 0, file-name extensions that may claim it)
ALLOWED_CONTENT_TYPES: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}

_MAX_FILE_NAME = 255


@attrs.frozen
class FileInfo:
    """Metadata of an uploaded file; the bytes live in document storage under ``sha256``.

    ``file_name`` is the customer's name for the file, kept for display only:
    it is never used to build a storage path.
    """

    file_name: str
    content_type: str
    size: int
    sha256: str


def detect_content_type(data: bytes) -> str | None:
    """The allowed content type ``data``'s signature bytes announce, or None."""
    for content_type, (signature, _) in ALLOWED_CONTENT_TYPES.items():
        if data.startswith(signature):
            return content_type
    return None


def display_file_name(file_name: str) -> str:
    """The customer's name for an uploaded file: the last part of a client path, stripped.

    Raises:
        InvalidDocument: not a string, names no file, too long, or has control
            characters (reason ``"file_name"``).
    """
    if not isinstance(file_name, str):
        raise InvalidDocument(
            f"file name must be a string, got {type(file_name).__name__}",
            reason="file_name",
            field="file_name",
        )
    # Browsers may send a full client path ("C:\\fakepath\\bill.pdf"); only the last
    # part is the customer's name for the file.
    name = re.split(r"[\\/]", file_name)[-1].strip()
    if name in ("", ".", ".."):
        raise InvalidDocument(
            f"file name {file_name!r} names no file", reason="file_name", field="file_name"
        )
    if len(name) > _MAX_FILE_NAME:
        raise InvalidDocument(
            f"file name is {len(name)} characters long; the limit is {_MAX_FILE_NAME}",
            reason="file_name",
            field="file_name",
        )
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise InvalidDocument(
            f"file name {name!r} contains control characters",
            reason="file_name",
            field="file_name",
        )
    return name


def validate_upload(
    data: bytes | bytearray | memoryview,
    file_name: str,
    *,
    max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    content_type: str | None = None,
) -> FileInfo:
    """Check an uploaded file and describe it; nothing is stored here.

    Rules, in the order they are checked:

    - the file must not be empty (reason ``"empty"``);
    - it must be at most ``max_bytes`` long (reason ``"too_large"``);
    - the file name must name a file: the last path component, not empty,
      ``.`` or ``..``, at most 255 characters, no control characters
      (reason ``"file_name"``);
    - its own signature bytes must be those of a PDF, PNG or JPEG file, and a
      declared ``content_type`` or a file-name extension must agree with them
      (reason ``"content_type"``).

    Returns:
        The file's metadata with its content type as detected from the bytes.

    Raises:
        InvalidDocument: the file was refused; ``reason`` says why.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValidationError(
            f"max_bytes must be a positive integer, got {max_bytes!r}", field="max_bytes"
        )
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidDocument(
            f"file content must be bytes, got {type(data).__name__}",
            reason="content_type",
            field="data",
        )
    raw = bytes(data)
    if not raw:
        raise InvalidDocument("the file is empty", reason="empty", field="data")
    if len(raw) > max_bytes:
        raise InvalidDocument(
            f"the file is {len(raw)} bytes; the limit is {max_bytes} bytes",
            reason="too_large",
            field="data",
        )
    name = display_file_name(file_name)
    detected = detect_content_type(raw)
    allowed = ", ".join(ALLOWED_CONTENT_TYPES)
    if detected is None:
        raise InvalidDocument(
            f"{name!r} is not a PDF, PNG or JPEG file (by its content); allowed: {allowed}",
            reason="content_type",
            field="data",
        )
    if content_type is not None:
        if not isinstance(content_type, str):
            raise InvalidDocument(
                f"content_type must be a string, got {type(content_type).__name__}",
                reason="content_type",
                field="content_type",
            )
        declared = content_type.split(";", 1)[0].strip().lower()
        if declared == "image/jpg":
            declared = "image/jpeg"
        if declared != detected:
            raise InvalidDocument(
                f"{name!r} was declared {content_type!r} but its content is {detected!r}",
                reason="content_type",
                field="content_type",
            )
    stem, dot, extension = name.rpartition(".")
    if dot and stem and "." + extension.lower() not in ALLOWED_CONTENT_TYPES[detected][1]:
        raise InvalidDocument(
            f"{name!r} is named like a .{extension} file but its content is {detected!r}",
            reason="content_type",
            field="file_name",
        )
    return FileInfo(
        file_name=name,
        content_type=detected,
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
    )
