"""Settings shared by the HTTP carrier adapters (Bandwidth, Telnyx).

Plain attrs data with no third-party import beyond attrs, so each adapter's
configuration imports it without pulling in the other adapter's extra.
"""

from __future__ import annotations

import attrs

from ..errors import ValidationError

__all__ = ["Timeouts", "positive_seconds"]


def positive_seconds(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    """attrs validator: ``value`` is a positive number of seconds (not a bool)."""
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise ValidationError(
            f"{attribute.name} must be a positive number of seconds, got {value!r}",
            field=attribute.name,
        )


@attrs.frozen
class Timeouts:
    """httpx timeouts in seconds; every request to a carrier has all four set.

    Attributes:
        connect: to open the TCP/TLS connection.
        read: between bytes of the response (a slow carrier answer ends here).
        write: between bytes of the request (document uploads).
        pool: to get a connection from the pool.
    """

    connect: float = attrs.field(default=5.0, validator=positive_seconds)
    read: float = attrs.field(default=30.0, validator=positive_seconds)
    write: float = attrs.field(default=30.0, validator=positive_seconds)
    pool: float = attrs.field(default=5.0, validator=positive_seconds)
