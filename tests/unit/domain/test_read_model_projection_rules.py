"""``project_order`` gives each changed item's rows with its order and position.

A storage calls ``project_order`` when it saves an order, naming the items
that changed.  Its sources must be the ones ``source_of_item`` gives for that
order and position (a later item of an order decides over an earlier one), and
for an order a storage read only in part, the positions come from the items
read (``read_items``), without walking the whole order: a save of one item of
a 10,000-item order must not read the other 9,999 (issue 17).
"""

from __future__ import annotations

import pytest

from tnorder.domain.order import LineItem, Order
from tnorder.domain.read_model import item_facts, project_order, source_of_item

from .test_read_model_oracle import ORDERS


@pytest.mark.parametrize("order", ORDERS, ids=[o.order_id for o in ORDERS])
def test_each_changed_items_source_names_its_order_and_position(order: Order) -> None:
    """For every item named as changed (the later ones of an order too), the source
    is ``source_of_item`` of the order's id and the item's position, and the facts
    are ``item_facts`` at that position."""
    changed = [item.item_id for item in order.items[::-1]]

    _, sources, facts = project_order(order, changed)

    assert [
        (item.item_id, source_of_item(order.order_id, position, item))
        for position, item in enumerate(order.items)
    ] == sources
    assert [item_facts(position, item) for position, item in enumerate(order.items)] == facts


class _PartlyRead(list[LineItem]):
    """The items of an order a storage read in part: the list holds only the items
    read so far, and ``read_items`` gives each with its position in the whole order."""

    def __init__(self, read: dict[int, LineItem]) -> None:
        super().__init__(item for _, item in sorted(read.items(), key=lambda pair: pair[0]))
        self.read = read

    def read_items(self) -> list[tuple[int, LineItem]]:
        return sorted(self.read.items(), key=lambda pair: pair[0])


def test_a_partly_read_order_is_projected_from_the_items_read() -> None:
    """For an order whose storage read only some items, ``project_order`` takes the
    items and their positions in the whole order from ``read_items`` (not their
    places in the list of items read)."""
    whole = next(o for o in ORDERS if o.order_id == "O-multi")
    # As a storage holds it: item 4 (position 3) and item 6 (position 5) were read.
    order = Order(
        order_id=whole.order_id,
        account_id=whole.account_id,
        created_at=whole.created_at,
        items=_PartlyRead({3: whole.items[3], 5: whole.items[5]}),
        reference=whole.reference,
    )

    _, sources, facts = project_order(order, ["O-multi-6", "O-multi-4"])

    assert [
        ("O-multi-4", source_of_item("O-multi", 3, whole.items[3])),
        ("O-multi-6", source_of_item("O-multi", 5, whole.items[5])),
    ] == sources
    assert [item_facts(3, whole.items[3]), item_facts(5, whole.items[5])] == facts
