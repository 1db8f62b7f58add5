"""Telnyx's API v2 as a tnorder carrier: ``pip install tnorder[telnyx]``.

``TelnyxCarrier`` implements the ``tnorder.ports.Carrier`` port over real HTTP
(``httpx``) with JSON; configure it with a :class:`TelnyxConfig`.  Webhooks
are verified (Ed25519 signature with ``cryptography``, timestamp window,
replay guard) and read with :meth:`TelnyxCarrier.webhook_update`.  Holds and
their releases live in a :class:`HoldBook` (Telnyx has no early release);
processes of one host share one with :class:`SqliteHoldBook`.

:mod:`tnorder.adapters.telnyx.fake` is a loopback Telnyx for tests and the
demo (``tnorder demo --carrier telnyx-fake``).

Everything else in this package is private (``_config``, ``_http``,
``_vocabulary``, ``_wire``, ``_webhooks``, ``_holds``, ``_sqlite_file``,
``_carrier``).  httpx, JSON and
cryptography errors never leave it: they become ``tnorder.errors`` errors.
"""

from __future__ import annotations

from ._carrier import CAPABILITIES, HOLD_TIME_TEXT, WEBHOOK_EVENTS, TelnyxCarrier
from ._config import DEFAULT_BASE_URL, RetryPolicy, TelnyxConfig, Timeouts
from ._holds import BookedHold, HoldBook, MemoryHoldBook, SqliteHoldBook
from ._http import ErrorDetails, TelnyxFault
from ._vocabulary import TELNYX
from ._webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    MemoryReplayGuard,
    ReplayGuard,
    SqliteReplayGuard,
    verify_webhook,
)
from ._wire import LOOKUP_KINDS, UNSUPPORTED_LOOKUPS

__all__ = [
    "CAPABILITIES",
    "DEFAULT_BASE_URL",
    "HOLD_TIME_TEXT",
    "LOOKUP_KINDS",
    "SIGNATURE_HEADER",
    "TELNYX",
    "TIMESTAMP_HEADER",
    "UNSUPPORTED_LOOKUPS",
    "WEBHOOK_EVENTS",
    "BookedHold",
    "ErrorDetails",
    "HoldBook",
    "MemoryHoldBook",
    "MemoryReplayGuard",
    "ReplayGuard",
    "RetryPolicy",
    "SqliteHoldBook",
    "SqliteReplayGuard",
    "TelnyxCarrier",
    "TelnyxConfig",
    "TelnyxFault",
    "Timeouts",
    "verify_webhook",
]
