"""Lookup criteria: exactly one criterion plus a quantity, each validated with a typed error."""

from __future__ import annotations

from typing import Any

import pytest

from tnorder.adapters.bandwidth import BANDWIDTH
from tnorder.domain.carrier import CarrierCapabilities, Fulfilment
from tnorder.domain.lookup import (
    TOLL_FREE_PREFIXES,
    LookupCriteria,
    LookupKind,
    is_toll_free,
    vanity_digits,
    wildcard_matches,
    wildcard_prefixes,
)
from tnorder.errors import CapabilityNotSupported, InvalidLookup, InvalidPhoneNumber

VALID: list[tuple[dict[str, Any], LookupKind, str]] = [
    ({"area_code": "404"}, LookupKind.AREA_CODE, "area code 404"),
    ({"rate_center": "cary", "state": "nc"}, LookupKind.RATE_CENTER, "rate center CARY, NC"),
    ({"state": "GA"}, LookupKind.STATE, "state GA"),
    ({"city": " Atlanta ", "state": "GA"}, LookupKind.CITY, "city ATLANTA, GA"),
    ({"zip_code": "30303"}, LookupKind.ZIP, "ZIP 30303"),
    ({"lata": "438"}, LookupKind.LATA, "LATA 438"),
    ({"toll_free_wildcard": "8**"}, LookupKind.TOLL_FREE_WILDCARD, "toll free wildcard 8**"),
    ({"toll_free_wildcard": "87*"}, LookupKind.TOLL_FREE_WILDCARD, "toll free wildcard 87*"),
    ({"toll_free_vanity": "flowers"}, LookupKind.TOLL_FREE_VANITY, "toll free vanity FLOWERS"),
]


@pytest.mark.parametrize(("fields", "kind", "described"), VALID)
def test_every_criterion_is_accepted_alone(
    fields: dict[str, Any], kind: LookupKind, described: str
) -> None:
    """Each criterion, given alone (rate center and city with their state), is accepted."""
    criteria = LookupCriteria(quantity=3, **fields)
    assert kind == criteria.kind
    assert described == criteria.describe()
    assert 3 == criteria.quantity


def test_text_is_trimmed_and_upper_cased() -> None:
    """Carriers use upper-case names, so input is normalised once, at construction."""
    criteria = LookupCriteria(quantity=1, city="  san francisco ", state=" ca")
    assert ("SAN FRANCISCO", "CA") == (criteria.city, criteria.state)
    assert "SAN FRANCISCO" == criteria.value


def test_vanity_letters_become_keypad_digits() -> None:
    """Vanity letters map to the telephone keypad; digits stay as they are."""
    assert "3569377" == vanity_digits("FLOWERS")
    assert "2277" == vanity_digits("cars")
    assert "4357" == vanity_digits("HELP")
    assert "22771" == vanity_digits("CARS1")
    assert "3569377" == LookupCriteria(quantity=1, toll_free_vanity="Flowers").vanity_digits
    assert LookupCriteria(quantity=1, area_code="404").vanity_digits is None


def test_wildcards_cover_only_toll_free_prefixes() -> None:
    """A wildcard pattern covers the toll-free prefixes it matches, and only those."""
    assert ("877",) == wildcard_prefixes("87*")
    assert ("800", "833", "844", "855", "866", "877", "888") == wildcard_prefixes("8**")
    assert TOLL_FREE_PREFIXES == wildcard_prefixes("8**")
    assert ("855",) == wildcard_prefixes("8*5")
    assert ("888",) == wildcard_prefixes("888")
    assert () == wildcard_prefixes("81*")
    assert wildcard_matches("87*", "+18775550100")
    assert not wildcard_matches("87*", "+18885550100")
    assert not wildcard_matches("8**", "+14045550100")


def test_toll_free_kinds_are_flagged() -> None:
    """Wildcard and vanity lookups are toll-free lookups; the others are not."""
    assert LookupCriteria(quantity=1, toll_free_wildcard="8**").is_toll_free
    assert LookupCriteria(quantity=1, toll_free_vanity="CARS").is_toll_free
    assert not LookupCriteria(quantity=1, area_code="404").is_toll_free


def test_numbers_are_classified_with_phonenumbers() -> None:
    """Toll-free numbers are recognised from phonenumbers' metadata."""
    assert is_toll_free("+18005550100")
    assert is_toll_free("+18775550100")
    assert not is_toll_free("+14045550100")
    with pytest.raises(InvalidPhoneNumber, match=r"not a telephone number: 'not a number'"):
        is_toll_free("not a number")


INVALID: list[tuple[dict[str, Any], str]] = [
    ({"area_code": "40"}, "area_code"),  # two digits
    ({"area_code": "4045"}, "area_code"),
    ({"area_code": "104"}, "area_code"),  # NXX: N is 2-9
    ({"area_code": "490"}, "area_code"),  # N9X is reserved
    ({"area_code": "911"}, "area_code"),  # N11 is a service code
    ({"area_code": "800"}, "area_code"),  # toll-free prefix
    ({"area_code": "4**"}, "area_code"),  # wildcard outside toll-free
    ({"area_code": ""}, "area_code"),
    ({"area_code": 404}, "area_code"),
    ({"state": "ZZ"}, "state"),
    ({"state": "Georgia"}, "state"),
    ({"rate_center": "CARY"}, "state"),  # rate center needs a state
    ({"rate_center": "CARY", "state": "XX"}, "state"),
    ({"rate_center": "A VERY LONG NAME", "state": "NC"}, "rate_center"),
    ({"city": "ATLANTA"}, "state"),  # city needs a state
    ({"city": "ATL4NTA", "state": "GA"}, "city"),
    ({"city": "AT*", "state": "GA"}, "city"),
    ({"area_code": "404", "state": "GA"}, "state"),  # state goes with rate center or city only
    ({"zip_code": "3030"}, "zip_code"),
    ({"zip_code": "30303-1234"}, "zip_code"),
    ({"lata": "43"}, "lata"),
    ({"lata": "4*8"}, "lata"),
    ({"toll_free_wildcard": "4**"}, "toll_free_wildcard"),  # not a toll-free prefix
    ({"toll_free_wildcard": "81*"}, "toll_free_wildcard"),  # covers no toll-free prefix
    ({"toll_free_wildcard": "8***"}, "toll_free_wildcard"),
    ({"toll_free_wildcard": "8?*"}, "toll_free_wildcard"),
    ({"toll_free_vanity": "CAR"}, "toll_free_vanity"),  # too short
    ({"toll_free_vanity": "FLOWERSS"}, "toll_free_vanity"),  # too long
    ({"toll_free_vanity": "12345"}, "toll_free_vanity"),  # no letter
    ({"toll_free_vanity": "CA*S"}, "toll_free_vanity"),
    ({"area_code": "404", "zip_code": "30303"}, "criteria"),  # two criteria
    ({}, "criteria"),  # none
]


@pytest.mark.parametrize(("fields", "field"), INVALID)
def test_invalid_criteria_name_the_field(fields: dict[str, Any], field: str) -> None:
    """Every invalid lookup raises InvalidLookup naming the offending field."""
    with pytest.raises(InvalidLookup) as info:
        LookupCriteria(quantity=1, **fields)
    assert field == info.value.field
    assert isinstance(info.value, ValueError)


def test_wildcard_outside_toll_free_says_so() -> None:
    """A wildcard in a local criterion is refused with a message about toll-free lookups."""
    with pytest.raises(InvalidLookup, match="only allowed in a toll-free lookup"):
        LookupCriteria(quantity=1, area_code="4**")


@pytest.mark.parametrize("quantity", [0, -1, True, 2.0, "5", None])
def test_quantity_must_be_a_positive_integer(quantity: Any) -> None:
    """Quantity 0, negatives and non-integers are refused with field ``quantity``."""
    with pytest.raises(InvalidLookup) as info:
        LookupCriteria(quantity=quantity, area_code="404")
    assert "quantity" == info.value.field


def _capabilities(**overrides: Any) -> CarrierCapabilities:
    fields: dict[str, Any] = {"fulfilment": Fulfilment.REALTIME, "vocabulary": BANDWIDTH}
    fields.update(overrides)
    return CarrierCapabilities(**fields)


def test_quantity_above_the_carriers_limit_is_refused() -> None:
    """A quantity above the carrier's maximum raises InvalidLookup on ``quantity``."""
    caps = _capabilities(max_quantity=10)
    caps.check_lookup(LookupCriteria(quantity=10, area_code="404"), carrier_id="c")
    with pytest.raises(InvalidLookup, match="limit of 10") as info:
        caps.check_lookup(LookupCriteria(quantity=11, area_code="404"), carrier_id="c")
    assert "quantity" == info.value.field


def test_criterion_the_carrier_cannot_search_is_refused() -> None:
    """A criterion outside the carrier's declared lookup kinds is CapabilityNotSupported."""
    caps = _capabilities(lookup_kinds=[LookupKind.AREA_CODE])
    with pytest.raises(CapabilityNotSupported) as info:
        caps.check_lookup(LookupCriteria(quantity=1, lata="438"), carrier_id="c")
    assert ("c", "lookup:lata") == (info.value.carrier_id, info.value.capability)
