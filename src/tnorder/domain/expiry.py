"""Expiry of approved documents: the report a host sends reminders from, and default validity.

Pure domain rules.  Nothing here reads the clock or touches storage; ``now`` is
passed in.  Whether one document is expired is the document's own rule
(:func:`tnorder.domain.documents.is_expired`); this module looks at many.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import attrs

from ..errors import ValidationError
from ._checks import utc_date
from .documents import Document, DocumentStatus

__all__ = ["ExpiryReport", "default_valid_until", "expiry_report"]


@attrs.frozen
class ExpiryReport:
    """Approved documents the host should ask customers to replace.

    Attributes:
        as_of: the UTC date the report was made for.
        expired: approved documents already past ``valid_until`` (not reusable).
        expiring: approved documents whose ``valid_until`` falls within the window.
    """

    as_of: date
    expired: tuple[Document, ...]
    expiring: tuple[Document, ...]


def expiry_report(
    documents: Iterable[Document], *, now: datetime, within_days: int
) -> ExpiryReport:
    """Sort the approved documents among ``documents`` into expired and expiring.

    ``expiring`` holds those whose ``valid_until`` is today or within the next
    ``within_days`` days.  Each list is ordered by ``valid_until``, then
    ``document_id``.
    """
    if isinstance(within_days, bool) or not isinstance(within_days, int) or within_days < 0:
        raise ValidationError(
            f"within_days must be a non-negative integer, got {within_days!r}",
            field="within_days",
        )
    today = utc_date(now)
    # A horizon past the calendar's end means "every approved document".
    room = (date.max - today).days
    horizon = date.max if within_days >= room else today + timedelta(days=within_days)
    expired: list[Document] = []
    expiring: list[Document] = []
    for doc in documents:
        if doc.status is not DocumentStatus.APPROVED or doc.valid_until is None:
            continue
        if doc.valid_until < today:
            expired.append(doc)
        elif doc.valid_until <= horizon:
            expiring.append(doc)

    def key(d: Document) -> tuple[date, str]:
        return (d.valid_until or date.max, d.document_id)

    return ExpiryReport(today, tuple(sorted(expired, key=key)), tuple(sorted(expiring, key=key)))


def default_valid_until(now: datetime, *, days: int) -> date:
    """The ``valid_until`` an approval gets when the reviewer gives none: ``days`` from today."""
    return utc_date(now) + timedelta(days=days)
