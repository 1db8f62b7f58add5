"""Number lookup criteria, valid and broken in exactly one way.

Part of :mod:`tnorder.testing.strategies`; import from there.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Collection
from typing import Any

import attrs
from hypothesis import strategies as st

from ...domain.lookup import TOLL_FREE_PREFIXES, US_STATES, LookupCriteria, LookupKind
from ._scalars import _checked_pool

__all__ = ["InvalidLookupCase", "invalid_lookup_criteria", "lookup_criteria"]


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
