"""A tenant's provisioning setup, written down from the module's contract and the carrier guide.

The carrier guide (seed 002) has a tenant enable the provisioning module, then
configure each carrier with its accounts and its inventory type folders; the
first account and folder are the defaults.  Every refusal names the field or
the carrier, account or folder that was wrong.
"""

from __future__ import annotations

import pytest

from tnorder.domain.provisioning import (
    CarrierAccount,
    CarrierConfig,
    InventoryType,
    ProvisioningConfig,
)
from tnorder.errors import CarrierNotConfigured, ProvisioningDisabled, ValidationError


def _account(account_id: str = "acc-1", carrier_id: str = "bw") -> CarrierAccount:
    return CarrierAccount(account_id, carrier_id, name=f"Account {account_id}")


def _folder(type_id: str = "inv-1", carrier_id: str = "bw") -> InventoryType:
    return InventoryType(type_id, carrier_id, name=f"Folder {type_id}")


def _config(*, enabled: bool = True) -> ProvisioningConfig:
    return ProvisioningConfig(
        enabled,
        [
            CarrierConfig("tx", "Telnyx", [_account("t-1", "tx")], [_folder("ti-1", "tx")]),
            CarrierConfig(
                "bw",
                "Bandwidth",
                [_account("acc-1"), _account("acc-2")],
                [_folder("inv-1"), _folder("inv-2")],
            ),
        ],
    )


# -- CarrierAccount -------------------------------------------------------------------


def test_an_account_keeps_its_fields_and_defaults() -> None:
    """An account keeps its ids; its name defaults to empty and its options to none."""
    account = CarrierAccount("acc-1", "bw")
    assert ("acc-1", "bw", "", {}) == (
        account.account_id,
        account.carrier_id,
        account.name,
        account.options,
    )


def test_an_account_copies_its_options() -> None:
    """Options are copied into a plain dict of text: changing the caller's dict changes nothing."""
    given = {"site_id": "1", "peer_id": "2"}
    account = CarrierAccount("acc-1", "bw", options=given)
    given["site_id"] = "9"
    assert {"site_id": "1", "peer_id": "2"} == account.options
    assert dict is type(account.options)


def test_an_account_with_options_is_hashable_and_compared_by_them() -> None:
    """Options (a dict) are left out of the hash but not out of equality."""
    one = CarrierAccount("acc-1", "bw", options={"site_id": "1"})
    same = CarrierAccount("acc-1", "bw", options={"site_id": "1"})
    other = CarrierAccount("acc-1", "bw", options={"site_id": "2"})
    assert hash(one) == hash(same)
    assert one == same
    assert one != other


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"account_id": "", "carrier_id": "bw"}, "account_id"),
        ({"account_id": "  ", "carrier_id": "bw"}, "account_id"),
        ({"account_id": "acc-1", "carrier_id": ""}, "carrier_id"),
        ({"account_id": "acc-1", "carrier_id": 7}, "carrier_id"),
    ],
)
def test_an_account_needs_both_ids(kwargs: dict[str, object], field: str) -> None:
    """A blank or non-text id is refused, naming the field."""
    with pytest.raises(ValidationError, match=rf"^{field} must be a non-empty string") as caught:
        CarrierAccount(**kwargs)  # type: ignore[arg-type]
    assert field == caught.value.field


def test_an_account_name_must_be_text() -> None:
    """A name that is not text is refused, naming ``name``."""
    with pytest.raises(ValidationError, match=r"^name must be a string, got int") as caught:
        CarrierAccount("acc-1", "bw", name=5)  # type: ignore[arg-type]
    assert "name" == caught.value.field


def test_account_options_must_be_a_mapping_of_text() -> None:
    """Options that are not a mapping, or hold a non-text value, are refused naming ``options``."""
    with pytest.raises(ValidationError, match=r"^options must be a mapping") as caught:
        CarrierAccount("acc-1", "bw", options=["site_id"])  # type: ignore[arg-type]
    assert "options" == caught.value.field
    with pytest.raises(ValidationError, match=r"^options must be a string") as caught:
        CarrierAccount("acc-1", "bw", options={"site_id": 1})  # type: ignore[dict-item]
    assert "options" == caught.value.field


# -- InventoryType ----------------------------------------------------------------------


def test_a_folder_keeps_its_fields() -> None:
    """An inventory type keeps its ids; its name defaults to empty."""
    folder = InventoryType("inv-1", "bw")
    assert ("inv-1", "bw", "") == (folder.inventory_type_id, folder.carrier_id, folder.name)


@pytest.mark.parametrize(
    ("args", "field"),
    [(("", "bw"), "inventory_type_id"), (("inv-1", " "), "carrier_id")],
)
def test_a_folder_needs_both_ids(args: tuple[str, str], field: str) -> None:
    """A blank id is refused, naming the field."""
    with pytest.raises(ValidationError, match=rf"^{field} must be a non-empty string") as caught:
        InventoryType(*args)
    assert field == caught.value.field


# -- CarrierConfig ---------------------------------------------------------------------


def test_a_carrier_keeps_its_accounts_and_folders_in_order_as_tuples() -> None:
    """Any iterable of accounts and folders is kept as a tuple, in the given order."""
    config = CarrierConfig(
        "bw", "Bandwidth", iter([_account("a"), _account("b")]), [_folder("f"), _folder("g")]
    )
    assert (_account("a"), _account("b")) == config.accounts
    assert (_folder("f"), _folder("g")) == config.inventory_types
    assert ("bw", "Bandwidth") == (config.carrier_id, config.name)


def test_a_carrier_defaults_to_no_accounts_and_no_folders() -> None:
    """A bare carrier has an empty name, no accounts and no folders."""
    config = CarrierConfig("bw")
    assert ("", (), ()) == (config.name, config.accounts, config.inventory_types)


def test_a_carrier_needs_an_id() -> None:
    """A blank carrier id is refused, naming ``carrier_id``."""
    with pytest.raises(ValidationError, match=r"^carrier_id must be a non-empty string") as caught:
        CarrierConfig("")
    assert "carrier_id" == caught.value.field


@pytest.mark.parametrize(
    "kwargs",
    [
        {"accounts": [_account("acc-1", "tx")]},
        {"inventory_types": [_folder("inv-1", "tx")]},
        {"accounts": [_account("acc-1")], "inventory_types": [_folder("inv-1", "tx")]},
    ],
)
def test_a_carrier_refuses_another_carriers_account_or_folder(kwargs: dict[str, object]) -> None:
    """An account or folder of another carrier is refused, naming both carriers."""
    with pytest.raises(
        ValidationError,
        match=r"^carrier 'bw' lists an account or inventory type of carrier 'tx'$",
    ) as caught:
        CarrierConfig("bw", **kwargs)  # type: ignore[arg-type]
    assert "carrier_id" == caught.value.field


def test_a_carrier_refuses_a_duplicate_account() -> None:
    """Two accounts with one id are refused, listing the ids sorted."""
    with pytest.raises(
        ValidationError,
        match=r"^duplicate account_id in configuration: \['a', 'b', 'b'\]$",
    ) as caught:
        CarrierConfig("bw", accounts=[_account("b"), _account("a"), _account("b")])
    assert "account_id" == caught.value.field


def test_a_carrier_refuses_a_duplicate_folder() -> None:
    """Two folders with one id are refused, naming ``inventory_type_id``."""
    with pytest.raises(
        ValidationError,
        match=r"^duplicate inventory_type_id in configuration: \['f', 'f'\]$",
    ) as caught:
        CarrierConfig("bw", inventory_types=[_folder("f"), _folder("f")])
    assert "inventory_type_id" == caught.value.field


def test_an_account_and_a_folder_may_share_an_id() -> None:
    """Accounts and folders are unique each among their own kind only."""
    config = CarrierConfig("bw", accounts=[_account("x")], inventory_types=[_folder("x")])
    assert ("x", "x") == (
        config.accounts[0].account_id,
        config.inventory_types[0].inventory_type_id,
    )


# -- ProvisioningConfig -------------------------------------------------------------------


def test_enabled_must_be_a_boolean() -> None:
    """``enabled=1`` is refused: the flag must be a real boolean."""
    with pytest.raises(ValidationError, match=r"^enabled must be a boolean$") as caught:
        ProvisioningConfig(1)  # type: ignore[arg-type]
    assert "enabled" == caught.value.field


def test_carriers_are_kept_as_a_tuple_and_default_to_none() -> None:
    """Carriers from any iterable are kept in order; a bare setup has none."""
    assert () == ProvisioningConfig(False).carriers
    carriers = iter([CarrierConfig("tx"), CarrierConfig("bw")])
    assert (CarrierConfig("tx"), CarrierConfig("bw")) == ProvisioningConfig(True, carriers).carriers


def test_a_duplicate_carrier_is_refused() -> None:
    """Two carriers with one id are refused, naming ``carrier_id``."""
    with pytest.raises(
        ValidationError, match=r"^duplicate carrier_id in configuration: \['bw', 'bw'\]$"
    ) as caught:
        ProvisioningConfig(True, [CarrierConfig("bw"), CarrierConfig("bw")])
    assert "carrier_id" == caught.value.field


def test_a_disabled_module_refuses_every_accessor() -> None:
    """With provisioning off, each accessor raises ``ProvisioningDisabled`` saying why."""
    config = _config(enabled=False)
    message = (
        "^the provisioning module is not enabled for this tenant; "
        "TN ordering needs a provisioning subscription$"
    )
    with pytest.raises(ProvisioningDisabled, match=message):
        config.carrier("bw")
    with pytest.raises(ProvisioningDisabled, match=message):
        config.account("bw")
    with pytest.raises(ProvisioningDisabled, match=message):
        config.inventory_type("bw")


def test_a_carrier_is_found_by_its_id() -> None:
    """The carrier asked for is returned, wherever it is in the list."""
    config = _config()
    assert "Bandwidth" == config.carrier("bw").name
    assert "Telnyx" == config.carrier("tx").name


def test_an_unknown_carrier_is_refused() -> None:
    """An unknown carrier id raises ``CarrierNotConfigured`` naming it."""
    with pytest.raises(CarrierNotConfigured, match=r"^carrier 'zz' is not configured$"):
        _config().carrier("zz")


def test_the_first_account_is_the_default() -> None:
    """With no account named, the carrier's first account is used."""
    assert _account("acc-1") == _config().account("bw")
    assert _account("acc-1") == _config().account("bw", None)


def test_an_account_is_found_by_its_id() -> None:
    """A named account is returned, not the default."""
    assert _account("acc-2") == _config().account("bw", "acc-2")


def test_an_unknown_or_missing_account_is_refused() -> None:
    """An unknown account, or none at all, raises ``CarrierNotConfigured`` naming the carrier."""
    with pytest.raises(
        CarrierNotConfigured, match=r"^no carrier account 'acc-9' is configured for carrier 'bw'$"
    ):
        _config().account("bw", "acc-9")
    bare = ProvisioningConfig(True, [CarrierConfig("bw")])
    with pytest.raises(
        CarrierNotConfigured, match=r"^no carrier account is configured for carrier 'bw'$"
    ):
        bare.account("bw")
    with pytest.raises(CarrierNotConfigured, match=r"^carrier 'zz' is not configured$"):
        _config().account("zz")


def test_the_first_folder_is_the_default() -> None:
    """With no inventory type named, the carrier's first folder is used."""
    assert _folder("inv-1") == _config().inventory_type("bw")
    assert _folder("inv-1") == _config().inventory_type("bw", None)


def test_a_folder_is_found_by_its_id() -> None:
    """A named inventory type is returned, not the default."""
    assert _folder("inv-2") == _config().inventory_type("bw", "inv-2")


def test_an_unknown_or_missing_folder_is_refused() -> None:
    """An unknown folder, or none at all, raises ``CarrierNotConfigured`` naming the carrier."""
    with pytest.raises(
        CarrierNotConfigured, match=r"^no inventory type 'inv-9' is configured for carrier 'bw'$"
    ):
        _config().inventory_type("bw", "inv-9")
    bare = ProvisioningConfig(True, [CarrierConfig("bw")])
    with pytest.raises(
        CarrierNotConfigured, match=r"^no inventory type is configured for carrier 'bw'$"
    ):
        bare.inventory_type("bw")
    with pytest.raises(CarrierNotConfigured, match=r"^carrier 'zz' is not configured$"):
        _config().inventory_type("zz")
