"""Layers in order, strictest wins: rules, then common sense, then (optionally) an LLM.

Each layer reviews the same plan; per step the strictest decision stands and the reasons
of every layer that objected are kept. A later layer can therefore add a refusal but
never lift one, which is what makes an LLM layer safe to add.
"""

from __future__ import annotations

from collections.abc import Sequence

from planner.types import Plan, Step
from safety.critic.base import Critic, PlanReview, merge
from skills.scene import PerceivedScene


class CombinedCritic(Critic):
    """Runs every layer (nothing is skipped) and merges their verdicts step by step."""

    name = "combined"

    def __init__(self, layers: Sequence[Critic]) -> None:
        if not layers:
            msg = "CombinedCritic needs at least one layer"
            raise ValueError(msg)
        self.layers = tuple(layers)

    def review_plan(
        self, plan: Plan, scene: PerceivedScene, history: Sequence[Step] = ()
    ) -> PlanReview:
        """Each layer's review, merged per step and for the plan."""
        reviews = [layer.review_plan(plan, scene, history) for layer in self.layers]
        steps = tuple(merge([r.steps[i] for r in reviews]) for i in range(len(plan.steps)))
        return PlanReview(steps=steps, verdict=merge([r.verdict for r in reviews]))
