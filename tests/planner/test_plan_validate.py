"""Validation: catalog skills, valid arguments, visible objects, preconditions in order."""

from __future__ import annotations

import re

import pytest

from planner.base import PlanResult, PlanStatus
from planner.errors import ModelOutputError
from planner.testing import kitchen_request
from planner.validate import (
    check_answer_text,
    check_goal,
    check_steps,
    repair_message,
    screen_goal,
)


def test_a_valid_plan_gets_intent_and_expected_effects():
    checked = check_steps(
        [
            {"skill": "pick", "object": "kettle"},
            {"skill": "place", "object": "kettle", "destination": "top_left_burner"},
        ],
        kitchen_request("move the kettle"),
    )
    steps = checked.steps()
    assert [s.skill for s in steps] == ["pick", "place"]
    assert steps[1].intent == "place the kettle (destination: the top left burner)"
    assert steps[1].expected_effects == ("on(kettle, top_left_burner)", "not holding(kettle)")


def test_an_unknown_skill_suggests_the_closest_name():
    with pytest.raises(
        ModelOutputError, match=re.escape("unknown skill 'opn'. Did you mean 'open'")
    ):
        check_steps([{"skill": "opn", "target": "microwave"}], kitchen_request("x"))


def test_a_bad_argument_lists_the_valid_values():
    with pytest.raises(ModelOutputError, match="valid values: microwave, slide_cabinet"):
        check_steps([{"skill": "open", "target": "fridge"}], kitchen_request("open the fridge"))


def test_an_object_the_robot_cannot_see_is_refused():
    request = kitchen_request("open the microwave", hidden=("microwave",))
    with pytest.raises(ModelOutputError, match="names microwave, which the robot cannot see"):
        check_steps([{"skill": "open", "target": "microwave"}], request)


def test_an_unmet_precondition_names_the_step_and_the_literal():
    request = kitchen_request("close it", "open(microwave)", "on(kettle, top_left_burner)")
    with pytest.raises(ModelOutputError) as info:
        check_steps(
            [{"skill": "pick", "object": "kettle"}, {"skill": "close", "target": "microwave"}],
            request,
        )
    assert info.value.problems == (
        "step 2 close(microwave) needs not holding(kettle), which is false then",
    )


def test_a_step_whose_effects_already_hold_is_reported_not_dropped():
    request = kitchen_request("open it", "open(microwave)")
    with pytest.raises(ModelOutputError, match=r"open\(microwave\) already holds; leave it out"):
        check_steps([{"skill": "open", "target": "microwave"}], request)
    assert check_steps([], request).actions == ()


def test_goal_literals_must_be_changeable_by_visible_skills():
    request = kitchen_request("x", "turned_on(light)", hidden=("kettle",))
    assert [str(g) for g in check_goal(["not turned_on(light)"], request)] == [
        "not turned_on(light)"
    ]
    with pytest.raises(ModelOutputError, match="not something the robot's skills can change"):
        check_goal(["holding(kettle)"], request)


def test_screen_goal_asks_on_empty_and_refuses_very_long_input():
    empty = screen_goal(kitchen_request(" \n\t "), max_chars=2000)
    assert isinstance(empty, PlanResult)
    assert empty.status is PlanStatus.ASK
    long = screen_goal(kitchen_request("open it " * 2500), max_chars=2000)
    assert isinstance(long, PlanResult)
    assert long.status is PlanStatus.REFUSED
    assert "19999 characters long; the limit is 2000" in long.reason
    assert screen_goal(kitchen_request("  open\tthe  microwave "), 2000) == "open the microwave"


def test_repair_message_lists_every_problem():
    text = repair_message(["a is wrong", "b is wrong"])
    assert "- a is wrong\n- b is wrong" in text


def test_refusals_and_questions_are_checked_against_the_scene():
    request = kitchen_request("x")
    check_answer_text("refuse", "I cannot see a fridge.", request)
    check_answer_text("ask", "Which cabinet do you mean?", request)
    with pytest.raises(ModelOutputError, match="the robot sees hinge_cabinet, slide_cabinet"):
        check_answer_text("refuse", "I can't see any cabinets here.", request)
    with pytest.raises(ModelOutputError, match="'light' is not there, but the robot sees light"):
        check_answer_text("refuse", "It cannot be done: the robot does not see the light.", request)
    with pytest.raises(ModelOutputError, match=r"do not ask which kettle: .* exactly one, kettle"):
        check_answer_text("ask", "Which kettle?", request)


def test_a_refusal_that_denies_a_skill_for_a_visible_object_is_sent_back():
    request = kitchen_request("x")
    check_answer_text("refuse", "None of my skills can make toast.", request)
    with pytest.raises(ModelOutputError, match="turn_off, turn_on can act on light"):
        check_answer_text("refuse", "None of my skills can switch the light off.", request)
