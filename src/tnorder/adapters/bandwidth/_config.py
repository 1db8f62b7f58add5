"""Configuration of the Bandwidth adapter: account, credentials, timeouts, retries.

Plain data, checked when built: a wrong setting raises
:class:`~tnorder.errors.ConfigurationError` (or ``ValidationError`` for a bad
value) before any request is sent.  Secrets never appear in ``repr``.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import attrs

from ...errors import ConfigurationError, ValidationError
from .._carrier_config import Timeouts, positive_seconds

__all__ = [
    "DEFAULT_BASE_URL",
    "BandwidthConfig",
    "CallbackCredentials",
    "RetryPolicy",
    "Timeouts",
]

DEFAULT_BASE_URL = "https://dashboard.bandwidth.com/api"
"""Bandwidth's production Numbers (dashboard) API v1."""


@attrs.frozen
class RetryPolicy:
    """Bounded exponential backoff for 429, 5xx and connection failures.

    Attempt ``n`` (1-based) that failed in a retryable way waits
    ``min(max_delay, base_delay * multiplier ** (n - 1))`` seconds before the
    next; after ``attempts`` tries the last error is raised.  When the server
    says how long to wait (Bandwidth's ``X-RateLimit-Reset`` on a 429, or
    ``Retry-After``) that wait is used as given, not capped at ``max_delay``:
    asking again sooner only earns another 429.  ``deadline`` bounds the
    total waiting of one request: a wait that would pass it is not made, and
    the error is raised at once with the server's wait in
    ``ErrorDetails.retry_after`` so the caller can come back later.  Nothing
    else is retried: a 4xx answer means the request itself is wrong.

    Attributes:
        attempts: total tries per request, at least 1 (1 = no retry).
        base_delay: the first wait, seconds.
        multiplier: growth of the wait per attempt.
        max_delay: cap on any single backoff wait we choose, seconds.
        deadline: the most seconds one request may spend waiting between
            attempts, the server's waits included.
    """

    attempts: int = 4
    base_delay: float = attrs.field(default=0.5, validator=positive_seconds)
    multiplier: float = 2.0
    max_delay: float = attrs.field(default=8.0, validator=positive_seconds)
    deadline: float = attrs.field(default=60.0, validator=positive_seconds)

    def __attrs_post_init__(self) -> None:
        if type(self.attempts) is not int or not 1 <= self.attempts <= 20:
            raise ValidationError(
                f"attempts must be an integer from 1 to 20, got {self.attempts!r}",
                field="attempts",
            )
        if not isinstance(self.multiplier, int | float) or self.multiplier < 1:
            raise ValidationError(
                f"multiplier must be at least 1, got {self.multiplier!r}", field="multiplier"
            )

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based).

        ``retry_after`` is the server's own wait, used as given (the
        ``deadline`` check is the caller's, who knows the time spent so far).
        """
        if retry_after is not None and retry_after >= 0:
            return float(retry_after)
        return float(min(self.max_delay, self.base_delay * self.multiplier ** (attempt - 1)))


@attrs.frozen(repr=False)
class CallbackCredentials:
    """The basic-auth user and password the host put in its Bandwidth subscription.

    Bandwidth sends them with every callback (``CallbackCredentials`` /
    ``BasicAuthentication`` of the subscription); a callback without them is
    refused.
    """

    username: str
    password: str

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.username, str) or not self.username or ":" in self.username:
            raise ConfigurationError("callback username must be non-empty and contain no ':'")
        if not isinstance(self.password, str) or len(self.password) < 8:
            raise ConfigurationError("callback password must be at least 8 characters")

    def __repr__(self) -> str:
        return f"CallbackCredentials(username={self.username!r}, password='***')"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@attrs.frozen(repr=False)
class BandwidthConfig:
    """Everything the adapter needs to talk to one Bandwidth account.

    Attributes:
        account_id: the Bandwidth account id (digits).
        username, password: Numbers API user (HTTP basic auth).
        site_id: the site (sub-account) new and ported numbers go to.
        peer_id: the SIP peer (location) inside the site; ``None`` lets
            Bandwidth use the site's default location.
        base_url: API root; ``https`` only, except loopback hosts (tests).
        timeouts: see :class:`Timeouts`.
        retry: see :class:`RetryPolicy`.
        callback_credentials: what Bandwidth must present on callbacks; without
            it every callback is refused.
        carrier_id: the id tnorder knows this carrier by.
        max_quantity: the most numbers one lookup may ask for (Bandwidth
            documents 1 to 5000 for ``availableNumbers``).
        order_name_prefix: prefix of the ``Name`` Bandwidth shows for orders.

    Raises:
        ConfigurationError: a missing or unsafe setting.
    """

    account_id: str
    username: str
    password: str
    site_id: str
    peer_id: str | None = None
    base_url: str = DEFAULT_BASE_URL
    timeouts: Timeouts = attrs.field(factory=Timeouts)
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    callback_credentials: CallbackCredentials | None = None
    carrier_id: str = "bandwidth"
    max_quantity: int = 5000
    order_name_prefix: str = "tnorder"

    def __attrs_post_init__(self) -> None:
        for name in ("account_id", "site_id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.isdigit():
                raise ConfigurationError(f"Bandwidth {name} must be digits, got {value!r}")
        if self.peer_id is not None and (
            not isinstance(self.peer_id, str) or not self.peer_id.isdigit()
        ):
            raise ConfigurationError(f"Bandwidth peer_id must be digits, got {self.peer_id!r}")
        if not isinstance(self.username, str) or not self.username:
            raise ConfigurationError("Bandwidth username is required")
        if not isinstance(self.password, str) or not self.password:
            raise ConfigurationError("Bandwidth password is required")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ConfigurationError(f"base_url must be an absolute URL, got {self.base_url!r}")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            # Basic auth sends the password with every request; only TLS protects it.
            raise ConfigurationError(
                f"base_url must use https (plain http only for loopback tests): {self.base_url!r}"
            )
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ConfigurationError("base_url must not carry a query, a fragment or credentials")
        if type(self.max_quantity) is not int or not 1 <= self.max_quantity <= 5000:
            raise ConfigurationError(
                f"max_quantity must be from 1 to 5000 (Bandwidth's limit), got "
                f"{self.max_quantity!r}"
            )
        if not self.order_name_prefix or len(self.order_name_prefix) > 10:
            raise ConfigurationError("order_name_prefix must be 1 to 10 characters")

    @property
    def account_url(self) -> str:
        """``{base_url}/accounts/{account_id}`` without a trailing slash."""
        return f"{self.base_url.rstrip('/')}/accounts/{self.account_id}"

    def __repr__(self) -> str:
        return (
            f"BandwidthConfig(account_id={self.account_id!r}, username={self.username!r}, "
            f"password='***', site_id={self.site_id!r}, peer_id={self.peer_id!r}, "
            f"base_url={self.base_url!r})"
        )
