"""Bandwidth's errors as ours: error bodies, HTTP statuses and rate-limit headers.

The one place where an unsuccessful answer becomes a
:class:`~tnorder.errors.CarrierError` (httpx's own exceptions are translated in
``_http``).  Documented error shapes: ``<ErrorList><Error><Code>``,
``<Error><Code>`` (searches), ``<ResponseStatus><ErrorCode>`` and
``<Errors><Code>`` (port-ins).  Whatever the body holds (nothing, HTML from a
proxy, XML in an encoding nobody knows) the answer still ends as a
``CarrierError`` subclass: a 5xx and a 429 stay retryable.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

import attrs

from ...errors import (
    CarrierError,
    CarrierProtocolError,
    CarrierRateLimited,
    CarrierRejected,
    CarrierUnavailable,
)
from ._xml import CARRIER_ID, local_name, parse, text

__all__ = [
    "RETRYABLE_CODES",
    "BandwidthFault",
    "ErrorDetails",
    "error_for_response",
    "faults_in",
    "http_date",
    "server_wait",
]

RETRYABLE_CODES = frozenset({"4009", "5014", "5015", "5019", "5086"})
"""Bandwidth error codes that say "try again later" (system error, timeouts, pending)."""


@attrs.frozen
class BandwidthFault:
    """One error reported by Bandwidth.

    Attributes:
        code: Bandwidth's error code (``"5005"``), when given.
        description: its text.
        number: the telephone number it is about (10 digits), when given.
    """

    code: str | None
    description: str
    number: str | None = None


@attrs.frozen
class ErrorDetails:
    """What a :class:`CarrierError` from Bandwidth carries in ``details``.

    Attributes:
        http_status: the HTTP status of the answer (``None`` for transport failures).
        faults: every error Bandwidth listed.
        retry_after: seconds the server asked us to wait, when it said
            (``X-RateLimit-Reset`` or ``Retry-After``).
        maybe_applied: the request was not safe to replay and failed after it
            may have reached Bandwidth (read timeout, dropped connection, 5xx).
    """

    http_status: int | None
    faults: tuple[BandwidthFault, ...] = ()
    retry_after: float | None = None
    maybe_applied: bool = False


def faults_in(root: ET.Element) -> list[BandwidthFault]:
    """Every error element in a Bandwidth body, in document order.

    Covers the documented shapes: ``<ErrorList><Error><Code>``,
    ``<Error><Code>`` (searches), ``<ResponseStatus><ErrorCode>`` and
    ``<Errors><Code>`` (port-ins).
    """
    faults: list[BandwidthFault] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = local_name(element.tag)
        if name in ("error", "errors", "responsestatus"):
            code = text(element, "Code") or text(element, "ErrorCode")
            description = text(element, "Description")
            if code is None and description is None:
                continue  # an empty <ErrorList/> wrapper or a list container
            number = text(element, "TelephoneNumber")
            faults.append(BandwidthFault(code, description or "", number))
    return faults


def _epoch(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def http_date(value: str | None) -> datetime | None:
    """An HTTP date (``Date``, ``Retry-After``) as an aware datetime, or ``None``."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def server_wait(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait, or ``None`` when it did not say.

    Bandwidth's Numbers API answers 429 with ``X-RateLimit-Reset``, the epoch
    second at which the limit resets (``numbers/rateLimits.md`` of
    ``Bandwidth/bandwidth.github.io``).  The wait is measured from the
    answer's own ``Date`` header when it has one (the server's clock, so our
    clock's skew does not matter), else from ``now``.  ``Retry-After``
    (seconds or an HTTP date) is honoured too, for proxies in front.
    """
    reset = _epoch(headers.get("x-ratelimit-reset"))
    sent = http_date(headers.get("date")) or now
    if reset is not None and sent is not None:
        return max(0.0, reset - sent.timestamp())
    value = headers.get("retry-after")
    seconds = _epoch(value)
    if seconds is not None:
        return seconds if seconds >= 0 else None
    when = http_date(value)
    if when is not None and sent is not None:
        return max(0.0, (when - sent).total_seconds())
    return None


def error_for_response(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    what: str,
    carrier_id: str = CARRIER_ID,
    now: datetime | None = None,
) -> CarrierError:
    """The :class:`CarrierError` for an unsuccessful HTTP answer.

    429 is :class:`CarrierRateLimited`, 5xx :class:`CarrierUnavailable`
    (whatever their body), a 4xx carrying one of :data:`RETRYABLE_CODES`
    :class:`CarrierUnavailable`, any other 4xx :class:`CarrierRejected` with
    Bandwidth's first error code and every description.  A 4xx whose body is
    hostile or unreadable XML is :class:`CarrierProtocolError`.  ``details``
    holds the :class:`ErrorDetails` (status, faults, and the wait the server
    asked for: :func:`server_wait`, measured from ``now`` when the answer has
    no ``Date``).
    """
    faults: list[BandwidthFault] = []
    if body.strip().startswith(b"<"):
        try:
            faults = faults_in(parse(body, what=what, carrier_id=carrier_id))
        except CarrierProtocolError:
            if 400 <= status < 500 and status != 429:
                raise
            # A 5xx/429 is retryable whatever the proxy in front put in the body.
    code = faults[0].code if faults else None
    summary = (
        "; ".join(f"{f.code}: {f.description}" if f.code else f.description for f in faults)
        or f"HTTP {status}"
    )
    message = f"{what}: Bandwidth answered HTTP {status}: {summary}"
    details = ErrorDetails(status, tuple(faults), server_wait(headers, now=now))
    if status == 429:
        return CarrierRateLimited(
            message, code=code or "429", carrier_id=carrier_id, details=details
        )
    if status >= 500:
        return CarrierUnavailable(
            message, code=code or str(status), carrier_id=carrier_id, details=details
        )
    if code in RETRYABLE_CODES:
        return CarrierUnavailable(message, code=code, carrier_id=carrier_id, details=details)
    return CarrierRejected(
        message, code=code or str(status), carrier_id=carrier_id, details=details
    )
