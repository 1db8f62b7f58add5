"""A TelnyxCarrier configuration pointed at the loopback ``FakeTelnyx``."""

from __future__ import annotations

from tnorder.adapters.telnyx import RetryPolicy, TelnyxConfig, Timeouts
from tnorder.adapters.telnyx.fake import API_KEY, FakeTelnyx

__all__ = ["make_config"]


def make_config(fake: FakeTelnyx, **overrides: object) -> TelnyxConfig:
    """The fake's keys and address, short timeouts, quick retries; ``overrides`` win."""
    settings: dict[str, object] = {
        "api_key": API_KEY,
        "public_key": fake.public_key,
        "base_url": fake.base_url,
        # Short read timeout: the slow-answer tests wait past it.
        "timeouts": Timeouts(connect=2.0, read=0.5, write=2.0, pool=2.0),
        "retry": RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05),
    }
    settings.update(overrides)
    return TelnyxConfig(**settings)  # type: ignore[arg-type]
