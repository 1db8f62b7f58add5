"""Actors, event streams and event ids, as stored and published (docs/events.md).

Every event names who did it (an ``Actor``: a role and an id), and belongs to
a stream whose name is ``<namespace>:<id>``; its id is ``<stream>#<seq>``.
These pin the accepted forms and the facts a refused actor carries.
"""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

from tnorder import Role, ValidationError
from tnorder.domain import events
from tnorder.domain.events import (
    EVENT_TYPES,
    STREAM_SEPARATOR,
    Actor,
    Event,
    NumbersReleased,
    carrier_request_stream,
    document_stream,
    inventory_stream,
)

AT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def test_an_actor_role_may_be_given_by_its_value() -> None:
    """``"customer"`` is read as ``Role.CUSTOMER``; the id is kept as given."""
    assert Actor(Role.CUSTOMER, "c-1") == Actor("customer", "c-1")  # type: ignore[arg-type]
    actor = Actor("customer", "c-1")  # type: ignore[arg-type]
    assert (Role.CUSTOMER, "c-1") == (actor.role, actor.id)


def test_an_unknown_role_is_refused_naming_the_field_and_the_choices() -> None:
    """A role outside the five is a ValidationError on ``actor.role`` listing the roles."""
    with pytest.raises(ValidationError) as caught:
        Actor("boss", "x")  # type: ignore[arg-type]
    assert "actor.role" == caught.value.field
    assert str(caught.value).startswith("actor.role must be one of ")
    assert all(role.value in str(caught.value) for role in Role)
    assert str(caught.value).endswith("got 'boss'")


@pytest.mark.parametrize(
    ("value", "why"),
    [("", "actor.id must not be empty"), (5, "actor.id must be a string, got int")],
)
def test_an_actor_needs_a_non_empty_text_id(value: object, why: str) -> None:
    """An empty or non-text id is a ValidationError on ``actor.id``."""
    with pytest.raises(ValidationError) as caught:
        Actor(Role.CUSTOMER, value)  # type: ignore[arg-type]
    assert ("actor.id", why) == (caught.value.field, str(caught.value))


def test_the_system_actor_is_tnorder_unless_named() -> None:
    """Jobs act as the system role; the default id is ``tnorder``."""
    assert Actor(Role.SYSTEM, "tnorder") == Actor.system()
    assert Actor(Role.SYSTEM, "nightly-expiry") == Actor.system("nightly-expiry")


def test_stream_names_are_namespace_colon_id() -> None:
    """Documents, carrier requests and inventory numbers each have their own namespace."""
    assert ":" == STREAM_SEPARATOR
    assert "document:doc-1" == document_stream("doc-1")
    assert "carrier_request:req-7" == carrier_request_stream("req-7")
    assert "inventory:+14045550100" == inventory_stream("+14045550100")


def test_an_event_id_is_its_stream_and_sequence_number() -> None:
    """``event_id`` is ``<stream>#<seq>``: unique per stream position."""
    event = Event(stream="order-1:item-1", seq=3, at=AT)
    assert "order-1:item-1#3" == event.event_id


def test_an_event_type_name_is_its_class_name_and_registered() -> None:
    """The stored ``type`` is the class name, and that name finds the class again."""
    event = NumbersReleased(
        stream=carrier_request_stream("req-7"),
        seq=1,
        at=AT,
        carrier_id="bandwidth",
        numbers=("+14045550100",),
        reason="expired",
    )
    assert "NumbersReleased" == event.type_name
    assert NumbersReleased is EVENT_TYPES[event.type_name]


def test_registering_an_event_type_files_the_class_under_its_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``event_type`` returns the class unchanged and files it under its class name."""
    # A private registry, so the test's class never reaches the real one.
    monkeypatch.setattr(events, "EVENT_TYPES", {})

    @attrs.frozen
    class HostEvent(Event):
        detail: str

    assert HostEvent is events.event_type(HostEvent)
    assert {"HostEvent": HostEvent} == events.EVENT_TYPES
