"""Upload checks, written down from docs/documents.md and the file formats' own signatures.

A file is judged by its bytes: PDF files start ``%PDF-`` (ISO 32000), PNG files
with the eight bytes ``89 50 4E 47 0D 0A 1A 0A`` (PNG specification, 5.2), JPEG
files with the SOI marker ``FF D8`` followed by a marker ``FF`` (ITU T.81).
The limit is 10 MiB unless the host sets another; names are display-only, the
last part of a client path, at most 255 characters, no control characters.
Each refusal is an ``InvalidDocument`` with a ``reason`` and the field at fault.
"""

from __future__ import annotations

import hashlib

import pytest

from tnorder import InvalidDocument, ValidationError
from tnorder.domain.uploads import (
    ALLOWED_CONTENT_TYPES,
    DEFAULT_MAX_UPLOAD_BYTES,
    FileInfo,
    detect_content_type,
    display_file_name,
    validate_upload,
)

PDF = b"%PDF-1.7\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 8


def _refusal(info: pytest.ExceptionInfo[InvalidDocument]) -> tuple[str, str | None, str]:
    return (info.value.reason, info.value.field, str(info.value))


def test_the_published_limit_and_types() -> None:
    """10 MiB, and exactly PDF, PNG and JPEG with their published signatures and extensions."""
    assert 10_485_760 == DEFAULT_MAX_UPLOAD_BYTES
    assert {
        "application/pdf": (b"%PDF-", (".pdf",)),
        "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
        "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    } == ALLOWED_CONTENT_TYPES


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (b"%PDF", None),
        (b"\x89PNG\r\n\x1a", None),
        (b"\xff\xd8", None),
        (b"GIF89a", None),
        (b"", None),
    ],
)
def test_content_is_recognised_by_its_whole_signature(data: bytes, expected: str | None) -> None:
    """Only the complete signature at offset 0 announces a type."""
    assert expected == detect_content_type(data)


def test_an_accepted_file_is_described_by_its_bytes() -> None:
    """Name, type from the bytes, size and SHA-256 of the bytes; bytearray and memoryview too."""
    expected = FileInfo("bill.pdf", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest())
    assert expected == validate_upload(PDF, "bill.pdf")
    assert expected == validate_upload(bytearray(PDF), "bill.pdf")
    assert expected == validate_upload(memoryview(PDF), "bill.pdf")


def test_the_size_limit_is_inclusive_and_checked_before_the_name() -> None:
    """A file of exactly max_bytes passes; one byte more is too large, whatever its name."""
    assert len(PDF) == validate_upload(PDF, "bill.pdf", max_bytes=len(PDF)).size
    with pytest.raises(InvalidDocument) as info:
        validate_upload(PDF, "..", max_bytes=len(PDF) - 1)
    assert (
        "too_large",
        "data",
        f"the file is {len(PDF)} bytes; the limit is {len(PDF) - 1} bytes",
    ) == _refusal(info)


def test_the_default_limit_is_ten_mebibytes() -> None:
    """Without max_bytes, a file one byte over 10 MiB is refused as too large."""
    with pytest.raises(InvalidDocument) as info:
        validate_upload(PDF + b"\x00" * (DEFAULT_MAX_UPLOAD_BYTES - len(PDF) + 1), "bill.pdf")
    assert "too_large" == info.value.reason


def test_an_empty_file_is_refused_first() -> None:
    """No bytes: reason "empty" on ``data``, even with a bad name."""
    with pytest.raises(InvalidDocument) as info:
        validate_upload(b"", "..")
    assert ("empty", "data", "the file is empty") == _refusal(info)


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "10"])
def test_max_bytes_must_be_a_positive_integer(bad: object) -> None:
    """A host's limit of 0, a bool or a non-integer is a ValidationError on ``max_bytes``."""
    with pytest.raises(ValidationError) as info:
        validate_upload(PDF, "bill.pdf", max_bytes=bad)  # type: ignore[arg-type]
    assert f"max_bytes must be a positive integer, got {bad!r}" == str(info.value)
    assert "max_bytes" == info.value.field


def test_content_must_be_bytes() -> None:
    """Text instead of bytes is refused on ``data``, naming its type."""
    with pytest.raises(InvalidDocument) as info:
        validate_upload("%PDF-1.7", "bill.pdf")  # type: ignore[arg-type]
    assert ("content_type", "data", "file content must be bytes, got str") == _refusal(info)


def test_unknown_content_is_refused_naming_the_allowed_types() -> None:
    """A GIF named .pdf is refused by its content, listing what is allowed."""
    with pytest.raises(InvalidDocument) as info:
        validate_upload(b"GIF89a....", "scan.pdf")
    assert (
        "content_type",
        "data",
        "'scan.pdf' is not a PDF, PNG or JPEG file (by its content); "
        "allowed: application/pdf, image/png, image/jpeg",
    ) == _refusal(info)


@pytest.mark.parametrize(
    "declared", ["application/pdf", "Application/PDF", " application/pdf ; charset=binary"]
)
def test_a_declared_type_agreeing_with_the_bytes_is_accepted(declared: str) -> None:
    """The declared type is compared without parameters, case or spaces."""
    assert "application/pdf" == validate_upload(PDF, "b.pdf", content_type=declared).content_type


def test_image_jpg_is_read_as_image_jpeg() -> None:
    """Browsers' "image/jpg" names the JPEG type."""
    assert "image/jpeg" == validate_upload(JPEG, "p.jpg", content_type="image/jpg").content_type


def test_a_declared_type_disagreeing_with_the_bytes_is_refused() -> None:
    """A PNG declared as a PDF is refused on ``content_type``, naming both."""
    with pytest.raises(InvalidDocument) as info:
        validate_upload(PNG, "scan.png", content_type="application/pdf")
    assert (
        "content_type",
        "content_type",
        "'scan.png' was declared 'application/pdf' but its content is 'image/png'",
    ) == _refusal(info)


def test_a_declared_type_must_be_text() -> None:
    """A content type that is not a string is refused on ``content_type``."""
    with pytest.raises(InvalidDocument) as info:
        validate_upload(PDF, "b.pdf", content_type=b"application/pdf")  # type: ignore[arg-type]
    assert ("content_type", "content_type", "content_type must be a string, got bytes") == (
        _refusal(info)
    )


@pytest.mark.parametrize(
    ("data", "name"),
    [(JPEG, "photo.JPEG"), (JPEG, "photo.jpg"), (PNG, "scan.PNG"), (PDF, "bill"), (PDF, ".pdf")],
)
def test_names_with_a_matching_or_no_extension_are_accepted(data: bytes, name: str) -> None:
    """An extension must agree with the bytes, in any case; no extension (or a dot-file) is fine."""
    assert name == validate_upload(data, name).file_name


def test_a_name_claiming_another_type_is_refused_on_the_name() -> None:
    """A PNG named .jpg is refused on ``file_name``, naming the extension and the content."""
    with pytest.raises(InvalidDocument) as info:
        validate_upload(PNG, "scan.jpg")
    assert (
        "content_type",
        "file_name",
        "'scan.jpg' is named like a .jpg file but its content is 'image/png'",
    ) == _refusal(info)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("C:\\fakepath\\bill.pdf", "bill.pdf"),
        ("/home/me/bill.pdf", "bill.pdf"),
        ("  bill.pdf  ", "bill.pdf"),
        ("a" * 251 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_the_display_name_is_the_last_path_component(given: str, kept: str) -> None:
    """Only the last part of a client path is kept, stripped; 255 characters are allowed."""
    assert kept == display_file_name(given)


@pytest.mark.parametrize("given", ["", "  ", ".", "..", "dir/", "C:\\x\\..", "a/ . "])
def test_a_name_naming_no_file_is_refused(given: str) -> None:
    """Empty, ``.`` or ``..`` as the last component is refused, quoting what was sent."""
    with pytest.raises(InvalidDocument) as info:
        display_file_name(given)
    assert ("file_name", "file_name", f"file name {given!r} names no file") == _refusal(info)


def test_a_name_over_255_characters_is_refused() -> None:
    """256 characters after stripping the path is too long, naming the length."""
    with pytest.raises(InvalidDocument) as info:
        display_file_name("dir/" + "a" * 252 + ".pdf")
    assert (
        "file_name",
        "file_name",
        "file name is 256 characters long; the limit is 255",
    ) == _refusal(info)


@pytest.mark.parametrize("given", ["bill\x00.pdf", "bill\n.pdf", "bill\u200b.pdf"])
def test_a_name_with_control_or_format_characters_is_refused(given: str) -> None:
    """Control (Cc) and format (Cf) characters are refused, quoting the name."""
    with pytest.raises(InvalidDocument) as info:
        display_file_name(given)
    assert (
        "file_name",
        "file_name",
        f"file name {given!r} contains control characters",
    ) == _refusal(info)


def test_a_name_must_be_text() -> None:
    """A name that is not a string is refused, naming its type."""
    with pytest.raises(InvalidDocument) as info:
        display_file_name(b"bill.pdf")  # type: ignore[arg-type]
    assert ("file_name", "file_name", "file name must be a string, got bytes") == _refusal(info)


def test_only_the_media_type_before_any_parameter_is_compared() -> None:
    """Several parameters after the type do not matter ("type; a=b; c=d")."""
    info = validate_upload(PDF, "b.pdf", content_type="application/pdf; charset=binary; name=b")
    assert "application/pdf" == info.content_type


@pytest.mark.parametrize(("data", "name"), [(PDF, "bill.2026.pdf"), (PNG, "scan.pdf.png")])
def test_only_the_last_extension_is_compared(data: bytes, name: str) -> None:
    """Dots inside the name are part of its stem; only the last extension must agree."""
    assert name == validate_upload(data, name).file_name
