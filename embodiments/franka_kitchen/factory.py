"""Registers "franka_kitchen" without importing MuJoCo until one is built."""

from __future__ import annotations

from typing import TYPE_CHECKING

from embodiments.registry import register_embodiment

if TYPE_CHECKING:
    from embodiments.franka_kitchen.env import FrankaKitchen


@register_embodiment("franka_kitchen")
def make_franka_kitchen(**config: object) -> FrankaKitchen:
    """Build the Franka Kitchen embodiment from keyword settings (see KitchenConfig)."""
    from embodiments.franka_kitchen.config import KitchenConfig  # noqa: PLC0415 - heavy import
    from embodiments.franka_kitchen.env import FrankaKitchen  # noqa: PLC0415 - heavy import

    return FrankaKitchen(KitchenConfig.from_settings(config))
