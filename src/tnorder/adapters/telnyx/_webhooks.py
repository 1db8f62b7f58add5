"""Telnyx webhooks: Ed25519 signature, timestamp window, replay guard, and the event envelope.

Telnyx signs ``"{telnyx-timestamp}|{raw body}"`` with the account's Ed25519
key and sends the base64 signature in ``telnyx-signature-ed25519``
(``team-telnyx/telnyx-python``, ``src/telnyx/lib/webhook_verification.py``).
A delivery is accepted only if, in this order:

1. both headers are present and well-formed;
2. the timestamp is within ``tolerance`` of tnorder's clock (stale or
   future-dated deliveries are refused);
3. the signature verifies with the configured public key (``cryptography``'s
   Ed25519, never hand-written);
4. the same signed delivery (timestamp and signature) was not accepted before
   within the window: a replay is refused.  Telnyx's own retries are new
   deliveries (new timestamp, new signature) and pass.  The processes of one
   host share what was accepted through :class:`SqliteReplayGuard`.

Every refusal is :class:`~tnorder.errors.CallbackNotVerified` naming the rule.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ...errors import CallbackNotVerified, CarrierProtocolError
from ._sqlite_file import micros, transaction

__all__ = [
    "MAX_WEBHOOK_BYTES",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "MemoryReplayGuard",
    "ReplayGuard",
    "SqliteReplayGuard",
    "event_of",
    "verify_webhook",
]

SIGNATURE_HEADER = "telnyx-signature-ed25519"
TIMESTAMP_HEADER = "telnyx-timestamp"
MAX_WEBHOOK_BYTES = 1024 * 1024
"""Webhook bodies above this size are refused before verification."""


class ReplayGuard(Protocol):
    """Remembers accepted deliveries until they are too old to be accepted anyway.

    A host running several processes passes one backed by shared storage.
    """

    def first_time(self, key: str, *, until: datetime, now: datetime) -> bool:
        """Record ``key`` (kept until ``until``); False if it was recorded before."""
        ...


class MemoryReplayGuard:
    """An in-process :class:`ReplayGuard` (one process; forgotten on restart).

    Entries are dropped once their window has passed, so memory stays bounded
    by the deliveries of one window.
    """

    def __init__(self) -> None:
        self._seen: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def first_time(self, key: str, *, until: datetime, now: datetime) -> bool:
        with self._lock:
            for old in [k for k, end in self._seen.items() if end < now]:
                del self._seen[old]
            if key in self._seen:
                return False
            self._seen[key] = until
            return True


class SqliteReplayGuard:
    """A :class:`ReplayGuard` in an SQLite file shared by the processes of one host.

    A delivery accepted by any process is then refused as a replay by every
    other one.  Entries are dropped once their window has passed.  It is the
    adapter's own small file, not a tnorder storage (no schema, no migration).

    Args:
        path: the file (created with its table if missing); the same path in
            every process.
        timeout: seconds to wait for another process's write.
    """

    def __init__(self, path: str | Path, *, timeout: float = 10.0) -> None:
        self._path = str(path)
        self._timeout = timeout
        with transaction(self._path, self._timeout) as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS telnyx_deliveries ("
                " delivery TEXT PRIMARY KEY, until INTEGER NOT NULL)"
            )

    def __repr__(self) -> str:
        return f"SqliteReplayGuard({self._path!r})"

    def first_time(self, key: str, *, until: datetime, now: datetime) -> bool:
        with transaction(self._path, self._timeout) as db:
            db.execute("DELETE FROM telnyx_deliveries WHERE until < ?", (micros(now),))
            # The primary key makes the check and the record one atomic step.
            cursor = db.execute(
                "INSERT OR IGNORE INTO telnyx_deliveries VALUES (?, ?)", (key, micros(until))
            )
            return cursor.rowcount == 1


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    *,
    public_key: str | None,
    now: datetime,
    tolerance: timedelta,
    replays: ReplayGuard | None,
) -> None:
    """Refuse a delivery that is unsigned, badly signed, stale, future-dated or replayed.

    Args:
        headers: the request headers (any case).
        body: the raw body, exactly as received.
        public_key: the account's base64 Ed25519 public key; None refuses everything.
        now: tnorder's clock.
        tolerance: the accepted distance between the timestamp and ``now``.
        replays: where accepted deliveries are remembered; None skips the check.

    Raises:
        CallbackNotVerified: naming the rule the delivery broke.
    """
    if public_key is None:
        raise CallbackNotVerified("no Telnyx public key is configured; every webhook is refused")
    if len(body) > MAX_WEBHOOK_BYTES:
        raise CallbackNotVerified(f"webhook body exceeds {MAX_WEBHOOK_BYTES} bytes")
    signature_text = _header(headers, SIGNATURE_HEADER)
    stamp = _header(headers, TIMESTAMP_HEADER)
    if not signature_text or not stamp:
        raise CallbackNotVerified(
            f"webhook without {SIGNATURE_HEADER if not signature_text else TIMESTAMP_HEADER} header"
        )
    stamp = stamp.strip()
    if not stamp.isdigit() or len(stamp) > 12:
        raise CallbackNotVerified(f"{TIMESTAMP_HEADER} is not a Unix time: {stamp[:20]!r}")
    sent = datetime.fromtimestamp(int(stamp), tz=now.tzinfo)
    if abs(now - sent) > tolerance:
        raise CallbackNotVerified(
            f"webhook timestamp {sent.isoformat()} is more than "
            f"{int(tolerance.total_seconds())} s from now ({now.isoformat()}): stale or "
            "future-dated delivery refused"
        )
    try:
        signature = base64.b64decode(signature_text, validate=True)
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise CallbackNotVerified("webhook signature or public key is not valid base64") from exc
    try:
        key.verify(signature, stamp.encode() + b"|" + body)
    except InvalidSignature as exc:
        # cryptography's error is not ours; the host only knows TnorderError.
        raise CallbackNotVerified("webhook signature does not match its body") from exc
    if replays is not None and not replays.first_time(
        f"{stamp}:{signature_text}", until=sent + tolerance, now=now
    ):
        raise CallbackNotVerified(
            "webhook delivery replayed: this signed delivery was accepted before"
        )


def event_of(body: bytes, *, carrier_id: str) -> tuple[str, Mapping[str, Any], Mapping[str, Any]]:
    """``(event_type, data, payload)`` of a Telnyx event envelope (``{"data": ..., "meta": ...}``).

    Raises:
        CarrierProtocolError: not JSON, or not the documented envelope.
    """
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CarrierProtocolError(
            "Telnyx webhook body is not JSON", carrier_id=carrier_id
        ) from exc
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        raise CarrierProtocolError("Telnyx webhook without a 'data' object", carrier_id=carrier_id)
    event_type = data.get("event_type")
    payload = data.get("payload")
    if not isinstance(event_type, str) or not isinstance(payload, dict):
        raise CarrierProtocolError(
            "Telnyx webhook without event_type or payload", carrier_id=carrier_id
        )
    return event_type, data, payload
