"""Upload payloads with real PDF, PNG and JPEG signatures, and ones that break one rule.

Part of :mod:`tnorder.testing.strategies`; import from there.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ...domain.uploads import (
    ALLOWED_CONTENT_TYPES,
    DEFAULT_MAX_UPLOAD_BYTES,
    detect_content_type,
)

__all__ = [
    "InvalidUploadCase",
    "UploadPayload",
    "document_contents",
    "invalid_upload_payloads",
    "upload_payloads",
]


@attrs.frozen
class UploadPayload:
    """A file as a browser sends it, which ``validate_upload`` accepts.

    Attributes:
        data: the bytes (a PDF, PNG or JPEG signature, then anything).
        file_name: the customer's file name (perhaps with a client path in front).
        content_type: the declared type (None, or one that agrees with the bytes).
        detected: the content type ``validate_upload`` must report.
    """

    data: bytes
    file_name: str
    content_type: str | None
    detected: str


@attrs.frozen
class InvalidUploadCase:
    """An upload ``validate_upload`` must refuse: ``InvalidDocument`` with ``reason`` and ``field``.

    Each case breaks exactly one rule, so the refusal names that one.
    """

    data: bytes
    file_name: str
    content_type: str | None
    max_bytes: int
    reason: str
    field: str


_CONTENT_TYPES = tuple(ALLOWED_CONTENT_TYPES)
_STEMS = st.builds(
    str.__add__,
    st.characters(codec="utf-8", categories=("L", "N")),
    st.text(
        st.characters(codec="utf-8", categories=("L", "N"), include_characters=" -_()"),
        max_size=20,
    ),
)
_CLIENT_PATHS = st.sampled_from(["", "", "", "C:\\fakepath\\", "/home/customer/Downloads/"])


def _case_variants(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from([text, text.upper(), text.capitalize()])


def _declared(detected: str) -> st.SearchStrategy[str | None]:
    aliases = [detected, detected.upper(), f"{detected}; name=upload"]
    if detected == "image/jpeg":
        aliases.append("image/jpg")
    return st.none() | st.sampled_from(aliases)


def upload_payloads(
    content_types: Collection[str] | None = None, *, max_size: int = 2048
) -> st.SearchStrategy[UploadPayload]:
    """Uploads ``validate_upload`` accepts: PDF, PNG or JPEG signature bytes and anything after.

    File names are in any script, end in an extension the content may claim
    (any case) or in none, and sometimes carry the client path a browser
    sends (``C:\\fakepath\\``); the declared content type is absent or agrees
    with the bytes (``image/jpg`` and parameters included).

    Args:
        content_types: the types to draw (default: every allowed one).
        max_size: the most bytes after the signature.
    """
    pool = sorted(ALLOWED_CONTENT_TYPES if content_types is None else content_types)
    unknown = sorted(set(pool) - set(ALLOWED_CONTENT_TYPES))
    if not pool or unknown:
        raise InvalidArgument(f"upload_payloads needs allowed content types, got {unknown}")

    @st.composite
    def draw_payload(draw: st.DrawFn) -> UploadPayload:
        detected = draw(st.sampled_from(pool))
        signature, extensions = ALLOWED_CONTENT_TYPES[detected]
        data = signature + draw(st.binary(max_size=max_size))
        extension = draw(st.just("") | st.sampled_from(extensions).flatmap(_case_variants))
        name = draw(_CLIENT_PATHS) + draw(_STEMS) + extension
        return UploadPayload(data, name, draw(_declared(detected)), detected)

    return draw_payload()


_BAD_FILE_NAMES = st.sampled_from(
    ["", " ", ".", "..", "uploads/", "C:\\fakepath\\", "bill\x00.pdf", "bill\n.pdf", "a\u200b.pdf"]
) | st.integers(min_value=256, max_value=300).map(lambda n: "b" * n)
_FOREIGN_BYTES = (
    st.sampled_from([b"GIF89a", b"PK\x03\x04", b"II*\x00", b"<html>", b"%PD"])
    .flatmap(lambda head: st.binary(max_size=64).map(lambda tail: head + tail))
    .filter(lambda data: detect_content_type(data) is None)
)


def invalid_upload_payloads() -> st.SearchStrategy[InvalidUploadCase]:
    """Uploads ``validate_upload`` must refuse, each with the ``reason`` and ``field`` of its
    ``InvalidDocument``: empty files, files over ``max_bytes``, file names that name no file
    (empty, ``..``, a bare directory, control characters, over 255 characters), bytes that
    are not PDF, PNG or JPEG, a declared type or a file-name extension the bytes contradict.
    """

    def with_(reason: str, field: str) -> Callable[[tuple[Any, ...]], InvalidUploadCase]:
        def build(parts: tuple[Any, ...]) -> InvalidUploadCase:
            data, file_name, content_type, max_bytes = parts
            return InvalidUploadCase(data, file_name, content_type, max_bytes, reason, field)

        return build

    valid = upload_payloads(max_size=64)
    big = DEFAULT_MAX_UPLOAD_BYTES
    empty = valid.map(lambda p: (b"", p.file_name, p.content_type, big)).map(with_("empty", "data"))
    too_large = valid.map(lambda p: (p.data, p.file_name, p.content_type, len(p.data) - 1)).map(
        with_("too_large", "data")
    )
    bad_name = (
        st.tuples(valid, _BAD_FILE_NAMES)
        .map(lambda pn: (pn[0].data, pn[1], pn[0].content_type, big))
        .map(with_("file_name", "file_name"))
    )
    foreign = (
        st.tuples(_FOREIGN_BYTES, _STEMS)
        .map(lambda ds: (ds[0], ds[1], None, big))
        .map(with_("content_type", "data"))
    )

    @st.composite
    def contradicted(draw: st.DrawFn, by: str) -> InvalidUploadCase:
        payload = draw(valid)
        others = [t for t in _CONTENT_TYPES if t != payload.detected]
        stem = draw(_STEMS)
        if by == "content_type":
            declared = draw(st.sampled_from([*others, "image/gif", "text/plain"]))
            return InvalidUploadCase(
                payload.data, stem, declared, big, "content_type", "content_type"
            )
        wrong = [e for t in others for e in ALLOWED_CONTENT_TYPES[t][1]] + [".gif", ".docx"]
        name = stem + draw(st.sampled_from(wrong))
        return InvalidUploadCase(payload.data, name, None, big, "content_type", "file_name")

    return st.one_of(
        empty, too_large, bad_name, foreign, contradicted("content_type"), contradicted("file_name")
    )


def document_contents(*, max_size: int = 4096) -> st.SearchStrategy[bytes]:
    """Bytes a ``DocumentStorage`` must keep exactly: upload payloads and arbitrary binary
    (empty, NUL bytes, invalid UTF-8 included)."""
    return upload_payloads(max_size=max_size).map(lambda p: p.data) | st.binary(max_size=max_size)
