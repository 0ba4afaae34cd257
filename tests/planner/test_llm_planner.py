"""The shared LLM planner over a fake model: plans, refusals, questions, repair rounds."""

from __future__ import annotations

import pytest

from planner.base import Feedback, FeedbackSource, PlanRequest, PlanResult, PlanStatus
from planner.errors import PlannerSetupError
from planner.grounding import order_constraints, references
from planner.llm import LLMPlanner, PlannerSettings
from planner.prompt import messages
from planner.registry import make_planner
from planner.schema import Mode
from planner.testing import FakeCall, FakeLLMClient, kitchen_request
from planner.types import Step


def _planner(*answers: str, mode: Mode = Mode.GOALS, rounds: int = 1) -> LLMPlanner:
    settings = PlannerSettings(mode=mode, max_repair_rounds=rounds)
    return LLMPlanner(FakeLLMClient(list(answers)), settings, backend="fake")


def _fake(planner: LLMPlanner) -> FakeLLMClient:
    assert isinstance(planner.client, FakeLLMClient)
    return planner.client


def test_goals_mode_turns_goal_literals_into_searched_steps():
    planner = _planner('{"goal":["on(kettle, top_left_burner)","turned_on(top_left_burner)"]}')
    result = planner.plan(kitchen_request("boil water on the top left burner"))
    assert result.status is PlanStatus.PLANNED
    assert result.plan is not None
    assert [str(s) for s in result.plan.steps] == [
        "pick(object=kettle)",
        "place(destination=top_left_burner, object=kettle)",
        "turn_on(target=top_left_burner)",
    ]
    assert result.plan.goal_predicates == (
        "on(kettle, top_left_burner)",
        "turned_on(top_left_burner)",
    )
    assert result.plan.backend == "fake"
    assert result.usage.rounds == 1


def test_steps_mode_validates_the_written_steps():
    planner = _planner('{"steps":[{"skill":"open","target":"microwave"}]}', mode=Mode.STEPS)
    result = planner.plan(kitchen_request("open the microwave"))
    assert result.plan is not None
    assert result.plan.steps[0].expected_effects == ("open(microwave)",)


@pytest.mark.parametrize(
    ("answer", "status", "reason"),
    [
        ('{"refuse":"There is no fridge."}', PlanStatus.REFUSED, "There is no fridge."),
        ('{"ask":"Which burner?"}', PlanStatus.ASK, "Which burner?"),
    ],
)
def test_refusals_and_questions_pass_through_with_their_reason(answer, status, reason):
    result = _planner(answer).plan(kitchen_request("something"))
    assert result.status is status
    assert result.reason == reason
    assert result.plan is None


def test_an_invalid_answer_gets_one_repair_round_with_the_problems():
    planner = _planner(
        '{"steps":[{"skill":"place","object":"kettle","destination":"top_left_burner"}]}',
        '{"steps":[{"skill":"pick","object":"kettle"},'
        '{"skill":"place","object":"kettle","destination":"top_left_burner"}]}',
        mode=Mode.STEPS,
    )
    result = planner.plan(kitchen_request("move the kettle to the top left burner"))
    assert result.status is PlanStatus.PLANNED
    assert result.usage.rounds == 2
    repair = _fake(planner).calls[1].messages
    assert repair[-2].role == "assistant"
    assert "step 1 place(kettle, top_left_burner) needs holding(kettle)" in repair[-1].content


def test_a_second_invalid_answer_ends_in_a_clear_failure():
    planner = _planner("not json", '{"goal":["open(fridge)"]}')
    result = planner.plan(kitchen_request("open the fridge"))
    assert result.status is PlanStatus.FAILED
    assert result.plan is None
    assert result.reason.startswith("The planner found no valid plan after 2 answer(s)")
    assert "open(fridge)" in result.reason


def test_feedback_and_completed_steps_reach_the_prompt():
    planner = _planner('{"goal":["not turned_on(light)"]}')
    base = kitchen_request("turn the light off", "turned_on(light)")
    request = PlanRequest(
        goal=base.goal,
        scene=base.scene,
        specs=base.specs,
        completed=(Step(skill="open", arguments={"target": "microwave"}),),
        feedback=(Feedback(source=FeedbackSource.CRITIC, message="rule H3: too close"),),
    )
    planner.plan(request)
    last = _fake(planner).calls[0].messages[-1].content
    assert "Done already: open(target=microwave)" in last
    assert "Problem with the last plan: critic: rule H3: too close" in last
    assert last.endswith("Goal: turn the light off")


def test_the_prompt_prefix_is_the_same_for_every_goal_and_scene():
    planner = _planner('{"ask":"?"}', '{"ask":"?"}')
    planner.plan(kitchen_request("open the microwave"))
    planner.plan(kitchen_request("turn on the light", "open(microwave)"))
    first, second = (call.messages for call in _fake(planner).calls)
    assert first[:-1] == second[:-1]
    assert first[-1] != second[-1]
    assert len(first) > 5  # system prompt plus worked examples


def test_real_model_calls_are_refused_in_unit_tests():
    planner = make_planner("local", model="qwen-0.5b")
    with pytest.raises(PlannerSetupError, match="real model calls are forbidden"):
        planner.plan(kitchen_request("open the microwave"))


def test_a_refusal_that_denies_a_visible_object_is_sent_back():
    planner = _planner('{"refuse":"I cannot see a light."}', '{"goal":["turned_on(light)"]}')
    result = planner.plan(kitchen_request("schalte das Licht ein"))
    assert result.status is PlanStatus.PLANNED
    repair = _fake(planner).calls[1].messages[-1].content
    assert "the refusal says 'light' is not there, but the robot sees light" in repair


def test_after_a_refusal_the_scene_contradicts_the_repair_may_only_plan():
    planner = _planner(
        '{"refuse":"None of my skills can turn on the light."}', '{"goal":["turned_on(light)"]}'
    )
    result = planner.plan(kitchen_request("schalte das Licht ein"))
    assert result.status is PlanStatus.PLANNED
    first, repair = _fake(planner).calls
    assert len(first.schema["anyOf"]) == 3  # type: ignore[arg-type]  # plan, refuse, ask
    (plan,) = repair.schema["anyOf"]  # type: ignore[misc]  # a plan only
    assert plan["properties"]["goal"]["items"]["enum"] == ["turned_on(light)"]  # its verb
    assert repair.messages[-1].content.endswith("Answer again with a plan.")
    assert "literals such as turned_on(light)\n" in repair.messages[-1].content


def test_a_refusal_without_a_skills_verb_may_write_any_literal_in_the_repair():
    planner = _planner(
        '{"refuse":"None of my skills can do that to the light."}', '{"goal":["turned_on(light)"]}'
    )
    assert planner.plan(kitchen_request("make the light glow")).status is PlanStatus.PLANNED
    first, repair = _fake(planner).calls
    assert repair.schema == {"anyOf": [first.schema["anyOf"][0]]}  # type: ignore[index]


def test_an_ordinary_repair_round_may_still_refuse_or_ask():
    planner = _planner('{"goal":["open(fridge)"]}', '{"refuse":"There is no fridge."}')
    result = planner.plan(kitchen_request("open the fridge"))
    assert result.status is PlanStatus.REFUSED
    first, repair = _fake(planner).calls
    assert repair.schema == first.schema


def test_a_refusal_for_not_understanding_the_goal_is_a_question():
    planner = _planner('{"refuse":"I don\'t know what you mean by \'do the usual\'."}')
    result = planner.plan(kitchen_request("do the usual"))
    assert result.status is PlanStatus.ASK
    assert result.reason == "I don't know what you mean by 'do the usual'. What should I do?"
    toast = _planner('{"refuse":"None of my skills can make toast."}')
    assert toast.plan(kitchen_request("make toast")).status is PlanStatus.REFUSED


def _planned_after_repair(first: str, second: str, goal: str) -> tuple[PlanResult, FakeCall]:
    """Plan `goal` with two scripted answers; the result (planned) and the repair call."""
    planner = _planner(first, second)
    result = planner.plan(kitchen_request(goal))
    assert result.status is PlanStatus.PLANNED, result.reason
    return result, _fake(planner).calls[1]


@pytest.mark.parametrize(
    ("first", "second", "goal", "targets", "problem"),
    [
        (
            '{"goal":["open(slide_cabinet)"]}',
            '{"goal":["open(hinge_cabinet)","open(slide_cabinet)"]}',
            "open the slide cabinet after the hinge cabinet",
            ["hinge_cabinet", "slide_cabinet"],
            "the goal names hinge_cabinet, but the answer says nothing about it",
        ),
        (
            '{"goal":["open(hinge_cabinet)","open(microwave)"]}',
            '{"goal":["open(microwave)","open(hinge_cabinet)"]}',
            "open the hinge cabinet last, after the microwave",
            ["microwave", "hinge_cabinet"],
            "the goal wants microwave before hinge_cabinet",
        ),
    ],
    ids=["every-named-fixture", "order-the-goal-fixes"],
)
def test_a_plan_that_misses_what_the_goal_names_is_repaired(first, second, goal, targets, problem):
    result, repair = _planned_after_repair(first, second, goal)
    assert result.plan is not None
    assert [s.arguments["target"] for s in result.plan.steps] == targets
    assert problem in repair.messages[-1].content
    assert len(repair.schema["anyOf"]) == 1  # type: ignore[arg-type]  # a plan only


@pytest.mark.parametrize(
    ("goal", "pairs"),
    [
        (
            "open the slide cabinet after you open the hinge cabinet",
            [("hinge_cabinet", "slide_cabinet")],
        ),
        ("switch off the light and after that the microwave", []),
        ("close the microwave first, then the light", [("microwave", "light")]),
        ("first the light, then the microwave", [("light", "microwave")]),
        ("close the microwave, then the light", []),
    ],
)
def test_order_cues_in_the_goal(goal, pairs):
    assert (
        order_constraints(goal, ("microwave", "light", "hinge_cabinet", "slide_cabinet")) == pairs
    )


def test_a_kettle_named_only_as_a_reference_needs_no_literal():
    planner = _planner('{"goal":["turned_on(bottom_left_burner)"]}')
    result = planner.plan(kitchen_request("turn on the burner the kettle is standing on"))
    assert result.status is PlanStatus.PLANNED
    assert result.usage.rounds == 1


def test_a_which_question_needs_more_than_one_candidate():
    one = _planner('{"ask":"Which light do you mean?"}', '{"goal":["turned_on(light)"]}')
    assert one.plan(kitchen_request("turn on the light")).usage.rounds == 2
    several = _planner('{"ask":"Which burner do you mean?"}')
    assert several.plan(kitchen_request("turn on the burner")).status is PlanStatus.ASK


@pytest.mark.parametrize(
    ("answer", "repaired", "goal", "problem", "standing", "other_goal", "status"),
    [
        (
            '{"refuse":"The kettle is already on the top right burner."}',
            '{"goal":["on(kettle, top_right_burner)"]}',
            "put the kettle on the burner that is already on",
            "says on(kettle, top_right_burner) already holds, but it is false now",
            '{"refuse":"The kettle is already on the bottom left burner."}',
            "put the kettle on the bottom left burner",  # true: nothing to correct
            PlanStatus.REFUSED,
        ),
        (
            '{"ask":"Which burner do you mean?"}',
            '{"goal":["turned_on(bottom_left_burner)"]}',
            "turn on the burner the kettle is standing on",
            "on(kettle, bottom_left_burner) is true now; plan with bottom_left_burner",
            '{"ask":"Which burner do you mean?"}',
            "move the kettle",  # the goal does not say which burner
            PlanStatus.ASK,
        ),
    ],
    ids=["false-claim", "which-the-goal-answers"],
)
def test_an_answer_the_scene_settles_is_sent_back_and_one_it_does_not_stands(
    answer, repaired, goal, problem, standing, other_goal, status
):
    _, repair = _planned_after_repair(answer, repaired, goal)
    assert problem in repair.messages[-1].content
    assert _planner(standing).plan(kitchen_request(other_goal)).status is status


def test_a_goal_naming_an_unseen_kind_of_object_is_refused_before_the_model():
    planner = _planner()  # no answers: a model call would fail the test
    result = planner.plan(
        kitchen_request("put the kettle on the top left burner", hidden=["kettle"])
    )
    assert result.status is PlanStatus.REFUSED
    assert result.reason == "I cannot see a kettle here, so I cannot do that."
    assert _fake(planner).calls == []


def test_light_as_a_verb_is_not_taken_for_a_missing_lamp():
    planner = _planner('{"goal":["turned_on(top_left_burner)"]}')
    result = planner.plan(kitchen_request("light the top left burner", hidden=["light"]))
    assert result.status is PlanStatus.PLANNED


def test_asking_where_an_unseen_thing_is_becomes_a_refusal():
    planner = _planner('{"ask":"Where is the fridge?"}')
    result = planner.plan(kitchen_request("bring me milk from the fridge"))
    assert result.status is PlanStatus.REFUSED
    assert result.reason == "I cannot see any fridge here, so I cannot do that."
    seen = _planner('{"ask":"Where is the kettle?"}').plan(kitchen_request("fetch the kettle"))
    assert seen.status is PlanStatus.ASK


@pytest.mark.parametrize(
    ("goal", "meant"),
    [
        ("put the kettle on the burner that is already on", {"burner": "top_right_burner"}),
        ("turn on the burner the kettle is standing on", {"burner": "bottom_left_burner"}),
        ("turn on the burner under the kettle", {"burner": "bottom_left_burner"}),
        ("turn on the burner", {}),
        ("move the kettle", {}),
        ("close the cabinet that is open", {}),  # no cabinet is open: nothing to point at
    ],
)
def test_the_scene_settles_which_object_a_goal_points_at(goal, meant):
    request = kitchen_request(goal, "on(kettle, bottom_left_burner)", "turned_on(top_right_burner)")
    assert references(goal, request.scene) == meant
    goal_line = messages(request, Mode.GOALS, goal)[-1].content.splitlines()[-1]
    named = f"burner ({meant['burner']})" if meant else "("
    assert (named in goal_line) == bool(meant)
