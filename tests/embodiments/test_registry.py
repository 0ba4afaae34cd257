"""Registry behaviour: did-you-mean, duplicates refused, broken plugins raise."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from embodiments.errors import EmbodimentConfigError, EmbodimentNotFoundError
from embodiments.registry import PluginLoadError, Registry, make_embodiment


def test_unknown_embodiment_suggests_the_closest() -> None:
    with pytest.raises(EmbodimentNotFoundError, match="Did you mean 'franka_kitchen'"):
        make_embodiment("franka_kitchn")


def test_duplicate_names_are_refused() -> None:
    reg: Registry[int] = Registry("thing")
    reg.add("a", 1)
    with pytest.raises(ValueError, match="already registered"):
        reg.add("a", 2)


def test_broken_plugin_raises_instead_of_being_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = EntryPoint(name="bad", value="no_such_module_xyz:thing", group="test.group")
    monkeypatch.setattr("embodiments.registry.entry_points", lambda group: [broken])
    reg: Registry[int] = Registry("thing", entry_point_group="test.group")
    with pytest.raises(PluginLoadError, match="bad"):
        reg.names()


def test_bad_setting_names_field_and_value() -> None:
    pytest.importorskip("mujoco")
    with pytest.raises(EmbodimentConfigError, match="image_width_px"):
        make_embodiment("franka_kitchen", image_width_px=-3)
    with pytest.raises(EmbodimentConfigError, match="valid cameras"):
        make_embodiment("franka_kitchen", cameras=("overview", "ceiling"))
