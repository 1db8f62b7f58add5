"""Carrier reports applied in batches end where applying them one by one ends (Hypothesis).

``OrderService.apply_carrier_updates`` promises the semantics of
``apply_carrier_update`` for each report, in the order given: for any stream
a carrier could send (shuffled, repeated, some reports missing) and any
batch size, the requests, the order's items, the inventory and every event
stream end exactly as they do when the same stream is applied one report at
a time.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.bulk import port_world, state, timeline
from tnorder.adapters.memory import MemoryStorage


@settings(max_examples=60, deadline=None)
@given(data=st.data(), batch_size=st.integers(1, 12))
def test_batches_end_where_one_by_one_ends(data: st.DataObject, batch_size: int) -> None:
    """Any shuffled, repeated stream of a bulk port's reports, in batches of any size,
    gives the state and the events of applying it one report at a time."""
    batched = port_world(MemoryStorage())
    reports = timeline(batched)
    stream = data.draw(st.lists(st.sampled_from(reports), min_size=1, max_size=30))

    result = batched.service.apply_carrier_updates(stream, batch_size=batch_size)

    one_by_one = port_world(MemoryStorage())
    for update in stream:
        one_by_one.service.apply_carrier_update(update)
    assert result.ok
    assert len(stream) == result.applied
    assert -(-len(stream) // batch_size) == result.batches
    assert state(one_by_one) == state(batched)


@settings(max_examples=30, deadline=None)
@given(data=st.data(), batch_size=st.integers(1, 12))
def test_running_the_call_again_changes_nothing(data: st.DataObject, batch_size: int) -> None:
    """Re-running the whole call (as after a failure) writes nothing and records no event."""
    world = port_world(MemoryStorage())
    stream = data.draw(st.permutations(timeline(world)))
    world.service.apply_carrier_updates(stream, batch_size=batch_size)
    before = state(world)  # delivers every event so far

    again = world.service.apply_carrier_updates(stream, batch_size=batch_size)

    assert () == again.changed
    assert 0 == world.storage.pending_event_count()  # type: ignore[attr-defined]
    assert before == state(world, events=world.notifier.events)
