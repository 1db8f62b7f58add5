"""What tnorder logs for operators, under which logger, and what it never logs.

Runs the real service over memory storage and the simulated carrier; log
records are captured with pytest's ``caplog`` at the level a host would use.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

import tnorder
from tests.integration.test_outbox_parking import plant
from tests.support.clock import T0, MovableClock, SleepRecorder
from tests.support.telnyx import make_config
from tests.unit.service.test_carriers import (
    ATLANTA,
    PORTED,
    STAFF,
    TO_STOCK,
    _pending_port,
    _port_update,
    _world,
)
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.notifiers import RecordingNotifier
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.adapters.telnyx import TelnyxCarrier
from tnorder.adapters.telnyx.fake import API_KEY, FakeTelnyx, Fault
from tnorder.domain.carrier import PortDetails
from tnorder.domain.events import Event
from tnorder.domain.machine import Trigger
from tnorder.domain.order import NewItem
from tnorder.domain.statuses import OrderKind
from tnorder.errors import ConcurrencyConflict, NotificationError
from tnorder.ports import UnitOfWork
from tnorder.service.base import save_order
from tnorder.testing import SecretScanner
from tnorder.world import build_service

NOW = T0


def _messages(caplog: pytest.LogCaptureFixture, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger]


def test_the_package_logger_has_a_null_handler() -> None:
    """``import tnorder`` gives the ``tnorder`` logger a NullHandler and nothing else,
    so a host without logging configuration sees no "no handlers" warning."""
    assert "tnorder" == tnorder.__name__
    handlers = logging.getLogger("tnorder").handlers
    # The suite's own SecretScanner may be attached around this test; nothing else is.
    assert [logging.NullHandler] == [type(h) for h in handlers if not isinstance(h, SecretScanner)]


def test_the_hot_path_logs_nothing_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    """Placing orders, firing events, reading views and pages, a bulk carrier update and
    relaying log nothing, even at DEBUG."""
    caplog.set_level(logging.DEBUG, logger="tnorder")
    w = _world()
    order = w.service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF)
    w.service.fire(order.order_id, order.items[0].item_id, Trigger.REVIEW, actor=STAFF)
    w.service.orders_tab("ACC-1")
    w.service.active_numbers("ACC-1")
    w.service.relay_events()
    # The read-model pages, an item's history page, inventory pages and a bulk
    # carrier update that moves a number are hot paths too.
    w.service.orders_tab_page("ACC-1", limit=1)
    w.service.order_history_page("ACC-1")
    w.service.active_numbers_page("ACC-1")
    with w.storage.unit_of_work() as uow:
        assert uow.orders.history(order.order_id, order.items[0].item_id, start=0, limit=10)
    w.service.inventory_numbers("sim-stock")
    _, request = _pending_port(w)
    moved = w.service.apply_carrier_updates(
        [_port_update(request, "FOC", 10, foc_date=date(2026, 3, 9))]
    )
    assert moved.changed
    w.service.relay_events()
    assert [] == [r.getMessage() for r in caplog.records if r.name.startswith("tnorder")]


def test_a_lost_race_is_logged_with_its_attempt(caplog: pytest.LogCaptureFixture) -> None:
    """A use case that loses an optimistic race logs INFO naming it and the attempt,
    then succeeds on the next attempt."""
    caplog.set_level(logging.INFO, logger="tnorder")
    service = build_service(MemoryStorage(), clock=FixedClock(NOW), max_attempts=3)
    order = service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF)
    item_id = order.items[0].item_id
    attempts: list[int] = []

    def fire_review(uow: UnitOfWork, now: datetime) -> None:
        attempts.append(1)
        loaded = uow.orders.get(order.order_id)
        if len(attempts) == 1:  # another writer saves the order meanwhile: a real race
            service.fire(order.order_id, item_id, Trigger.REVIEW, actor=STAFF)
            loaded.fire(item_id, Trigger.BEGIN_VERIFICATION, actor=STAFF, at=now)
        else:
            loaded.fire(item_id, Trigger.REQUEST_INFORMATION, actor=STAFF, at=now)
        save_order(uow, loaded)

    service.run(fire_review)
    assert 2 == len(attempts)
    (message,) = _messages(caplog, "tnorder.service")
    assert message.startswith("fire_review lost a concurrency race (attempt 1 of 3)")


def test_giving_up_after_the_last_attempt_is_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When every attempt loses, a WARNING says so before ConcurrencyConflict escapes."""
    caplog.set_level(logging.INFO, logger="tnorder")
    service = build_service(MemoryStorage(), clock=FixedClock(NOW), max_attempts=2)
    order = service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF)
    item_id = order.items[0].item_id

    def always_loses(uow: UnitOfWork, now: datetime) -> None:
        loaded = uow.orders.get(order.order_id)
        with service.storage.unit_of_work() as side:  # a writer that always gets there first
            side.orders.save(side.orders.get(order.order_id))
            side.commit()
        loaded.fire(item_id, Trigger.REVIEW, actor=STAFF, at=now)
        save_order(uow, loaded)

    with pytest.raises(ConcurrencyConflict):
        service.run(always_loses)
    levels = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "tnorder.service"]
    assert ["INFO", "WARNING"] == [level for level, _ in levels]
    assert levels[1][1].startswith("always_loses lost 2 concurrency races")


class _FailingOn:
    """A notifier whose far side refuses events of one stream."""

    def __init__(self, stream: str) -> None:
        self.stream = stream
        self.published: list[Event] = []

    def publish(self, event: Event) -> None:
        if event.stream == self.stream:
            raise ConnectionError("broker said no")
        self.published.append(event)


def test_a_relay_failure_is_logged_with_the_event(caplog: pytest.LogCaptureFixture) -> None:
    """A notifier failure logs a WARNING naming the event id, its stream and the error."""
    caplog.set_level(logging.INFO, logger="tnorder")
    storage = MemoryStorage()
    notifier = _FailingOn("ORD-BAD")
    service = build_service(storage, clock=FixedClock(NOW), notifier=notifier)
    service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF, order_id="ORD-OK")
    service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF, order_id="ORD-BAD")
    with pytest.raises(NotificationError):
        service.relay_events()
    (record,) = [r for r in caplog.records if r.name == "tnorder.relay"]
    assert "WARNING" == record.levelname
    message = record.getMessage()
    for part in ("ORD-BAD#1", "OrderPlaced", "stream ORD-BAD", "ConnectionError: broker said no"):
        assert part in message
    assert ["ORD-OK"] == [e.stream for e in notifier.published]


def test_held_and_ignored_carrier_updates_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    """An update held back for the customer and a stale one that is ignored each log INFO
    naming the carrier, the status and the carrier's reference."""
    caplog.set_level(logging.INFO, logger="tnorder")
    w = _world()
    _order, request = _pending_port(w)
    w.service.apply_carrier_update(_port_update(request, "REQUESTED_SUPP", 10, reason="fix it"))
    caplog.clear()
    foc = _port_update(request, "FOC", 30, foc_date=date(2026, 3, 9))
    w.service.apply_carrier_update(foc)
    held = _messages(caplog, "tnorder.carriers")
    assert 1 == len(held)
    assert "held back until the customer acts" in held[0]
    assert PORTED in held[0]
    assert request.carrier_ref
    assert request.carrier_ref in held[0]
    caplog.clear()
    w.service.apply_carrier_update(_port_update(request, "EXCEPTION", 5, reason="stale"))
    (ignored,) = _messages(caplog, "tnorder.carriers")
    assert "EXCEPTION" in ignored
    assert "ignored" in ignored


def test_the_expiry_sweep_logs_what_it_released(caplog: pytest.LogCaptureFixture) -> None:
    """A sweep that released holds logs INFO with the requests; a failed release logs a
    WARNING; an idle sweep logs only at DEBUG."""
    caplog.set_level(logging.DEBUG, logger="tnorder")
    w = _world(reservation_ttl=timedelta(minutes=30))
    held = w.service.lookup_numbers("sim", ATLANTA, destination=TO_STOCK, actor=STAFF)
    w.service.release_expired_reservations()
    assert ["DEBUG"] == [r.levelname for r in caplog.records if r.name == "tnorder.carriers"]
    caplog.clear()
    w.clock.advance(minutes=31)
    w.sim.fail_next("release")
    w.service.release_expired_reservations()
    records = [r for r in caplog.records if r.name == "tnorder.carriers"]
    assert ["WARNING", "INFO"] == [r.levelname for r in records]
    assert "CarrierUnavailable" in records[0].getMessage()
    assert "1 left for the next sweep" in records[1].getMessage()
    caplog.clear()
    w.service.release_expired_reservations()
    (done,) = [r for r in caplog.records if r.name == "tnorder.carriers"]
    assert f"released the holds of 1 carrier request(s) ['{held.request_id}']" in done.getMessage()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_parked_record_is_logged_once_with_its_stream(
    kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An outbox record the relay cannot decode is parked with a warning naming its
    position and stream (the operator must retry or drop it); the next relay, which
    only skips it, logs nothing more."""
    storage = MemoryStorage() if kind == "memory" else SqliteStorage(tmp_path / "o.db")
    service = build_service(storage, clock=FixedClock(NOW), notifier=RecordingNotifier())
    plant(storage, "P", "P#1", '{"schema_version": 1, "type": "Nope"}')
    with caplog.at_level(logging.INFO, logger="tnorder"):
        assert 0 == service.relay_events()
        (parked,) = service.parked_events()
        assert [
            f"parked outbox record {parked.position} of stream P: {parked.reason}"
        ] == _messages(caplog, "tnorder.relay")
        assert logging.WARNING == caplog.records[-1].levelno
        caplog.clear()
        assert 0 == service.relay_events()
        assert [] == _messages(caplog, "tnorder.relay")
    if isinstance(storage, SqliteStorage):
        storage.close()


def test_a_carrier_retry_is_logged_with_its_attempt_and_wait(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A rate-limited carrier call (the fake Telnyx over loopback) that is retried logs
    the call, the attempt, the carrier's code and the wait; the API key never appears."""
    sleeps = SleepRecorder()
    with (
        FakeTelnyx(clock=MovableClock()) as fake,
        TelnyxCarrier(make_config(fake), sleep=sleeps) as carrier,
    ):
        fake.inject("GET", "available_phone_numbers", Fault.rate_limited("0.02"))
        account = carrier.account("Telnyx main account")
        with caplog.at_level(logging.INFO, logger="tnorder"):
            found = carrier.search(account, ATLANTA, now=NOW)
    assert found
    assert [0.02] == sleeps.waits
    (line,) = _messages(caplog, "tnorder.adapters.telnyx")
    assert "(attempt 1 of " in line
    assert "retrying in 0.02s" in line
    assert "10011" in line
    assert API_KEY not in line


def test_the_secret_scanner_flags_secrets() -> None:
    """The scanner used around the carrier and relay suites really fails on a PIN, a
    credential, a PortDetails or document bytes passed to a log call."""
    log = logging.getLogger("scanner-check")  # outside "tnorder": the suite scans that one
    scanner = SecretScanner(secrets=["s3cr3t-pw"])
    with scanner.attached("scanner-check"):
        log.info("port details %s", PortDetails("Jane Doe", pin="4321"))
        log.info("upload %r", b"%PDF-1.7 ...")
        log.debug("sending Authorization: Basic YXBpLXVzZXI6cHc=")
        log.warning("login with s3cr3t-pw failed")
        log.info("port-out pin=4321 refused")
        log.info("order ORD-1 placed")
    assert 5 == len(scanner.findings)
    with pytest.raises(AssertionError, match="tnorder logged secrets"):
        scanner.check()
