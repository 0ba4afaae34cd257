"""One benchmark episode: a seeded kitchen, a suite goal, one perturbation, one configuration.

`plan_episodes` draws the episode list once from the settings' seed, so every
configuration runs the same goals, kitchen seeds and perturbation schedules. A `Worker`
holds one kitchen for the life of its process and runs episodes on it; what comes back
is an `EpisodeResult`, judged by scene truth after the run (the agent never reads it).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import structlog
from pydantic import BaseModel, ConfigDict

from agent.bench.errors import BenchConfigError
from agent.bench.goals import BenchGoal, goals_for
from agent.bench.hazards import Hazard, TruthRecorder, approved_any, find_hazards
from agent.bench.operators import make_operator
from agent.bench.perturb import Kind, Perturbation, Schedule, draw_schedule
from agent.bench.settings import BENCH_CONFIGS, BenchSettings
from agent.bench.wrappers import FrameFault, TickEvents, WorkerOwned
from agent.checkpoint import KeptOpen, Saving
from agent.config import RunConfig
from agent.deps import build_detectors, build_look
from agent.runner import Overrides, run_goal
from embodiments.base import SupportsEvents
from embodiments.registry import make_embodiment
from planner.backends.scripted import ScriptedPlanner
from planner.base import Planner
from planner.registry import make_planner
from planner.types import Plan
from skills.perception.base import Detector
from skills.perception.looks import CloserLook

log = structlog.get_logger("steward.bench")


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeSpec:
    """What one episode runs: its index, kitchen seed, goal and perturbation schedule."""

    index: int
    seed: int
    goal: BenchGoal
    schedule: Schedule


@dataclass(frozen=True, slots=True, kw_only=True)
class Task:
    """One episode under one configuration: the unit of work a worker runs."""

    spec: EpisodeSpec
    config: str


class EpisodeResult(BaseModel):
    """How one episode went, judged by scene truth; the benchmark's raw data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    config: str
    index: int
    seed: int
    goal_id: str
    goal: str
    kind: Kind
    schedule: str
    perturbed: bool
    fired: tuple[str, ...]
    status: str
    reason: str
    success: bool
    hazards: tuple[Hazard, ...]
    plans: int
    replans: int
    steps: int
    graph_steps: int = 0  # nodes run; 0 in results saved before 2026-11-28
    wall_s: float
    setup_s: float = 0.0  # building the run's models before its log opened; 0 before 2026-12-07
    timings_s: dict[str, float]
    harness_s: float
    episode_s: float
    started_at: float
    ended_at: float


def plan_episodes(settings: BenchSettings) -> tuple[EpisodeSpec, ...]:
    """The episode list: kinds in turn, goals and schedules drawn from each episode's rng."""
    pools = {kind: goals_for(kind, settings.goals) for kind in settings.perturbations}
    specs = []
    for index in range(settings.episodes):
        rng = np.random.default_rng([settings.seed, index])
        kind = settings.perturbations[index % len(settings.perturbations)]
        pool = pools[kind]
        goal = pool[int(rng.integers(len(pool)))]
        specs.append(
            EpisodeSpec(
                index=index,
                seed=settings.seed + index,
                goal=goal,
                schedule=draw_schedule(kind, rng),
            )
        )
    return tuple(specs)


def tasks_for(specs: tuple[EpisodeSpec, ...], configs: tuple[str, ...]) -> tuple[Task, ...]:
    """Every episode under every configuration, episode by episode (configs interleaved)."""
    return tuple(Task(spec=spec, config=config) for spec in specs for config in configs)


class Worker:
    """One process's kitchen, planner and run store; runs episodes one after another."""

    def __init__(self, settings: BenchSettings, home: Path | None = None) -> None:
        self.settings = settings
        # Runs save their state in one database, kept open from run to run as a robot's
        # long-running agent would keep it; benchmarks swap in other ways between runs.
        self._databases = KeptOpen()
        self.saving: Saving = self._databases.saving()
        self._owns_home = home is None
        self.home = home or Path(tempfile.mkdtemp(prefix="steward-bench-", dir=settings.store))
        built = make_embodiment(settings.embodiment, **settings.embodiment_settings)
        self.world = WorkerOwned(built)
        self._planner: Planner | None = None
        self._loaded: dict[tuple[str, ...], tuple[Detector, ...]] = {}
        self._knob_look: CloserLook | None = None

    def planner(self, goal: BenchGoal) -> Planner:
        """The scripted planner for this goal's accepted predicates, or the embedded LLM."""
        if self.settings.planner == "scripted":
            return ScriptedPlanner(
                {goal.text: Plan(goal=goal.text, goal_predicates=goal.predicates)}
            )
        if self._planner is None:
            self._planner = make_planner("local")
        return self._planner

    def _detectors(self, config: RunConfig) -> tuple[Detector, ...]:
        """The run's detectors, loaded once per worker (their networks only read frames)."""
        if config.detectors not in self._loaded:
            self._loaded[config.detectors] = build_detectors(config)
        return self._loaded[config.detectors]

    def _look(self, config: RunConfig) -> CloserLook | None:
        """The kitchen's closer look, loaded once per worker, when the run allows it."""
        if self._knob_look is None:
            self._knob_look = build_look(config, self.world)
        return self._knob_look if config.closer_looks else None

    def run(self, task: Task) -> EpisodeResult:
        """Run one episode and judge it from scene truth."""
        spec, started_at = task.spec, time.time()
        started = time.perf_counter()
        events = TickEvents(self.world)
        frames = FrameFault(events, ticks=events)
        recorder = TruthRecorder(self.world)
        perturbation = Perturbation(
            spec.schedule,
            events=events,
            frames=frames,
            world=self.world,
            avoid_burners=spec.goal.destinations,
        )
        config = RunConfig.model_validate(
            {
                "embodiment": self.settings.embodiment,
                "embodiment_settings": self.settings.embodiment_settings,
                "seed": spec.seed,
                "planner": self.settings.planner,
                "home": self.home,
                **self.settings.run_settings,
                **BENCH_CONFIGS[task.config],
            }
        )
        operator = make_operator(self.settings.operator, self.world)
        self._start(frames, spec)
        report = run_goal(
            spec.goal.text,
            config,
            operator=operator,
            overrides=Overrides(
                embodiment=frames,
                planner=self.planner(spec.goal),
                detectors=self._detectors(config),
                look=self._look(config),
                listeners=(recorder, perturbation),
                reset=False,
                saving=self.saving,
            ),
        )
        truth = report.scene_truth
        if truth is None:
            msg = f"embodiment {self.settings.embodiment!r} reports no scene truth to judge by"
            raise RuntimeError(msg)
        decisions = [(s.decision, s.skill_status) for s in report.steps]
        hazards = find_hazards(
            recorder.points, recorder.end_point(truth), approved_any=approved_any(decisions)
        )
        fired = tuple(f"{f.what}@tick{f.tick}" for f in [*events.fired, *frames.fired])
        result = EpisodeResult(
            config=task.config,
            index=spec.index,
            seed=spec.seed,
            goal_id=spec.goal.id,
            goal=spec.goal.text,
            kind=spec.schedule.kind,
            schedule=spec.schedule.describe(),
            perturbed=bool(fired),
            fired=fired,
            status=report.outcome.status,
            reason=report.outcome.reason,
            success=spec.goal.achieved(truth.atoms),
            hazards=hazards,
            plans=report.plans,
            replans=report.replans,
            steps=len(report.steps),
            graph_steps=report.graph_steps,
            wall_s=report.wall_s,
            setup_s=report.setup_s,
            timings_s=dict(report.timings),
            harness_s=recorder.seconds,
            episode_s=time.perf_counter() - started,
            started_at=started_at,
            ended_at=time.time(),
        )
        log.info(
            "bench.episode",
            config=task.config,
            index=spec.index,
            goal=spec.goal.id,
            kind=str(spec.schedule.kind),
            success=result.success,
            status=result.status,
        )
        return result

    @staticmethod
    def _start(world: FrameFault, spec: EpisodeSpec) -> None:
        """Reset to the episode's seed, then undo the goal (see `BenchGoal.start_events`)."""
        world.reset(spec.seed)
        events = spec.goal.start_events(world.scene_truth().atoms, spec.schedule.burner_order)
        inner = world.unwrapped
        if not events:
            return
        if not isinstance(inner, SupportsEvents):
            msg = f"embodiment {inner.name!r} cannot set up the goal's start (no `inject`)"
            raise BenchConfigError(msg)
        for event in events:
            inner.inject(event)

    def close(self) -> None:
        """Close the kitchen for good, and delete the run store this worker made."""
        self.world.release()
        self._databases.close()
        if self._owns_home:
            shutil.rmtree(self.home)
