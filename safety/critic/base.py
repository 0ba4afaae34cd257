"""The critic interface: a verdict on every step before it runs, and on a whole plan.

`Critic.review_plan` simulates the plan from the perceived scene and the run's history
and returns one verdict per step plus the plan's verdict. `Critic.review` checks the next
step; given the plan, it also sees the steps after it, so a burner turned on and never
turned off is caught on the step that turns it on. Every critic passes the contract
suite in `tests/safety/critic/test_critic_contract.py`.

Verdicts combine by strictness, `deny` > `ask_human` > `revise` > `allow`: a layer can
add a finding, never remove another layer's.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from planner.types import Plan, Step
from safety.critic.actions import InputProblem
from safety.critic.world import Trace, TraceEntry, World, run
from safety.verdict import Decision, Severity, Verdict
from skills.scene import PerceivedScene

STRICTNESS: dict[Decision, int] = {
    Decision.ALLOW: 0,
    Decision.REVISE: 1,
    Decision.ASK_HUMAN: 2,
    Decision.DENY: 3,
}
SEVERITY_RANK: dict[Severity, int] = {s: i for i, s in enumerate(Severity)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that fired on one step, with the sentence a person reads."""

    rule_id: str
    decision: Decision
    severity: Severity
    reason: str
    family: str | None = None
    hint: str | None = None

    def rank(self) -> tuple[int, int]:
        """Sort key: stricter decisions first, then graver severities."""
        return (STRICTNESS[self.decision], SEVERITY_RANK[self.severity])


def input_finding(problem: InputProblem) -> Finding:
    """A step the critic cannot reason about is denied: what is not understood is not run."""
    return Finding(problem.rule_id, Decision.DENY, Severity.MEDIUM, problem.reason, family=None)


def verdict_from(findings: Iterable[Finding], ruleset_hash: str) -> Verdict:
    """The strictest decision among the findings, with every reason, most serious first."""
    ordered = sorted(findings, key=Finding.rank, reverse=True)
    if not ordered:
        return Verdict(decision=Decision.ALLOW, ruleset_hash=ruleset_hash)
    top = ordered[0]
    hint = next((f.hint for f in ordered if f.hint), None)
    return Verdict(
        decision=top.decision,
        reasons=tuple(dict.fromkeys(f.reason for f in ordered)),
        rule_ids=tuple(dict.fromkeys(f.rule_id for f in ordered)),
        hazard_category=top.family,
        severity=max((f.severity for f in ordered), key=SEVERITY_RANK.__getitem__),
        ruleset_hash=ruleset_hash,
        revision_hint=hint,
    )


def merge(verdicts: Sequence[Verdict]) -> Verdict:
    """Strictest wins; reasons and rule ids of every non-allowing verdict are kept."""
    if not verdicts:
        msg = "merge() needs at least one verdict"
        raise ValueError(msg)
    blocking = [v for v in verdicts if v.decision is not Decision.ALLOW]
    ruleset_hash = next((v.ruleset_hash for v in verdicts if v.ruleset_hash), "")
    if not blocking:
        return Verdict(decision=Decision.ALLOW, ruleset_hash=ruleset_hash)
    top = max(blocking, key=lambda v: (STRICTNESS[v.decision], SEVERITY_RANK[v.severity]))
    return Verdict(
        decision=top.decision,
        reasons=tuple(dict.fromkeys(r for v in blocking for r in v.reasons)),
        rule_ids=tuple(dict.fromkeys(r for v in blocking for r in v.rule_ids)),
        hazard_category=top.hazard_category,
        severity=max((v.severity for v in blocking), key=SEVERITY_RANK.__getitem__),
        ruleset_hash=ruleset_hash,
        revision_hint=next((v.revision_hint for v in blocking if v.revision_hint), None),
    )


@dataclass(frozen=True, slots=True)
class PlanReview:
    """One verdict per plan step, and the verdict on the whole plan.

    Temporal findings sit on the step that starts the hazard.
    """

    steps: tuple[Verdict, ...]
    verdict: Verdict

    def first_blocked(self) -> int | None:
        """The index of the first step that may not run unattended, if any."""
        return next((i for i, v in enumerate(self.steps) if not v.allowed), None)


class Critic(ABC):
    """Checks steps before they run. Implementations never read the raw user text."""

    name: str = "critic"

    @abstractmethod
    def review_plan(
        self, plan: Plan, scene: PerceivedScene, history: Sequence[Step] = ()
    ) -> PlanReview:
        """Verdicts on every step of the plan, simulated from the scene after `history`."""

    def review(
        self,
        step: Step,
        scene: PerceivedScene,
        history: Sequence[Step] = (),
        plan: Plan | None = None,
    ) -> Verdict:
        """The verdict on the next step; with `plan`, the steps after it count too."""
        rest = remaining(step, plan)
        goal = plan.goal if plan is not None else ""
        return self.review_plan(Plan(goal=goal, steps=rest), scene, history).steps[0]


def remaining(step: Step, plan: Plan | None) -> tuple[Step, ...]:
    """The step and the plan's steps after its first occurrence (just the step if absent)."""
    if plan is None or step not in plan.steps:
        return (step,)
    return plan.steps[plan.steps.index(step) :]


class SimulatingCritic(Critic):
    """A critic that walks the plan through the symbolic world, step by step.

    Subclasses say what they find on one step (`step_findings`) and, optionally, over the
    whole run (`plan_findings`, each attributed to the plan step that should carry it).
    """

    ruleset_hash: str = ""

    @abstractmethod
    def step_findings(self, entry: TraceEntry, scene: PerceivedScene) -> list[Finding]:
        """What is wrong with one step, given the world before it."""

    def plan_findings(
        self, history: Trace, plan: Trace, scene: PerceivedScene
    ) -> list[tuple[int, Finding]]:
        """Findings over the run (history then plan), by plan step index. None by default."""
        del history, plan, scene
        return []

    def review_plan(
        self, plan: Plan, scene: PerceivedScene, history: Sequence[Step] = ()
    ) -> PlanReview:
        """Simulate, collect step and run findings, and fold them into verdicts."""
        past = run(history, World())
        trace = run(plan.steps, past.after.overlay(scene))
        per_step: list[list[Finding]] = [self.step_findings(e, scene) for e in trace.entries]
        for index, finding in self.plan_findings(past, trace, scene):
            per_step[index].append(finding)
        verdicts = tuple(verdict_from(f, self.ruleset_hash) for f in per_step)
        overall = [verdict_from([f for fs in per_step for f in fs], self.ruleset_hash)]
        return PlanReview(steps=verdicts, verdict=merge(overall))
