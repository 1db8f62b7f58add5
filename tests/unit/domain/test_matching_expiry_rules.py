"""The Smart Document Matcher and the expiry report, written down from docs/decisions.md.

"``match_document`` keeps approved documents of the same account, kind and
region, not expired, and picks the one with the latest ``valid_until`` (none
counts as longest), ties by ``document_id``.  ``valid_until`` is a date: the
last valid day in UTC" (decisions, issue 4); the expiry report lists approved
documents already past, and those whose last day is within the window, each by
date then id (docs/documents.md).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tnorder import ValidationError
from tnorder.domain.documents import Document, DocumentStatus
from tnorder.domain.expiry import ExpiryReport, default_valid_until, expiry_report
from tnorder.domain.matching import is_reusable, match_document, reuse_from_library
from tnorder.domain.requirements import DocumentSource, RequirementKind, RequirementState
from tnorder.domain.uploads import FileInfo

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
BILL = "recent_bill"
LOA = "letter_of_authorization"


def _doc(
    document_id: str = "doc-1",
    *,
    account_id: str = "acct-1",
    kind: str = BILL,
    region: str | None = "US-GA",
    status: DocumentStatus = DocumentStatus.APPROVED,
    valid_until: date | None = date(2026, 6, 1),
) -> Document:
    return Document(
        document_id=document_id,
        account_id=account_id,
        kind=kind,
        region=region,
        status=status,
        file=FileInfo("bill.pdf", "application/pdf", 10, "0" * 64),
        uploaded_at=T0 - timedelta(days=3),
        valid_until=valid_until,
    )


def _reusable(d: Document, *, region: str | None = "US-GA", now: datetime = T0) -> bool:
    return is_reusable(d, account_id="acct-1", kind=BILL, region=region, now=now)


# -- is_reusable -------------------------------------------------------------------------


def test_an_approved_valid_document_of_the_account_kind_and_region_is_reusable() -> None:
    """The one document that meets every condition is reusable."""
    assert _reusable(_doc())


@pytest.mark.parametrize(
    "other",
    [
        _doc(account_id="acct-2"),
        _doc(kind=LOA),
        _doc(region="US-FL"),
        _doc(status=DocumentStatus.UPLOADED),
        _doc(status=DocumentStatus.UNDER_REVIEW),
        _doc(status=DocumentStatus.REJECTED),
        _doc(status=DocumentStatus.EXPIRED),
        _doc(valid_until=date(2026, 3, 1)),
    ],
    ids=["account", "kind", "region", "uploaded", "review", "rejected", "expired", "past"],
)
def test_each_condition_alone_stops_reuse(other: Document) -> None:
    """Breaking any one condition (account, approved, kind, region, unexpired) stops reuse."""
    assert not _reusable(other)


def test_a_document_is_reusable_through_its_last_valid_day_in_utc() -> None:
    """valid_until is the last valid day in UTC: reusable on it, not the UTC day after."""
    d = _doc(valid_until=TODAY)
    assert _reusable(d, now=datetime(2026, 3, 2, 23, 59, tzinfo=UTC))
    assert not _reusable(d, now=datetime(2026, 3, 2, 20, 0, tzinfo=timezone(timedelta(hours=-5))))


def test_kinds_and_regions_are_compared_normalised() -> None:
    """A kind given as the enum member and a region in lower case with spaces still match."""
    d = _doc(region=" us-ga ")
    assert is_reusable(
        d, account_id="acct-1", kind=RequirementKind.RECENT_BILL, region="US-GA", now=T0
    )
    assert is_reusable(_doc(region=None), account_id="acct-1", kind=BILL, region=None, now=T0)
    # An empty region means no region.
    assert is_reusable(_doc(region=None), account_id="acct-1", kind=BILL, region=" ", now=T0)
    assert not is_reusable(_doc(region=None), account_id="acct-1", kind=BILL, region="GA", now=T0)


# -- match_document ----------------------------------------------------------------------


def test_no_candidate_means_no_match() -> None:
    """An empty library, or one with nothing reusable, gives None."""
    assert match_document([], account_id="acct-1", kind=BILL, region="US-GA", now=T0) is None
    assert (
        match_document(
            [_doc(account_id="acct-2")], account_id="acct-1", kind=BILL, region="US-GA", now=T0
        )
        is None
    )


def test_a_document_without_an_end_date_counts_as_longest_valid() -> None:
    """No valid_until beats any date; among those, the smallest id."""
    dated = _doc("doc-a", valid_until=date(2099, 12, 31))
    open_b = _doc("doc-c", valid_until=None)
    open_a = _doc("doc-b", valid_until=None)
    for library in ([dated, open_b, open_a], [open_a, open_b, dated]):
        assert open_a is match_document(
            library, account_id="acct-1", kind=BILL, region="US-GA", now=T0
        )


def test_the_latest_valid_until_wins_over_a_smaller_id() -> None:
    """The longest-valid document is chosen even when another has a smaller id."""
    short = _doc("doc-a", valid_until=date(2026, 4, 1))
    long = _doc("doc-z", valid_until=date(2026, 4, 2))
    assert long is match_document(
        [short, long], account_id="acct-1", kind=BILL, region="US-GA", now=T0
    )


def test_the_matcher_uses_the_region_and_kind_it_is_given() -> None:
    """A Florida bill is found for Florida, not for Georgia; an LOA only for an LOA."""
    fl = _doc(region="US-FL")
    loa = _doc("doc-2", kind=LOA)
    assert fl is match_document([fl, loa], account_id="acct-1", kind=BILL, region="US-FL", now=T0)
    assert loa is match_document([fl, loa], account_id="acct-1", kind=LOA, region="US-GA", now=T0)


# -- reuse_from_library ------------------------------------------------------------------


def test_reuse_attaches_to_missing_requirements_only_in_order() -> None:
    """Missing requirements get the matched document, as reused and approved at ``now``."""
    kept = RequirementState(BILL, document_id="doc-old", source=DocumentSource.UPLOAD)
    bill_missing = RequirementState(BILL)
    loa_missing = RequirementState(LOA)
    nothing_for = RequirementState("proof_of_identity")
    bill = _doc("doc-bill")
    loa = _doc("doc-loa", kind=LOA)
    attached = reuse_from_library(
        [kept, loa_missing, nothing_for, bill_missing],
        [bill, loa],
        account_id="acct-1",
        region="US-GA",
        now=T0,
    )
    assert [(loa_missing, loa), (bill_missing, bill)] == attached
    assert ("doc-loa", DocumentSource.REUSE, T0, T0) == (
        loa_missing.document_id,
        loa_missing.source,
        loa_missing.satisfied_at,
        loa_missing.approved_at,
    )
    assert ("doc-old", DocumentSource.UPLOAD, None) == (
        kept.document_id,
        kept.source,
        kept.satisfied_at,
    )
    assert nothing_for.document_id is None


def test_reuse_looks_only_in_the_account_and_region_given() -> None:
    """Another account's or region's document is never attached."""
    missing = RequirementState(BILL)
    attached = reuse_from_library(
        [missing],
        [_doc(account_id="acct-2"), _doc("doc-fl", region="US-FL")],
        account_id="acct-1",
        region="US-GA",
        now=T0,
    )
    assert [] == attached
    assert missing.document_id is None


def test_reuse_judges_expiry_at_now() -> None:
    """A document whose last day was yesterday (at ``now``) is not reused."""
    missing = RequirementState(BILL)
    attached = reuse_from_library(
        [missing],
        [_doc(valid_until=TODAY)],
        account_id="acct-1",
        region="US-GA",
        now=T0 + timedelta(days=1),
    )
    assert [] == attached


# -- the expiry report -------------------------------------------------------------------


@pytest.mark.parametrize("bad", [-1, True, 1.5, "30", None])
def test_within_days_must_be_a_non_negative_integer(bad: object) -> None:
    """A negative, boolean, fractional or textual window is refused on ``within_days``."""
    with pytest.raises(ValidationError) as info:
        expiry_report([], now=T0, within_days=bad)  # type: ignore[arg-type]
    assert f"within_days must be a non-negative integer, got {bad!r}" == str(info.value)
    assert "within_days" == info.value.field


def test_a_zero_window_reports_only_documents_ending_today() -> None:
    """within_days=0: today's last day is expiring, tomorrow's is not, yesterday's is expired."""
    docs = [
        _doc("d-tomorrow", valid_until=TODAY + timedelta(days=1)),
        _doc("d-today", valid_until=TODAY),
        _doc("d-yesterday", valid_until=TODAY - timedelta(days=1)),
    ]
    report = expiry_report(docs, now=T0, within_days=0)
    assert ExpiryReport(TODAY, (docs[2],), (docs[1],)) == report


def test_a_window_past_the_calendar_reports_every_approved_document() -> None:
    """A huge window is every approved dated document, even one valid to the last date."""
    last = _doc("d-last", valid_until=date.max)
    soon = _doc("d-soon", valid_until=TODAY)
    for days in (10**7, (date.max - TODAY).days):
        report = expiry_report([last, soon], now=T0, within_days=days)
        assert ((), (soon, last)) == (report.expired, report.expiring)
    report = expiry_report([last, soon], now=T0, within_days=(date.max - TODAY).days - 1)
    assert (soon,) == report.expiring


def test_only_approved_documents_with_an_end_date_are_reported() -> None:
    """Documents not approved, or approved without a valid_until, are left out."""
    docs = [
        _doc("d-open", valid_until=None),
        _doc("d-review", status=DocumentStatus.UNDER_REVIEW, valid_until=TODAY),
        _doc("d-rejected", status=DocumentStatus.REJECTED, valid_until=TODAY),
        _doc("d-expired", status=DocumentStatus.EXPIRED, valid_until=TODAY - timedelta(days=2)),
    ]
    assert ExpiryReport(TODAY, (), ()) == expiry_report(docs, now=T0, within_days=30)


def test_each_list_is_ordered_by_date_then_id() -> None:
    """Within a list, the earlier date first; on the same date, the smaller id."""
    b = _doc("doc-b", valid_until=TODAY + timedelta(days=2))
    a = _doc("doc-a", valid_until=TODAY + timedelta(days=2))
    c = _doc("doc-c", valid_until=TODAY + timedelta(days=1))
    y = _doc("doc-y", valid_until=TODAY - timedelta(days=1))
    x = _doc("doc-x", valid_until=TODAY - timedelta(days=1))
    z = _doc("doc-z", valid_until=TODAY - timedelta(days=5))
    report = expiry_report([b, y, a, z, c, x], now=T0, within_days=7)
    assert ((z, x, y), (c, a, b)) == (report.expired, report.expiring)


def test_the_report_is_for_the_utc_date_of_now() -> None:
    """At 20:00 in New York on 2 March it is 3 March in UTC: a 2 March document is expired."""
    evening = datetime(2026, 3, 2, 20, 0, tzinfo=timezone(timedelta(hours=-5)))
    d = _doc(valid_until=TODAY)
    assert ExpiryReport(date(2026, 3, 3), (d,), ()) == expiry_report(
        [d], now=evening, within_days=5
    )


def test_default_validity_counts_days_from_the_utc_date() -> None:
    """An approval without a date is valid ``days`` days from today's UTC date."""
    assert date(2027, 3, 2) == default_valid_until(T0, days=365)
    evening = datetime(2026, 3, 2, 20, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert date(2026, 3, 13) == default_valid_until(evening, days=10)
    with pytest.raises(ValidationError) as info:
        default_valid_until(datetime(2026, 3, 2), days=1)
    assert "now" == info.value.field


def test_documents_left_out_do_not_hide_the_ones_after_them() -> None:
    """A document not approved, or without an end date, is skipped and the rest still judged."""
    after = _doc("d-after", valid_until=TODAY)
    for skipped in (
        _doc("d-review", status=DocumentStatus.UNDER_REVIEW, valid_until=TODAY),
        _doc("d-open", valid_until=None),
    ):
        assert ExpiryReport(TODAY, (), (after,)) == expiry_report(
            [skipped, after], now=T0, within_days=0
        )
