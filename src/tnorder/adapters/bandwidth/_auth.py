"""Checking that a callback really comes from the host's Bandwidth subscription.

Bandwidth's v1 subscriptions send the ``CallbackCredentials`` the host
configured as HTTP basic auth on every callback.  :func:`verify_callback`
compares them in constant time and refuses anything else with
:class:`~tnorder.errors.CallbackNotVerified`: no credentials configured, no
``Authorization`` header, another scheme, a malformed header, or the wrong
user or password.  Nothing from an unverified request is parsed.

Bandwidth's side of the exchange (``site/docs/numbers/webhooks.md`` of
``Bandwidth/api-docs``): a subscription with credentials first POSTs the
callback *without* an ``Authorization`` header and expects ``401`` with a
``WWW-Authenticate`` challenge; only then does it POST again with the
credentials.  Any other answer (403, 500, a 401 without the header) and the
callback is never delivered.  :data:`CALLBACK_CHALLENGE` is that answer, as
data the host's web framework sends.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping

import attrs

from ...errors import CallbackNotVerified
from ._config import CallbackCredentials

__all__ = ["CALLBACK_CHALLENGE", "CallbackChallenge", "authorization_header", "verify_callback"]


@attrs.frozen
class CallbackChallenge:
    """The HTTP answer to a callback that failed verification.

    Attributes:
        status: the HTTP status to answer with (401).
        headers: the headers to send, as ``(name, value)`` pairs.
    """

    status: int
    headers: tuple[tuple[str, str], ...]

    @property
    def header_map(self) -> dict[str, str]:
        """The headers as a dict (what most frameworks take)."""
        return dict(self.headers)


CALLBACK_CHALLENGE = CallbackChallenge(401, (("WWW-Authenticate", 'Basic realm="tnorder"'),))
"""Answer a callback with this when ``verify_callback`` refuses it.

Bandwidth sends a callback's credentials only after a 401 carrying
``WWW-Authenticate: Basic``; a 403 or 500 means the callback is lost.
"""


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # Frameworks hand headers over as plain dicts with any capitalisation.
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value
    return None


def verify_callback(headers: Mapping[str, str], credentials: CallbackCredentials | None) -> None:
    """Accept the callback only if it carries exactly the configured credentials.

    Args:
        headers: the callback request's headers (any mapping; names are
            matched case-insensitively).
        credentials: what the host configured in its subscription.

    Raises:
        CallbackNotVerified: with a reason that never repeats the secret.
    """
    if credentials is None:
        raise CallbackNotVerified(
            "no callback credentials are configured; refusing every Bandwidth callback"
        )
    if not isinstance(headers, Mapping):
        raise CallbackNotVerified("callback headers are not a mapping of names to values")
    value = _header(headers, "Authorization")
    if value is not None and not isinstance(value, str):
        # Some frameworks hand over raw bytes; a header we cannot read is not a credential.
        raise CallbackNotVerified("callback Authorization header is not text")
    if not value:
        raise CallbackNotVerified("callback has no Authorization header")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        raise CallbackNotVerified("callback does not use HTTP basic authentication")
    try:
        decoded = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CallbackNotVerified("callback Authorization header is not valid base64") from exc
    user, sep, password = decoded.partition(b":")
    # Compare both parts even when the first differs: no timing hint on which.
    user_ok = hmac.compare_digest(user, credentials.username.encode("utf-8"))
    password_ok = hmac.compare_digest(password, credentials.password.encode("utf-8"))
    if not (sep and user_ok and password_ok):
        raise CallbackNotVerified("callback credentials do not match the configured ones")


def authorization_header(credentials: CallbackCredentials) -> str:
    """The ``Authorization`` value Bandwidth sends for ``credentials`` (for tests and tools)."""
    raw = f"{credentials.username}:{credentials.password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")
