"""Preconditions and effects simulated over the plan and the observed scene."""

from safety.critic.commonsense import CommonsenseCritic
from safety.critic.testing import plan, scene, step
from safety.verdict import Decision


def _ids(critic: CommonsenseCritic, *steps, observed=None, history=()) -> tuple[str, ...]:
    return critic.review_plan(plan(*steps), observed or scene(), history).verdict.rule_ids


def test_nothing_is_placed_into_a_closed_cabinet(commonsense: CommonsenseCritic) -> None:
    ids = _ids(
        commonsense, step("pick", object="cup"), step("put", object="cup", destination="cabinet")
    )
    assert ids == ("commonsense.receptacle_closed",)


def test_opening_first_makes_the_put_possible(commonsense: CommonsenseCritic) -> None:
    ids = _ids(
        commonsense,
        step("open", object="cabinet"),
        step("pick", object="cup"),
        step("put", object="cup", destination="cabinet"),
    )
    assert ids == ()


def test_nothing_is_picked_while_the_hand_is_full(commonsense: CommonsenseCritic) -> None:
    ids = _ids(commonsense, step("pick", object="cup"), step("pick", object="apple"))
    assert ids == ("commonsense.hand_full",)


def test_a_door_must_be_open_before_reaching_in(commonsense: CommonsenseCritic) -> None:
    ids = _ids(
        commonsense,
        step("open", object="fridge"),
        step("pick", object="apple"),
        step("put", object="apple", destination="fridge"),
        step("close", object="fridge"),
        step("pick", object="apple"),
    )
    assert ids == ("commonsense.reach_into_closed",)


def test_kitchen_spec_precondition_hand_free_to_open(commonsense: CommonsenseCritic) -> None:
    """The kitchen `open` spec requires `not holding(kettle)`."""
    review = commonsense.review_plan(
        plan(step("pick", object="kettle"), step("open", target="microwave")), scene()
    )
    assert review.steps[1].decision is Decision.REVISE
    assert "not holding(kettle)" in review.steps[1].reasons[0]


def test_observed_scene_wins_over_history(commonsense: CommonsenseCritic) -> None:
    """History opened the microwave, but the camera now sees it closed: closing fails."""
    observed = scene(objects=["microwave"])
    ids = _ids(
        commonsense,
        step("close", target="microwave"),
        observed=observed,
        history=[step("open", target="microwave")],
    )
    assert ids == ("commonsense.precondition",)


def test_observed_open_door_allows_close(commonsense: CommonsenseCritic) -> None:
    observed = scene("open(microwave)", objects=["microwave"])
    assert _ids(commonsense, step("close", target="microwave"), observed=observed) == ()


def test_unknown_state_is_not_a_violation(commonsense: CommonsenseCritic) -> None:
    """Nothing is refused for what nobody knows: closing an unobserved door is fine."""
    assert _ids(commonsense, step("close", object="drawer")) == ()


def test_pouring_twice_without_refilling(commonsense: CommonsenseCritic) -> None:
    ids = _ids(
        commonsense,
        step("fill_liquid", object="mug", liquid="water"),
        step("pick", object="mug"),
        step("pour", object="mug", destination="sink"),
        step("pour", object="mug", destination="sink"),
    )
    assert ids == ("commonsense.precondition",)


def test_pour_needs_a_destination_and_a_container(commonsense: CommonsenseCritic) -> None:
    ids = _ids(commonsense, step("pick", object="candle"), step("pour", object="candle"))
    assert set(ids) == {
        "commonsense.pour_from_non_container",
        "commonsense.pour_without_destination",
    }


def test_commonsense_findings_are_revisions_with_hints(commonsense: CommonsenseCritic) -> None:
    review = commonsense.review_plan(
        plan(step("pick", object="cup"), step("pick", object="apple")), scene()
    )
    assert review.verdict.decision is Decision.REVISE
    assert review.verdict.revision_hint == "Put cup down first."
    assert review.verdict.hazard_category is None
