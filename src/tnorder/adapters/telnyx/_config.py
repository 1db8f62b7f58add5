"""Configuration of the Telnyx adapter: API key, base URL, timeouts, retries, webhook key.

Plain data, checked when built: a wrong setting raises
:class:`~tnorder.errors.ConfigurationError` (or ``ValidationError`` for a bad
value) before any request is sent.  Secrets never appear in ``repr``.

``Timeouts`` is the one the Bandwidth adapter uses (``adapters/_carrier_config``,
which needs neither adapter's extra).  ``RetryPolicy`` differs: Telnyx's
``Retry-After`` is capped at ``max_delay`` and there is no overall deadline.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from datetime import timedelta
from urllib.parse import urlsplit

import attrs

from ...errors import ConfigurationError, ValidationError
from .._carrier_config import Timeouts, positive_seconds

__all__ = ["DEFAULT_BASE_URL", "RetryPolicy", "TelnyxConfig", "Timeouts"]

DEFAULT_BASE_URL = "https://api.telnyx.com/v2"
"""Telnyx's production API v2."""


@attrs.frozen
class RetryPolicy:
    """Bounded exponential backoff for 429, 5xx and connection failures.

    Attempt ``n`` that failed in a retryable way waits
    ``min(max_delay, base_delay * multiplier ** (n - 1))`` seconds (or the
    server's ``Retry-After``, capped at ``max_delay``); after ``attempts``
    tries the last error is raised.  4xx answers other than 429 are not retried.
    """

    attempts: int = 4
    base_delay: float = attrs.field(default=0.5, validator=positive_seconds)
    multiplier: float = 2.0
    max_delay: float = attrs.field(default=8.0, validator=positive_seconds)

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
        """Seconds to wait after failed attempt ``attempt`` (1-based)."""
        if retry_after is not None and retry_after >= 0:
            return min(self.max_delay, retry_after)
        return float(min(self.max_delay, self.base_delay * self.multiplier ** (attempt - 1)))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@attrs.frozen(repr=False)
class TelnyxConfig:
    """Everything the adapter needs to talk to one Telnyx account.

    Attributes:
        api_key: the API v2 key (sent as ``Authorization: Bearer``).
        account_id: the id tnorder's ``CarrierAccount`` uses for this Telnyx
            account (Telnyx keys carry the account; this only names it).
        public_key: the account's base64 Ed25519 public key (Mission Control,
            "Public Key"); without it every webhook is refused.
        base_url: API root; ``https`` only, except loopback hosts (tests, demo).
        timeouts, retry: see :class:`Timeouts`, :class:`RetryPolicy`.
        webhook_tolerance: how far a webhook's ``telnyx-timestamp`` may be from
            tnorder's clock (Telnyx's SDKs use 300 s).
        connection_id, messaging_profile_id, billing_group_id: sent with number
            orders when set.
        carrier_id: the id tnorder knows this carrier by.
        max_quantity: the most numbers one lookup may ask for.
        lookup_window: how far back a disconnect job is looked for when the
            same disconnect is submitted again (Telnyx jobs carry no reference).

    Raises:
        ConfigurationError: a missing or unsafe setting.
    """

    api_key: str
    account_id: str = "telnyx"
    public_key: str | None = None
    base_url: str = DEFAULT_BASE_URL
    timeouts: Timeouts = attrs.field(factory=Timeouts)
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    webhook_tolerance: timedelta = timedelta(seconds=300)
    connection_id: str | None = None
    messaging_profile_id: str | None = None
    billing_group_id: str | None = None
    carrier_id: str = "telnyx"
    max_quantity: int = 100
    lookup_window: timedelta = timedelta(days=2)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.api_key, str) or not self.api_key.strip():
            raise ConfigurationError("the Telnyx api_key is required")
        if not isinstance(self.account_id, str) or not self.account_id.strip():
            raise ConfigurationError("account_id must be a non-empty string")
        if self.public_key is not None:
            try:
                raw = base64.b64decode(self.public_key, validate=True)
            except (binascii.Error, ValueError, TypeError) as exc:
                raise ConfigurationError("public_key must be base64 (Ed25519, 32 bytes)") from exc
            if len(raw) != 32:
                raise ConfigurationError(
                    f"public_key must decode to 32 bytes (Ed25519), got {len(raw)}"
                )
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ConfigurationError(f"base_url must be an absolute URL, got {self.base_url!r}")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            # The API key goes with every request; only TLS protects it.
            raise ConfigurationError(
                f"base_url must use https (plain http only for loopback): {self.base_url!r}"
            )
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ConfigurationError("base_url must not carry a query, a fragment or credentials")
        if type(self.max_quantity) is not int or not 1 <= self.max_quantity <= 1000:
            raise ConfigurationError(
                f"max_quantity must be from 1 to 1000, got {self.max_quantity!r}"
            )
        if not isinstance(self.webhook_tolerance, timedelta) or not (
            timedelta(0) < self.webhook_tolerance <= timedelta(hours=1)
        ):
            raise ConfigurationError("webhook_tolerance must be between 0 and 1 hour")

    def __repr__(self) -> str:
        return (
            f"TelnyxConfig(api_key='***', account_id={self.account_id!r}, "
            f"base_url={self.base_url!r}, carrier_id={self.carrier_id!r})"
        )
