"""The Smart Document Matcher: which approved library document may fill a requirement.

Pure domain rules.  Nothing here reads the clock or touches storage; the caller
passes the account's library and ``now``.

What belongs here: whether a document may be reused, the deterministic choice
among candidates, and attaching the choices to missing requirements.  What
must not: loading the library or recording events on an order
(``compliance.py`` does that with what this returns).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from .documents import Document, DocumentStatus, is_expired
from .requirements import DocumentSource, RequirementState, normalize_region, requirement_kind

__all__ = ["is_reusable", "match_document", "reuse_from_library"]


def is_reusable(
    document: Document, *, account_id: str, kind: str, region: str | None, now: datetime
) -> bool:
    """Whether the matcher may attach ``document`` to a requirement.

    It must belong to ``account_id``, be approved, be of the same kind and
    region, and not be expired at ``now``.
    """
    return (
        document.account_id == account_id
        and document.status is DocumentStatus.APPROVED
        and document.kind == requirement_kind(kind)
        and normalize_region(document.region) == normalize_region(region)
        and not is_expired(document, now)
    )


def _choice_key(document: Document) -> tuple[int, str]:
    # The longest-valid document first (no end date counts as longest); ties by id.
    until = document.valid_until or date.max
    return (-until.toordinal(), document.document_id)


def match_document(
    library: Iterable[Document],
    *,
    account_id: str,
    kind: str,
    region: str | None,
    now: datetime,
) -> Document | None:
    """The Smart Document Matcher: the library document to reuse, or None.

    Only documents :func:`is_reusable` for this account, kind and region count.
    Among them the one valid longest is chosen, then the smallest
    ``document_id``, so the answer never depends on the order of ``library``.
    """
    candidates = [
        d
        for d in library
        if is_reusable(d, account_id=account_id, kind=kind, region=region, now=now)
    ]
    return min(candidates, key=_choice_key) if candidates else None


def reuse_from_library(
    requirements: Iterable[RequirementState],
    library: Sequence[Document],
    *,
    account_id: str,
    region: str | None,
    now: datetime,
) -> list[tuple[RequirementState, Document]]:
    """Attach a library document to every missing requirement the matcher can fill.

    Returns:
        The ``(requirement, document)`` pairs that were attached, in order.
    """
    attached: list[tuple[RequirementState, Document]] = []
    for requirement in requirements:
        if requirement.satisfied:
            continue
        found = match_document(
            library, account_id=account_id, kind=requirement.kind, region=region, now=now
        )
        if found is not None:
            requirement.attach(found, source=DocumentSource.REUSE, at=now)
            attached.append((requirement, found))
    return attached
