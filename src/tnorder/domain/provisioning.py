"""A tenant's TN-ordering setup: is provisioning enabled, and which carriers.

Pure configuration values.  Nothing here reads the clock or talks to a carrier.

A :class:`ProvisioningConfig` (is the provisioning module enabled?) lists each
:class:`CarrierConfig`, its :class:`CarrierAccount` entries (through which
numbers are ordered) and its :class:`InventoryType` buckets (which hold the
carrier's assigned and unassigned numbers).  What a carrier *can* do is not
here but in ``tnorder.domain.carrier`` (capabilities, vocabularies, payloads).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from ..errors import CarrierNotConfigured, ProvisioningDisabled, ValidationError
from ._checks import require_text, text_mapping
from .inputs import check_text

__all__ = ["CarrierAccount", "CarrierConfig", "InventoryType", "ProvisioningConfig"]


# mypy's attrs plugin takes only named functions as converters, hence one per field.
def _name(value: object) -> str:
    return check_text(value, "name")


def _options(value: object) -> dict[str, str]:
    return text_mapping(value, "options")


@attrs.frozen
class CarrierAccount:
    """An account at a carrier through which numbers are ordered.

    Attributes:
        account_id: the carrier's account id (Bandwidth: the ``accountId`` in URLs).
        carrier_id: the carrier it belongs to.
        name: a display name.
        options: carrier-specific settings an adapter needs (e.g. Bandwidth's
            ``site_id`` and ``peer_id``); never secrets, which stay in the adapter.
    """

    account_id: str
    carrier_id: str
    name: str = attrs.field(default="", converter=_name)
    options: Mapping[str, str] = attrs.field(factory=dict, hash=False, converter=_options)

    def __attrs_post_init__(self) -> None:
        require_text(self.account_id, "account_id")
        require_text(self.carrier_id, "carrier_id")


@attrs.frozen
class InventoryType:
    """A bucket of a carrier's numbers, assigned or unassigned ("inventory type folder")."""

    inventory_type_id: str
    carrier_id: str
    name: str = ""

    def __attrs_post_init__(self) -> None:
        require_text(self.inventory_type_id, "inventory_type_id")
        require_text(self.carrier_id, "carrier_id")


def _accounts(accounts: Iterable[CarrierAccount]) -> tuple[CarrierAccount, ...]:
    return tuple(accounts)


def _types(types: Iterable[InventoryType]) -> tuple[InventoryType, ...]:
    return tuple(types)


@attrs.frozen
class CarrierConfig:
    """One integrated carrier with its accounts and inventory types.

    The first account and the first inventory type are the defaults when a
    caller names none.
    """

    carrier_id: str
    name: str = ""
    accounts: tuple[CarrierAccount, ...] = attrs.field(default=(), converter=_accounts)
    inventory_types: tuple[InventoryType, ...] = attrs.field(default=(), converter=_types)

    def __attrs_post_init__(self) -> None:
        require_text(self.carrier_id, "carrier_id")
        owners = [a.carrier_id for a in self.accounts]
        owners += [t.carrier_id for t in self.inventory_types]
        for owner in owners:
            if owner != self.carrier_id:
                raise ValidationError(
                    f"carrier {self.carrier_id!r} lists an account or inventory type of "
                    f"carrier {owner!r}",
                    field="carrier_id",
                )
        _unique([a.account_id for a in self.accounts], "account_id")
        _unique([t.inventory_type_id for t in self.inventory_types], "inventory_type_id")


def _unique(ids: list[str], field: str) -> None:
    if len(set(ids)) != len(ids):
        raise ValidationError(f"duplicate {field} in configuration: {sorted(ids)}", field=field)


def _configs(configs: Iterable[CarrierConfig]) -> tuple[CarrierConfig, ...]:
    return tuple(configs)


@attrs.frozen
class ProvisioningConfig:
    """A tenant's TN-ordering setup: is provisioning enabled, and which carriers.

    Every accessor raises ``ProvisioningDisabled`` when the module is off, and
    ``CarrierNotConfigured`` for an unknown carrier, account or inventory type.
    """

    enabled: bool
    carriers: tuple[CarrierConfig, ...] = attrs.field(default=(), converter=_configs)

    def __attrs_post_init__(self) -> None:
        if type(self.enabled) is not bool:
            raise ValidationError("enabled must be a boolean", field="enabled")
        _unique([c.carrier_id for c in self.carriers], "carrier_id")

    def carrier(self, carrier_id: str) -> CarrierConfig:
        if not self.enabled:
            raise ProvisioningDisabled(
                "the provisioning module is not enabled for this tenant; "
                "TN ordering needs a provisioning subscription"
            )
        for config in self.carriers:
            if config.carrier_id == carrier_id:
                return config
        raise CarrierNotConfigured(f"carrier {carrier_id!r} is not configured")

    def account(self, carrier_id: str, account_id: str | None = None) -> CarrierAccount:
        config = self.carrier(carrier_id)
        for account in config.accounts:
            if account_id is None or account.account_id == account_id:
                return account
        which = "no carrier account" if account_id is None else f"no carrier account {account_id!r}"
        raise CarrierNotConfigured(f"{which} is configured for carrier {carrier_id!r}")

    def inventory_type(
        self, carrier_id: str, inventory_type_id: str | None = None
    ) -> InventoryType:
        config = self.carrier(carrier_id)
        for kind in config.inventory_types:
            if inventory_type_id is None or kind.inventory_type_id == inventory_type_id:
                return kind
        which = (
            "no inventory type"
            if inventory_type_id is None
            else f"no inventory type {inventory_type_id!r}"
        )
        raise CarrierNotConfigured(f"{which} is configured for carrier {carrier_id!r}")
