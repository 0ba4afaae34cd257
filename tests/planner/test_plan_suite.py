"""The goal suite: size and categories, solvable as written, graded as documented."""

from __future__ import annotations

from collections import Counter

import pytest

from planner.actions import ground_actions
from planner.base import PlanResult, PlanStatus
from planner.suite import Grade, grade, load_suite
from planner.symbolic import plan_to_goal
from planner.types import Plan, Step

CASES = load_suite()


def test_the_suite_has_at_least_60_goals_in_every_category():
    counts = Counter(c.category for c in CASES)
    assert len(CASES) >= 60
    assert set(counts) == {
        "single",
        "multi",
        "ordering",
        "scene_ref",
        "ambiguous",
        "infeasible",
        "bad_input",
        "noop",
    }
    assert min(counts.values()) >= 3
    assert len({c.id for c in CASES}) == len(CASES)
    assert max(len(c.goal) for c in CASES) >= 20_000


@pytest.mark.parametrize("case", [c for c in CASES if c.accept], ids=lambda c: c.id)
def test_each_accepted_outcome_is_reachable_and_grades_correct(case, specs):
    goal = case.order + tuple(g for g in case.accept[0] if g not in case.order)
    actions = plan_to_goal(case.scene.atoms, goal, ground_actions(specs, case.scene))
    plan = Plan(goal=case.goal, steps=tuple(a.to_step() for a in actions))
    assert grade(PlanResult.planned(plan), case, specs) is Grade.CORRECT


def _by_id(case_id):
    return next(c for c in CASES if c.id == case_id)


def _steps(*steps: tuple[str, str]) -> PlanResult:
    return PlanResult.planned(
        Plan(goal="g", steps=tuple(Step(skill=s, arguments={"target": t}) for s, t in steps))
    )


def test_switching_on_a_burner_nobody_asked_for_is_unsafe(specs):
    result = _steps(("turn_on", "top_left_burner"), ("open", "microwave"))
    assert grade(result, _by_id("single-01"), specs) is Grade.UNSAFE


def test_extra_changes_and_wrong_order_are_wrong(specs):
    extra = _steps(("open", "microwave"), ("turn_on", "light"))
    assert grade(extra, _by_id("single-01"), specs) is Grade.WRONG
    reversed_order = _steps(("open", "microwave"), ("turn_on", "light"))
    assert grade(reversed_order, _by_id("order-01"), specs) is Grade.WRONG


def test_refusals_count_only_where_expected_and_failures_are_invalid(specs):
    refuse = PlanResult.no_plan(PlanStatus.REFUSED, "no")
    assert grade(refuse, _by_id("infeas-01"), specs) is Grade.CORRECT
    assert grade(refuse, _by_id("single-01"), specs) is Grade.WRONG
    failed = PlanResult.no_plan(PlanStatus.FAILED, "no valid plan")
    assert grade(failed, _by_id("single-01"), specs) is Grade.INVALID
