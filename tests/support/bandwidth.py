"""A BandwidthCarrier configuration pointed at the loopback fake, and the submissions
the Bandwidth suites send through it."""

from __future__ import annotations

from datetime import date

from tnorder.adapters.bandwidth import BandwidthConfig, CallbackCredentials, RetryPolicy, Timeouts
from tnorder.domain.carrier import CarrierSubmission, PortDetails
from tnorder.domain.lookup import LookupCriteria
from tnorder.domain.statuses import OrderKind

from .fake_bandwidth import ACCOUNT_ID, PASSWORD, USERNAME

__all__ = [
    "CALLBACK_CREDENTIALS",
    "SEARCH",
    "disconnect",
    "make_config",
    "new_numbers",
    "port_in",
]

CALLBACK_CREDENTIALS = CallbackCredentials("bandwidth-callback", "s3cret-callback-pw")
SEARCH = LookupCriteria(quantity=2, area_code="919")


def make_config(base_url: str, **overrides: object) -> BandwidthConfig:
    """The fake's account and credentials, short timeouts, quick retries; ``overrides`` win."""
    settings: dict[str, object] = {
        "account_id": ACCOUNT_ID,
        "username": USERNAME,
        "password": PASSWORD,
        "site_id": "2297",
        "peer_id": "500709",
        "base_url": base_url,
        # Short timeouts: the slow-answer tests wait past the read timeout.
        "timeouts": Timeouts(connect=2.0, read=0.5, write=2.0, pool=2.0),
        "retry": RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05),
        "callback_credentials": CALLBACK_CREDENTIALS,
    }
    settings.update(overrides)
    return BandwidthConfig(**settings)  # type: ignore[arg-type]


def new_numbers(request_id: str, *numbers: str, holds: tuple[str, ...] = ()) -> CarrierSubmission:
    """An order for ``numbers``, with the reservation ids that hold them."""
    return CarrierSubmission(OrderKind.NEW_NUMBER, request_id, numbers, holds)


def disconnect(request_id: str, *numbers: str) -> CarrierSubmission:
    """A disconnect of ``numbers``."""
    return CarrierSubmission(OrderKind.DISCONNECT, request_id, numbers)


def port_in(request_id: str, **extra: str) -> CarrierSubmission:
    """A port-in of two Denver numbers with complete LOA facts; ``extra`` adds or overrides."""
    details = PortDetails(
        authorizing_person="Jane Doe",
        subscriber_name="Acme Corporation",
        billing_number="+19192281234",
        requested_date=date(2024, 5, 20),
        extra={
            "house_number": "11235",
            "street_name": "Back",
            "city": "Denver",
            "state_code": "CO",
            "zip": "80202",
            **extra,
        },
    )
    return CarrierSubmission(
        OrderKind.PORT_IN, request_id, ("+19192281234", "+19192281235"), port=details
    )
