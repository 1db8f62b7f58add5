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

httpx's exceptions become :class:`~tnorder.errors.CarrierError` in
``tnorder.adapters._http.HttpAttempts``, shared with the Telnyx adapter; this
module gives it Bandwidth's name, error details and error format.
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
from ...errors import CarrierError
from ...ports import Clock
from .._http import Answer, HttpAttempts
from ..clocks import SystemClock
from ._config import BandwidthConfig
from ._errors import ErrorDetails, error_for_response, http_date
from ._xml import MAX_BODY_BYTES

__all__ = ["BandwidthHttp", "Reply"]

log = logging.getLogger("tnorder.adapters.bandwidth")


@attrs.frozen
class Reply(Answer):
    """A successful HTTP answer from Bandwidth, body fully read.

    Attributes:
        status: HTTP status code.
        headers: response headers (case-insensitive).
        body: the raw body bytes.
    """

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
        self._attempts = HttpAttempts(
            self._client,
            "Bandwidth",
            config.carrier_id,
            ErrorDetails,
            self._refusal,
            MAX_BODY_BYTES,
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
        request = self._client.build_request(
            method, path, params=params, content=content, headers=headers
        )
        outcome, retry = self._attempts.send(request, what, replay_safe, ok)
        if isinstance(outcome, Answer):
            return Reply(outcome.status, outcome.headers, outcome.body), retry
        return outcome, retry

    def _refusal(self, status: int, body: bytes, headers: httpx.Headers, what: str) -> CarrierError:
        # An unsuccessful answer in Bandwidth's own error format; a 429's reset
        # is measured from the answer's Date, else from the clock port.
        return error_for_response(
            status, body, headers, what=what, carrier_id=self.carrier_id, now=self._now()
        )

    def _now(self) -> datetime:
        return self._clock.now()

    def __enter__(self) -> BandwidthHttp:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
