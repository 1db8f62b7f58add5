"""One HTTP attempt against a carrier, its failures translated: shared by the carrier adapters.

Only adapters that speak HTTP import this (it needs ``httpx``).  What belongs
here: sending one request, reading its answer with the size cap, and turning
httpx's failures and the carrier's 429/5xx answers into
:class:`~tnorder.errors.CarrierError` together with whether a retry is safe.
What must not: the retry loop and its backoff (each adapter's policy differs),
decoding a body (XML, JSON) or reading a carrier's error format (each
adapter's ``error_for_response``).

The rules, the same for every carrier:

* a failure where the request never reached the server (connection refused,
  connect or pool timeout) is ``CarrierUnavailable`` with code ``connect``,
  always safe to retry;
* a read or write timeout is ``CarrierUnavailable`` with code ``timeout`` and
  a dropped connection code ``connection``: the request may have been
  applied, so they are retried only when it is safe to replay, and
  ``details.maybe_applied`` says so otherwise;
* a 429 is retried (it was refused, so never applied); a 5xx is retried only
  when the request is safe to replay, and its ``details.maybe_applied`` is
  set otherwise; any other unsuccessful answer is not retried.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Protocol

import attrs
import httpx

from ..errors import CarrierError, CarrierUnavailable
from ._http_body import read_capped

__all__ = ["Answer", "DetailsFactory", "HttpAttempts"]


@attrs.frozen
class Answer:
    """A successful HTTP answer, body fully read.

    Attributes:
        status: HTTP status code.
        headers: response headers (case-insensitive).
        body: the raw body bytes.
    """

    status: int
    headers: httpx.Headers
    body: bytes


class DetailsFactory(Protocol):
    """Builds a carrier's ``CarrierError.details`` for a failure without an answer.

    Each carrier's ``ErrorDetails`` class fits: it is called with the HTTP
    status (``None``: there was no answer) and whether the request may have
    been applied.
    """

    def __call__(self, status: None, /, *, maybe_applied: bool = False) -> Any: ...


# Failures where the request never reached the server: always safe to retry.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAYBE_APPLIED = "; the request may have been applied"


@attrs.frozen
class HttpAttempts:
    """Sends one request at a time for one carrier adapter, translating its failures.

    Attributes:
        client: the adapter's configured httpx client.
        carrier: the carrier's name in messages (``"Bandwidth"``).
        carrier_id: ``CarrierError.carrier_id``.
        details: builds ``details`` for a failure without an answer.
        error_for_response: the carrier's error for an unsuccessful answer
            (status, body, headers, ``what``); its ``details`` must be an
            attrs class with a ``maybe_applied`` field for a 5xx to be marked.
        limit: the largest body read, in bytes.
    """

    client: httpx.Client
    carrier: str
    carrier_id: str
    details: DetailsFactory
    error_for_response: Callable[[int, bytes, httpx.Headers, str], CarrierError]
    limit: int

    def send(
        self, request: httpx.Request, what: str, replay_safe: bool, ok: Collection[int]
    ) -> tuple[Answer | CarrierError, bool]:
        """Send ``request`` once; the answer, or the error and whether retrying is safe.

        Args:
            request: built with ``client.build_request`` (a new one per attempt).
            what: a short description for messages (``"create order"``).
            replay_safe: whether sending the request twice is harmless.
            ok: statuses that count as success.

        Returns:
            ``(Answer, False)`` on success, else ``(error, retry)``.  Errors
            are returned, not raised, so the adapter's retry loop decides; an
            httpx failure is the error's ``__cause__``.

        Raises:
            CarrierProtocolError: the answer is larger than ``limit``.
        """
        try:
            # What client.stream() does: the body is read under the cap, then
            # the connection goes back to the pool whatever happened.
            response = self.client.send(request, stream=True)
            try:
                body = read_capped(
                    response, limit=self.limit, what=what, carrier_id=self.carrier_id
                )
            finally:
                response.close()
            answer = Answer(response.status_code, response.headers, body)
        # httpx's errors are not ours; callers only know CarrierError.
        except httpx.TransportError as exc:
            return self._unavailable(exc, what, replay_safe)
        if answer.status in ok:
            return answer, False
        failure = self.error_for_response(answer.status, answer.body, answer.headers, what)
        if answer.status == 429:
            return failure, True  # refused, so never applied
        if answer.status >= 500:
            failure.details = _marked(failure.details, maybe_applied=not replay_safe)
            return failure, replay_safe
        return failure, False

    def _unavailable(
        self, exc: httpx.TransportError, what: str, replay_safe: bool
    ) -> tuple[CarrierUnavailable, bool]:
        name, carrier = type(exc).__name__, self.carrier
        if isinstance(exc, _NOT_SENT):
            code, text, sent = "connect", f"could not connect to {carrier} ({name})", False
        elif isinstance(exc, httpx.TimeoutException):
            code, text, sent = "timeout", f"{carrier} did not answer in time ({name})", True
        else:
            code, text, sent = "connection", f"connection to {carrier} failed ({name}: {exc})", True
        # Sent but not safe to replay: it may have taken effect, so no retry.
        maybe_applied = sent and not replay_safe
        error = CarrierUnavailable(
            f"{what}: {text}{_MAYBE_APPLIED if maybe_applied else ''}",
            code=code,
            carrier_id=self.carrier_id,
            details=self.details(None, maybe_applied=maybe_applied),
        )
        error.__cause__ = exc
        return error, not maybe_applied


def _marked(details: object, *, maybe_applied: bool) -> object:
    # Both carriers' ErrorDetails are attrs classes with this field; anything
    # else (a host's own error_for_response) is left as it came.
    kind = type(details)
    if attrs.has(kind) and "maybe_applied" in attrs.fields_dict(kind):
        loose: Any = details  # the attrs class is known only at run time
        return attrs.evolve(loose, maybe_applied=maybe_applied)
    return details
