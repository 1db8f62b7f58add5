"""Holds released across processes: TelnyxCarrier adapters sharing one hold book.

Telnyx has no early release, so a released hold stays live at Telnyx and only
the hold book knows it was given back.  These tests run real adapters over
loopback HTTP against the FakeTelnyx, sharing an SQLite hold book file, one of
them in a separate Python process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.clock import SleepRecorder
from tests.support.telnyx import make_config
from tnorder.adapters.telnyx import (
    BookedHold,
    MemoryHoldBook,
    SqliteHoldBook,
    SqliteReplayGuard,
    TelnyxCarrier,
)
from tnorder.adapters.telnyx.fake import FakeTelnyx, Fault
from tnorder.domain.carrier import CarrierAccount
from tnorder.domain.lookup import LookupCriteria
from tnorder.errors import StorageError

NUMBER = "+19195550101"


def _adapter(fake: FakeTelnyx, book: SqliteHoldBook | MemoryHoldBook) -> TelnyxCarrier:
    return TelnyxCarrier(make_config(fake), sleep=SleepRecorder(), holds=book)


def test_a_hold_released_by_one_adapter_is_taken_back_by_another_sharing_the_book(
    fake_telnyx: FakeTelnyx, account: CarrierAccount, now: datetime, tmp_path: Path
) -> None:
    """Adapter B never holds what A holds; once A releases, B takes A's still-live
    Telnyx hold back (no second reservation), and A then cannot hold it too."""
    book = SqliteHoldBook(tmp_path / "holds.sqlite3")
    with _adapter(fake_telnyx, book) as first, _adapter(fake_telnyx, book) as second:
        (hold,) = first.reserve(account, [NUMBER], now=now)
        assert [] == second.reserve(account, [NUMBER], now=now), "held twice"
        first.release(account, [hold.reservation_id])
        (again,) = second.reserve(account, [NUMBER], now=now)
        assert hold == again
        assert [] == first.reserve(account, [NUMBER], now=now), "held twice after take-back"
    assert 1 == len(fake_telnyx.calls("POST", "number_reservations"))


def test_without_a_shared_book_another_adapter_cannot_use_a_released_hold(
    fake_telnyx: FakeTelnyx, account: CarrierAccount, now: datetime
) -> None:
    """Each adapter's default book is its own: the release stays unseen by the other,
    which Telnyx refuses until the hold lapses (why hosts share a book)."""
    with (
        _adapter(fake_telnyx, MemoryHoldBook()) as first,
        _adapter(fake_telnyx, MemoryHoldBook()) as second,
    ):
        (hold,) = first.reserve(account, [NUMBER], now=now)
        first.release(account, [hold.reservation_id])
        assert [] == second.reserve(account, [NUMBER], now=now)


_CHILD = """
import json, sys
from datetime import datetime
from tnorder.adapters.telnyx import RetryPolicy, SqliteHoldBook, TelnyxCarrier, TelnyxConfig
from tnorder.adapters.telnyx.fake import API_KEY

base_url, book_path, number, now = sys.argv[1:5]
config = TelnyxConfig(
    api_key=API_KEY, base_url=base_url, retry=RetryPolicy(attempts=1, base_delay=0.01)
)
with TelnyxCarrier(config, holds=SqliteHoldBook(book_path)) as carrier:
    held = carrier.reserve(carrier.account(), [number], now=datetime.fromisoformat(now))
print(json.dumps([[h.number, h.reservation_id, h.expires_at.isoformat()] for h in held]))
"""


def _reserve_in_another_process(fake: FakeTelnyx, book: Path, now: datetime) -> list[list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, fake.base_url, str(book), NUMBER, now.isoformat()],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    held: list[list[str]] = json.loads(done.stdout)
    return held


def test_another_process_sharing_the_book_file_takes_back_a_released_hold(
    fake_telnyx: FakeTelnyx, now: datetime, tmp_path: Path
) -> None:
    """A hold this process holds is left out in another process; after the release
    the other process gets exactly that hold back from the book file."""
    path = tmp_path / "holds.sqlite3"
    with _adapter(fake_telnyx, SqliteHoldBook(path)) as here:
        account = here.account()
        (hold,) = here.reserve(account, [NUMBER], now=now)
        assert [] == _reserve_in_another_process(fake_telnyx, path, now)
        here.release(account, [hold.reservation_id])
        expected = [[NUMBER, hold.reservation_id, hold.expires_at.isoformat()]]
        assert expected == _reserve_in_another_process(fake_telnyx, path, now)
    assert 1 == len(fake_telnyx.calls("POST", "number_reservations"))


def test_only_one_of_many_threads_takes_back_a_released_hold(tmp_path: Path, now: datetime) -> None:
    """``take_back`` is atomic: among eight threads on two book objects over one file,
    exactly one gets the released hold."""
    path = tmp_path / "holds.sqlite3"
    books = [SqliteHoldBook(path), SqliteHoldBook(path)]
    expires = now + timedelta(minutes=30)
    books[0].add(BookedHold("r-1", "g-1", NUMBER, expires))
    books[1].release(["r-1"])
    start = threading.Barrier(8)
    wins: list[bool] = []

    def race(book: SqliteHoldBook) -> None:
        start.wait()
        wins.append(book.take_back("r-1", expires_at=expires))

    threads = [threading.Thread(target=race, args=(books[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [True] == [w for w in wins if w]
    assert 8 == len(wins)
    assert [BookedHold("r-1", "g-1", NUMBER, expires)] == books[0].holds_of(NUMBER, now=now)


def test_both_books_forget_expired_holds_and_ignore_unknown_ids(
    tmp_path: Path, now: datetime
) -> None:
    """The memory and file books behave alike: expired holds are dropped, unknown ids
    are ignored, only released holds can be taken back or count as free, and a dropped
    hold is gone."""
    for book in (MemoryHoldBook(), SqliteHoldBook(tmp_path / "holds.sqlite3")):
        live = BookedHold("r-live", "g", NUMBER, now + timedelta(minutes=5))
        book.add(live)
        book.add(BookedHold("r-old", "g", NUMBER, now))
        book.release(["never-issued"])
        assert [live] == book.holds_of(NUMBER, now=now)
        assert not book.take_back("r-live", expires_at=live.expires_at), "took a held hold"
        assert frozenset() == book.released_numbers(now=now)
        book.release(["r-live"])
        assert [True] == [h.released for h in book.holds_of(NUMBER, now=now)]
        assert frozenset({NUMBER}) == book.released_numbers(now=now)
        assert frozenset() == book.released_numbers(now=live.expires_at)
        book.add(BookedHold("r-new", "g2", NUMBER, now + timedelta(minutes=30)))
        assert frozenset() == book.released_numbers(now=now), "a held number counted free"
        book.drop(["r-new"])
        book.drop(["r-live", "never-issued"])
        assert [] == book.holds_of(NUMBER, now=now)


def test_a_released_number_is_offered_again_by_a_search(
    fake_telnyx: FakeTelnyx, account: CarrierAccount, now: datetime, tmp_path: Path
) -> None:
    """As with Bandwidth, a released number comes back in searches, here in every
    adapter sharing the book, and holding it takes the live hold back; a number held
    for another request is still not offered."""
    book = SqliteHoldBook(tmp_path / "holds.sqlite3")
    raleigh = LookupCriteria(quantity=9, city="Raleigh", state="NC")
    with _adapter(fake_telnyx, book) as first, _adapter(fake_telnyx, book) as second:
        everything = [n.number for n in first.search(account, raleigh, now=now)]
        assert NUMBER in everything
        kept, given_back = first.reserve(account, [everything[1], NUMBER], now=now)
        assert NUMBER not in [n.number for n in second.search(account, raleigh, now=now)]
        first.release(account, [given_back.reservation_id])
        offered = [n.number for n in second.search(account, raleigh, now=now)]
        assert sorted(n for n in everything if n != kept.number) == sorted(offered)
        (again,) = second.reserve(account, [NUMBER], now=now)
        assert given_back == again
    asked = [c.query for c in fake_telnyx.calls("GET", "available_phone_numbers")]
    assert ["true", "true", "true", "false"] == [q["filter[exclude_held_numbers]"] for q in asked]
    assert "filter[reservable]" not in asked[-1]


def test_numbers_held_but_not_released_in_the_book_are_never_offered(
    fake_telnyx: FakeTelnyx, account: CarrierAccount, now: datetime
) -> None:
    """A number Telnyx holds for the account that this book never saw released (held
    by a host with its own book) is left out of the query that lists held numbers."""
    with (
        _adapter(fake_telnyx, MemoryHoldBook()) as other_host,
        _adapter(fake_telnyx, MemoryHoldBook()) as here,
    ):
        (held_elsewhere,) = other_host.reserve(account, [NUMBER], now=now)
        (mine,) = here.reserve(account, ["+19195550102"], now=now)
        here.release(account, [mine.reservation_id])
        criteria = LookupCriteria(quantity=9, city="Raleigh", state="NC")
        offered = [n.number for n in here.search(account, criteria, now=now)]
    assert "+19195550102" in offered
    assert held_elsewhere.number not in offered
    # Exactly one search asked Telnyx for held numbers too (the released one's).
    assert 1 == sum(
        c.query["filter[exclude_held_numbers]"] == "false"
        for c in fake_telnyx.calls("GET", "available_phone_numbers")
    )


def test_a_file_that_is_not_sqlite_is_a_storage_error(tmp_path: Path) -> None:
    """sqlite3's own errors never leave the adapter: a garbage file is a StorageError
    naming it, for the hold book and the replay guard alike."""
    path = tmp_path / "not-a-database"
    path.write_bytes(b"this is not an SQLite file, just text " * 100)
    with pytest.raises(StorageError, match="not-a-database"):
        SqliteHoldBook(path)
    with pytest.raises(StorageError, match="not-a-database"):
        SqliteReplayGuard(path)


def test_a_hold_whose_answer_was_lost_is_found_by_its_reference(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """Telnyx makes the hold but the connection drops before the answer; the retry is
    refused (the number is held now), and the adapter finds its own hold by the
    attempt's customer reference instead of leaving the number held and unseen."""
    fake_telnyx.inject("POST", "^number_reservations$", Fault.drop(applied=True))
    (hold,) = carrier.reserve(account, [NUMBER], now=now)
    assert [hold.reservation_id] == fake_telnyx.live_holds()
    first, retry = fake_telnyx.calls("POST", "number_reservations")
    reference = json.loads(first.body)["customer_reference"]
    assert reference == json.loads(retry.body)["customer_reference"]
    (lookup,) = fake_telnyx.calls("GET", "number_reservations")
    assert reference == lookup.query["filter[customer_reference]"]
    assert [] == carrier.reserve(account, [NUMBER], now=now), "held twice"


def test_a_number_held_for_another_attempt_is_left_out(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """A refusal whose reference finds nothing (the hold belongs to another attempt,
    here another adapter's) leaves the number out."""
    with TelnyxCarrier(make_config(fake_telnyx), sleep=SleepRecorder()) as elsewhere:
        (theirs,) = elsewhere.reserve(account, [NUMBER], now=now)
    assert [] == carrier.reserve(account, [NUMBER], now=now)
    assert [theirs.reservation_id] == fake_telnyx.live_holds()
