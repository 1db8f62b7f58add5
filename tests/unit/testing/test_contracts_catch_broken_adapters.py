"""The contracts fail against adapters that break their promises.

Each case runs one contract test, the way pytest would, against an adapter
with exactly one flaw (see ``broken_adapters``) and expects it to fail with an
assertion.  The reference adapters pass the same tests in ``tests/contract``.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.support.broken_adapters import (
    AtMostOnceStorage,
    AutocommitStorage,
    BackwardsClock,
    DriftingClock,
    DroppingNotifier,
    ForgetfulStorage,
    GreedySearchCarrier,
    HomeGrownWordsCarrier,
    LeakyCarrier,
    NaiveClock,
    NeverReleasingCarrier,
    NewestFirstStorage,
    TextModeDocumentStorage,
    TrustingFilesystemDocumentStorage,
    UndeletingDocumentStorage,
    VersionBlindStorage,
)
from tests.support.fixtures import REPO_ROOT
from tnorder.adapters.simulated_carrier import SimulatedCarrier
from tnorder.domain.carrier import CarrierAccount, Fulfilment, PortDetails
from tnorder.domain.lookup import LookupCriteria
from tnorder.records import DOCUMENTS
from tnorder.testing import (
    CarrierContract,
    ClockContract,
    DocumentStorageContract,
    NotifierContract,
    OrderLifecycle,
    StorageContract,
)

# A failure is all these tests look for: no shrinking, no example database.
# Derandomized: some flaws (a search answering one number too many) show only on
# lookups that find more than asked, which 25 random examples now and then miss; a
# fixed search that finds the flaw finds it on every run.
QUICK = settings(
    max_examples=25, phases=[Phase.generate], database=None, deadline=None, derandomize=True
)


class QuickStorageContract(StorageContract):
    hypothesis_settings = QUICK


class QuickNotifierContract(NotifierContract):
    hypothesis_settings = QUICK


class QuickClockContract(ClockContract):
    hypothesis_settings = QUICK


class QuickCarrierContract(CarrierContract):
    hypothesis_settings = QUICK


class QuickDocumentStorageContract(DocumentStorageContract):
    hypothesis_settings = QUICK


def _is_failure(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup):  # Hypothesis reports distinct bugs together
        return all(_is_failure(e) for e in exc.exceptions)
    return isinstance(exc, AssertionError | pytest.fail.Exception)


def assert_contract_fails(test: Callable[..., object], **fixtures: Any) -> None:
    """Call a contract test with the fixtures it asks for; it must fail an assertion."""
    wanted = inspect.signature(test).parameters
    try:
        test(**{name: value for name, value in fixtures.items() if name in wanted})
    except BaseException as exc:
        if _is_failure(exc):
            return
        raise
    raise AssertionError(f"{test.__name__} passed against a broken adapter")


STORAGE_FLAWS = [
    (VersionBlindStorage, "test_a_stale_save_conflicts_and_writes_nothing"),
    (VersionBlindStorage, "test_interleaved_units_of_work_detect_conflicts"),
    (ForgetfulStorage, "test_saved_order_round_trips"),
    (ForgetfulStorage, "test_an_order_can_be_saved_twice_in_one_unit_of_work"),
    (AutocommitStorage, "test_leaving_without_commit_discards_everything"),
    (AutocommitStorage, "test_uncommitted_events_are_never_claimed"),
    (AtMostOnceStorage, "test_committed_events_are_claimed_oldest_first"),
    (AtMostOnceStorage, "test_claims_respect_the_limit_and_marking_delivers_once"),
    (AtMostOnceStorage, "test_relay_delivers_every_event_once_in_order"),
    (NewestFirstStorage, "test_committed_events_are_claimed_oldest_first"),
]


@pytest.mark.parametrize(
    ("storage_cls", "test_name"), STORAGE_FLAWS, ids=lambda v: getattr(v, "__name__", v)
)
def test_storage_contract_catches_the_flaw(storage_cls: type[Any], test_name: str) -> None:
    """The storage contract test named for a flaw fails against a storage with it."""
    contract = QuickStorageContract()
    assert_contract_fails(
        getattr(contract, test_name),
        storage=storage_cls(),
        supports_concurrent_writers=True,
        supports_interleaved_units_of_work=True,
        spec=DOCUMENTS,
    )


def test_notifier_contract_catches_a_notifier_that_drops_events() -> None:
    """A notifier that acknowledges events it never delivers fails the notifier contract."""
    contract = QuickNotifierContract()
    for name in (
        "test_published_events_arrive_in_order_unchanged",
        "test_relayed_events_arrive_once_in_order_per_stream",
        "test_concurrent_publishers_lose_nothing",
    ):
        notifier = DroppingNotifier()
        assert_contract_fails(
            getattr(contract, name),
            notifier=notifier,
            delivered=lambda n=notifier: list(n.events),
            supports_concurrent_publish=True,
        )


@pytest.mark.parametrize(
    ("clock", "test_name"),
    [
        (NaiveClock(), "test_now_is_an_aware_utc_datetime"),
        (BackwardsClock(), "test_now_never_goes_backwards"),
        (
            DriftingClock(datetime(2026, 1, 5, tzinfo=UTC)),
            "test_the_clock_moves_forward",
        ),
    ],
    ids=lambda v: getattr(type(v), "__name__", v),
)
def test_clock_contract_catches_the_flaw(clock: Any, test_name: str) -> None:
    """The clock contract test named for a flaw fails against a clock with it."""
    advance = getattr(clock, "advance", None)
    assert_contract_fails(getattr(QuickClockContract(), test_name), clock=clock, advance=advance)


def _carrier_fixtures(carrier: SimulatedCarrier, *, tracked: bool) -> dict[str, Any]:
    """What the carrier contract's fixtures would give for ``carrier``."""
    caps = carrier.capabilities
    return {
        "carrier": carrier,
        "account": CarrierAccount("A-1", carrier.carrier_id),
        "now": datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
        "stocked_lookup": LookupCriteria(quantity=2, area_code="404"),
        "supports_disconnect": caps.supports_disconnect,
        "supports_port_in": caps.supports_port_in,
        "fulfilment": caps.fulfilment,
        "max_quantity": caps.max_quantity,
        "outstanding_reservations": (
            (lambda: [r.reservation_id for r in carrier.reservations()]) if tracked else None
        ),
        "fail_next": carrier.fail_next,
        "offline_operations": frozenset(),
        "port_in_numbers": ("+19192281234",),
        "port_details": PortDetails(authorizing_person="Jane Doe"),
        "poll_interval": timedelta(minutes=5),
        "max_polls": 48,
    }


CARRIER_FLAWS = [
    (NeverReleasingCarrier, "test_holds_round_trip_and_release_is_idempotent", True),
    # Without a way to list holds, the contract still sees released numbers stay blocked.
    (NeverReleasingCarrier, "test_holds_round_trip_and_release_is_idempotent", False),
    (LeakyCarrier, "test_an_unreachable_carrier_raises_a_retryable_carrier_error", False),
    (HomeGrownWordsCarrier, "test_an_order_completes_and_reads_back", False),
    (HomeGrownWordsCarrier, "test_disconnects_are_done_or_refused_as_declared", False),
    (GreedySearchCarrier, "test_the_stocked_lookup_finds_numbers", False),
    (GreedySearchCarrier, "test_search_honours_criterion_and_quantity", False),
]


@pytest.mark.parametrize(
    ("carrier_cls", "test_name", "tracked"),
    CARRIER_FLAWS,
    ids=lambda v: getattr(v, "__name__", str(v)),
)
@pytest.mark.parametrize("fulfilment", list(Fulfilment), ids=str)
def test_carrier_contract_catches_the_flaw(
    carrier_cls: type[SimulatedCarrier], test_name: str, tracked: bool, fulfilment: Fulfilment
) -> None:
    """The carrier contract test named for a flaw fails against a carrier with it,
    realtime or request-and-wait."""
    carrier = carrier_cls("simulated", fulfilment=fulfilment)
    fixtures = _carrier_fixtures(carrier, tracked=tracked)
    assert_contract_fails(
        getattr(QuickCarrierContract(), test_name), operation="search", **fixtures
    )


def test_the_carrier_contract_passes_the_simulator_those_flaws_come_from() -> None:
    """The same contract tests, with the same fixtures, pass on the unbroken simulator:
    each failure above is the flaw's doing."""
    contract = QuickCarrierContract()
    for _, test_name, tracked in CARRIER_FLAWS:
        carrier = SimulatedCarrier("simulated")
        fixtures = _carrier_fixtures(carrier, tracked=tracked)
        test = getattr(contract, test_name)
        wanted = inspect.signature(test).parameters
        test(**{k: v for k, v in {**fixtures, "operation": "search"}.items() if k in wanted})


@pytest.mark.parametrize(
    ("storage_factory", "test_name"),
    [
        (TextModeDocumentStorage, "test_get_returns_exactly_what_was_put"),
        (TextModeDocumentStorage, "test_put_is_idempotent"),
        ("trusting", "test_corrupted_content_is_never_returned"),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_document_storage_contract_catches_other_bytes(
    storage_factory: Any, test_name: str, tmp_path: Path
) -> None:
    """A document storage that hands back other bytes than it was given (content kept
    as text, or a tampered file trusted) fails the document storage contract."""
    root = tmp_path / "documents"

    def tamper(key: str) -> None:
        path = root / key[:2] / key
        path.write_bytes(path.read_bytes() + b"tampered")

    storage = (
        TrustingFilesystemDocumentStorage(root)
        if storage_factory == "trusting"
        else storage_factory()
    )
    assert_contract_fails(
        getattr(QuickDocumentStorageContract(), test_name),
        document_storage=storage,
        corrupt_content=tamper,
    )


def test_document_storage_contract_catches_a_delete_that_keeps_the_content() -> None:
    """A document storage whose ``delete`` keeps the bytes (so an orphan sweep would
    free nothing) fails the document storage contract."""
    assert_contract_fails(
        QuickDocumentStorageContract().test_delete_removes_only_its_content,
        document_storage=UndeletingDocumentStorage(),
    )


def test_pytest_reports_the_failures_of_a_broken_storage(tmp_path: Path) -> None:
    """Run by pytest as a host would run it, the contract fails a storage that loses
    updates and names the tests that caught it."""
    (tmp_path / "test_host_storage.py").write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(REPO_ROOT)!r})

            import pytest
            from tests.support.broken_adapters import VersionBlindStorage
            from hypothesis import Phase, settings
            from tnorder.testing import StorageContract


            class TestHostStorage(StorageContract):
                hypothesis_settings = settings(
                    max_examples=10, phases=[Phase.generate], database=None, deadline=None
                )

                @pytest.fixture
                def storage(self):
                    return VersionBlindStorage()
            """
        )
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:benchmark",
            "-k",
            "stale_save or saved_order_round_trips",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert 1 == run.returncode, run.stdout + run.stderr
    assert "FAILED test_host_storage.py::TestHostStorage::test_a_stale_save_conflicts" in run.stdout
    assert "1 failed, 1 passed" in run.stdout  # round trips still pass: only the flaw shows


@pytest.mark.parametrize("storage_cls", [ForgetfulStorage, NewestFirstStorage], ids=str)
def test_lifecycle_catches_a_broken_storage(storage_cls: type[Any]) -> None:
    """The lifecycle machine fails on a storage that drops saves, and on one whose
    outbox hands events out newest first."""

    class BrokenLifecycle(OrderLifecycle):
        def make_storage(self) -> Any:
            return storage_cls()

    # Derandomized so the same search (and the same kind of failure) runs every time.
    quick = settings(
        QUICK, max_examples=50, stateful_step_count=20, deadline=None, derandomize=True
    )
    assert_contract_fails(lambda: run_state_machine_as_test(BrokenLifecycle, settings=quick))
