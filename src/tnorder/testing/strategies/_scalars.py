"""Scalars: ids, notes, aware UTC datetimes, actors, distinct account ids.

Part of :mod:`tnorder.testing.strategies`; import from there.
"""

from __future__ import annotations

import string
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ...domain.events import Actor
from ...domain.machine import TRIGGER_ROLES, Trigger
from ...domain.statuses import Role

__all__ = [
    "account_ids",
    "actors",
    "distinct_account_ids",
    "identifiers",
    "notes",
    "order_ids",
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


E = TypeVar("E", bound=Enum)


def _checked_pool(name: str, enum: type[E], chosen: Collection[E] | None) -> list[E]:
    pool = list(enum) if chosen is None else [enum(c) for c in chosen]
    if not pool:
        raise InvalidArgument(f"{name} must not be empty")
    return sorted(set(pool), key=lambda member: str(member.value))
