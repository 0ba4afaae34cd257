"""Contract over every registered planner: bad input gets an answer, never an exception."""

from __future__ import annotations

import pytest

from planner.base import Planner, PlanResult, PlanStatus
from planner.errors import PlannerConfigError, PlannerNotFoundError
from planner.registry import make_planner, planner_names
from planner.testing import kitchen_request

OFFLINE_SETTINGS: dict[str, dict[str, object]] = {
    "local": {"model": "qwen-0.5b"},
    "openai": {"base_url": "http://127.0.0.1:9/v1", "model": "m"},
    "scripted": {},
    "fake": {"answers": ['{"ask":"What should I do?"}']},
}


@pytest.fixture(params=planner_names())
def planner(request) -> Planner:
    return make_planner(request.param, **OFFLINE_SETTINGS[request.param])


def test_every_registered_planner_has_offline_settings_here():
    assert set(planner_names()) == set(OFFLINE_SETTINGS)


@pytest.mark.parametrize(
    ("goal", "status"),
    [("", PlanStatus.ASK), ("\n \t", PlanStatus.ASK), ("open it " * 3000, PlanStatus.REFUSED)],
)
def test_bad_input_is_answered_before_any_model_call(planner, goal, status):
    result = planner.plan(kitchen_request(goal))
    assert isinstance(result, PlanResult)
    assert result.status is status
    assert result.reason


def test_a_scene_with_nothing_to_act_on_is_refused(planner):
    request = kitchen_request("open the microwave")
    empty = type(request)(
        goal=request.goal, scene=type(request.scene)((), frozenset()), specs=request.specs
    )
    result = planner.plan(empty)
    assert result.status is PlanStatus.REFUSED
    assert "cannot see anything" in result.reason


def test_an_unknown_planner_suggests_the_closest_name():
    with pytest.raises(PlannerNotFoundError, match="Did you mean 'scripted'"):
        make_planner("scriptd")


def test_a_bad_setting_names_the_field_and_the_value():
    with pytest.raises(PlannerConfigError, match=r"mode: .*\(got 'plan'\)"):
        make_planner("local", mode="plan")
    with pytest.raises(PlannerConfigError, match="does not use model"):
        make_planner("scripted", model="x")
