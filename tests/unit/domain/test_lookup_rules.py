"""Lookup rules the other lookup tests leave open: toll-free numbers and area codes.

NANP toll-free numbers are the 8XX codes (800, 833, 844, 855, 866, 877, 888),
read by ``phonenumbers``; an area code is ``NXX`` (first digit 2-9, never
``N9X`` or an ``N11`` service code).  Refusals name the field and quote the value.
"""

from __future__ import annotations

import pytest

from tnorder import InvalidLookup, InvalidPhoneNumber
from tnorder.domain.lookup import LookupCriteria, is_toll_free


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+18005550199", True),
        ("800 555 0199", True),
        ("(888) 555-0199", True),
        ("+14045550100", False),
        ("404 555 0100", False),
    ],
)
def test_toll_free_numbers_are_told_apart_national_ones_read_as_nanp(
    number: str, expected: bool
) -> None:
    """A national number without ``+1`` is read as a North American one."""
    assert expected == is_toll_free(number)


@pytest.mark.parametrize("number", ["abc", ""])
def test_text_that_is_no_number_is_refused_naming_the_field(number: str) -> None:
    """Not a number: InvalidPhoneNumber on ``number`` quoting the text."""
    with pytest.raises(InvalidPhoneNumber) as caught:
        is_toll_free(number)
    assert ("number", f"not a telephone number: {number!r}") == (
        caught.value.field,
        str(caught.value),
    )


@pytest.mark.parametrize("prefix", ["800", "833", "888"])
def test_a_toll_free_prefix_is_not_an_area_code(prefix: str) -> None:
    """A toll-free prefix as an area code points to the toll-free wildcard lookup."""
    with pytest.raises(InvalidLookup) as caught:
        LookupCriteria(quantity=1, area_code=prefix)
    assert ("area_code", f"{prefix} is a toll-free prefix; use a toll-free wildcard lookup") == (
        caught.value.field,
        str(caught.value),
    )


@pytest.mark.parametrize("code", ["191", "411", "291", "20"])
def test_an_area_code_must_be_nxx(code: str) -> None:
    """``1XX``, ``N11`` and ``N9X`` are refused with the NXX rule and the value."""
    with pytest.raises(InvalidLookup) as caught:
        LookupCriteria(quantity=1, area_code=code)
    assert (
        "area_code",
        f"area code must be 3 digits NXX (first 2-9, not N9X or N11), got {code!r}",
    ) == (caught.value.field, str(caught.value))


_WILDCARD_RULE = (
    "must be 3 characters (digits or *) covering a toll-free prefix "
    "(800, 833, 844, 855, 866, 877, 888), e.g. '8**' or '87*'"
)
_VANITY_RULE = (
    "toll-free vanity must be 4 to 7 letters or digits with at least one letter "
    "(the part after the prefix), got "
)


@pytest.mark.parametrize(
    ("criteria", "field", "message"),
    [
        ({"state": ""}, "state", "state must be a non-empty string"),
        ({"state": 5}, "state", "state must be a non-empty string"),
        (
            {"state": "N*"},
            "state",
            "wildcards are only allowed in a toll-free lookup, not in state 'N*'",
        ),
        (
            {"rate_center": "TOO LONG NAME", "state": "NC"},
            "rate_center",
            "rate center must be up to 10 letters, digits or spaces, got 'TOO LONG NAME'",
        ),
        ({"city": "123", "state": "NC"}, "city", "not a city name: '123'"),
        ({"zip_code": "1234"}, "zip_code", "ZIP code must be 5 digits, got '1234'"),
        ({"lata": "12"}, "lata", "LATA must be 3 digits, got '12'"),
        (
            {"toll_free_wildcard": "7**"},
            "toll_free_wildcard",
            f"toll-free wildcard '7**' {_WILDCARD_RULE}",
        ),
        (
            {"toll_free_wildcard": "82*"},
            "toll_free_wildcard",
            f"toll-free wildcard '82*' {_WILDCARD_RULE}",
        ),
        ({"toll_free_vanity": "1234"}, "toll_free_vanity", f"{_VANITY_RULE}'1234'"),
        ({"toll_free_vanity": "AB"}, "toll_free_vanity", f"{_VANITY_RULE}'AB'"),
    ],
)
def test_each_refusal_names_its_field_and_states_the_rule(
    criteria: dict[str, object], field: str, message: str
) -> None:
    """Every criterion's refusal names the field and says the rule with the value given
    (the state is checked like any criterion, also when it is the only one)."""
    with pytest.raises(InvalidLookup) as caught:
        LookupCriteria(quantity=1, **criteria)  # type: ignore[arg-type]
    assert (field, message) == (caught.value.field, str(caught.value))


def test_an_empty_criterion_is_named_by_its_label() -> None:
    """An empty area code says "area code must be a non-empty string"."""
    with pytest.raises(InvalidLookup) as caught:
        LookupCriteria(quantity=1, area_code="")
    assert ("area_code", "area code must be a non-empty string") == (
        caught.value.field,
        str(caught.value),
    )


def test_two_criteria_are_refused_listing_both() -> None:
    """A lookup names exactly one criterion; the refusal lists those given, in order."""
    with pytest.raises(InvalidLookup) as caught:
        LookupCriteria(quantity=1, zip_code="27513", lata="123")
    assert ("criteria", "give exactly one lookup criterion, got zip_code, lata") == (
        caught.value.field,
        str(caught.value),
    )


def test_no_criterion_is_refused_listing_every_kind() -> None:
    """Without a criterion the refusal lists all eight kinds."""
    with pytest.raises(InvalidLookup) as caught:
        LookupCriteria(quantity=1)
    assert (
        "criteria",
        "give one lookup criterion: area_code, rate_center, state, city, zip_code, lata, "
        "toll_free_wildcard, toll_free_vanity",
    ) == (caught.value.field, str(caught.value))


@pytest.mark.parametrize(
    ("quantity", "criteria", "field", "message"),
    [
        (1, {"state": "ZZ"}, "state", "unknown state 'ZZ'"),
        (
            1,
            {"zip_code": "27513", "state": "NC"},
            "state",
            "state is only combined with a rate center or a city, not with ZIP",
        ),
        (1, {"city": "CARY"}, "state", "a city lookup needs a state"),
        (1, {"rate_center": "CARY"}, "state", "a rate center lookup needs a state"),
        ("2", {"state": "NC"}, "quantity", "quantity must be an integer, got '2'"),
        (True, {"state": "NC"}, "quantity", "quantity must be an integer, got True"),
        (0, {"state": "NC"}, "quantity", "quantity must be at least 1, got 0"),
    ],
)
def test_state_and_quantity_refusals_say_what_is_wrong(
    quantity: object, criteria: dict[str, str], field: str, message: str
) -> None:
    """States are USPS codes, go only with rate centers and cities (which need one),
    and a quantity is a whole number of at least 1 (a bool is not a number here)."""
    with pytest.raises(InvalidLookup) as caught:
        LookupCriteria(quantity=quantity, **criteria)  # type: ignore[arg-type]
    assert (field, message) == (caught.value.field, str(caught.value))
