"""Telnyx webhooks: Ed25519 signatures, the timestamp window, replays, and the event bodies.

Deliveries are signed by FakeTelnyx's key, or by a test key for Telnyx's own
published example body (``tests/fixtures/telnyx``).
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.support.fixtures import telnyx_fixture
from tests.support.telnyx import make_config
from tnorder.adapters.telnyx import SqliteReplayGuard, TelnyxCarrier
from tnorder.adapters.telnyx.fake import FakeTelnyx
from tnorder.domain.carrier import CarrierAccount, CarrierSubmission, NumberOutcome
from tnorder.domain.statuses import OrderKind
from tnorder.errors import CallbackNotVerified, CarrierProtocolError


def _ordered(carrier: TelnyxCarrier, account: CarrierAccount, now: datetime) -> str:
    submission = CarrierSubmission(OrderKind.NEW_NUMBER, "CR-W1", ("+19195550101",))
    return carrier.submit(account, submission, now=now).carrier_ref


def test_a_signed_order_completion_becomes_an_update(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """``number_order.complete``, correctly signed and on time, is read from its payload:
    the order, its word and each number's verdict."""
    ref = _ordered(carrier, account, now)
    headers, body = fake_telnyx.order_event(ref)
    update = carrier.webhook_update(headers, body, now=now)
    assert update is not None
    assert (ref, "success", OrderKind.NEW_NUMBER) == (
        update.carrier_ref,
        update.status,
        update.kind,
    )
    assert [("+19195550101", NumberOutcome.COMPLETED)] == [
        (r.number, r.outcome) for r in update.numbers
    ]


@pytest.mark.parametrize("offset", [timedelta(seconds=301), timedelta(seconds=-301)])
def test_stale_and_future_dated_deliveries_are_refused(
    carrier: TelnyxCarrier,
    account: CarrierAccount,
    fake_telnyx: FakeTelnyx,
    now: datetime,
    offset: timedelta,
) -> None:
    """A delivery stamped more than 300 s from tnorder's clock is refused, even with a
    valid signature; one at the edge of the window is accepted."""
    ref = _ordered(carrier, account, now)
    fake_telnyx.order_event(ref)  # finish the order
    headers, body = fake_telnyx.webhook("number_order.complete", {"id": ref}, at=now - offset)
    with pytest.raises(CallbackNotVerified, match="stale or future-dated"):
        carrier.webhook_update(headers, body, now=now)
    edge = now - offset / 301 * 300
    headers, body = fake_telnyx.order_event(ref)
    late_headers, late_body = fake_telnyx.webhook(
        "number_order.complete", json.loads(body)["data"]["payload"], at=edge
    )
    assert carrier.webhook_update(late_headers, late_body, now=now) is not None


def _a_replay_is_refused_and_a_retry_accepted(
    receiver: TelnyxCarrier,
    replayer: TelnyxCarrier,
    account: CarrierAccount,
    fake_telnyx: FakeTelnyx,
    now: datetime,
    *,
    replay_at: datetime,
) -> None:
    """``receiver`` accepts a signed delivery; ``replayer`` refuses the same delivery
    at ``replay_at`` as a replay, and accepts Telnyx's retry of the event (new
    timestamp and signature)."""
    ref = _ordered(receiver, account, now)
    headers, body = fake_telnyx.order_event(ref)
    assert receiver.webhook_update(headers, body, now=now) is not None
    with pytest.raises(CallbackNotVerified, match="replayed"):
        replayer.webhook_update(headers, body, now=replay_at)
    retry_headers, retry_body = fake_telnyx.webhook(
        "number_order.complete",
        json.loads(body)["data"]["payload"],
        at=now + timedelta(seconds=60),
    )
    assert replayer.webhook_update(retry_headers, retry_body, now=now + timedelta(seconds=61))


def test_a_replayed_delivery_is_refused_but_a_telnyx_retry_is_not(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """The same signed delivery twice is a replay; Telnyx's retry of the event is a new
    delivery (new timestamp and signature) and is accepted."""
    _a_replay_is_refused_and_a_retry_accepted(
        carrier, carrier, account, fake_telnyx, now, replay_at=now + timedelta(seconds=5)
    )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b: (h, b.replace(b"success", b"failure")),
        lambda h, b: ({**h, "telnyx-timestamp": str(int(h["telnyx-timestamp"]) + 1)}, b),
        lambda h, b: ({k: v for k, v in h.items() if k != "telnyx-signature-ed25519"}, b),
        lambda h, b: ({k: v for k, v in h.items() if k != "telnyx-timestamp"}, b),
        lambda h, b: ({**h, "telnyx-signature-ed25519": "not base64!"}, b),
        lambda h, b: ({**h, "telnyx-timestamp": "yesterday"}, b),
    ],
    ids=["body", "timestamp", "no-signature", "no-timestamp", "garbled", "not-unix"],
)
def test_tampered_or_unsigned_deliveries_are_refused(
    carrier: TelnyxCarrier,
    account: CarrierAccount,
    fake_telnyx: FakeTelnyx,
    now: datetime,
    tamper: object,
) -> None:
    """A changed body or timestamp, a missing or garbled header: CallbackNotVerified."""
    ref = _ordered(carrier, account, now)
    headers, body = fake_telnyx.order_event(ref)
    changed_headers, changed_body = tamper(headers, body)  # type: ignore[operator]
    with pytest.raises(CallbackNotVerified):
        carrier.webhook_update(changed_headers, changed_body, now=now)


def test_without_a_public_key_every_webhook_is_refused(
    fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """No key configured: nothing is trusted."""
    headers, body = fake_telnyx.webhook("number_order.complete", {"id": "x"}, at=now)
    adapter = TelnyxCarrier(make_config(fake_telnyx, public_key=None))
    with adapter, pytest.raises(CallbackNotVerified, match="no Telnyx public key"):
        adapter.webhook_update(headers, body, now=now)


def test_a_port_status_change_is_read_back_for_its_foc_date(
    carrier: TelnyxCarrier, account: CarrierAccount, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """``porting_order.status_changed`` carries no FOC date, so the porting order is read."""
    port_id = fake_telnyx.route("POST", "porting_orders", {}, {"phone_numbers": ["+19192281234"]})[
        1
    ]["data"][0]["id"]
    port = fake_telnyx.ports[port_id]
    port["status"] = "foc-date-confirmed"
    port["activation_settings"] = {"foc_datetime_actual": "2026-05-21T16:00:00Z"}
    headers, body = fake_telnyx.port_event(port_id)
    update = carrier.webhook_update(headers, body, now=now)
    assert update is not None
    assert ("foc-date-confirmed", "2026-05-21") == (update.status, str(update.foc_date))
    assert 1 == len(fake_telnyx.calls("GET", f"^porting_orders/{port_id}$"))


def test_other_events_are_ignored_and_bad_bodies_refused(
    carrier: TelnyxCarrier, fake_telnyx: FakeTelnyx, now: datetime
) -> None:
    """An event tnorder does not read gives None; a signed body that is not the documented
    envelope is a CarrierProtocolError."""
    headers, body = fake_telnyx.webhook("call.initiated", {"call_control_id": "v3:x"}, at=now)
    assert carrier.webhook_update(headers, body, now=now) is None
    headers, body = fake_telnyx.webhook("number_order.complete", {"status": "success"}, at=now)
    with pytest.raises(CarrierProtocolError):
        carrier.webhook_update(headers, body, now=now)


def test_telnyx_published_example_body_is_read(fake_telnyx: FakeTelnyx) -> None:
    """Telnyx's documented ``number_order.complete`` example, signed the way Telnyx signs
    (``timestamp|body``, Ed25519), reads as a completed number; the order id it lacks in
    the example is the only field added."""
    example = telnyx_fixture("webhook_number_order_complete.json")["body"]
    example["data"]["payload"]["id"] = "12ade33a-21c0-473b-b055-b3c836e1c292"
    example["data"]["payload"]["status"] = "success"
    body = json.dumps(example).encode()
    key = Ed25519PrivateKey.generate()
    public = base64.b64encode(
        key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    ).decode()
    occurred = datetime.fromisoformat(example["data"]["occurred_at"])
    stamp = str(int(occurred.timestamp()))
    headers = {
        "Telnyx-Timestamp": stamp,
        "Telnyx-Signature-Ed25519": base64.b64encode(
            key.sign(stamp.encode() + b"|" + body)
        ).decode(),
    }
    with TelnyxCarrier(make_config(fake_telnyx, public_key=public)) as adapter:
        update = adapter.webhook_update(headers, body, now=occurred + timedelta(seconds=2))
    assert update is not None
    assert occurred == update.at
    assert [("+19705555098", NumberOutcome.COMPLETED)] == [
        (r.number, r.outcome) for r in update.numbers
    ]


# -- several processes ----------------------------------------------------------


def test_a_delivery_accepted_by_one_adapter_is_a_replay_for_another_sharing_the_file(
    fake_telnyx: FakeTelnyx, now: datetime, tmp_path: Path
) -> None:
    """Two adapters (two processes of one host) sharing one SqliteReplayGuard file:
    what one accepted the other refuses; Telnyx's retry is accepted by either."""
    path = tmp_path / "deliveries.sqlite3"
    config = make_config(fake_telnyx)
    with (
        TelnyxCarrier(config, replays=SqliteReplayGuard(path)) as first,
        TelnyxCarrier(config, replays=SqliteReplayGuard(path)) as second,
    ):
        _a_replay_is_refused_and_a_retry_accepted(
            first, second, first.account(), fake_telnyx, now, replay_at=now + timedelta(seconds=1)
        )


_CHILD = """
import json, sys
from datetime import datetime, timedelta
from tnorder.adapters.telnyx import SqliteReplayGuard, verify_webhook
from tnorder.errors import CallbackNotVerified

path, public_key, now, headers, body = sys.argv[1:6]
try:
    verify_webhook(
        json.loads(headers), body.encode(), public_key=public_key,
        now=datetime.fromisoformat(now), tolerance=timedelta(seconds=300),
        replays=SqliteReplayGuard(path),
    )
except CallbackNotVerified as exc:
    print("refused:", exc)
else:
    print("accepted")
"""


def _verify_in_another_process(
    fake: FakeTelnyx, path: Path, now: datetime, headers: dict[str, str], body: bytes
) -> str:
    args = [str(path), fake.public_key, now.isoformat(), json.dumps(headers), body.decode()]
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip()


def test_another_process_refuses_a_delivery_this_one_accepted(
    fake_telnyx: FakeTelnyx, carrier: TelnyxCarrier, now: datetime, tmp_path: Path
) -> None:
    """The guard file is shared by real processes: a delivery first accepted in another
    process is refused here, and the window's end frees the file's entry."""
    path = tmp_path / "deliveries.sqlite3"
    ref = _ordered(carrier, carrier.account(), now)
    headers, body = fake_telnyx.order_event(ref)
    assert "accepted" == _verify_in_another_process(fake_telnyx, path, now, headers, body)
    guard = SqliteReplayGuard(path)
    key = f"{headers['telnyx-timestamp']}:{headers['telnyx-signature-ed25519']}"
    assert not guard.first_time(key, until=now + timedelta(seconds=300), now=now)
    refused = _verify_in_another_process(fake_telnyx, path, now, headers, body)
    assert refused.startswith("refused: webhook delivery replayed")
    later = now + timedelta(seconds=301)
    assert guard.first_time(key, until=later + timedelta(seconds=300), now=later)
