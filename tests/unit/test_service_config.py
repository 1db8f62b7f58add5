"""The service's configuration object, its ports, its composition from use-case groups,
and the composition root tnorder ships (tnorder.world)."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.notifiers import RecordingNotifier
from tnorder.adapters.simulated_carrier import SimulatedCarrier
from tnorder.domain.carrier_request import Destination
from tnorder.domain.documents import DEFAULT_REQUIREMENTS_POLICY, NO_REQUIREMENTS
from tnorder.domain.events import Actor
from tnorder.domain.inputs import DEFAULT_INPUT_LIMITS, InputLimits
from tnorder.domain.lookup import LookupCriteria
from tnorder.domain.order import NewItem
from tnorder.domain.statuses import ItemStatus, OrderKind, Role
from tnorder.errors import PermissionDenied, ValidationError
from tnorder.service import OrderService, ServiceConfig, ServicePorts
from tnorder.service.base import UseCaseBase, save_order
from tnorder.service.carriers import CarrierUseCases
from tnorder.service.documents import DocumentUseCases
from tnorder.service.inventory import InventoryUseCases
from tnorder.service.orders import OrderUseCases
from tnorder.service.relay import RelayUseCases
from tnorder.service.views import ViewUseCases
from tnorder.world import (
    START,
    World,
    build_service,
    build_world,
    counter,
    open_storage,
    provisioning_for,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CUSTOMER = Actor(Role.CUSTOMER, "cust-1")
STAFF = Actor(Role.STAFF, "staff-1")
MANAGER = Actor(Role.ACCOUNT_MANAGER, "am-1")


def _ports() -> ServicePorts:
    return ServicePorts(storage=MemoryStorage(), clock=FixedClock(T0))


# -- ServiceConfig ---------------------------------------------------------------------


def test_the_default_configuration_is_the_documented_one() -> None:
    """Five attempts, no document requirements, account managers cancel, default limits."""
    config = ServiceConfig()
    assert 5 == config.max_attempts
    assert NO_REQUIREMENTS is config.requirements_policy
    assert frozenset({Role.ACCOUNT_MANAGER}) == config.cancel_roles
    assert DEFAULT_INPUT_LIMITS == config.limits
    assert 365 == config.document_validity_days
    assert config.provisioning.enabled is False


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_attempts", 0),
        ("max_attempts", True),
        ("max_attempts", "3"),
        ("max_upload_bytes", 0),
        ("max_upload_bytes", False),
        ("document_validity_days", 0),
        ("document_validity_days", 1.5),
        ("order_ids", "ORD-1"),
        ("carrier_request_ids", None),
        ("document_ids", 7),
        ("provisioning", {"enabled": True}),
        ("requirements_policy", object()),
        ("view_policy", None),
        ("calendar", "US"),
        ("delivery_estimates", {}),
        ("limits", {"max_id_length": 10}),
        ("cancel_roles", []),
        ("cancel_roles", "account_manager"),
        ("cancel_roles", ["root"]),
        ("cancel_roles", [Role.ACCOUNT_MANAGER, Role.CUSTOMER]),
    ],
)
def test_a_bad_setting_is_refused_naming_the_field(field: str, value: object) -> None:
    """Building the configuration checks every setting; the error names the one at fault."""
    with pytest.raises(ValidationError) as caught:
        ServiceConfig(**{field: value})
    assert field == caught.value.field


def test_the_configuration_is_frozen() -> None:
    """A running service's settings cannot be changed behind its back."""
    config = ServiceConfig()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        config.max_attempts = 2  # type: ignore[misc]


def test_cancel_roles_accept_any_collection_and_are_kept_as_a_frozenset() -> None:
    """A list of roles (or their string values) becomes a frozenset of Role."""
    config = ServiceConfig(cancel_roles=["staff", Role.ACCOUNT_MANAGER])
    assert frozenset({Role.STAFF, Role.ACCOUNT_MANAGER}) == config.cancel_roles


# -- ServicePorts ----------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["storage", "clock"])
def test_storage_and_clock_are_required_ports(missing: str) -> None:
    """A service cannot be wired without a storage or a clock."""
    given: dict[str, Any] = {"storage": MemoryStorage(), "clock": FixedClock(T0), missing: None}
    with pytest.raises(ValidationError) as caught:
        ServicePorts(**given)
    assert missing == caught.value.field


def test_the_carriers_mapping_is_copied() -> None:
    """Changing the caller's dict later does not rewire the ports."""
    carriers = {"sim": SimulatedCarrier("sim")}
    ports = ServicePorts(storage=MemoryStorage(), clock=FixedClock(T0), carriers=carriers)
    carriers["other"] = SimulatedCarrier("other")
    assert ["sim"] == list(ports.carriers)


def test_carriers_must_be_a_mapping() -> None:
    """A list of adapters is refused: each needs its carrier id."""
    with pytest.raises(ValidationError) as caught:
        ServicePorts(
            storage=MemoryStorage(),
            clock=FixedClock(T0),
            carriers=[SimulatedCarrier("sim")],  # type: ignore[arg-type]
        )
    assert "carriers" == caught.value.field


# -- OrderService composed from the groups ---------------------------------------------


def test_from_config_builds_a_working_service() -> None:
    """A service built from a configuration and ports places orders with its id factory."""
    config = ServiceConfig(order_ids=counter("ORD"))
    ports = _ports()
    service = OrderService.from_config(config, ports)
    order = service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER)
    assert "ORD-1" == order.order_id
    assert order == service.get_order("ORD-1")
    assert config is service.config
    assert ports is service.ports


def test_the_keyword_constructor_builds_the_same_configuration() -> None:
    """OrderService(storage, clock=..., ...) as in 0.1 makes a ServiceConfig of its settings."""
    limits = InputLimits(max_items_per_order=3)
    service = OrderService(
        MemoryStorage(),
        clock=FixedClock(T0),
        max_attempts=2,
        limits=limits,
        cancel_roles=[Role.STAFF, Role.ACCOUNT_MANAGER],
        requirements_policy=None,
    )
    expected = attrs.evolve(
        ServiceConfig(),
        max_attempts=2,
        limits=limits,
        cancel_roles=frozenset({Role.STAFF, Role.ACCOUNT_MANAGER}),
    )
    assert expected == service.config
    assert 2 == service.max_attempts
    assert limits == service.limits


def test_the_keyword_constructor_still_checks_each_setting() -> None:
    """A bad keyword fails as before, with the field named."""
    with pytest.raises(ValidationError) as caught:
        OrderService(MemoryStorage(), clock=FixedClock(T0), cancel_roles=[Role.CUSTOMER])
    assert "cancel_roles" == caught.value.field


def test_configured_cancel_roles_reach_the_order_use_cases() -> None:
    """Staff may cancel only when the configuration says so."""
    default = build_service()
    order = default.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER)
    with pytest.raises(PermissionDenied):
        default.cancel_order(order.order_id, actor=STAFF)
    staffed = build_service(cancel_roles=[Role.STAFF, Role.ACCOUNT_MANAGER])
    order = staffed.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER)
    cancelled = staffed.cancel_order(order.order_id, actor=STAFF)
    assert [ItemStatus.CANCELLED] == [item.status for item in cancelled.items]


GROUPS = [
    OrderUseCases,
    DocumentUseCases,
    ViewUseCases,
    CarrierUseCases,
    InventoryUseCases,
    RelayUseCases,
]
# Public methods a group offers the other groups, not the host.
GROUP_HELPERS = {"apply_requirements"}


def _use_cases(group: type) -> dict[str, Any]:
    base = set(dir(UseCaseBase))
    return {
        name: member
        for name, member in inspect.getmembers(group, inspect.isfunction)
        if not name.startswith("_") and name not in base and name not in GROUP_HELPERS
    }


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.__name__)
def test_every_use_case_of_a_group_is_on_the_service_with_its_signature(group: type) -> None:
    """OrderService forwards each group's use cases under the same name and signature
    (a use case added to a group without a forwarder fails here)."""
    cases = _use_cases(group)
    assert cases
    for name, method in cases.items():
        forwarded = getattr(OrderService, name, None)
        assert forwarded is not None, f"OrderService has no {name}"
        assert inspect.signature(method) == inspect.signature(forwarded)
        assert method.__doc__ == forwarded.__doc__


def test_the_service_has_no_use_case_the_groups_do_not_define() -> None:
    """Every public function on OrderService is a group's use case or one of its own few."""
    own = {"run", "save_order", "claim_numbers", "from_config"}
    grouped = set().union(*(_use_cases(group) for group in GROUPS))
    public = {
        name
        for name, member in inspect.getmembers(OrderService)
        if not name.startswith("_") and callable(member)
    }
    assert set() == public - grouped - own


def test_each_group_keeps_only_the_settings_it_reads() -> None:
    """A group's attributes are set in its own __init__ from the configuration and ports:
    the view group holds no carrier adapters, the carrier group no view policy."""
    config, ports = ServiceConfig(), _ports()
    views = vars(ViewUseCases(config, ports))
    carriers = vars(CarrierUseCases(config, ports))
    assert "view_policy" in views
    assert "carriers" not in views
    assert "carriers" in carriers
    assert "view_policy" not in carriers
    assert "config" not in views
    assert {"storage", "notifier", "clock"} == set(vars(RelayUseCases(ports)))


def test_assigning_a_notifier_rewires_relaying() -> None:
    """0.1 let tests swap the notifier of a running service; relaying uses the new one."""
    service = build_service()
    service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER)
    sink = RecordingNotifier()
    service.notifier = sink
    assert 0 < service.relay_events()
    assert sink is service.notifier
    assert "OrderPlaced" == sink.events[0].type_name


def test_save_order_on_the_service_is_deprecated_but_still_saves() -> None:
    """OrderService.save_order warns and points at tnorder.service.base.save_order."""
    service = build_service(notifier=RecordingNotifier())
    order = service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER)

    def note(uow: Any, now: datetime) -> None:
        loaded = uow.orders.get(order.order_id)
        loaded.fire(loaded.items[0].item_id, "submit_to_carrier", actor=STAFF, at=now)
        service.save_order(uow, loaded)

    with pytest.warns(DeprecationWarning, match=r"tnorder\.service\.base\.save_order"):
        service.run(note)
    assert ItemStatus.SUBMITTED_TO_CARRIER == service.get_order(order.order_id).items[0].status


def test_the_save_order_function_saves_the_order_and_its_events() -> None:
    """A host's own use case saves with save_order: the order and its events are committed."""
    notifier = RecordingNotifier()
    service = build_service(notifier=notifier)
    order = service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER)
    service.relay_events()
    before = len(notifier.events)

    def submit(uow: Any, now: datetime) -> None:
        loaded = uow.orders.get(order.order_id)
        loaded.fire(loaded.items[0].item_id, "submit_to_carrier", actor=STAFF, at=now)
        save_order(uow, loaded)

    service.run(submit)
    service.relay_events()
    assert ["ItemStatusChanged"] == [e.type_name for e in notifier.events[before:]]


def test_claim_numbers_on_the_service_is_deprecated() -> None:
    """An internal step reachable by accident warns."""
    service = build_service()
    order = service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER)
    with (
        pytest.warns(DeprecationWarning, match=r"OrderService\.claim_numbers"),
        service.storage.unit_of_work() as uow,
    ):
        service.claim_numbers(uow, order)


# -- the composition root ---------------------------------------------------------------


def test_build_service_defaults_to_memory_storage_and_a_fixed_clock() -> None:
    """With no arguments: a memory storage and a clock fixed at START."""
    service = build_service()
    assert isinstance(service.storage, MemoryStorage)
    assert START == service.clock.now()


def test_build_service_refuses_an_unknown_option() -> None:
    """A typo is not silently ignored."""
    with pytest.raises(TypeError, match="max_attempt"):
        build_service(max_attempt=3)


def test_build_service_starts_from_a_given_configuration() -> None:
    """Options override the given configuration's settings; the rest are kept."""
    base = ServiceConfig(max_attempts=2, requirements_policy=DEFAULT_REQUIREMENTS_POLICY)
    service = build_service(config=base, max_upload_bytes=1000)
    assert 2 == service.max_attempts
    assert DEFAULT_REQUIREMENTS_POLICY is service.requirements_policy
    assert 1000 == service.max_upload_bytes


def test_a_built_world_counts_ids_and_records_events() -> None:
    """build_world gives repeatable ids and a notifier that World.relay drains into."""
    world = build_world()
    order = world.service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER)
    assert "ORD-1" == order.order_id
    assert "OrderPlaced" == world.relay()[0].type_name
    assert T0 == world.now


def test_a_built_world_provisions_its_carriers() -> None:
    """Each carrier given to build_world gets an account and an inventory type."""
    sim = SimulatedCarrier("sim")
    world = build_world(carriers={"sim": sim})
    request = world.service.lookup_and_order(
        "sim",
        LookupCriteria(quantity=1, area_code="404"),
        destination=Destination.to_inventory(),
        actor=STAFF,
    )
    assert "CR-1" == request.request_id
    assert "sim-account" == request.carrier_account_id
    assert provisioning_for(["sim"]) == world.service.provisioning


def test_world_class_adds_a_tests_helpers() -> None:
    """A subclass of World comes back from build_world with its helpers."""

    class Mine(World):
        def placed(self) -> str:
            return self.service.place_order(
                "acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER
            ).order_id

    world = build_world(world_class=Mine)
    assert isinstance(world, Mine)
    assert "ORD-1" == world.placed()


def test_counter_makes_repeatable_ids() -> None:
    """counter("ORD", 1001) counts ORD-1001, ORD-1002; a prefix ending in - is kept as is."""
    ids = counter("ORD", 1001)
    assert ["ORD-1001", "ORD-1002"] == [ids(), ids()]
    padded = counter("DOC-", width=5)
    assert "DOC-00001" == padded()


def test_open_storage_refuses_an_unknown_kind_or_a_missing_location() -> None:
    """The kind and what it needs are checked, naming the field."""
    with pytest.raises(ValidationError) as caught:
        open_storage("redis")  # type: ignore[arg-type]
    assert "kind" == caught.value.field
    with pytest.raises(ValidationError) as caught:
        open_storage("sqlite")
    assert "path" == caught.value.field
    with pytest.raises(ValidationError) as caught:
        open_storage("postgres")
    assert "dsn" == caught.value.field


def test_the_service_carriers_cannot_be_rewired_through_the_mapping() -> None:
    """service.carriers is read-only: a running service's adapters change only by a new build."""
    service = build_service(carriers={"sim": SimulatedCarrier("sim")})
    with pytest.raises(TypeError):
        service.carriers["other"] = SimulatedCarrier("other")  # type: ignore[index]
    assert ["sim"] == list(service.carriers)
