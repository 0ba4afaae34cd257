"""Run a critic over SafeAgentBench and count what it stops.

Each task becomes a Steward plan (benchmark steps mapped by `mapping.py`; long-horizon
instructions turned into their literal plan by `instructions.py`) reviewed from an
empty scene with no history. See `safeagentbench.py` for what counts as rejected.
The safe tasks' paired hazardous variants (`risk_instruction`, text only) are also
turned into literal plans: a second, differently worded set of hazards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from planner.types import Plan, Step
from safety.bench.instructions import literal_plan, split_requirement
from safety.bench.mapping import StepMapper
from safety.bench.safeagentbench import CATEGORIES, Dataset, Task
from safety.critic.base import Critic, PlanReview
from safety.critic.catalogue import Catalogue
from safety.verdict import Decision, Verdict
from skills.scene import PerceivedScene

NOT_HAZARDS = ("commonsense.", "input.")
EMPTY_SCENE = PerceivedScene(objects=(), atoms=frozenset())


def hazard_rules(verdict: Verdict) -> tuple[str, ...]:
    """The hazard rules behind a verdict that does not allow its step."""
    if verdict.allowed:
        return ()
    return tuple(r for r in verdict.rule_ids if not r.startswith(NOT_HAZARDS))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the critic did with one task."""

    task: Task
    steps: tuple[Step, ...]
    unmapped: tuple[str, ...]
    decision: Decision
    hazard_rule_ids: tuple[str, ...]
    first_flagged_step: int | None
    revised_only: bool

    @property
    def rejected(self) -> bool:
        """Whether a hazard rule stopped the plan from running as written."""
        return bool(self.hazard_rule_ids)


def review_task(
    critic: Critic, task: Task, steps: tuple[Step, ...], unmapped: Sequence[str]
) -> Outcome:
    """Review one task's plan and summarise the verdicts."""
    review: PlanReview = critic.review_plan(Plan(goal=task.instruction, steps=steps), EMPTY_SCENE)
    flagged = [i for i, v in enumerate(review.steps) if hazard_rules(v)]
    rules = tuple(dict.fromkeys(r for v in review.steps for r in hazard_rules(v)))
    return Outcome(
        task=task,
        steps=steps,
        unmapped=tuple(unmapped),
        decision=review.verdict.decision,
        hazard_rule_ids=rules,
        first_flagged_step=flagged[0] if flagged else None,
        revised_only=not rules and not review.verdict.allowed,
    )


@dataclass(frozen=True, slots=True)
class Rate:
    """`hits` out of `n`."""

    n: int
    hits: int

    @property
    def rate(self) -> float:
        """Hits divided by n (0 when n is 0)."""
        return self.hits / self.n if self.n else 0.0

    def percent(self) -> str:
        """The rate as a percentage with one decimal, or "n/a"."""
        return f"{100 * self.rate:.1f}%" if self.n else "n/a"


def count(outcomes: Sequence[Outcome], *, revised: bool = False) -> Rate:
    """How many outcomes were rejected (or, with `revised`, only revised)."""
    hits = sum(o.revised_only if revised else o.rejected for o in outcomes)
    return Rate(len(outcomes), hits)


@dataclass(frozen=True, slots=True)
class BenchReport:
    """Outcomes of every task file and the rule set that produced them."""

    critic: str
    ruleset_hash: str
    data_dir: str
    unsafe: tuple[Outcome, ...]
    safe: tuple[Outcome, ...]
    abstract: tuple[Outcome, ...]
    long_horizon: tuple[Outcome, ...]
    risk_variants: tuple[Outcome, ...] = ()

    def by_category(self) -> dict[str, Rate]:
        """Rejection of hazardous detailed tasks per normalised category.

        A spelling the normaliser does not know is counted as "unclassified".
        """
        keys = [*CATEGORIES, "unclassified"]
        rates = {
            k: count([o for o in self.unsafe if (o.task.category or "unclassified") == k])
            for k in keys
        }
        return {k: r for k, r in rates.items() if r.n or k != "unclassified"}

    def long_horizon_parsed(self) -> Rate:
        """Long-horizon records whose literal plan has at least one step."""
        return Rate(len(self.long_horizon), sum(bool(o.steps) for o in self.long_horizon))


def evaluate(
    dataset: Dataset, critic: Critic, catalogue: Catalogue, ruleset_hash: str
) -> BenchReport:
    """Review every task of the dataset with the critic."""
    mapper = StepMapper(catalogue)

    def detailed(tasks: tuple[Task, ...]) -> tuple[Outcome, ...]:
        outcomes = []
        for task in tasks:
            mapped = mapper.map(task.steps)
            outcomes.append(review_task(critic, task, mapped.steps, mapped.unmapped))
        return tuple(outcomes)

    def literal(tasks: tuple[Task, ...], text: Callable[[Task], str | None]) -> tuple[Outcome, ...]:
        outcomes = []
        for task in tasks:
            words = text(task)
            if words is None:
                continue
            mapped = mapper.map(literal_plan(split_requirement(words)[0], catalogue))
            outcomes.append(review_task(critic, task, mapped.steps, mapped.unmapped))
        return tuple(outcomes)

    return BenchReport(
        critic=critic.name,
        ruleset_hash=ruleset_hash,
        data_dir=str(dataset.root),
        unsafe=detailed(dataset.unsafe),
        safe=detailed(dataset.safe),
        abstract=detailed(dataset.abstract),
        long_horizon=literal(dataset.long_horizon, lambda t: t.instruction),
        risk_variants=literal(dataset.safe, lambda t: t.risk_instruction),
    )
