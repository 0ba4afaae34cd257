"""The scripted planner returns given plans, validated, and reads script files."""

from __future__ import annotations

import pytest

from planner.backends.scripted import ScriptedPlanner, load_script
from planner.base import PlanResult, PlanStatus
from planner.errors import PlannerConfigError
from planner.testing import kitchen_request
from planner.types import Plan, Step


def test_a_given_plan_is_validated_and_filled_in():
    plan = Plan(goal="g", steps=(Step(skill="open", arguments={"target": "microwave"}),))
    result = ScriptedPlanner([plan]).plan(kitchen_request("open the microwave"))
    assert result.plan is not None
    assert result.plan.steps[0].intent == "open the microwave"
    assert result.plan.backend == "scripted"


def test_an_invalid_scripted_plan_fails_with_the_reason():
    plan = Plan(goal="g", steps=(Step(skill="open", arguments={"target": "fridge"}),))
    result = ScriptedPlanner([plan]).plan(kitchen_request("open the fridge"))
    assert result.status is PlanStatus.FAILED
    assert "valid values: microwave" in result.reason


def test_an_unscripted_goal_gets_a_question_listing_the_scripted_goals():
    planner = ScriptedPlanner({"open it": PlanResult.no_plan(PlanStatus.ASK, "which?")})
    result = planner.plan(kitchen_request("close it"))
    assert result.status is PlanStatus.ASK
    assert "Scripted goals: 'open it'" in result.reason


def test_script_files_map_goals_to_steps_refusals_and_questions(tmp_path):
    path = tmp_path / "plans.yaml"
    path.write_text(
        "open it:\n  steps: [{skill: open, target: microwave}]\nmake toast: {refuse: no toaster}\n"
    )
    planner = ScriptedPlanner(load_script(path))
    assert planner.plan(kitchen_request("open it")).status is PlanStatus.PLANNED
    refused = planner.plan(kitchen_request("make toast"))
    assert (refused.status, refused.reason) == (PlanStatus.REFUSED, "no toaster")
    path.write_text("open it: 3\n")
    with pytest.raises(PlannerConfigError, match="needs 'steps', 'goal', 'refuse' or 'ask'"):
        load_script(path)


def test_a_scripted_goal_is_solved_from_the_scene_each_time(tmp_path):
    path = tmp_path / "plans.yaml"
    path.write_text("cook:\n  goal: [open(microwave), turned_on(light)]\n")
    planner = ScriptedPlanner(load_script(path))
    first = planner.plan(kitchen_request("cook"))
    assert first.plan is not None
    assert [str(s) for s in first.plan.steps] == ["open(target=microwave)", "turn_on(target=light)"]
    later = planner.plan(kitchen_request("cook", "open(microwave)"))
    assert later.plan is not None
    assert [str(s) for s in later.plan.steps] == ["turn_on(target=light)"]
    done = planner.plan(kitchen_request("cook", "open(microwave)", "turned_on(light)"))
    assert done.plan is not None
    assert (done.plan.steps, done.reason) == ((), "Nothing to do: the goal already holds.")
