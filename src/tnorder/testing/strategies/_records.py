"""Plain records and events, built field by field from their type annotations.

Part of :mod:`tnorder.testing.strategies`; import from there.
"""

from __future__ import annotations

import hashlib
import types
import typing
from collections.abc import Collection
from datetime import date, datetime
from enum import Enum
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ...domain.carrier_request import CarrierRequest
from ...domain.documents import Document
from ...domain.events import EVENT_TYPES, Event
from ...domain.inventory import InventoryNumber
from ...domain.lookup import LookupCriteria
from ...domain.uploads import FileInfo
from ...errors import TnorderError
from ...records import CARRIER_REQUESTS, DOCUMENTS, INVENTORY, RecordSpec
from ._lookup import lookup_criteria
from ._phones import phone_numbers
from ._scalars import _NAMES, T, _dates, account_ids, actors, identifiers, notes, utc_datetimes

__all__ = ["carrier_requests", "documents", "events", "inventory_numbers", "records"]


def _for_type(tp: Any) -> st.SearchStrategy[Any]:
    """A strategy for an annotation, with tnorder's conventions (aware UTC datetimes...)."""
    if tp in _BY_TYPE:
        return _BY_TYPE[tp]
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        optional = type(None) in args
        return st.one_of(
            *(
                st.none()
                if a is type(None)
                else _lenient(a)
                if optional and _is_attrs(a) and a not in _BY_TYPE
                else _for_type(a)
                for a in args
            )
        )
    if origin in (tuple, list) and (len(args) == 1 or args[-1] is Ellipsis):
        element = args[0]
        # A nested record its validators refuse is left out of the collection.
        items = (
            st.lists(_lenient(element), max_size=3).map(lambda xs: [x for x in xs if x is not None])
            if _is_attrs(element)
            else st.lists(_for_type(element), max_size=4)
        )
        return items.map(tuple) if origin is tuple else items
    if origin is tuple:
        return st.tuples(*(_for_type(a) for a in args))
    if tp is datetime:
        return utc_datetimes()
    if tp is date:
        return _dates()
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(min_value=0, max_value=10**9)
    if tp is str:
        # Half ids, half snake_case names: fields such as a requirement kind
        # only accept the latter.
        return identifiers(max_size=16) | _NAMES
    if isinstance(tp, type) and issubclass(tp, Enum):
        return st.sampled_from(list(tp))
    if _is_attrs(tp):
        return _attrs_instances(tp, {})
    return st.from_type(tp)


def _is_attrs(tp: Any) -> bool:
    return isinstance(tp, type) and attrs.has(tp)


def _lenient(
    cls: type[T], overrides: dict[str, st.SearchStrategy[Any]] | None = None
) -> st.SearchStrategy[T | None]:
    """Instances of an attrs class, or None where its validators refuse the drawn fields."""
    hints = typing.get_type_hints(cls)
    overrides = overrides or {}
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for field in attrs.fields(typing.cast(Any, cls)):
        if not field.init:
            continue
        # A record not yet stored has version 0; storage assigns the rest.
        if field.name == "version":
            fields[field.alias] = st.just(0)
        elif field.name in overrides:
            fields[field.alias] = overrides[field.name]
        else:
            fields[field.alias] = _for_type(hints[field.name])

    def build(kwargs: dict[str, Any]) -> T | None:
        # Validators and converters may refuse a drawn value (a kind that is
        # not snake_case...): such draws are discarded, not errors.
        try:
            return cls(**kwargs)
        except (TnorderError, ValueError, TypeError):
            return None

    return st.fixed_dictionaries(fields).map(build)


def _attrs_instances(
    cls: type[T], overrides: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[T]:
    """Instances of an attrs class, every init field drawn from its annotation."""
    return _lenient(cls, overrides).filter(lambda obj: obj is not None)  # type: ignore[return-value]


def _sha256_hex() -> st.SearchStrategy[str]:
    return st.binary(max_size=32).map(lambda data: hashlib.sha256(data).hexdigest())


_RECORD_OVERRIDES: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    DOCUMENTS.name: {
        "document_id": identifiers(),
        "account_id": account_ids(),
        "reviewer_note": notes(),
    },
    INVENTORY.name: {"number": phone_numbers(), "account_id": st.none() | account_ids()},
    CARRIER_REQUESTS.name: {"request_id": identifiers()},
}
_FILE_OVERRIDES: dict[str, st.SearchStrategy[Any]] = {
    "file_name": identifiers(),
    "content_type": st.sampled_from(["application/pdf", "image/jpeg", "image/png"]),
    "size": st.integers(min_value=1, max_value=10 * 2**20),
    "sha256": _sha256_hex(),
}


def records(spec: RecordSpec[T]) -> st.SearchStrategy[T]:
    """New (``version == 0``) records of the kind ``spec`` describes, every field drawn.

    Works for every ``RecordSpec`` in ``tnorder.records.RECORD_SPECS``: known
    kinds get realistic keys (E.164 inventory numbers, SHA-256 file digests),
    and any other kind is built from its annotations.
    """
    overrides = dict(_RECORD_OVERRIDES.get(spec.name, {}))
    if spec.cls is Document:
        overrides.setdefault("file", _attrs_instances(FileInfo, _FILE_OVERRIDES))
    overrides.setdefault(spec.key, identifiers())
    return _attrs_instances(spec.cls, overrides)


def documents() -> st.SearchStrategy[Document]:
    """Stored document records (see :func:`records`)."""
    return records(DOCUMENTS)


def inventory_numbers() -> st.SearchStrategy[InventoryNumber]:
    """Stored inventory numbers (see :func:`records`)."""
    return records(INVENTORY)


def carrier_requests() -> st.SearchStrategy[CarrierRequest]:
    """Stored carrier requests (see :func:`records`)."""
    return records(CARRIER_REQUESTS)


def events(types: Collection[type[Event]] | None = None) -> st.SearchStrategy[Event]:
    """Events of every registered type (``EVENT_TYPES``), built field by field.

    Use these where any well-formed event will do (notifiers, serialization);
    for the events a real order records use :func:`orders` and
    ``Order.pull_events()``.

    Args:
        types: the event classes to draw from (default: every registered one).
    """
    pool = sorted(EVENT_TYPES.values() if types is None else types, key=lambda c: c.__name__)
    if not pool:
        raise InvalidArgument("events() needs at least one event type")
    overrides: dict[str, st.SearchStrategy[Any]] = {
        "stream": identifiers(),
        "seq": st.integers(min_value=1, max_value=10**6),
        "actor": actors(),
        "note": notes(),
    }
    return st.one_of(*(_attrs_instances(cls, overrides) for cls in pool))


# Types with rules of their own are drawn valid, wherever a record or event holds them.
_BY_TYPE: dict[Any, st.SearchStrategy[Any]] = {LookupCriteria: lookup_criteria()}
