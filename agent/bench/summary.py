"""Per-configuration results: success with 95% intervals, recovery, hazards, replans, time.

Time is split by the agent's own phase timers (`RunReport.timings`). The node phases are
perception, planning, critic, skill, verification and waiting for a person; everything
else in the run's wall time is **orchestration overhead**: the replan/finish nodes, the
step log's writes (with fsync), LangGraph's scheduling and its SQLite checkpoints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from agent.bench.episode import EpisodeResult
from agent.bench.perturb import Kind
from agent.bench.stats import Rate

NODE_PHASES = ("perception", "planning", "critic", "skill", "verification", "waiting_for_person")
"""Phases timed inside the graph's work nodes; the rest of the wall time is overhead."""

OVERHEAD_PARTS = ("logging", "orchestration")
"""Overhead the agent times itself: step-log writes, and the replan/finish nodes."""


@dataclass(frozen=True, slots=True)
class TimeBreakdown:
    """Seconds per phase summed over episodes, the steps they ran, and the total wall.

    `graph_steps` counts the nodes the graph ran (perceive, critique, act, verify per
    step, plus planning, approvals, waits and replans; several share a LangGraph
    super-step, see `agent.graph`).
    """

    wall_s: float
    steps: int
    phases_s: Mapping[str, float]
    graph_steps: int = 0
    setup_s: float = 0.0
    """Building the runs' planners, critics, detectors and skills: outside `wall_s`."""

    @classmethod
    def of(cls, results: Sequence[EpisodeResult]) -> TimeBreakdown:
        """Sum the phase timers of `results`."""
        totals: Counter[str] = Counter()
        for r in results:
            totals.update(r.timings_s)
        return cls(
            wall_s=sum(r.wall_s for r in results),
            steps=sum(r.steps for r in results),
            graph_steps=sum(r.graph_steps for r in results),
            setup_s=sum(r.setup_s for r in results),
            phases_s={name: float(totals[name]) for name in (*NODE_PHASES, *OVERHEAD_PARTS)},
        )

    @property
    def overhead_s(self) -> float:
        """Wall time outside the node phases (graph, checkpoints, logging, replan/finish)."""
        return self.wall_s - sum(self.phases_s[name] for name in NODE_PHASES)

    @property
    def graph_s(self) -> float:
        """Overhead the agent does not time itself: LangGraph scheduling and checkpoints."""
        return self.overhead_s - sum(self.phases_s[name] for name in OVERHEAD_PARTS)

    def rows(self) -> dict[str, float]:
        """Seconds per reported row: node phases, overhead, and the overhead's parts."""
        return {
            **{name: self.phases_s[name] for name in NODE_PHASES},
            "orchestration overhead": self.overhead_s,
            "  of which step log (incl. fsync)": self.phases_s["logging"],
            "  of which replan/finish nodes": self.phases_s["orchestration"],
            "  of which graph + checkpoints": self.graph_s,
        }

    def per_step_ms(self, seconds: float) -> float:
        """Milliseconds per step run."""
        return 1000.0 * seconds / max(self.steps, 1)

    def per_graph_step_ms(self, seconds: float) -> float | None:
        """Milliseconds per node run (None when the results did not count them)."""
        return 1000.0 * seconds / self.graph_steps if self.graph_steps else None

    def share(self, seconds: float) -> float:
        """Fraction of the wall time."""
        return seconds / self.wall_s if self.wall_s > 0 else 0.0


@dataclass(frozen=True, slots=True)
class OverheadFit:
    """Each episode's orchestration overhead as a part per goal plus a part per step.

    A least-squares line through (steps, overhead) over the episodes: what a goal costs
    once (starting and ending the graph's stream, opening and closing the state database
    and the step log, the first super-step) and what each further step adds.
    """

    per_goal_ms: float
    per_step_ms: float
    episodes: int


def fit_overhead(results: Sequence[EpisodeResult]) -> OverheadFit | None:
    """The fit over `results`; None unless they ran at least two different step counts."""
    steps = np.array([r.steps for r in results], dtype=float)
    if len(set(steps.tolist())) < 2:
        return None
    overhead_ms = 1000.0 * np.array([TimeBreakdown.of([r]).overhead_s for r in results])
    design = np.column_stack([np.ones_like(steps), steps])
    (per_goal, per_step), *_ = np.linalg.lstsq(design, overhead_ms, rcond=None)
    return OverheadFit(float(per_goal), float(per_step), len(results))


@dataclass(frozen=True, slots=True)
class KindSummary:
    """One perturbation kind under one configuration."""

    episodes: int
    fired: int
    success: Rate
    recovery: Rate
    """Among episodes whose perturbation fired: goal achieved with no hazardous action."""


@dataclass(frozen=True, slots=True)
class ConfigSummary:
    """Everything the tables report for one configuration."""

    config: str
    episodes: int
    success: Rate
    success_perturbed: Rate
    success_unperturbed: Rate
    by_kind: Mapping[str, KindSummary]
    hazards: Mapping[str, int]
    hazard_episodes: int
    replans_per_goal: float
    statuses: Mapping[str, int]
    done_but_missed: int
    """The agent reported done but the goal does not hold (a false claim of success)."""
    failed_but_achieved: int
    """The agent gave up (or was refused) but the goal holds (a false alarm)."""
    time: TimeBreakdown
    harness_s: float
    mean_episode_s: float
    failures: tuple[str, ...] = field(default=())
    overhead_fit: OverheadFit | None = None

    @property
    def hazard_count(self) -> int:
        """Hazardous actions executed, every kind."""
        return sum(self.hazards.values())


def _ok(r: EpisodeResult) -> bool:
    return r.success and not r.hazards


def summarize(config: str, results: Sequence[EpisodeResult]) -> ConfigSummary:
    """Aggregate one configuration's episodes."""
    mine = sorted((r for r in results if r.config == config), key=lambda r: r.index)
    perturbed = [r for r in mine if r.kind is not Kind.NONE and r.perturbed]
    calm = [r for r in mine if r.kind is Kind.NONE]
    by_kind = {}
    for kind in dict.fromkeys(r.kind for r in mine):
        of_kind = [r for r in mine if r.kind is kind]
        fired = [r for r in of_kind if r.perturbed or kind is Kind.NONE]
        by_kind[str(kind)] = KindSummary(
            episodes=len(of_kind),
            fired=len(fired),
            success=Rate(sum(r.success for r in of_kind), len(of_kind)),
            recovery=Rate(sum(_ok(r) for r in fired), len(fired)),
        )
    hazards: Counter[str] = Counter(str(h.kind) for r in mine for h in r.hazards)
    failures = tuple(
        f"#{r.index} {r.goal_id} [{r.schedule}]: {r.status}: {r.reason[:140]}"
        for r in mine
        if not r.success
    )
    return ConfigSummary(
        config=config,
        episodes=len(mine),
        success=Rate(sum(r.success for r in mine), len(mine)),
        success_perturbed=Rate(sum(r.success for r in perturbed), len(perturbed)),
        success_unperturbed=Rate(sum(r.success for r in calm), len(calm)),
        by_kind=by_kind,
        hazards=dict(hazards),
        hazard_episodes=sum(bool(r.hazards) for r in mine),
        replans_per_goal=sum(r.replans for r in mine) / max(len(mine), 1),
        statuses=dict(Counter(r.status for r in mine)),
        done_but_missed=sum(r.status == "done" and not r.success for r in mine),
        failed_but_achieved=sum(r.status != "done" and r.success for r in mine),
        time=TimeBreakdown.of(mine),
        harness_s=sum(r.harness_s for r in mine),
        mean_episode_s=sum(r.episode_s for r in mine) / max(len(mine), 1),
        failures=failures,
        overhead_fit=fit_overhead(mine),
    )


def summary_json(summary: ConfigSummary) -> dict[str, object]:
    """The summary as plain JSON values."""
    t = summary.time
    return {
        "config": summary.config,
        "episodes": summary.episodes,
        "success": summary.success.to_json(),
        "success_perturbed": summary.success_perturbed.to_json(),
        "success_unperturbed": summary.success_unperturbed.to_json(),
        "by_kind": {
            kind: {
                "episodes": k.episodes,
                "fired": k.fired,
                "success": k.success.to_json(),
                "recovery": k.recovery.to_json(),
            }
            for kind, k in summary.by_kind.items()
        },
        "hazardous_actions": summary.hazard_count,
        "hazards_by_kind": dict(summary.hazards),
        "hazard_episodes": summary.hazard_episodes,
        "replans_per_goal": round(summary.replans_per_goal, 3),
        "statuses": dict(summary.statuses),
        "done_but_missed": summary.done_but_missed,
        "failed_but_achieved": summary.failed_but_achieved,
        "time": {
            "wall_s": round(t.wall_s, 3),
            "steps": t.steps,
            "graph_steps": t.graph_steps,
            "rows": {
                name.strip(): {
                    "s": round(s, 4),
                    "ms_per_step": round(t.per_step_ms(s), 2),
                    "share_of_wall": round(t.share(s), 5),
                }
                for name, s in t.rows().items()
            },
        },
        "overhead_fit": None
        if summary.overhead_fit is None
        else {
            "per_goal_ms": round(summary.overhead_fit.per_goal_ms, 2),
            "per_step_ms": round(summary.overhead_fit.per_step_ms, 2),
            "episodes": summary.overhead_fit.episodes,
        },
        "harness_s": round(summary.harness_s, 4),
        "mean_episode_s": round(summary.mean_episode_s, 3),
        "failures": list(summary.failures),
    }
