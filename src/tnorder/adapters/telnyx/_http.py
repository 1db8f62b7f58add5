"""The HTTP client under the Telnyx adapter: httpx, JSON, bearer auth, retries, error mapping.

Every request carries all four httpx timeouts and the API key, never follows
redirects (a redirect would carry the key somewhere else) and ignores proxy
settings from the environment.  Answers larger than ``MAX_BODY_BYTES`` are
refused, and every body must be a JSON object.

Retries follow :class:`~._config.RetryPolicy`: only 429, 5xx and connection
failures, a bounded number of times.  A request that is not safe to replay (a
``POST`` that creates something) is retried only when it certainly never
reached Telnyx (connection refused, connect timeout, 429); after a read
timeout, a dropped connection or a 5xx it may have been applied, so the error
says so (:attr:`ErrorDetails.maybe_applied`) and the carrier looks its order up
by reference before sending anything again.

httpx's errors become :class:`~tnorder.errors.CarrierError` in
``tnorder.adapters._http.HttpAttempts``, shared with the Bandwidth adapter; this
module gives it Telnyx's name, error details and error format, and is the one
place JSON errors (Telnyx's ``{"errors": [...]}`` bodies included) become
``CarrierError``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

import attrs
import httpx

from ..._version import __version__
from ...errors import (
    CarrierError,
    CarrierProtocolError,
    CarrierRateLimited,
    CarrierRejected,
    CarrierUnavailable,
)
from .._http import Answer, HttpAttempts
from ._config import TelnyxConfig

__all__ = ["MAX_BODY_BYTES", "ErrorDetails", "TelnyxFault", "TelnyxHttp", "error_for_response"]

log = logging.getLogger("tnorder.adapters.telnyx")

MAX_BODY_BYTES = 5 * 1024 * 1024
"""Answers above this size are refused (no Telnyx answer we read comes close)."""

Json = dict[str, Any]


@attrs.frozen
class TelnyxFault:
    """One entry of a Telnyx ``errors`` array."""

    code: str | None
    title: str
    detail: str | None = None

    def __str__(self) -> str:
        text = f"{self.title}: {self.detail}" if self.detail else self.title
        return f"{self.code} {text}" if self.code else text


@attrs.frozen
class ErrorDetails:
    """What a failed request told us (``CarrierError.details``).

    Attributes:
        status: the HTTP status, or None when there was no answer.
        faults: Telnyx's errors.
        retry_after: seconds from ``Retry-After``, when sent.
        maybe_applied: the request may have taken effect at Telnyx.
    """

    status: int | None
    faults: tuple[TelnyxFault, ...] = ()
    retry_after: float | None = None
    maybe_applied: bool = False


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date; the policy's own backoff applies


def _faults(body: bytes) -> tuple[TelnyxFault, ...]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ()
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, list):
        return ()
    found = []
    for entry in errors:
        if isinstance(entry, dict):
            code = entry.get("code")
            found.append(
                TelnyxFault(
                    None if code is None else str(code),
                    str(entry.get("title") or "error"),
                    None if entry.get("detail") is None else str(entry.get("detail")),
                )
            )
    return tuple(found)


def error_for_response(
    status: int, body: bytes, headers: Mapping[str, str], *, what: str, carrier_id: str
) -> CarrierError:
    """The :class:`CarrierError` for an unsuccessful answer.

    429 is :class:`CarrierRateLimited`, 5xx :class:`CarrierUnavailable`, any
    other status :class:`CarrierRejected` with Telnyx's first error code and
    every error's title and detail.
    """
    faults = _faults(body)
    code = faults[0].code if faults else None
    summary = "; ".join(str(f) for f in faults) or f"HTTP {status}"
    message = f"{what}: Telnyx answered HTTP {status}: {summary}"
    details = ErrorDetails(status, faults, _retry_after(headers))
    if status == 429:
        return CarrierRateLimited(
            message, code=code or "429", carrier_id=carrier_id, details=details
        )
    if status >= 500:
        return CarrierUnavailable(
            message, code=code or str(status), carrier_id=carrier_id, details=details
        )
    return CarrierRejected(
        message, code=code or str(status), carrier_id=carrier_id, details=details
    )


class TelnyxHttp:
    """A small synchronous JSON client for ``{base_url}/...``.

    Args:
        config: key, base URL, timeouts and retry policy.
        transport: an httpx transport instead of the network.
        sleep: how to wait between retries.
    """

    def __init__(
        self,
        config: TelnyxConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._config = config
        self._sleep = sleep
        t = config.timeouts
        self._client = httpx.Client(
            base_url=config.base_url.rstrip("/") + "/",
            headers={
                "Authorization": f"Bearer {config.api_key}",
                "Accept": "application/json",
                "User-Agent": f"tnorder/{__version__}",
            },
            timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool),
            follow_redirects=False,
            trust_env=False,
            transport=transport,
        )
        self._attempts = HttpAttempts(
            self._client,
            "Telnyx",
            config.carrier_id,
            ErrorDetails,
            self._refusal,
            MAX_BODY_BYTES,
        )

    def _refusal(self, status: int, body: bytes, headers: httpx.Headers, what: str) -> CarrierError:
        return error_for_response(
            status, body, headers, what=what, carrier_id=self._config.carrier_id
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: Mapping[str, str] | None = None,
        body: Json | None = None,
        replay_safe: bool | None = None,
        ok: Collection[int] = (200, 201, 202, 204),
    ) -> tuple[int, Json]:
        """Send one request (with retries); the status and the JSON object answered.

        Raises:
            CarrierUnavailable: timeouts, dropped connections, 5xx, after the retries.
            CarrierRateLimited: 429 after the retries.
            CarrierRejected: any other unsuccessful answer.
            CarrierProtocolError: an oversized or non-JSON answer.
        """
        if replay_safe is None:
            replay_safe = method.upper() != "POST"
        content = None if body is None else json.dumps(body).encode()
        policy = self._config.retry
        attempt = 0
        while True:
            attempt += 1
            outcome, retry = self._attempt(method, path, what, params, content, replay_safe, ok)
            if not isinstance(outcome, CarrierError):
                return outcome
            if not retry or attempt >= policy.attempts:
                raise outcome
            details = outcome.details if isinstance(outcome.details, ErrorDetails) else None
            wait = policy.delay(attempt, details.retry_after if details else None)
            log.warning(
                "Telnyx %s failed (attempt %d of %d, %s); retrying in %.2fs",
                what,
                attempt,
                policy.attempts,
                outcome.code,
                wait,
            )
            self._sleep(wait)

    def _attempt(
        self,
        method: str,
        path: str,
        what: str,
        params: Mapping[str, str] | None,
        content: bytes | None,
        replay_safe: bool,
        ok: Collection[int],
    ) -> tuple[tuple[int, Json] | CarrierError, bool]:
        carrier_id = self._config.carrier_id
        headers = {"Content-Type": "application/json"} if content is not None else {}
        request = self._client.build_request(
            method, path, params=params, content=content, headers=headers
        )
        outcome, retry = self._attempts.send(request, what, replay_safe, ok)
        if not isinstance(outcome, Answer):
            return outcome, retry
        status, raw = outcome.status, outcome.body
        if not raw.strip():
            return (status, {}), False
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            refused = CarrierProtocolError(
                f"{what}: Telnyx answered HTTP {status} with a body that is not JSON",
                carrier_id=carrier_id,
            )
            refused.__cause__ = exc
            return refused, False
        if not isinstance(data, dict):
            return (
                CarrierProtocolError(
                    f"{what}: Telnyx answered a JSON {type(data).__name__}, not an object",
                    carrier_id=carrier_id,
                ),
                False,
            )
        return (status, data), False

    def __enter__(self) -> TelnyxHttp:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
