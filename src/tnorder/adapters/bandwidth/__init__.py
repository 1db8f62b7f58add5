"""Bandwidth's Numbers (dashboard) API as a tnorder carrier: ``pip install tnorder[bandwidth]``.

``BandwidthCarrier`` implements the ``tnorder.ports.Carrier`` port over real
HTTP (``httpx``) with XML parsed by ``defusedxml``; configure it with a
:class:`BandwidthConfig`.  Callbacks from Bandwidth subscriptions are checked
against :class:`CallbackCredentials` and read with
:meth:`BandwidthCarrier.callback_update` (or :func:`callback_update` when the
host has already verified them); a callback without credentials is answered
with :data:`CALLBACK_CHALLENGE` (401 + ``WWW-Authenticate: Basic``), after
which Bandwidth sends it again with them.

Bandwidth's status words are data, one table per resource (``BANDWIDTH``,
``BANDWIDTH_NUMBER_ORDER``, ``BANDWIDTH_DISCONNECT``, ``BANDWIDTH_PORT_IN``,
and every fact per word in ``WORDS``).  They import without ``httpx``: the
rest of this package loads on first use.

Everything else is private: ``_config``, ``_http``, ``_xml`` (safe parsing and
building), ``_errors`` (Bandwidth's error bodies and HTTP statuses as
``CarrierError``), ``_wire`` (request bodies), ``_responses`` (response bodies
as records), ``_updates`` (records and callbacks as ``CarrierUpdate``),
``_vocabulary``, ``_auth`` (callback authentication and its 401 challenge) and ``_carrier``.
httpx and XML errors never leave it: they become ``tnorder.errors.CarrierError``
subclasses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._vocabulary import (
    BANDWIDTH,
    BANDWIDTH_DISCONNECT,
    BANDWIDTH_NUMBER_ORDER,
    BANDWIDTH_PORT_IN,
    WORDS,
    Word,
)

if TYPE_CHECKING:
    from ._auth import (
        CALLBACK_CHALLENGE,
        CallbackChallenge,
        authorization_header,
        verify_callback,
    )
    from ._carrier import LOA_CONTENT_TYPES, MAX_LOA_BYTES, BandwidthCarrier
    from ._config import (
        DEFAULT_BASE_URL,
        BandwidthConfig,
        CallbackCredentials,
        RetryPolicy,
        Timeouts,
    )
    from ._errors import BandwidthFault, ErrorDetails
    from ._updates import callback_update

__all__ = [
    "BANDWIDTH",
    "BANDWIDTH_DISCONNECT",
    "BANDWIDTH_NUMBER_ORDER",
    "BANDWIDTH_PORT_IN",
    "CALLBACK_CHALLENGE",
    "DEFAULT_BASE_URL",
    "LOA_CONTENT_TYPES",
    "MAX_LOA_BYTES",
    "WORDS",
    "BandwidthCarrier",
    "BandwidthConfig",
    "BandwidthFault",
    "CallbackChallenge",
    "CallbackCredentials",
    "ErrorDetails",
    "RetryPolicy",
    "Timeouts",
    "Word",
    "authorization_header",
    "callback_update",
    "verify_callback",
]

# Where each lazily loaded name lives: these modules need httpx or defusedxml.
_LAZY = {
    "CALLBACK_CHALLENGE": "_auth",
    "CallbackChallenge": "_auth",
    "authorization_header": "_auth",
    "verify_callback": "_auth",
    "LOA_CONTENT_TYPES": "_carrier",
    "MAX_LOA_BYTES": "_carrier",
    "BandwidthCarrier": "_carrier",
    "DEFAULT_BASE_URL": "_config",
    "BandwidthConfig": "_config",
    "CallbackCredentials": "_config",
    "RetryPolicy": "_config",
    "Timeouts": "_config",
    "BandwidthFault": "_errors",
    "ErrorDetails": "_errors",
    "callback_update": "_updates",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value: object = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
