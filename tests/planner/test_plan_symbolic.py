"""Symbolic search: shortest executable plans, goal literals reached in the given order."""

from __future__ import annotations

import pytest

from planner.actions import ground_actions, parse_literal
from planner.symbolic import Unreachable, plan_to_goal
from planner.testing import kitchen_scene


def _plan(specs, scene, *goal: str) -> list[str]:
    literals = [parse_literal(g) for g in goal]
    return [a.label() for a in plan_to_goal(scene.atoms, literals, ground_actions(specs, scene))]


def test_moving_the_kettle_is_pick_then_place(specs):
    scene = kitchen_scene("on(kettle, bottom_left_burner)")
    assert _plan(specs, scene, "on(kettle, top_right_burner)") == [
        "pick(kettle)",
        "place(kettle, top_right_burner)",
    ]


def test_goal_literals_are_reached_in_the_order_given(specs):
    scene = kitchen_scene()
    first = _plan(specs, scene, "turned_on(light)", "open(microwave)")
    second = _plan(specs, scene, "open(microwave)", "turned_on(light)")
    assert first == ["turn_on(light)", "open(microwave)"]
    assert second == ["open(microwave)", "turn_on(light)"]


def test_a_held_kettle_is_put_down_before_a_door_is_opened(specs):
    scene = kitchen_scene("holding(kettle)")
    plan = _plan(specs, scene, "open(microwave)")
    assert plan[-1] == "open(microwave)"
    assert plan[0].startswith("place(kettle, ")


def test_a_goal_that_already_holds_needs_no_steps(specs):
    assert _plan(specs, kitchen_scene("open(microwave)"), "open(microwave)") == []


def test_contradictory_goals_are_unreachable(specs):
    with pytest.raises(Unreachable, match="no sequence of skills makes"):
        _plan(specs, kitchen_scene(), "holding(kettle)", "on(kettle, top_left_burner)")
