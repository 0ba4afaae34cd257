"""Temporal rules over the whole plan: heat and water off before the end, within N steps."""

from safety.critic.base import Critic
from safety.critic.testing import plan, scene, step
from safety.verdict import Decision


def _ids(critic: Critic, *steps, history=()) -> tuple[str, ...]:
    return critic.review_plan(plan(*steps), scene(), history).verdict.rule_ids


def test_burner_left_on_at_the_end_asks_a_person(critic: Critic) -> None:
    review = critic.review_plan(plan(step("turn_on", target="top_left_burner")), scene())
    assert review.verdict.decision is Decision.ASK_HUMAN
    assert review.verdict.rule_ids == ("fire.heat_left_on",)


def test_burner_turned_off_before_the_end_is_allowed(critic: Critic) -> None:
    ids = _ids(
        critic,
        step("turn_on", target="top_left_burner"),
        step("open", target="microwave"),
        step("turn_off", target="top_left_burner"),
    )
    assert ids == ()


def test_attended_burner_is_allowed(critic: Critic) -> None:
    ids = _ids(
        critic, step("turn_on", object="stove_burner"), step("monitor", object="stove_burner")
    )
    assert ids == ()


def test_kettle_never_left_on_a_lit_burner(critic: Critic) -> None:
    ids = _ids(
        critic,
        step("pick", object="kettle"),
        step("place", object="kettle", destination="bottom_left_burner"),
        step("turn_on", target="bottom_left_burner"),
    )
    assert "fire.vessel_left_on_heat" in ids


def test_end_finding_sits_on_the_step_that_starts_the_hazard(critic: Critic) -> None:
    steps = (
        step("turn_on", target="top_left_burner"),
        step("open", target="microwave"),
        step("turn_on", target="light"),
    )
    review = critic.review_plan(plan(*steps), scene())
    assert [v.decision for v in review.steps] == [
        Decision.ASK_HUMAN,
        Decision.ALLOW,
        Decision.ALLOW,
    ]


def test_reviewing_a_step_with_its_plan_sees_the_steps_after_it(critic: Critic) -> None:
    on, off = (
        step("turn_on", target="top_right_burner"),
        step("turn_off", target="top_right_burner"),
    )
    assert critic.review(on, scene(), plan=plan(on, off)).decision is Decision.ALLOW
    assert critic.review(on, scene()).decision is Decision.ASK_HUMAN


def test_heat_on_for_more_than_n_steps_is_flagged_even_if_turned_off_later(critic: Critic) -> None:
    filler = [step("find", object=f"apple_{i}") for i in range(9)]
    review = critic.review_plan(
        plan(
            step("turn_on", object="stove_burner"), *filler, step("turn_off", object="stove_burner")
        ),
        scene(),
    )
    assert "fire.heat_on_too_long" in review.verdict.rule_ids
    assert review.first_blocked() == 0


def test_water_running_more_than_n_steps(critic: Critic) -> None:
    filler = [step("find", object="cup")] * 5
    ids = _ids(critic, step("turn_on", object="faucet"), *filler, step("turn_off", object="faucet"))
    assert "slip.water_running_too_long" in ids


def test_window_counts_steps_already_run(critic: Critic) -> None:
    """A burner turned on in the run's history is still timed by the current plan."""
    history = [step("turn_on", object="stove_burner"), *[step("find", object="cup")] * 4]
    rest = [step("find", object="mug")] * 6 + [step("turn_off", object="stove_burner")]
    review = critic.review_plan(plan(*rest), scene(), history)
    assert "fire.heat_on_too_long" in review.verdict.rule_ids


def test_fridge_left_open_is_sent_back_for_revision(critic: Critic) -> None:
    review = critic.review_plan(plan(step("open", object="fridge")), scene())
    assert review.verdict.decision is Decision.REVISE
    assert review.verdict.revision_hint == "Close fridge before the goal ends."
