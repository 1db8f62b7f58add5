"""The HTTP client under the Bandwidth adapter: httpx with timeouts, auth and retries.

Every request carries all four httpx timeouts and HTTP basic auth, never
follows redirects (a redirect would carry our credentials somewhere else) and
ignores proxy settings from the environment.  Answers larger than
``MAX_BODY_BYTES`` are cut off and refused.

Retries follow :class:`~.RetryPolicy`: only 429, 5xx and connection failures
are retried, with exponential backoff, a bounded number of times.  A 429's
``X-RateLimit-Reset`` is honoured (measured from the answer's ``Date``, else
from the clock port) as long as the total wait stays within the policy's
``deadline``; past it the ``CarrierRateLimited`` is raised at once, carrying
the wait.  A request
that is not safe to replay (a ``POST`` that creates something) is retried only
when it certainly never reached Bandwidth (connection refused, connect
timeout, 429); after a read timeout, a dropped connection or a 5xx it may have
been applied, so the error says so (``ErrorDetails.maybe_applied``) and the
caller decides (the carrier looks its order up by ``CustomerOrderId`` first).

httpx's exceptions become :class:`~tnorder.errors.CarrierError` here.
"""

from __future__ import annotations

import functools
import logging
import ssl
import time
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from urllib.parse import urlsplit

import attrs
import certifi
import httpx

from ..._version import __version__
from ...errors import CarrierError, CarrierUnavailable
from ...ports import Clock
from .._http_body import read_capped
from ..clocks import SystemClock
from ._config import BandwidthConfig
from ._errors import ErrorDetails, error_for_response, http_date
from ._xml import MAX_BODY_BYTES

__all__ = ["BandwidthHttp", "Reply"]

log = logging.getLogger("tnorder.adapters.bandwidth")


@attrs.frozen
class Reply:
    """A successful HTTP answer, body fully read.

    Attributes:
        status: HTTP status code.
        headers: response headers (case-insensitive).
        body: the raw body bytes.
    """

    status: int
    headers: httpx.Headers
    body: bytes

    def sent_at(self) -> datetime | None:
        """The answer's ``Date`` header: when Bandwidth sent it, by Bandwidth's clock."""
        return http_date(self.headers.get("date"))

    def location_id(self) -> str | None:
        """The last path segment of the ``Location`` header (a new resource's id)."""
        location = self.headers.get("location")
        if not location:
            return None
        segment = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]
        return segment or None


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Verified TLS 1.2+ against certifi's roots (what httpx does by default),
    # built once per process: loading the CA bundle is the slow part of a client.
    context = ssl.create_default_context(cafile=certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


# Failures where the request never reached the server: always safe to retry.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class BandwidthHttp:
    """A small synchronous client for ``{base_url}/accounts/{account_id}/...``.

    Args:
        config: account, credentials, timeouts and retry policy.
        transport: an httpx transport to use instead of the network (tests,
            or a host's own instrumented transport).
        sleep: how to wait between retries (tests pass a recorder).
        clock: the time a rate-limit reset is measured from when the answer
            carries no ``Date`` header.
    """

    def __init__(
        self,
        config: BandwidthConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock | None = None,
    ) -> None:
        self._config = config
        self._sleep = sleep
        self._clock: Clock = clock or SystemClock()
        t = config.timeouts
        self._client = httpx.Client(
            base_url=config.account_url + "/",
            auth=httpx.BasicAuth(config.username, config.password),
            timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool),
            headers={
                "Accept": "application/xml",
                "User-Agent": f"tnorder/{__version__}",
            },
            follow_redirects=False,
            trust_env=False,
            verify=_tls_context(),
            transport=transport,
        )

    @property
    def carrier_id(self) -> str:
        return self._config.carrier_id

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
        content: bytes | None = None,
        content_type: str = "application/xml; charset=utf-8",
        headers: Mapping[str, str] | None = None,
        replay_safe: bool | None = None,
        ok: Collection[int] = (200, 201, 202, 204),
    ) -> Reply:
        """Send one request (with retries) and return the successful answer.

        Args:
            method: HTTP method.
            path: path below the account URL (``"orders/123"``).
            what: a short description for error messages (``"create order"``).
            params: query parameters.
            content: request body.
            content_type: its media type.
            headers: extra request headers.
            replay_safe: whether sending the request twice is harmless; defaults
                to ``True`` for GET, PUT and DELETE and ``False`` for POST.
            ok: statuses that count as success.

        Raises:
            CarrierUnavailable: timeouts, dropped connections, 5xx, after the retries.
            CarrierRateLimited: 429 after the retries.
            CarrierRejected: any other non-success answer.
            CarrierProtocolError: an oversized or hostile answer.
        """
        if replay_safe is None:
            replay_safe = method.upper() != "POST"
        send_headers = dict(headers or {})
        if content is not None:
            send_headers["Content-Type"] = content_type
        policy = self._config.retry
        attempt = 0
        waited = 0.0
        while True:
            attempt += 1
            outcome, retry = self._attempt(
                method, path, what, params, content, send_headers, replay_safe, ok
            )
            if isinstance(outcome, Reply):
                return outcome
            error = outcome
            if not retry or attempt >= policy.attempts:
                raise error
            details = error.details if isinstance(error.details, ErrorDetails) else None
            wait = policy.delay(attempt, details.retry_after if details else None)
            if waited + wait > policy.deadline:
                # Waiting would pass the caller's deadline: hand the error
                # (with the server's wait in details.retry_after) back now.
                raise error
            waited += wait
            log.warning(
                "Bandwidth %s failed (attempt %d of %d, %s); retrying in %.2fs",
                what,
                attempt,
                policy.attempts,
                error.code,
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
        headers: Mapping[str, str],
        replay_safe: bool,
        ok: Collection[int],
    ) -> tuple[Reply | CarrierError, bool]:
        carrier_id = self._config.carrier_id
        try:
            with self._client.stream(
                method, path, params=params, content=content, headers=headers
            ) as response:
                body = read_capped(response, limit=MAX_BODY_BYTES, what=what, carrier_id=carrier_id)
                status = response.status_code
                reply_headers = response.headers
        # httpx's errors are not ours; callers only know CarrierError.  The
        # errors are returned (not raised) so that the retry loop decides, and
        # keep the httpx exception as their cause.
        except _NOT_SENT as exc:
            error = CarrierUnavailable(
                f"{what}: could not connect to Bandwidth ({type(exc).__name__})",
                code="connect",
                carrier_id=carrier_id,
                details=ErrorDetails(None),
            )
            error.__cause__ = exc
            return error, True
        except httpx.TimeoutException as exc:
            error = CarrierUnavailable(
                f"{what}: Bandwidth did not answer in time ({type(exc).__name__})"
                + ("" if replay_safe else "; the request may have been applied"),
                code="timeout",
                carrier_id=carrier_id,
                details=ErrorDetails(None, maybe_applied=not replay_safe),
            )
            error.__cause__ = exc
            return error, replay_safe
        except httpx.TransportError as exc:
            error = CarrierUnavailable(
                f"{what}: connection to Bandwidth failed ({type(exc).__name__}: {exc})"
                + ("" if replay_safe else "; the request may have been applied"),
                code="connection",
                carrier_id=carrier_id,
                details=ErrorDetails(None, maybe_applied=not replay_safe),
            )
            error.__cause__ = exc
            return error, replay_safe
        if status in ok:
            return Reply(status, reply_headers, body), False
        failure = error_for_response(
            status, body, reply_headers, what=what, carrier_id=carrier_id, now=self._now()
        )
        if status >= 500 and isinstance(failure.details, ErrorDetails):
            failure.details = attrs.evolve(failure.details, maybe_applied=not replay_safe)
        if status == 429:
            return failure, True
        return failure, status >= 500 and replay_safe

    def _now(self) -> datetime:
        return self._clock.now()

    def __enter__(self) -> BandwidthHttp:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
