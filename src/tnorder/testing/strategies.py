"""Hypothesis strategies for tnorder's data, shared by tnorder's own tests and its users.

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

import copy
import functools
import hashlib
import string
import types
import typing
from collections import deque
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

import attrs
import phonenumbers
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..adapters.bandwidth._vocabulary import BANDWIDTH
from ..domain.carrier import (
    CarrierAccount,
    CarrierRequest,
    CarrierStep,
    CarrierUpdate,
    NumberOutcome,
    NumberResult,
    PortDetails,
    StatusVocabulary,
)
from ..domain.documents import (
    ALLOWED_CONTENT_TYPES,
    DEFAULT_MAX_UPLOAD_BYTES,
    Document,
    FileInfo,
    detect_content_type,
)
from ..domain.events import EVENT_TYPES, Actor, Event
from ..domain.inventory import InventoryNumber
from ..domain.lookup import TOLL_FREE_PREFIXES, US_STATES, LookupCriteria, LookupKind
from ..domain.machine import TRIGGER_ROLES, Trigger, allowed_triggers, resolve
from ..domain.order import HistoryEntry, NewItem, Order
from ..domain.phone import normalize_number
from ..domain.statuses import ItemStatus, NumberType, OrderKind, Role
from ..errors import TnorderError
from ..records import CARRIER_REQUESTS, DOCUMENTS, INVENTORY, RecordSpec

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

T = TypeVar("T")

_MIN_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)
_MAX_MOMENT = datetime(2099, 12, 31, tzinfo=UTC)
_MAX_STEP_GAP = timedelta(days=3)

# -- scalars ------------------------------------------------------------------


def identifiers(*, min_size: int = 1, max_size: int = 24) -> st.SearchStrategy[str]:
    """Non-empty ids as a host may use them: letters of any script, digits, ``-_.:/`` and spaces.

    The punctuation is deliberate: an adapter that builds file paths or SQL
    from ids without escaping them fails on ``"../x"`` or ``"a/b"``.  NUL and
    lone surrogates are left out because no JSON column can store them.
    """
    if min_size < 1:
        raise InvalidArgument(f"identifiers need min_size >= 1, got {min_size}")
    alphabet = st.characters(codec="utf-8", categories=("L", "N"), include_characters="-_.:/ ")
    return st.text(alphabet, min_size=min_size, max_size=max_size)


def order_ids(*, min_size: int = 1, max_size: int = 24) -> st.SearchStrategy[str]:
    """Order ids: :func:`identifiers` without ``":"``, which order ids may not hold
    (it separates event stream namespaces; see ``tnorder.domain.events``)."""
    if min_size < 1:
        raise InvalidArgument(f"order ids need min_size >= 1, got {min_size}")
    alphabet = st.characters(codec="utf-8", categories=("L", "N"), include_characters="-_./ ")
    return st.text(alphabet, min_size=min_size, max_size=max_size)


_default_order_ids = order_ids  # ``orders(order_ids=...)`` shadows the name


def account_ids() -> st.SearchStrategy[str]:
    """Customer account ids (any :func:`identifiers`)."""
    return identifiers(max_size=16)


def notes(*, max_size: int = 24) -> st.SearchStrategy[str | None]:
    """Customer-facing notes: None, or any text a JSON column can hold (emoji, newlines...)."""
    text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=max_size)
    return st.none() | text


def utc_datetimes(
    *, min_value: datetime = _MIN_MOMENT, max_value: datetime = _MAX_MOMENT
) -> st.SearchStrategy[datetime]:
    """Aware datetimes in UTC, with microseconds: the ``now`` values a ``Clock`` returns.

    Args:
        min_value, max_value: aware bounds (inclusive).
    """
    for name, bound in (("min_value", min_value), ("max_value", max_value)):
        if bound.tzinfo is None or bound.utcoffset() is None:
            raise InvalidArgument(f"utc_datetimes({name}=...) needs an aware datetime")
    low = min_value.astimezone(UTC).replace(tzinfo=None)
    high = max_value.astimezone(UTC).replace(tzinfo=None)
    return st.datetimes(min_value=low, max_value=high, timezones=st.just(UTC))


# snake_case names (built, not regex-generated: from_regex is several times slower).
_NAMES = st.builds(
    str.__add__,
    st.sampled_from(string.ascii_lowercase),
    st.text(string.ascii_lowercase + string.digits + "_", max_size=15),
)


def _dates() -> st.SearchStrategy[date]:
    return st.dates(min_value=_MIN_MOMENT.date(), max_value=_MAX_MOMENT.date())


def actors(
    roles: Collection[Role] | None = None, *, allowed_to: Trigger | None = None
) -> st.SearchStrategy[Actor]:
    """Actors of the given roles (default: every role).

    Args:
        roles: the roles to draw from.
        allowed_to: keep only roles that may fire this trigger (``TRIGGER_ROLES``).
    """
    pool = set(Role) if roles is None else set(roles)
    if allowed_to is not None:
        pool &= TRIGGER_ROLES[allowed_to]
    if not pool:
        raise InvalidArgument(f"no role in {sorted(r.value for r in (roles or ()))} qualifies")
    ordered = sorted(pool, key=lambda r: r.value)
    return st.builds(Actor, st.sampled_from(ordered), identifiers(max_size=8))


# -- phone numbers --------------------------------------------------------------

_EXAMPLE_TYPES = (
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.VOIP,
)


@functools.cache
def _examples(region: str) -> tuple[phonenumbers.PhoneNumber, ...]:
    # Loading a region's metadata costs a few milliseconds, so only regions
    # that are actually drawn are loaded.
    found = []
    for kind in _EXAMPLE_TYPES:
        example = phonenumbers.example_number_for_type(region, kind)
        if example is not None and phonenumbers.is_valid_number(example):
            found.append(example)
    return tuple(found)


def _vary(example: phonenumbers.PhoneNumber, digits: str) -> str:
    """The example with its last digits replaced, if that is still valid; else the example."""
    national = phonenumbers.national_significant_number(example)
    candidate = national[: len(national) - len(digits)] + digits
    parsed = phonenumbers.parse(f"+{example.country_code}{candidate}")
    chosen = parsed if phonenumbers.is_valid_number(parsed) else example
    return phonenumbers.format_number(chosen, phonenumbers.PhoneNumberFormat.E164)


def phone_numbers(regions: Collection[str] | None = None) -> st.SearchStrategy[str]:
    """Valid E.164 numbers (``+14045550100``) from ``phonenumbers``' metadata.

    Each number starts from the region's example number (fixed line, mobile,
    toll free or VoIP) with up to its last four digits redrawn, kept only if
    ``phonenumbers`` still calls it valid.  ``normalize_number`` returns every
    drawn number unchanged.

    Args:
        regions: ISO 3166 alpha-2 regions (default: every region ``phonenumbers`` supports);
            ``("US",)`` gives valid North American numbers.
    """
    pool = sorted(phonenumbers.SUPPORTED_REGIONS if regions is None else regions)
    unknown = sorted(set(pool) - phonenumbers.SUPPORTED_REGIONS)
    if not pool or unknown:
        raise InvalidArgument(f"phone_numbers needs supported regions, got unknown {unknown}")

    regions_ = st.sampled_from(pool)
    tails = st.text("0123456789", min_size=0, max_size=4)

    @st.composite
    def draw_number(draw: st.DrawFn) -> str:
        examples = _examples(draw(regions_))
        example = examples[draw(st.integers(min_value=0, max_value=len(examples) - 1))]
        return _vary(example, draw(tails))

    return draw_number()


# -- records and events built from their annotations -----------------------------


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


# -- line items and orders -----------------------------------------------------


def new_items(
    kinds: Collection[OrderKind] | None = None,
    number_types: Collection[NumberType] | None = None,
    *,
    item_ids: st.SearchStrategy[str | None] | None = None,
) -> st.SearchStrategy[NewItem]:
    """Line items to place: any kind and number type.

    Port-ins and disconnects always name an existing number; a new number is
    either unassigned (None) or one picked from a lookup.

    Args:
        kinds, number_types: what to draw from (default: all).
        item_ids: ids for the items (default: None, so ``Order.place`` numbers them).
    """
    kind_pool = _checked_pool("kinds", OrderKind, kinds)
    type_pool = _checked_pool("number_types", NumberType, number_types)
    regions = st.none() | st.from_regex(r"[A-Z]{2}(-[A-Z0-9]{1,3})?", fullmatch=True)
    kinds_ = st.sampled_from(kind_pool)
    types_ = st.sampled_from(type_pool)
    numbers = phone_numbers()
    maybe_numbers = st.none() | numbers
    ids = item_ids if item_ids is not None else st.none()

    @st.composite
    def draw_item(draw: st.DrawFn) -> NewItem:
        kind = draw(kinds_)
        return NewItem(
            kind=kind,
            number=draw(numbers if kind is not OrderKind.NEW_NUMBER else maybe_numbers),
            number_type=draw(types_),
            region=draw(regions),
            item_id=draw(ids),
        )

    return draw_item()


def port_details() -> st.SearchStrategy[PortDetails]:
    """Port details (LOA facts) a customer could give; PINs are drawn distinctive
    (two letters and six digits) so a test can search stored data and events for them."""
    return st.builds(
        PortDetails,
        authorizing_person=identifiers(max_size=16),
        subscriber_name=st.none() | identifiers(max_size=16),
        losing_account_number=st.none() | st.from_regex(r"[0-9]{4,12}", fullmatch=True),
        pin=st.none() | st.from_regex(r"[A-Z]{2}[0-9]{6}", fullmatch=True),
    )


def new_item_lists(
    kinds: Collection[OrderKind] | None = None,
    number_types: Collection[NumberType] | None = None,
    *,
    min_size: int = 1,
    max_size: int = 20,
) -> st.SearchStrategy[list[NewItem]]:
    """The items of one order: :func:`new_items` with no number twice (an order
    holds each number once; ``Order.place`` raises ``DuplicateNumber`` otherwise)."""
    return st.lists(
        new_items(kinds, number_types), min_size=min_size, max_size=max_size, unique_by=_number_key
    )


def _number_key(item: NewItem) -> object:
    """The stored number of a new item; an item without one never collides."""
    if item.number is None:
        return object()
    return normalize_number(item.number, (item.region or "US")[:2].upper())


E = TypeVar("E", bound=Enum)


def _checked_pool(name: str, enum: type[E], chosen: Collection[E] | None) -> list[E]:
    pool = list(enum) if chosen is None else [enum(c) for c in chosen]
    if not pool:
        raise InvalidArgument(f"{name} must not be empty")
    return sorted(set(pool), key=lambda member: str(member.value))


@attrs.frozen
class _Probe:
    """Stands in for a line item of ``kind`` when asking the machine about a status."""

    kind: OrderKind


@functools.cache
def _edges(kind: OrderKind) -> dict[ItemStatus, tuple[tuple[Trigger, ItemStatus], ...]]:
    probe = _Probe(kind)
    out: dict[ItemStatus, tuple[tuple[Trigger, ItemStatus], ...]] = {}
    for status in ItemStatus:
        steps = []
        for trigger in allowed_triggers(probe, status):
            dest = resolve(probe, status, trigger)
            if dest is not None:
                steps.append((trigger, dest))
        out[status] = tuple(steps)
    return out


@functools.cache
def reachable_statuses(kind: OrderKind) -> frozenset[ItemStatus]:
    """Statuses a line item of ``kind`` can reach from Order Submitted."""
    edges = _edges(kind)
    seen = {ItemStatus.ORDER_SUBMITTED}
    queue = deque(seen)
    while queue:
        for _, dest in edges[queue.popleft()]:
            if dest not in seen:
                seen.add(dest)
                queue.append(dest)
    return frozenset(seen)


@functools.cache
def _distances(kind: OrderKind, target: ItemStatus) -> dict[ItemStatus, int]:
    """Fewest triggers from each status to ``target`` (statuses that cannot reach it are absent)."""
    reverse: dict[ItemStatus, list[ItemStatus]] = {s: [] for s in ItemStatus}
    for source, steps in _edges(kind).items():
        for _, dest in steps:
            reverse[dest].append(source)
    dist = {target: 0}
    queue = deque([target])
    while queue:
        current = queue.popleft()
        for source in reverse[current]:
            if source not in dist:
                dist[source] = dist[current] + 1
                queue.append(source)
    return dist


@attrs.frozen
class FireStep:
    """One event sent to one line item: the arguments of ``Order.fire`` except the time."""

    item_id: str
    trigger: Trigger
    actor: Actor
    note: str | None = None
    committed_date: date | None = None

    def apply(self, order: Order, *, at: datetime) -> HistoryEntry:
        """Fire this step on ``order`` at ``at`` (raises what ``Order.fire`` raises)."""
        return order.fire(
            self.item_id,
            self.trigger,
            actor=self.actor,
            at=at,
            note=self.note,
            committed_date=self.committed_date,
        )


def _latest_moment(order: Order) -> datetime:
    return max(
        (entry.at for item in order.items for entry in item.history), default=order.created_at
    )


def predict_error(order: Order, step: FireStep) -> type[TnorderError] | None:
    """The error class ``step`` raises on ``order`` (None if accepted); ``order`` is not changed.

    The prediction fires the step on a deep copy with the real domain code, so
    it is what any correct service and storage must reproduce.
    """
    trial = copy.deepcopy(order)
    try:
        step.apply(trial, at=_latest_moment(trial))
    except TnorderError as exc:
        return type(exc)
    return None


# Strategies drawn on every step are built once: building one costs more than drawing it.
_PORT_DATE_LEAD = st.integers(min_value=0, max_value=60)
_STEP_GAP = st.timedeltas(min_value=timedelta(0), max_value=_MAX_STEP_GAP)
_NOTES = notes()
_ALL_TRIGGERS = st.sampled_from(list(Trigger))


@functools.cache
def _actors_of(roles: frozenset[Role]) -> st.SearchStrategy[Actor]:
    return actors(roles)


def _step_for(
    draw: st.DrawFn, item_id: str, trigger: Trigger, at: datetime, roles: Collection[Role]
) -> FireStep:
    committed = None
    if trigger is Trigger.RECEIVE_PORT_DATE:
        committed = at.date() + timedelta(days=draw(_PORT_DATE_LEAD))
    return FireStep(
        item_id=item_id,
        trigger=trigger,
        actor=draw(_actors_of(frozenset(roles))),
        note=draw(_NOTES),
        committed_date=committed,
    )


def _walk(draw: st.DrawFn, kind: OrderKind, target: ItemStatus, max_detours: int) -> list[Trigger]:
    """Triggers that take a new item of ``kind`` to ``target``, with up to ``max_detours``
    side trips (e.g. information requested and provided) that can still reach it."""
    dist = _distances(kind, target)
    edges = _edges(kind)
    detours = draw(st.integers(min_value=0, max_value=max_detours)) if max_detours else 0
    status = ItemStatus.ORDER_SUBMITTED
    path: list[Trigger] = []
    while True:
        side_trips = [(t, d) for t, d in edges[status] if d in dist]
        if detours > 0 and side_trips and draw(st.booleans()):
            trigger, status = draw(st.sampled_from(side_trips))
            detours -= 1
        elif status is target:
            return path
        else:
            closer = [(t, d) for t, d in edges[status] if dist.get(d) == dist[status] - 1]
            trigger, status = draw(st.sampled_from(closer))
        path.append(trigger)


def orders(
    *,
    kinds: Collection[OrderKind] | None = None,
    number_types: Collection[NumberType] | None = None,
    statuses: Collection[ItemStatus] | None = None,
    min_items: int = 1,
    max_items: int = 20,
    order_ids: st.SearchStrategy[str] | None = None,
    accounts: st.SearchStrategy[str] | None = None,
    placed_at: st.SearchStrategy[datetime] | None = None,
    max_detours: int = 2,
) -> st.SearchStrategy[Order]:
    """Orders in reachable states, built only through the public API.

    Each order is placed with ``Order.place`` by an actor allowed to place
    orders; then every item is walked to a drawn target status by firing real
    triggers (actors drawn from the roles ``TRIGGER_ROLES`` allows, port dates
    with a committed date, notes of any text), the items' steps interleaved and
    time moving forward between steps.  The events recorded along the way are
    still pending on the order (``order.pull_events()`` hands them over), and
    ``version`` is 0: the order has never been stored.

    Args:
        kinds, number_types: what the items may be (default: all).
        statuses: the statuses items may end in (default: every status their kind can reach).
        min_items, max_items: how many line items (1 to 20 by default).
        order_ids, accounts: strategies for the ids (default: :func:`identifiers`).
        placed_at: when the order was placed (default: :func:`utc_datetimes`).
        max_detours: how many side trips an item may take on its way.
    """
    if not 1 <= min_items <= max_items:
        raise InvalidArgument(f"need 1 <= min_items <= max_items, got {min_items}, {max_items}")
    kind_pool = _checked_pool("kinds", OrderKind, kinds)
    wanted = set(ItemStatus) if statuses is None else {ItemStatus(s) for s in statuses}
    targets = {
        kind: sorted(reachable_statuses(kind) & wanted, key=list(ItemStatus).index)
        for kind in kind_pool
    }
    kind_pool = [kind for kind in kind_pool if targets[kind]]
    if not kind_pool:
        raise InvalidArgument(
            f"no order kind in {sorted(k.value for k in kinds or OrderKind)} "
            f"can reach any of {sorted(s.value for s in wanted)}"
        )
    ids = order_ids if order_ids is not None else _default_order_ids()
    account = accounts if accounts is not None else account_ids()
    placed = placed_at if placed_at is not None else utc_datetimes()
    placers = actors(allowed_to=Trigger.PLACE)
    explicit_ids = st.booleans()

    @st.composite
    def draw_order(draw: st.DrawFn) -> Order:
        order_id = draw(ids)
        new = draw(new_item_lists(kind_pool, number_types, min_size=min_items, max_size=max_items))
        if draw(explicit_ids):
            explicit = draw(
                st.lists(identifiers(), min_size=len(new), max_size=len(new), unique=True)
            )
            new = [
                attrs.evolve(item, item_id=item_id)
                for item, item_id in zip(new, explicit, strict=True)
            ]
        at = draw(placed)
        order = Order.place(order_id, draw(account), new, actor=draw(placers), at=at)
        paths = [
            _walk(draw, item.kind, draw(st.sampled_from(targets[item.kind])), max_detours)
            for item in order.items
        ]
        # Interleave the items' paths (each keeps its own order) so that the
        # history timestamps of different items mix as they do in real orders.
        turns = draw(st.permutations([i for i, path in enumerate(paths) for _ in path]))
        progress = [0] * len(paths)
        for index in turns:
            trigger = paths[index][progress[index]]
            progress[index] += 1
            at += draw(_STEP_GAP)
            step = _step_for(draw, order.items[index].item_id, trigger, at, TRIGGER_ROLES[trigger])
            step.apply(order, at=at)
        return order

    return draw_order()


# -- sequences of events, valid and invalid ----------------------------------------


def fire_steps(
    order: Order, *, valid: bool | None = None, towards: ItemStatus | None = None
) -> st.SearchStrategy[FireStep]:
    """Steps aimed at ``order`` as it is now.

    Args:
        order: the order to aim at (read when this function is called).
        valid: True for steps the order accepts (an allowed trigger by an allowed
            role); False for steps it refuses (a trigger the status does not
            accept, a role that may not fire it, or an item the order does not
            have); None for a mix of both.
        towards: with ``valid=True``, prefer steps that bring an item closer to
            this status (e.g. ``COMPLETED`` to reach deep states quickly); any
            accepted step if no item can get closer.
    """
    if valid is True and order.is_final:
        raise InvalidArgument(f"order {order.order_id!r} accepts no trigger: every item is final")
    snapshot = copy.deepcopy(order)

    @st.composite
    def draw_step(draw: st.DrawFn) -> FireStep:
        return _draw_step(draw, snapshot, valid, towards)

    return draw_step()


_EVERYONE = frozenset(Role)
# Every trigger refuses some role (PLACE is never fired at an item at all).
_RESTRICTED = st.sampled_from([t for t in Trigger if TRIGGER_ROLES[t] != _EVERYONE])
_STRANGERS = identifiers(max_size=8)


def _draw_step(
    draw: st.DrawFn, order: Order, valid: bool | None, towards: ItemStatus | None = None
) -> FireStep:
    snapshot = [(item.item_id, item.allowed_triggers()) for item in order.items]
    accepted = [(item_id, t) for item_id, allowed in snapshot for t in allowed]
    if towards is not None and valid is True:
        closer = [
            (item.item_id, trigger)
            for item in order.items
            for trigger, dest in _edges(item.kind)[item.status]
            if _distances(item.kind, towards).get(dest, 99)
            < _distances(item.kind, towards).get(item.status, 99)
        ]
        accepted = closer or accepted
    at = _latest_moment(order)
    choices = []
    if valid is not False and accepted:
        choices.append("valid")
    if valid is not True:
        choices += ["status", "role", "item"]
    how = draw(st.sampled_from(choices))
    if how == "valid":
        item_id, trigger = draw(st.sampled_from(accepted))
        return _step_for(draw, item_id, trigger, at, TRIGGER_ROLES[trigger])
    if how == "item":
        known = {item_id for item_id, _ in snapshot}
        item_id = draw(_STRANGERS)
        while item_id in known:
            item_id += "?"
        return _step_for(draw, item_id, draw(_ALL_TRIGGERS), at, _EVERYONE)
    item_id, allowed = draw(st.sampled_from(snapshot))
    if how == "role":
        trigger = draw(_RESTRICTED)
        return _step_for(draw, item_id, trigger, at, _EVERYONE - TRIGGER_ROLES[trigger])
    trigger = draw(st.sampled_from([t for t in Trigger if t not in allowed]))
    return _step_for(draw, item_id, trigger, at, TRIGGER_ROLES[trigger])


@attrs.frozen
class EventStep:
    """A step and what it does when applied in sequence: ``error`` is None if accepted."""

    step: FireStep
    error: type[TnorderError] | None


@attrs.frozen
class EventSequence:
    """A freshly drawn order and steps to apply to it in order.

    ``order`` is in its drawn state (the steps have not been applied to it);
    ``steps[i].error`` is what step ``i`` raises after steps ``0..i-1`` were applied.
    """

    order: Order
    steps: tuple[EventStep, ...]

    @property
    def accepted(self) -> tuple[FireStep, ...]:
        return tuple(s.step for s in self.steps if s.error is None)


def event_sequences(
    order_strategy: st.SearchStrategy[Order] | None = None,
    *,
    min_size: int = 1,
    max_size: int = 12,
    valid: bool | None = None,
) -> st.SearchStrategy[EventSequence]:
    """An order with a sequence of steps (valid, invalid, or mixed) and their outcomes.

    Args:
        order_strategy: where the order comes from (default: :func:`orders` of up to 4 items).
        min_size, max_size: how many steps.
        valid: as for :func:`fire_steps`; with True the sequence stops early once
            every item is final.
    """
    if not 0 <= min_size <= max_size:
        raise InvalidArgument(f"need 0 <= min_size <= max_size, got {min_size}, {max_size}")
    source = order_strategy if order_strategy is not None else orders(max_items=4)

    @st.composite
    def draw_sequence(draw: st.DrawFn) -> EventSequence:
        order = draw(source)
        trial = copy.deepcopy(order)
        size = draw(st.integers(min_value=min_size, max_value=max_size))
        steps: list[EventStep] = []
        for _ in range(size):
            if valid is True and trial.is_final:
                break
            step = _draw_step(draw, trial, valid)
            error: type[TnorderError] | None = None
            try:
                step.apply(trial, at=_latest_moment(trial))
            except TnorderError as exc:
                error = type(exc)
            steps.append(EventStep(step, error))
        return EventSequence(order, tuple(steps))

    return draw_sequence()


# -- lookup criteria -----------------------------------------------------------------


def _text_of(alphabet: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=min_size, max_size=max_size)


_DIGITS = string.digits
_UPPER = string.ascii_uppercase
_AREA_CODES = st.builds(
    "{}{}{}".format,
    st.sampled_from("23456789"),
    st.sampled_from("012345678"),
    st.sampled_from(_DIGITS),
).filter(lambda code: code[1:] != "11" and code not in TOLL_FREE_PREFIXES)
_STATES = st.sampled_from(sorted(US_STATES))
_CRITERIA: dict[LookupKind, st.SearchStrategy[dict[str, str]]] = {
    LookupKind.AREA_CODE: st.fixed_dictionaries({"area_code": _AREA_CODES}),
    LookupKind.RATE_CENTER: st.fixed_dictionaries(
        {
            "rate_center": st.builds(
                str.__add__,
                st.sampled_from(_UPPER + _DIGITS),
                _text_of(_UPPER + _DIGITS + " ", 0, 9),
            ).map(str.strip),
            "state": _STATES,
        }
    ),
    LookupKind.STATE: st.fixed_dictionaries({"state": _STATES}),
    LookupKind.CITY: st.fixed_dictionaries(
        {
            "city": st.builds(
                str.__add__, st.sampled_from(_UPPER), _text_of(_UPPER + " .'-", 0, 20)
            ).map(str.strip),
            "state": _STATES,
        }
    ),
    LookupKind.ZIP: st.fixed_dictionaries({"zip_code": _text_of(_DIGITS, 5, 5)}),
    LookupKind.LATA: st.fixed_dictionaries({"lata": _text_of(_DIGITS, 3, 3)}),
    LookupKind.TOLL_FREE_WILDCARD: st.fixed_dictionaries(
        {
            "toll_free_wildcard": st.sampled_from(TOLL_FREE_PREFIXES).flatmap(
                lambda prefix: st.tuples(st.booleans(), st.booleans()).map(
                    lambda stars: (
                        "8"
                        + ("*" if stars[0] else prefix[1])
                        + ("*" if stars[0] or stars[1] else prefix[2])
                    )
                )
            )
        }
    ),
    LookupKind.TOLL_FREE_VANITY: st.fixed_dictionaries(
        {
            "toll_free_vanity": st.tuples(
                st.sampled_from(_UPPER), _text_of(_UPPER + _DIGITS, 3, 6)
            ).flatmap(lambda parts: st.permutations(parts[0] + parts[1]).map("".join))
        }
    ),
}


def lookup_criteria(
    kinds: Collection[LookupKind] | None = None,
    *,
    quantity: st.SearchStrategy[int] | None = None,
) -> st.SearchStrategy[LookupCriteria]:
    """Valid lookup criteria: exactly one criterion of the given kinds (default: all).

    Args:
        kinds: the criteria to draw from.
        quantity: how many numbers are asked for (default 1 to 50).
    """
    pool = _checked_pool("kinds", LookupKind, kinds)
    amounts = quantity if quantity is not None else st.integers(min_value=1, max_value=50)

    @st.composite
    def draw_criteria(draw: st.DrawFn) -> LookupCriteria:
        fields = draw(_CRITERIA[draw(st.sampled_from(pool))])
        return LookupCriteria(quantity=draw(amounts), **fields)

    return draw_criteria()


@attrs.frozen
class InvalidLookupCase:
    """Arguments ``LookupCriteria`` must refuse, and the ``field`` its ``InvalidLookup`` names."""

    arguments: dict[str, Any]
    field: str


# (field the error names, how to break a valid lookup's arguments).
_BREAKS: tuple[tuple[str, st.SearchStrategy[dict[str, Any]]], ...] = (
    ("quantity", st.fixed_dictionaries({"quantity": st.integers(max_value=0), "state": _STATES})),
    ("criteria", st.fixed_dictionaries({"quantity": st.just(1)})),
    (
        "criteria",
        st.fixed_dictionaries(
            {"quantity": st.just(1), "area_code": _AREA_CODES, "zip_code": _text_of(_DIGITS, 5, 5)}
        ),
    ),
    (
        "area_code",
        st.fixed_dictionaries(
            {
                "quantity": st.just(1),
                "area_code": st.sampled_from(TOLL_FREE_PREFIXES)
                | st.sampled_from(["011", "123", "911", "290", "2a1", "20"]),
            }
        ),
    ),
    ("state", st.fixed_dictionaries({"quantity": st.just(1), "rate_center": st.just("CARY")})),
    (
        "state",
        st.fixed_dictionaries({"quantity": st.just(1), "state": st.sampled_from(["ZZ", "XX"])}),
    ),
    (
        "state",
        st.fixed_dictionaries(
            {"quantity": st.just(1), "zip_code": st.just("30301"), "state": _STATES}
        ),
    ),
    (
        "zip_code",
        st.fixed_dictionaries({"quantity": st.just(1), "zip_code": _text_of(_DIGITS, 1, 4)}),
    ),
    ("lata", st.fixed_dictionaries({"quantity": st.just(1), "lata": _text_of(_DIGITS, 4, 6)})),
    (
        "toll_free_wildcard",
        st.fixed_dictionaries(
            {
                "quantity": st.just(1),
                "toll_free_wildcard": st.sampled_from(["9**", "8**8", "81*", "8a*"]),
            }
        ),
    ),
    (
        "toll_free_vanity",
        st.fixed_dictionaries(
            {"quantity": st.just(1), "toll_free_vanity": _text_of(_DIGITS, 4, 7) | st.just("ABC")}
        ),
    ),
    ("lata", st.fixed_dictionaries({"quantity": st.just(1), "lata": st.just("2*4")})),
)


def invalid_lookup_criteria() -> st.SearchStrategy[InvalidLookupCase]:
    """Lookup arguments that ``LookupCriteria`` must refuse with ``InvalidLookup``, each
    with the field the error names (quantity, missing or extra criteria, toll-free or
    malformed area codes, unknown or misplaced states, malformed ZIP, LATA, wildcard
    and vanity values, a wildcard outside a toll-free lookup)."""
    return st.one_of(*(breaker.map(_case_for(field)) for field, breaker in _BREAKS))


def _case_for(field: str) -> Callable[[dict[str, Any]], InvalidLookupCase]:
    return lambda arguments: InvalidLookupCase(arguments, field)


# Types with rules of their own are drawn valid, wherever a record or event holds them.
_BY_TYPE: dict[Any, st.SearchStrategy[Any]] = {LookupCriteria: lookup_criteria()}

# -- carrier update streams ------------------------------------------------------------

_CARRIER_REFS = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=16)
_REASONS = st.none() | st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), min_size=1, max_size=24
).filter(str.strip)
_UPDATE_GAPS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2))
# Steps whose final update may list a verdict per number.
_VERDICT_STEPS = frozenset({CarrierStep.FULFILLED, CarrierStep.PARTIAL, CarrierStep.REJECTED})
_REASON_STEPS = frozenset(
    {
        CarrierStep.REJECTED,
        CarrierStep.NEEDS_INFORMATION,
        CarrierStep.WITHDRAWN,
        CarrierStep.PARTIAL,
    }
)


def carrier_accounts(
    carrier_ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[CarrierAccount]:
    """Carrier accounts (``CarrierAccount``) with drawn ids, names and no options.

    Args:
        carrier_ids: where the carrier ids come from (default: :func:`identifiers`).
    """
    carriers = carrier_ids if carrier_ids is not None else identifiers(max_size=12)
    ids = identifiers(max_size=12).filter(str.strip)
    return st.builds(
        CarrierAccount,
        account_id=ids,
        carrier_id=carriers.filter(str.strip),
        name=st.text(max_size=12),
    )


def carrier_timelines(
    kind: OrderKind | None = None,
    *,
    vocabulary: StatusVocabulary = BANDWIDTH,
    carrier_id: str = "carrier",
    carrier_refs: st.SearchStrategy[str] | None = None,
    numbers: st.SearchStrategy[tuple[str, ...]] | None = None,
    start: st.SearchStrategy[datetime] | None = None,
    max_size: int = 6,
) -> st.SearchStrategy[tuple[CarrierUpdate, ...]]:
    """Everything a carrier reports about one order, oldest first, in its own words.

    A timeline is one or more updates whose status words come from
    ``vocabulary``'s table for the order's kind: any number of words that
    leave the request open (received, processing, FOC, exceptions...), then
    perhaps one final word.  Keys (``at``, then ``sequence``) strictly
    increase.  Port dates ride on FOC and completion updates of port-ins; a
    final update may carry a verdict per number (a partial one both completed
    and failed numbers when it has two or more); rejections and requests for
    information may carry the carrier's reason.

    Args:
        kind: the kind of order (default: any kind the vocabulary has a table for).
        vocabulary: the carrier's status tables (default: Bandwidth's).
        carrier_id: the carrier the updates come from.
        carrier_refs: the carrier's order references (default: short ASCII ids).
        numbers: the order's numbers (default: 1 to 3 distinct US numbers).
        start: when the first update is stamped (default: :func:`utc_datetimes`).
        max_size: the most updates in one timeline.
    """
    if max_size < 1:
        raise InvalidArgument(f"carrier_timelines needs max_size >= 1, got {max_size}")
    kinds = sorted(vocabulary.tables, key=lambda k: k.value) if kind is None else [kind]
    missing = [k.value for k in kinds if k not in vocabulary.tables]
    if missing or not kinds:
        raise InvalidArgument(f"vocabulary {vocabulary.name!r} has no table for {missing}")
    refs = carrier_refs if carrier_refs is not None else _CARRIER_REFS
    order_numbers = (
        numbers
        if numbers is not None
        else st.lists(phone_numbers(["US"]), min_size=1, max_size=3, unique=True).map(tuple)
    )
    starts = (
        start if start is not None else utc_datetimes(max_value=datetime(2090, 1, 1, tzinfo=UTC))
    )

    @st.composite
    def draw_timeline(draw: st.DrawFn) -> tuple[CarrierUpdate, ...]:
        order_kind = draw(st.sampled_from(kinds))
        rows = vocabulary.tables[order_kind].rows
        open_words = sorted(w for w, m in rows.items() if m.request_status.is_open)
        final_words = sorted(w for w, m in rows.items() if not m.request_status.is_open)
        words = draw(st.lists(st.sampled_from(open_words), max_size=max_size - 1))
        if not words or (final_words and draw(st.booleans())):
            words.append(draw(st.sampled_from(final_words or open_words)))
        ref, mine, at = draw(refs), draw(order_numbers), draw(starts)
        timeline = []
        for sequence, word in enumerate(words, start=1):
            at += draw(_UPDATE_GAPS)
            mapping = rows[word]
            final = not mapping.request_status.is_open
            verdicts: tuple[NumberResult, ...] = ()
            if final and mapping.step in _VERDICT_STEPS and draw(st.booleans()):
                verdicts = _verdicts(draw, mapping.step, mine)
            foc: date | None = None
            if order_kind is OrderKind.PORT_IN and mapping.step in (
                CarrierStep.PORT_DATE_SET,
                CarrierStep.FULFILLED,
            ):
                foc = at.date() + timedelta(days=draw(_PORT_DATE_LEAD))
            reason = draw(_REASONS) if mapping.step in _REASON_STEPS else None
            timeline.append(
                CarrierUpdate(
                    carrier_id,
                    ref,
                    order_kind,
                    word,
                    at,
                    sequence=sequence,
                    numbers=verdicts,
                    foc_date=foc,
                    reason=reason,
                )
            )
        return tuple(timeline)

    return draw_timeline()


def _verdicts(
    draw: st.DrawFn, step: CarrierStep, numbers: tuple[str, ...]
) -> tuple[NumberResult, ...]:
    if step is CarrierStep.FULFILLED:
        outcomes = [NumberOutcome.COMPLETED] * len(numbers)
    elif step is CarrierStep.REJECTED:
        outcomes = [NumberOutcome.FAILED] * len(numbers)
    else:
        outcomes = draw(
            st.lists(
                st.sampled_from(list(NumberOutcome)),
                min_size=len(numbers),
                max_size=len(numbers),
            ).filter(lambda picked: len(picked) < 2 or len(set(picked)) == 2)
        )
    return tuple(
        NumberResult(
            number,
            outcome,
            None if outcome is NumberOutcome.COMPLETED else draw(_REASONS),
        )
        for number, outcome in zip(numbers, outcomes, strict=True)
    )


@attrs.frozen
class CarrierUpdateStream:
    """A carrier timeline and the updates as delivered: shuffled, repeated, some missing.

    Attributes:
        timeline: every update of the order, oldest first (carrier order).
        delivered: what arrives, in arrival order.
    """

    timeline: tuple[CarrierUpdate, ...]
    delivered: tuple[CarrierUpdate, ...]

    @property
    def in_order(self) -> tuple[CarrierUpdate, ...]:
        """The delivered updates once each, oldest first: what an orderly carrier sends."""
        return tuple(sorted(set(self.delivered), key=lambda u: u.key))

    @property
    def newest(self) -> CarrierUpdate:
        """The newest update that arrived (the one the end state must reflect)."""
        return max(self.delivered, key=lambda u: u.key)


def carrier_update_streams(
    timeline: Sequence[CarrierUpdate] | st.SearchStrategy[Sequence[CarrierUpdate]] | None = None,
    *,
    complete: bool = False,
    min_size: int = 1,
    max_size: int = 10,
) -> st.SearchStrategy[CarrierUpdateStream]:
    """Deliveries of one order's updates with duplicates and in any order.

    Callbacks and polls arrive late, twice, or not at all; a correct consumer
    ends where the same updates applied once each in carrier order end
    (``stream.in_order``).

    Args:
        timeline: a fixed timeline (``SimulatedCarrier.timeline(ref)``), a
            strategy for one, or None for :func:`carrier_timelines`.
        complete: every update of the timeline arrives at least once.
        min_size, max_size: how many deliveries (with ``complete``, at least
            the timeline's length).
    """
    if not 1 <= min_size <= max_size:
        raise InvalidArgument(f"need 1 <= min_size <= max_size, got {min_size}, {max_size}")
    if timeline is None:
        timelines: st.SearchStrategy[Sequence[CarrierUpdate]] = carrier_timelines()
    elif isinstance(timeline, st.SearchStrategy):
        timelines = timeline
    else:
        fixed = tuple(timeline)
        if not fixed:
            raise InvalidArgument("carrier_update_streams needs a non-empty timeline")
        timelines = st.just(fixed)

    @st.composite
    def draw_stream(draw: st.DrawFn) -> CarrierUpdateStream:
        ordered = tuple(sorted(draw(timelines), key=lambda u: u.key))
        if not ordered:
            raise InvalidArgument("carrier_update_streams got an empty timeline")
        pick = st.sampled_from(ordered)
        if not complete:
            delivered = draw(st.lists(pick, min_size=min_size, max_size=max_size))
        else:
            delivered = list(draw(st.permutations(ordered)))
            room = max(0, max_size - len(delivered))
            extra_min = max(0, min_size - len(delivered))
            for update in draw(st.lists(pick, min_size=min(extra_min, room), max_size=room)):
                delivered.insert(draw(st.integers(0, len(delivered))), update)
        return CarrierUpdateStream(ordered, tuple(delivered))

    return draw_stream()


# -- documents and upload payloads -----------------------------------------------------


@attrs.frozen
class UploadPayload:
    """A file as a browser sends it, which ``validate_upload`` accepts.

    Attributes:
        data: the bytes (a PDF, PNG or JPEG signature, then anything).
        file_name: the customer's file name (perhaps with a client path in front).
        content_type: the declared type (None, or one that agrees with the bytes).
        detected: the content type ``validate_upload`` must report.
    """

    data: bytes
    file_name: str
    content_type: str | None
    detected: str


@attrs.frozen
class InvalidUploadCase:
    """An upload ``validate_upload`` must refuse: ``InvalidDocument`` with ``reason`` and ``field``.

    Each case breaks exactly one rule, so the refusal names that one.
    """

    data: bytes
    file_name: str
    content_type: str | None
    max_bytes: int
    reason: str
    field: str


_CONTENT_TYPES = tuple(ALLOWED_CONTENT_TYPES)
_STEMS = st.builds(
    str.__add__,
    st.characters(codec="utf-8", categories=("L", "N")),
    st.text(
        st.characters(codec="utf-8", categories=("L", "N"), include_characters=" -_()"),
        max_size=20,
    ),
)
_CLIENT_PATHS = st.sampled_from(["", "", "", "C:\\fakepath\\", "/home/customer/Downloads/"])


def _case_variants(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from([text, text.upper(), text.capitalize()])


def _declared(detected: str) -> st.SearchStrategy[str | None]:
    aliases = [detected, detected.upper(), f"{detected}; name=upload"]
    if detected == "image/jpeg":
        aliases.append("image/jpg")
    return st.none() | st.sampled_from(aliases)


def upload_payloads(
    content_types: Collection[str] | None = None, *, max_size: int = 2048
) -> st.SearchStrategy[UploadPayload]:
    """Uploads ``validate_upload`` accepts: PDF, PNG or JPEG signature bytes and anything after.

    File names are in any script, end in an extension the content may claim
    (any case) or in none, and sometimes carry the client path a browser
    sends (``C:\\fakepath\\``); the declared content type is absent or agrees
    with the bytes (``image/jpg`` and parameters included).

    Args:
        content_types: the types to draw (default: every allowed one).
        max_size: the most bytes after the signature.
    """
    pool = sorted(ALLOWED_CONTENT_TYPES if content_types is None else content_types)
    unknown = sorted(set(pool) - set(ALLOWED_CONTENT_TYPES))
    if not pool or unknown:
        raise InvalidArgument(f"upload_payloads needs allowed content types, got {unknown}")

    @st.composite
    def draw_payload(draw: st.DrawFn) -> UploadPayload:
        detected = draw(st.sampled_from(pool))
        signature, extensions = ALLOWED_CONTENT_TYPES[detected]
        data = signature + draw(st.binary(max_size=max_size))
        extension = draw(st.just("") | st.sampled_from(extensions).flatmap(_case_variants))
        name = draw(_CLIENT_PATHS) + draw(_STEMS) + extension
        return UploadPayload(data, name, draw(_declared(detected)), detected)

    return draw_payload()


_BAD_FILE_NAMES = st.sampled_from(
    ["", " ", ".", "..", "uploads/", "C:\\fakepath\\", "bill\x00.pdf", "bill\n.pdf", "a\u200b.pdf"]
) | st.integers(min_value=256, max_value=300).map(lambda n: "b" * n)
_FOREIGN_BYTES = (
    st.sampled_from([b"GIF89a", b"PK\x03\x04", b"II*\x00", b"<html>", b"%PD"])
    .flatmap(lambda head: st.binary(max_size=64).map(lambda tail: head + tail))
    .filter(lambda data: detect_content_type(data) is None)
)


def invalid_upload_payloads() -> st.SearchStrategy[InvalidUploadCase]:
    """Uploads ``validate_upload`` must refuse, each with the ``reason`` and ``field`` of its
    ``InvalidDocument``: empty files, files over ``max_bytes``, file names that name no file
    (empty, ``..``, a bare directory, control characters, over 255 characters), bytes that
    are not PDF, PNG or JPEG, a declared type or a file-name extension the bytes contradict.
    """

    def with_(reason: str, field: str) -> Callable[[tuple[Any, ...]], InvalidUploadCase]:
        def build(parts: tuple[Any, ...]) -> InvalidUploadCase:
            data, file_name, content_type, max_bytes = parts
            return InvalidUploadCase(data, file_name, content_type, max_bytes, reason, field)

        return build

    valid = upload_payloads(max_size=64)
    big = DEFAULT_MAX_UPLOAD_BYTES
    empty = valid.map(lambda p: (b"", p.file_name, p.content_type, big)).map(with_("empty", "data"))
    too_large = valid.map(lambda p: (p.data, p.file_name, p.content_type, len(p.data) - 1)).map(
        with_("too_large", "data")
    )
    bad_name = (
        st.tuples(valid, _BAD_FILE_NAMES)
        .map(lambda pn: (pn[0].data, pn[1], pn[0].content_type, big))
        .map(with_("file_name", "file_name"))
    )
    foreign = (
        st.tuples(_FOREIGN_BYTES, _STEMS)
        .map(lambda ds: (ds[0], ds[1], None, big))
        .map(with_("content_type", "data"))
    )

    @st.composite
    def contradicted(draw: st.DrawFn, by: str) -> InvalidUploadCase:
        payload = draw(valid)
        others = [t for t in _CONTENT_TYPES if t != payload.detected]
        stem = draw(_STEMS)
        if by == "content_type":
            declared = draw(st.sampled_from([*others, "image/gif", "text/plain"]))
            return InvalidUploadCase(
                payload.data, stem, declared, big, "content_type", "content_type"
            )
        wrong = [e for t in others for e in ALLOWED_CONTENT_TYPES[t][1]] + [".gif", ".docx"]
        name = stem + draw(st.sampled_from(wrong))
        return InvalidUploadCase(payload.data, name, None, big, "content_type", "file_name")

    return st.one_of(
        empty, too_large, bad_name, foreign, contradicted("content_type"), contradicted("file_name")
    )


def document_contents(*, max_size: int = 4096) -> st.SearchStrategy[bytes]:
    """Bytes a ``DocumentStorage`` must keep exactly: upload payloads and arbitrary binary
    (empty, NUL bytes, invalid UTF-8 included)."""
    return upload_payloads(max_size=max_size).map(lambda p: p.data) | st.binary(max_size=max_size)


def distinct_account_ids(*, min_size: int = 2, max_size: int = 3) -> st.SearchStrategy[list[str]]:
    """Several different account ids, for tests that one account never sees another's data.

    Some ids are lookalikes of another drawn id (other case, a space before or
    after), so an adapter that folds case or trims ids mixes accounts up and
    is caught.
    """
    if not 1 <= min_size <= max_size:
        raise InvalidArgument(f"need 1 <= min_size <= max_size, got {min_size}, {max_size}")
    fresh = account_ids()

    @st.composite
    def draw_ids(draw: st.DrawFn) -> list[str]:
        size = draw(st.integers(min_value=min_size, max_value=max_size))
        ids = draw(st.lists(fresh, min_size=1, max_size=size, unique=True))
        lookalikes = sorted(
            {v for a in ids for v in (a.upper(), a.lower(), f" {a}", f"{a} ")} - set(ids)
        )
        room = min(size - len(ids), len(lookalikes))
        ids += draw(
            st.lists(st.sampled_from(lookalikes), min_size=room, max_size=room, unique=True)
        )
        while len(ids) < size:
            ids.append(draw(fresh.filter(lambda a: a not in ids)))
        return draw(st.permutations(ids))

    return draw_ids()
