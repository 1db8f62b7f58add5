"""Hypothesis strategies for tnorder's data, shared by tnorder's own tests and its users.

One private module per area (scalars, phone numbers, records and events,
orders, event sequences, lookup criteria, carrier update streams, uploads);
this package is the import path, and ``__all__`` lists what it offers.

Everything an order strategy returns is a *reachable* state: orders are built
with :meth:`~tnorder.Order.place` and then walked through the line-item
machine by firing real triggers with actors whose role may fire them, exactly
as a host's code would.  Nothing here assembles a ``LineItem`` or a history by
hand, so a generated order can never be one the library would refuse to
produce.  Plain records (documents, inventory numbers, carrier requests) and
events are data classes without rules and are built field by field from their
type annotations, so a field added later is generated without a change here.

Strategies that take arguments validate them when called (not when drawn), so
a mistake in a test fails at collection with a clear message.

Carrier update streams (:func:`carrier_timelines`, :func:`carrier_update_streams`)
speak a carrier's own status words and arrive shuffled and repeated; upload
payloads (:func:`upload_payloads`, :func:`invalid_upload_payloads`) carry real
PDF, PNG and JPEG signature bytes, or break exactly one upload rule.
"""

from __future__ import annotations

from ...domain.machine_graph import reachable_statuses
from ._carriers import (
    CarrierUpdateStream,
    carrier_accounts,
    carrier_timelines,
    carrier_update_streams,
)
from ._lookup import InvalidLookupCase, invalid_lookup_criteria, lookup_criteria
from ._orders import FireStep, new_item_lists, new_items, orders, port_details, predict_error
from ._phones import phone_numbers
from ._records import carrier_requests, documents, events, inventory_numbers, records
from ._scalars import (
    account_ids,
    actors,
    distinct_account_ids,
    identifiers,
    notes,
    order_ids,
    utc_datetimes,
)
from ._sequences import EventSequence, EventStep, event_sequences, fire_steps
from ._uploads import (
    InvalidUploadCase,
    UploadPayload,
    document_contents,
    invalid_upload_payloads,
    upload_payloads,
)

__all__ = [
    "CarrierUpdateStream",
    "EventSequence",
    "EventStep",
    "FireStep",
    "InvalidLookupCase",
    "InvalidUploadCase",
    "UploadPayload",
    "account_ids",
    "actors",
    "carrier_accounts",
    "carrier_requests",
    "carrier_timelines",
    "carrier_update_streams",
    "distinct_account_ids",
    "document_contents",
    "documents",
    "event_sequences",
    "events",
    "fire_steps",
    "identifiers",
    "invalid_lookup_criteria",
    "invalid_upload_payloads",
    "inventory_numbers",
    "lookup_criteria",
    "new_item_lists",
    "new_items",
    "notes",
    "order_ids",
    "orders",
    "phone_numbers",
    "port_details",
    "predict_error",
    "reachable_statuses",
    "records",
    "upload_payloads",
    "utc_datetimes",
]
