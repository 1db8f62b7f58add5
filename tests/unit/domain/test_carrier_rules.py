"""Carrier vocabulary, capabilities and payloads, written down from the carrier guide (seed 002).

The guide's rules: status words are matched whatever their case and spacing
and never guessed; a carrier declares what it can do (disconnect, port-in,
lookup kinds, a maximum quantity) and is refused anything else; a malformed
carrier payload is the carrier's fault (``CarrierProtocolError``) and a bad
caller value is the caller's (``ValidationError``), each naming what was wrong.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

import pytest

from tnorder.domain.carrier import (
    AvailableNumber,
    CarrierCapabilities,
    CarrierOrderRef,
    CarrierStep,
    CarrierSubmission,
    CarrierUpdate,
    Fulfilment,
    NumberDetails,
    NumberOutcome,
    NumberResult,
    PortDetails,
    RequestStatus,
    Reservation,
    StatusMapping,
    StatusTable,
    StatusVocabulary,
    UpdateKey,
)
from tnorder.domain.lookup import LookupCriteria, LookupKind
from tnorder.domain.statuses import OrderKind
from tnorder.errors import (
    CapabilityNotSupported,
    CarrierProtocolError,
    InvalidLookup,
    InvalidPhoneNumber,
    UnknownCarrierStatus,
    ValidationError,
)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
N1 = "+14045550100"
N2 = "+14045550101"

DONE = StatusMapping(CarrierStep.FULFILLED, RequestStatus.COMPLETED)
WAIT = StatusMapping(CarrierStep.NEEDS_INFORMATION, RequestStatus.ACTION_REQUIRED, "Send the LOA")
TABLE = StatusTable("acme/new", {"COMPLETE": DONE, "EXCEPTION": WAIT})
VOCABULARY = StatusVocabulary("acme", {OrderKind.NEW_NUMBER: TABLE})


class _NoOffset(tzinfo):
    """A tzinfo that reports no offset: the datetime counts as naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None


# -- vocabulary -------------------------------------------------------------------------------


def test_open_request_statuses() -> None:
    """Reserved, submitting, pending and action required are open; the rest are final."""
    opened = {s for s in RequestStatus if s.is_open}
    assert {
        RequestStatus.RESERVED,
        RequestStatus.SUBMITTING,
        RequestStatus.PENDING,
        RequestStatus.ACTION_REQUIRED,
    } == opened


def test_a_status_mapping_has_no_note_by_default() -> None:
    """A mapping without a note says nothing to the customer."""
    assert DONE.note is None
    assert "Send the LOA" == WAIT.note


@pytest.mark.parametrize("word", ["COMPLETE", "complete", "  Complete\t", "\nCOMPLETE "])
def test_a_status_word_is_matched_trimmed_and_upper_cased(word: str) -> None:
    """Case and surrounding white space do not matter."""
    assert DONE is TABLE.map(word)
    assert WAIT is TABLE.map(word.upper().replace("COMPLETE", "exception"))


def test_an_unknown_word_is_refused_naming_table_and_carrier() -> None:
    """An unknown word raises ``UnknownCarrierStatus`` with the word as given, the table's name."""
    with pytest.raises(UnknownCarrierStatus, match=r"^unknown acme/new status ' Lost '$") as caught:
        TABLE.map(" Lost ", carrier_id="acme")
    error = caught.value
    assert (" Lost ", "acme/new", "acme", " Lost ") == (
        error.status,
        error.vocabulary,
        error.carrier_id,
        error.code,
    )


def test_an_unknown_word_without_a_carrier() -> None:
    """Without ``carrier_id`` the error names none."""
    with pytest.raises(UnknownCarrierStatus) as caught:
        TABLE.map("LOST")
    assert caught.value.carrier_id is None


def test_a_table_can_report_under_another_vocabulary_name() -> None:
    """``vocabulary=`` replaces the table's name in the refusal."""
    with pytest.raises(UnknownCarrierStatus, match=r"^unknown acme/x status 'LOST'$") as caught:
        TABLE.map("LOST", vocabulary="acme/x")
    assert "acme/x" == caught.value.vocabulary


def test_a_non_text_status_is_unknown_not_a_crash() -> None:
    """A status that is not a string is refused as unknown (its text in the message)."""
    with pytest.raises(UnknownCarrierStatus, match=r"^unknown acme/new status '7'$") as caught:
        TABLE.map(7)  # type: ignore[arg-type]
    assert "7" == caught.value.status


def test_an_unhashable_status_is_unknown_not_a_crash() -> None:
    """A status the table cannot even look up (a list) is refused as unknown."""
    with pytest.raises(UnknownCarrierStatus, match=r"^unknown acme/new status \"\['COMPLETE'\]\"$"):
        TABLE.map(["COMPLETE"])  # type: ignore[arg-type]


def test_a_vocabulary_maps_by_kind() -> None:
    """A vocabulary reads the word in the kind's table."""
    assert DONE is VOCABULARY.map(OrderKind.NEW_NUMBER, " complete ", carrier_id="acme")


def test_a_vocabulary_names_kind_in_refusals() -> None:
    """An unknown word, or a kind with no table, is refused as ``<name>/<kind>``."""
    with pytest.raises(
        UnknownCarrierStatus, match=r"^unknown acme/new_number status 'LOST'$"
    ) as caught:
        VOCABULARY.map(OrderKind.NEW_NUMBER, "LOST", carrier_id="acme")
    assert ("acme/new_number", "acme") == (caught.value.vocabulary, caught.value.carrier_id)
    with pytest.raises(
        UnknownCarrierStatus, match=r"^unknown acme/port_in status 'COMPLETE'$"
    ) as caught:
        VOCABULARY.map(OrderKind.PORT_IN, "COMPLETE", carrier_id="acme")
    assert ("acme/port_in", "acme", "COMPLETE") == (
        caught.value.vocabulary,
        caught.value.carrier_id,
        caught.value.status,
    )


def test_tables_and_vocabularies_are_hashable() -> None:
    """Their row mappings are left out of the hash, so both can be set members."""
    assert 2 == len({TABLE, VOCABULARY})


# -- capabilities -------------------------------------------------------------------------------


def _capabilities(**kwargs: object) -> CarrierCapabilities:
    return CarrierCapabilities(Fulfilment.REQUEST_AND_WAIT, VOCABULARY, **kwargs)  # type: ignore[arg-type]


def test_shipped_capability_defaults() -> None:
    """By default a carrier does neither disconnects nor ports, every lookup kind, 100 numbers."""
    capabilities = _capabilities()
    assert (False, False, frozenset(LookupKind), 100) == (
        capabilities.supports_disconnect,
        capabilities.supports_port_in,
        capabilities.lookup_kinds,
        capabilities.max_quantity,
    )


def test_lookup_kinds_are_kept_as_a_frozenset() -> None:
    """Any iterable of kinds becomes a frozenset."""
    capabilities = _capabilities(lookup_kinds=[LookupKind.AREA_CODE, LookupKind.AREA_CODE])
    assert frozenset({LookupKind.AREA_CODE}) == capabilities.lookup_kinds


@pytest.mark.parametrize("value", [0, -5, True, 1.5, "10"])
def test_max_quantity_must_be_a_positive_integer(value: object) -> None:
    """Zero, a negative, a bool, a float or a string is refused, naming ``max_quantity``."""
    with pytest.raises(
        ValidationError, match=r"^max_quantity must be a positive integer$"
    ) as caught:
        _capabilities(max_quantity=value)
    assert "max_quantity" == caught.value.field


def test_a_max_quantity_of_one_is_accepted() -> None:
    """One is the smallest limit."""
    assert 1 == _capabilities(max_quantity=1).max_quantity


def test_a_lookup_by_an_unsupported_kind_is_refused() -> None:
    """A criterion the carrier cannot search by names the carrier and ``lookup:<kind>``."""
    capabilities = _capabilities(lookup_kinds=[LookupKind.STATE])
    with pytest.raises(
        CapabilityNotSupported, match=r"^carrier 'acme' cannot look numbers up by area code$"
    ) as caught:
        capabilities.check_lookup(LookupCriteria(5, area_code="404"), carrier_id="acme")
    assert ("acme", "lookup:area_code") == (caught.value.carrier_id, caught.value.capability)
    capabilities.check_lookup(LookupCriteria(5, state="GA"), carrier_id="acme")


def test_a_lookup_over_the_limit_is_refused_and_at_it_accepted() -> None:
    """Exactly ``max_quantity`` passes; one more names ``quantity`` and both figures."""
    capabilities = _capabilities(max_quantity=10)
    capabilities.check_lookup(LookupCriteria(10, area_code="404"), carrier_id="acme")
    with pytest.raises(
        InvalidLookup, match=r"^quantity 11 is above carrier 'acme''s limit of 10$"
    ) as caught:
        capabilities.check_lookup(LookupCriteria(11, area_code="404"), carrier_id="acme")
    assert "quantity" == caught.value.field


def test_a_disconnect_needs_the_capability() -> None:
    """Without ``supports_disconnect`` a disconnect is refused naming ``disconnect``."""
    with pytest.raises(
        CapabilityNotSupported, match=r"^carrier 'acme' does not support disconnecting numbers$"
    ) as caught:
        _capabilities(supports_port_in=True).require(OrderKind.DISCONNECT, carrier_id="acme")
    assert ("acme", "disconnect") == (caught.value.carrier_id, caught.value.capability)
    _capabilities(supports_disconnect=True).require(OrderKind.DISCONNECT, carrier_id="acme")


def test_a_port_in_needs_the_capability() -> None:
    """Without ``supports_port_in`` a port-in is refused naming ``port_in``."""
    with pytest.raises(
        CapabilityNotSupported, match=r"^carrier 'acme' does not support port-in requests$"
    ) as caught:
        _capabilities(supports_disconnect=True).require(OrderKind.PORT_IN, carrier_id="acme")
    assert ("acme", "port_in") == (caught.value.carrier_id, caught.value.capability)
    _capabilities(supports_port_in=True).require(OrderKind.PORT_IN, carrier_id="acme")


def test_new_numbers_need_no_capability() -> None:
    """Every carrier takes new-number requests."""
    _capabilities().require(OrderKind.NEW_NUMBER, carrier_id="acme")


# -- payloads -----------------------------------------------------------------------------------


def test_an_offered_number_is_normalised_and_keeps_its_details() -> None:
    """The number is stored in E.164; the details and region come from what the carrier said."""
    offered = AvailableNumber("(404) 555-0100", "ATLANTA", "GA", "Atlanta", "438")
    assert N1 == offered.number
    assert NumberDetails("ATLANTA", "GA", "Atlanta", "438") == offered.details
    assert "US-GA" == offered.region


def test_a_region_without_a_state_is_the_country() -> None:
    """No state (None or empty) gives ``"US"``."""
    assert "US" == AvailableNumber(N1).region
    assert "US" == NumberDetails(state="").region
    assert (None, None, None, None) == (
        NumberDetails().rate_center,
        NumberDetails().state,
        NumberDetails().city,
        NumberDetails().lata,
    )


def test_a_bad_carrier_number_is_a_protocol_error() -> None:
    """A number the carrier sent that is not a phone number is the carrier's fault."""
    with pytest.raises(
        CarrierProtocolError, match=r"^carrier sent an invalid number 'garbage'$"
    ) as caught:
        AvailableNumber("garbage")
    assert isinstance(caught.value.__cause__, InvalidPhoneNumber)


def test_a_reservation_keeps_its_fields() -> None:
    """A hold keeps the E.164 number, its id and its aware expiry."""
    hold = Reservation("4045550100", "r-1", AT)
    assert (N1, "r-1", AT) == (hold.number, hold.reservation_id, hold.expires_at)


@pytest.mark.parametrize("reservation_id", ["", None, 5])
def test_a_reservation_needs_an_id(reservation_id: object) -> None:
    """An empty or non-text reservation id is a protocol error."""
    with pytest.raises(CarrierProtocolError, match=r"^a reservation needs a reservation id$"):
        Reservation(N1, reservation_id, AT)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "expires_at",
    [datetime(2026, 3, 2, 9, 0), datetime(2026, 3, 2, tzinfo=_NoOffset()), "2026-03-02"],
)
def test_a_reservation_expiry_must_be_aware(expires_at: object) -> None:
    """A naive (or offset-less) expiry, or not a datetime at all, is a protocol error."""
    with pytest.raises(
        CarrierProtocolError,
        match=r"^reservation expiry must be a timezone-aware datetime, got "
        + re.escape(repr(expires_at)),
    ):
        Reservation(N1, "r-1", expires_at)  # type: ignore[arg-type]


def test_port_details_defaults() -> None:
    """Only the authorizing person is required; the rest defaults to empty."""
    port = PortDetails("Ada Lovelace")
    assert ("Ada Lovelace", None, None, None, None, None, {}) == (
        port.authorizing_person,
        port.subscriber_name,
        port.billing_number,
        port.losing_account_number,
        port.pin,
        port.requested_date,
        port.extra,
    )


def test_port_details_keep_their_values() -> None:
    """Every fact is kept; the billing number in E.164 and the PIN out of the repr."""
    port = PortDetails(
        "Ada",
        subscriber_name="Acme",
        billing_number="404-555-0100",
        losing_account_number="77",
        pin="1234",
        requested_date=date(2026, 4, 1),
        extra={"btn": "x"},
    )
    assert ("Acme", N1, "77", "1234", date(2026, 4, 1), {"btn": "x"}) == (
        port.subscriber_name,
        port.billing_number,
        port.losing_account_number,
        port.pin,
        port.requested_date,
        port.extra,
    )
    assert "1234" not in repr(port)
    assert hash(port) == hash(
        PortDetails(
            "Ada",
            subscriber_name="Acme",
            billing_number=N1,
            losing_account_number="77",
            pin="1234",
            requested_date=date(2026, 4, 1),
            extra={"btn": "y"},
        )
    )


@pytest.mark.parametrize("field", ["subscriber_name", "losing_account_number", "pin"])
def test_port_text_fields_are_checked_naming_the_field(field: str) -> None:
    """A non-text subscriber name, losing account number or PIN names its field."""
    with pytest.raises(ValidationError, match=rf"^{field} must be a string, got int$") as caught:
        PortDetails("Ada", **{field: 5})  # type: ignore[arg-type]
    assert field == caught.value.field


def test_port_extra_must_be_text() -> None:
    """``extra`` must map text to text, naming ``extra``."""
    with pytest.raises(ValidationError, match=r"^extra must be a mapping") as caught:
        PortDetails("Ada", extra=["x"])  # type: ignore[arg-type]
    assert "extra" == caught.value.field


@pytest.mark.parametrize("value", [datetime(2026, 4, 1, tzinfo=UTC), "2026-04-01"])
def test_a_requested_port_date_is_a_calendar_day(value: object) -> None:
    """A datetime or a string is refused, naming ``requested_date``."""
    with pytest.raises(
        ValidationError, match=rf"^requested_date must be a date, got {re.escape(repr(value))}$"
    ) as caught:
        PortDetails("Ada", requested_date=value)  # type: ignore[arg-type]
    assert "requested_date" == caught.value.field


@pytest.mark.parametrize("person", ["", "  ", None])
def test_port_details_need_an_authorizing_person(person: object) -> None:
    """A blank authorizing person is refused, naming the field."""
    with pytest.raises(ValidationError, match=r"^authorizing_person must be a non-empty") as caught:
        PortDetails(person)  # type: ignore[arg-type]
    assert "authorizing_person" == caught.value.field


def test_a_submission_normalises_and_keeps_its_fields() -> None:
    """Numbers are E.164 tuples; reservation ids a tuple; the rest as given."""
    submission = CarrierSubmission(
        OrderKind.NEW_NUMBER, "req-1", iter(["404 555 0100"]), iter(["r-1"]), supplements="X"
    )
    assert (OrderKind.NEW_NUMBER, "req-1", (N1,), ("r-1",), None, "X") == (
        submission.kind,
        submission.request_id,
        submission.numbers,
        submission.reservation_ids,
        submission.port,
        submission.supplements,
    )
    assert () == CarrierSubmission(OrderKind.DISCONNECT, "req-2", [N1]).reservation_ids
    assert CarrierSubmission(OrderKind.DISCONNECT, "req-2", [N1]).supplements is None


def test_a_submission_needs_distinct_numbers() -> None:
    """No number, or one number twice (after normalising), is refused naming ``numbers``."""
    with pytest.raises(
        ValidationError, match=r"^a carrier order needs at least one number$"
    ) as caught:
        CarrierSubmission(OrderKind.NEW_NUMBER, "req-1", [])
    assert "numbers" == caught.value.field
    with pytest.raises(ValidationError, match=r"^a carrier order lists a number twice$") as caught:
        CarrierSubmission(OrderKind.NEW_NUMBER, "req-1", [N1, "4045550100"])
    assert "numbers" == caught.value.field


def test_port_details_go_with_port_ins_only() -> None:
    """A port-in needs port details, and nothing else may carry them."""
    message = "^port details are required for port-ins and only for port-ins$"
    with pytest.raises(ValidationError, match=message) as caught:
        CarrierSubmission(OrderKind.PORT_IN, "req-1", [N1])
    assert "port" == caught.value.field
    with pytest.raises(ValidationError, match=message):
        CarrierSubmission(OrderKind.NEW_NUMBER, "req-1", [N1], port=PortDetails("Ada"))
    port_in = CarrierSubmission(OrderKind.PORT_IN, "req-1", [N1], port=PortDetails("Ada"))
    assert PortDetails("Ada") == port_in.port


def test_update_keys_order_by_time_then_sequence() -> None:
    """Later time wins; at the same time the higher sequence wins; sequence defaults to 0."""
    assert 0 == UpdateKey(AT).sequence
    assert UpdateKey(AT, 5) < UpdateKey(AT + timedelta(seconds=1), 0)
    assert UpdateKey(AT, 1) < UpdateKey(AT, 2)


def test_a_number_result_is_normalised() -> None:
    """A verdict's number is E.164; its reason defaults to none."""
    result = NumberResult("4045550100", NumberOutcome.FAILED)
    assert (N1, NumberOutcome.FAILED, None) == (result.number, result.outcome, result.reason)


def _update(**kwargs: object) -> CarrierUpdate:
    fields: dict[str, object] = {
        "carrier_id": "acme",
        "carrier_ref": "ref-1",
        "kind": OrderKind.PORT_IN,
        "status": "FOC",
        "at": AT,
    }
    fields.update(kwargs)
    return CarrierUpdate(**fields)  # type: ignore[arg-type]


def test_an_update_keeps_its_fields_and_defaults() -> None:
    """An update keeps what the carrier said; sequence 0, no numbers, no date, no reason."""
    update = _update()
    assert ("acme", "ref-1", OrderKind.PORT_IN, "FOC", AT, 0, (), None, None) == (
        update.carrier_id,
        update.carrier_ref,
        update.kind,
        update.status,
        update.at,
        update.sequence,
        update.numbers,
        update.foc_date,
        update.reason,
    )
    assert UpdateKey(AT, 0) == update.key
    assert CarrierOrderRef(OrderKind.PORT_IN, "ref-1") == update.ref


def test_an_update_keeps_numbers_as_a_tuple() -> None:
    """Per-number verdicts from any iterable are kept in order; key carries the sequence."""
    results = [NumberResult(N1, NumberOutcome.COMPLETED), NumberResult(N2, NumberOutcome.FAILED)]
    update = _update(numbers=iter(results), sequence=3, foc_date=date(2026, 4, 1))
    assert tuple(results) == update.numbers
    assert UpdateKey(AT, 3) == update.key
    assert date(2026, 4, 1) == update.foc_date


@pytest.mark.parametrize("name", ["carrier_id", "carrier_ref", "status"])
@pytest.mark.parametrize("value", ["", "  ", None])
def test_an_update_needs_its_text_fields(name: str, value: object) -> None:
    """A blank or missing carrier id, reference or status is refused, naming it."""
    with pytest.raises(CarrierProtocolError, match=rf"^carrier update without {name}: {value!r}$"):
        _update(**{name: value})


def test_an_update_needs_a_known_kind() -> None:
    """A kind that is not an ``OrderKind`` (even its value) is refused."""
    with pytest.raises(CarrierProtocolError, match=r"^carrier update with unknown kind 'port_in'$"):
        _update(kind="port_in")


def test_an_update_time_must_be_aware() -> None:
    """A naive timestamp is refused."""
    naive = datetime(2026, 3, 2, 9, 0)
    with pytest.raises(
        CarrierProtocolError,
        match=r"^carrier update time must be a timezone-aware datetime, got "
        + re.escape(repr(naive))
        + "$",
    ):
        _update(at=naive)
    assert (
        timezone(timedelta(hours=2))
        == _update(at=AT.astimezone(timezone(timedelta(hours=2)))).at.tzinfo
    )


@pytest.mark.parametrize("sequence", [-1, True, 1.0, "1"])
def test_an_update_sequence_is_a_non_negative_integer(sequence: object) -> None:
    """A negative, bool, float or string sequence is refused; zero is fine."""
    with pytest.raises(
        CarrierProtocolError, match=rf"^carrier update sequence must be >= 0: {sequence!r}$"
    ):
        _update(sequence=sequence)
    assert 0 == _update(sequence=0).sequence


def test_an_update_lists_each_number_once() -> None:
    """One number with two verdicts is refused."""
    with pytest.raises(CarrierProtocolError, match=r"^carrier update lists a number twice$"):
        _update(
            numbers=[
                NumberResult(N1, NumberOutcome.COMPLETED),
                NumberResult("4045550100", NumberOutcome.FAILED),
            ]
        )


@pytest.mark.parametrize("foc_date", [datetime(2026, 4, 1, tzinfo=UTC), "2026-04-01"])
def test_an_update_port_date_is_a_calendar_day(foc_date: object) -> None:
    """A datetime or a string as the FOC date is refused."""
    with pytest.raises(
        CarrierProtocolError, match=rf"^foc_date must be a date, got {re.escape(repr(foc_date))}$"
    ):
        _update(foc_date=foc_date)


def test_port_details_keep_a_str_subclass_authorizing_person_as_plain_text() -> None:
    """A StrEnum member given as the authorizing person is stored as its plain text.

    Found by the fuzz suite: the check accepted the subclass but kept it, so the
    stored value was not a ``str``.
    """
    import enum

    class Person(enum.StrEnum):
        ANN = "Ann Lee"

    port = PortDetails(Person.ANN)

    assert ("Ann Lee", str) == (port.authorizing_person, type(port.authorizing_person))
