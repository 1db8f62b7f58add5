"""Documents and compliance requirements.

Pure domain rules.  Nothing here reads the clock or touches storage; file bytes
go through the ``DocumentStorage`` port, never through this module.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import attrs

__all__ = ["Document", "DocumentStatus", "FileInfo"]


class DocumentStatus(str, Enum):
    """Where a document stands in review."""

    UPLOADED = "uploaded"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


@attrs.frozen
class FileInfo:
    """Metadata of an uploaded file; the bytes live in document storage under ``sha256``."""

    file_name: str
    content_type: str
    size: int
    sha256: str


@attrs.define
class Document:
    """A customer's compliance document, owned by exactly one account."""

    document_id: str
    account_id: str
    requirement: str
    region: str
    status: DocumentStatus
    file: FileInfo
    uploaded_at: datetime
    valid_until: date | None = None
    reviewer_note: str | None = None
    version: int = 0
