"""What a run returns: outcome, reason, steps, time breakdown, and scene truth for evaluation.

`scene_truth` is read from a simulator only after the run ended, for evaluation: the
agent itself never sees it. On a real robot it is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import RunStopped
from agent.state import Outcome, StepOutcome
from embodiments.base import Embodiment
from embodiments.scene import SceneTruth
from safety.steplog.storage import RunPaths

EXIT_CODES: dict[str, int] = {"done": 0, "failed": 1, "refused": 3, "stopped": 4}
"""Exit status per outcome (2 is reserved for usage errors)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunReport:
    """How one run ended and what it did."""

    run_id: str
    goal: str
    outcome: Outcome
    steps: tuple[StepOutcome, ...]
    plans: int
    replans: int
    wall_s: float
    """From opening the step log to closing it (durable), every node and save between."""
    setup_s: float = 0.0
    """Building the planner, critic, detectors and skills before the log opened."""
    timings: Mapping[str, float] = field(default_factory=dict)
    graph_steps: int = 0  # graph nodes run in `wall_s` (several share a super-step)
    log_root: Path | None = None
    scene_truth: SceneTruth | None = None

    @property
    def log_paths(self) -> RunPaths:
        """The run's step log files (`steward audit show RUN_ID` reads them)."""
        if self.log_root is None:
            msg = f"run {self.run_id!r} has no step log"
            raise ValueError(msg)
        return RunPaths(self.log_root, self.run_id)

    @property
    def exit_code(self) -> int:
        """The process exit status for this outcome."""
        return EXIT_CODES[self.outcome.status]

    def to_json(self) -> dict[str, Any]:
        """The `--json` object: outcome, reason, steps, and scene truth when simulated."""
        data: dict[str, Any] = {
            "run_id": self.run_id,
            "goal": self.goal,
            "outcome": self.outcome.status,
            "reason": self.outcome.reason,
            "steps": [
                {
                    "step": s.step_no,
                    "skill": s.step.skill,
                    "arguments": dict(s.step.arguments),
                    "verdict": s.decision,
                    "backend": s.backend,
                    "skill_status": s.skill_status,
                    "verified": s.verified,
                    "message": s.message,
                }
                for s in self.steps
            ],
            "plans": self.plans,
            "replans": self.replans,
            "wall_s": round(self.wall_s, 3),
            "timings_s": {k: round(v, 4) for k, v in sorted(self.timings.items())},
            "log_root": str(self.log_root) if self.log_root else None,
        }
        if self.scene_truth is not None:
            data["scene_truth"] = {
                "note": "from the simulator, for evaluation only; the agent never read it",
                "atoms": sorted(map(str, self.scene_truth.atoms)),
                "completed_tasks": list(self.scene_truth.completed_tasks),
            }
        return data


def _truth(embodiment: Embodiment) -> SceneTruth | None:
    try:
        return embodiment.scene_truth()
    except NotImplementedError:
        return None


def report_from(
    values: Mapping[str, Any],
    embodiment: Embodiment,
    paths: RunPaths,
    *,
    wall_s: float,
    setup_s: float = 0.0,
    graph_steps: int = 0,
    stopped: RunStopped | None = None,
) -> RunReport:
    """The report from the graph's final state (and the stop, if the operator stopped it)."""
    outcome = values.get("outcome")
    if stopped is not None:
        outcome = Outcome(status="stopped", reason=stopped.reason)
    if outcome is None:
        outcome = Outcome(status="stopped", reason="the run paused before it ended")
    return RunReport(
        run_id=paths.run_id,
        goal=str(values.get("goal", "")),
        outcome=outcome,
        steps=tuple(values.get("history", ())),
        plans=int(values.get("plans", 0)),
        replans=int(values.get("replans", 0)),
        wall_s=wall_s,
        setup_s=setup_s,
        timings=dict(values.get("timings", {})),
        graph_steps=graph_steps,
        log_root=paths.root,
        scene_truth=_truth(embodiment),
    )
