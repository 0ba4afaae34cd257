"""Run a goal to its end, or resume one: the function every front end calls.

`run_goal` builds the run's dependencies, opens its step log and its SQLite thread, and
drives the graph in one stream; the `Operator` answers approvals and questions from
inside the nodes that need them (`approve`, `clarify`). Ctrl-C (SIGINT) cancels the running
skill at its next tick through the e-stop path, the log records the stop, and
`resume_run` continues later without repeating finished steps.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import structlog
from langchain_core.runnables import RunnableConfig

from agent.checkpoint import Saving, close_checkpointer, open_checkpointer
from agent.config import RunConfig
from agent.context import (
    NobodyThere,
    Operator,
    PersonSensor,
    Progress,
    RunContext,
    StepListener,
)
from agent.deps import (
    build_critic,
    build_detectors,
    build_embodiment,
    build_look,
    build_planner,
    shielded,
    skill_factory,
)
from agent.errors import RunNotFoundError, RunStopped
from agent.graph import build_graph
from agent.report import RunReport, report_from
from agent.state import AgentState, add_timings
from embodiments.base import Embodiment, SupportsSnapshot
from planner.base import Planner
from safety.steplog.logs import run_context
from safety.steplog.records import GoalRecord, OutcomeRecord
from safety.steplog.storage import new_run_id
from safety.steplog.writer import StepLog
from skills.perception.base import Detector
from skills.perception.looks import CloserLook
from skills.registry import all_specs

log = structlog.get_logger("steward.agent")

RECURSION_LIMIT = 2000  # super-steps per invocation: about one per step and per approval


@dataclass
class Overrides:
    """Pre-built dependencies (tests, benchmarks); anything None is built from the config."""

    embodiment: Embodiment | None = None
    planner: Planner | None = None
    detectors: tuple[Detector, ...] | None = None
    look: CloserLook | None = None
    listeners: tuple[StepListener, ...] = ()
    reset: bool = field(default=True)
    saving: Saving = field(default_factory=Saving)


def run_goal(
    goal: str,
    config: RunConfig | None = None,
    *,
    source: str = "typed",
    operator: Operator | None = None,
    progress: Progress | None = None,
    run_id: str | None = None,
    overrides: Overrides | None = None,
) -> RunReport:
    """Carry out `goal` from the configured start; return how it ended and why."""
    config = config or RunConfig()
    run_id = run_id or new_run_id()
    state: AgentState = {
        "goal": goal,
        "goal_source": "speech" if source == "speech" else "typed",
        "run_id": run_id,
        "config": config,
    }
    overrides = overrides or Overrides()
    embodiment = overrides.embodiment or build_embodiment(config)
    if overrides.reset:
        embodiment.reset(config.seed)
    goal_record = GoalRecord(text=goal, source=state["goal_source"])
    hooks = _Hooks(operator, progress, overrides)
    return _run(_Start(run_id, state, goal_record), config, embodiment, hooks)


def resume_run(
    run_id: str,
    *,
    home: RunConfig | None = None,
    operator: Operator | None = None,
    progress: Progress | None = None,
    overrides: Overrides | None = None,
) -> RunReport:
    """Continue a stopped or crashed run where its last checkpoint left it."""
    where = home or RunConfig()
    saver = open_checkpointer(where.state_db)
    try:
        saved = build_graph(saver).get_state(_thread(run_id))
    finally:
        close_checkpointer(saver)
    if not saved.values:
        msg = f"no run {run_id!r} in {where.state_db}; `steward audit list` shows the runs"
        raise RunNotFoundError(msg)
    values: AgentState = saved.values  # type: ignore[assignment]  # the graph's own state
    config = values["config"]
    overrides = overrides or Overrides()
    embodiment = overrides.embodiment or build_embodiment(config)
    snapshot = values.get("snapshot")
    if overrides.reset:
        body = embodiment.unwrapped
        if snapshot is not None and isinstance(body, SupportsSnapshot):
            body.restore(snapshot)
        else:
            embodiment.reset(config.seed)
    # Ended: no node to run and none half-done. A database the stock saver wrote can hold
    # a finished node's writes with no checkpoint after it (a kill between the two): no
    # next node shows, its task is listed, and streaming on applies them.
    if not saved.next and not saved.tasks:
        with StepLog.open(config.runs_dir, run_id, durability="motion") as steplog:  # checked
            report = report_from(values, embodiment, steplog.paths, wall_s=0.0)
        embodiment.close()
        return report
    return _run(_Start(run_id), config, embodiment, _Hooks(operator, progress, overrides))


def _thread(run_id: str) -> RunnableConfig:
    # One background thread per run: every super-step is one task run inline, so LangGraph's
    # pool only saves checkpoints, one after another; a wider pool starts a new thread
    # for most saves (about 0.2 ms of the loop's time per super-step on 2 cores).
    return {
        "configurable": {"thread_id": run_id},
        "recursion_limit": RECURSION_LIMIT,
        "max_concurrency": 1,
    }


@dataclass(frozen=True)
class _Hooks:
    """What the front end brings to a run: who answers, who watches, what is pre-built."""

    operator: Operator | None
    progress: Progress | None
    overrides: Overrides


def _prepare(config: RunConfig, embodiment: Embodiment, hooks: _Hooks) -> _Prepared:
    """Build the run's planner, critic, detectors and skills (timed as its setup)."""
    began = time.perf_counter()
    overrides = hooks.overrides
    sensor = PersonSensor(embodiment)
    context = functools.partial(
        RunContext,
        robot=shielded(embodiment, sensor),
        planner=overrides.planner or build_planner(config),
        critic=build_critic(config),
        detectors=overrides.detectors or build_detectors(config),
        look=overrides.look or build_look(config, embodiment),
        specs={spec.name: spec for spec in all_specs()},
        make_skill=skill_factory(config, embodiment),
        listeners=overrides.listeners,
        progress=hooks.progress,
        person=sensor,
        operator=hooks.operator or NobodyThere(),
    )
    return _Prepared(context, time.perf_counter() - began)


@dataclass(frozen=True)
class _Prepared:
    """A run's dependencies, waiting for its step log, and how long building them took."""

    context: Callable[..., RunContext]
    setup_s: float


@dataclass(frozen=True)
class _Start:
    """Which run, and for a new one its first state and goal record (None: resume it)."""

    run_id: str
    state: AgentState | None = None
    goal: GoalRecord | None = None


def _run(start: _Start, config: RunConfig, embodiment: Embodiment, hooks: _Hooks) -> RunReport:
    """Open the run's log, drive the graph, close the log; the report with the run's times.

    The run's wall time goes from opening its step log to closing it, so writing the
    goal, opening and closing the state database and making the log durable at the end
    all count; building the dependencies before it is reported as `setup_s`.
    """
    prepared = _prepare(config, embodiment, hooks)
    opened = time.perf_counter()
    with StepLog.open(config.runs_dir, start.run_id, durability="motion") as steplog:
        if start.goal is not None:
            steplog.append(start.goal)
        driving = time.perf_counter()
        ctx = prepared.context(log=steplog)
        ended = _drive(start.state, config, ctx, hooks)
        closing = time.perf_counter()
    closed = time.perf_counter()
    # Opening the log, the goal record and closing it (durable) are step-log time too.
    logging = {"logging": (driving - opened) + (closed - closing)}
    values = {**ended.values, "timings": add_timings(ended.values.get("timings", {}), logging)}
    report = report_from(
        values,
        embodiment,
        steplog.paths,
        wall_s=closed - opened,
        setup_s=prepared.setup_s,
        graph_steps=ctx.graph_steps,
        stopped=ended.stopped,
    )
    embodiment.close()
    return report


@dataclass(frozen=True)
class _Ended:
    """The state the graph ended with, and the stop that ended it, if one did."""

    values: Mapping[str, Any]
    stopped: RunStopped | None = None


def _drive(start: AgentState | None, config: RunConfig, ctx: RunContext, hooks: _Hooks) -> _Ended:
    """Stream the graph until it ends or the operator stops it."""
    steplog, saving = ctx.log, hooks.overrides.saving
    thread = _thread(steplog.run_id)
    saver = saving.open(config.state_db)
    graph = build_graph(saver)
    values: Mapping[str, Any] = {}
    try:
        with run_context(steplog.run_id), _sigint_stops(ctx):
            # the whole state after each super-step; the last is the state the run ended with
            for chunk in graph.stream(
                start, thread, context=ctx, stream_mode="values", durability=saving.durability
            ):
                values = chunk
    except RunStopped as stop:
        steplog.append(OutcomeRecord(status="stopped", reason=stop.reason, steps_run=stop.step_no))
        log.warning("agent.stopped", reason=stop.reason, step=stop.step_no)
        return _Ended(graph.get_state(thread).values, stop)
    finally:
        saving.release(saver)
    return _Ended(values)


@contextlib.contextmanager
def _sigint_stops(ctx: RunContext) -> Iterator[None]:
    """First Ctrl-C: e-stop and cancel the skill; a second one interrupts at once."""

    def handle(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        if ctx.cancel.cancelled:
            raise KeyboardInterrupt
        ctx.cancel.cancel("stopped by the operator (Ctrl-C)")
        ctx.robot.estop("Ctrl-C")

    try:
        previous = signal.signal(signal.SIGINT, handle)
    except ValueError:  # not the main thread: no signal handling, cancel tokens still work
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
