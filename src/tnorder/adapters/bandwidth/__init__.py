"""Bandwidth's Numbers (dashboard) API as a tnorder carrier: ``pip install tnorder[bandwidth]``.

``BandwidthCarrier`` implements the ``tnorder.ports.Carrier`` port over real
HTTP (``httpx``) with XML parsed by ``defusedxml``; configure it with a
:class:`BandwidthConfig`.  Callbacks from Bandwidth subscriptions are checked
against :class:`CallbackCredentials` and read with
:meth:`BandwidthCarrier.callback_update` (or :func:`callback_update` when the
host has already verified them).

Everything else in this package is private (``_config``, ``_http``, ``_xml``,
``_wire``, ``_responses``, ``_callbacks``, ``_carrier``).  httpx and XML
errors never leave it: they become ``tnorder.errors.CarrierError`` subclasses.
"""

from __future__ import annotations

from ._callbacks import authorization_header, verify_callback
from ._carrier import LOA_CONTENT_TYPES, BandwidthCarrier, callback_update
from ._config import DEFAULT_BASE_URL, BandwidthConfig, CallbackCredentials, RetryPolicy, Timeouts
from ._xml import BandwidthFault, ErrorDetails

__all__ = [
    "DEFAULT_BASE_URL",
    "LOA_CONTENT_TYPES",
    "BandwidthCarrier",
    "BandwidthConfig",
    "BandwidthFault",
    "CallbackCredentials",
    "ErrorDetails",
    "RetryPolicy",
    "Timeouts",
    "authorization_header",
    "callback_update",
    "verify_callback",
]
