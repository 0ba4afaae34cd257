"""The scripted planner: returns given plans, for tests and demos.

Plans are still validated against the request (skills, visible objects, preconditions),
so a script cannot slip an invalid plan past the rest of the agent. A script file maps
goal text to either `steps: [{skill: ..., argument: value}]`, `goal: [literal, ...]`
(steps found by symbolic search from the scene each time, so a scripted goal replans
like the `goals` mode of the model planners), `refuse: reason` or `ask: question`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

import yaml

from planner.base import Planner, PlanRequest, PlanResult, PlanStatus
from planner.errors import ModelOutputError, PlannerConfigError
from planner.registry import register_planner
from planner.types import Plan, Step
from planner.validate import check_plan_steps, screen_goal, steps_for_goal

Response = Plan | PlanResult


class ScriptedPlanner(Planner):
    """Answers from a goal -> response mapping, or from a queue of responses in order."""

    backend: ClassVar[str] = "scripted"

    def __init__(self, responses: Mapping[str, Response] | Sequence[Response] = ()) -> None:
        self._by_goal = dict(responses) if isinstance(responses, Mapping) else {}
        self._queue: deque[Response] = deque(() if isinstance(responses, Mapping) else responses)

    def plan(self, request: PlanRequest) -> PlanResult:
        """The scripted response for this goal (or the next queued one), validated."""
        screened = screen_goal(request, max_chars=2000)
        if isinstance(screened, PlanResult):
            return screened
        response = self._next(screened)
        if response is None:
            known = ", ".join(repr(g) for g in sorted(self._by_goal)) or "none"
            reason = f"No scripted plan for {screened!r}. Scripted goals: {known}."
            return PlanResult.no_plan(PlanStatus.ASK, reason)
        if isinstance(response, PlanResult):
            return response
        return self._validated(response, request)

    def _next(self, goal: str) -> Response | None:
        if self._by_goal:
            return self._by_goal.get(goal)
        return self._queue.popleft() if self._queue else None

    def _validated(self, plan: Plan, request: PlanRequest) -> PlanResult:
        by_goal = bool(plan.goal_predicates) and not plan.steps
        try:
            if by_goal:
                checked, _ = steps_for_goal(plan.goal_predicates, request)
            else:
                checked = check_plan_steps(plan.steps, request)
        except ModelOutputError as exc:
            reason = "The scripted plan is invalid: " + "; ".join(exc.problems)
            return PlanResult.no_plan(PlanStatus.FAILED, reason)
        steps = checked.steps()
        explanation = (
            f"{len(steps)} step(s)." if steps else "Nothing to do: the goal already holds."
        )
        filled = plan.model_copy(
            update={
                "steps": steps,
                "backend": self.backend,
                "goal": request.goal,
                "explanation": plan.explanation or explanation,
            }
        )
        return PlanResult.planned(filled)


def load_script(path: Path) -> dict[str, Response]:
    """Read a YAML or JSON script file; raise PlannerConfigError naming a bad entry."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        msg = f"cannot read planner script {str(path)!r}: {exc}"
        raise PlannerConfigError(msg) from None
    if not isinstance(data, dict):
        msg = f"planner script {str(path)!r} must map goal text to a response"
        raise PlannerConfigError(msg)
    return {str(goal): _response(str(goal), entry) for goal, entry in data.items()}


def _response(goal: str, entry: object) -> Response:
    if isinstance(entry, dict) and "steps" in entry and isinstance(entry["steps"], list):
        steps = tuple(
            Step(skill=str(s.pop("skill", "")), arguments={k: str(v) for k, v in s.items()})
            for s in (dict(x) for x in entry["steps"])
        )
        return Plan(goal=goal, steps=steps)
    if isinstance(entry, dict) and isinstance(entry.get("goal"), list):
        return Plan(goal=goal, goal_predicates=tuple(str(g) for g in entry["goal"]))
    for key, status in (("refuse", PlanStatus.REFUSED), ("ask", PlanStatus.ASK)):
        if isinstance(entry, dict) and isinstance(entry.get(key), str):
            return PlanResult.no_plan(status, entry[key])
    msg = f"script entry for {goal!r} needs 'steps', 'goal', 'refuse' or 'ask'; got {entry!r}"
    raise PlannerConfigError(msg)


@register_planner("scripted")
def make_scripted(script: str | Path | None = None, **unused: object) -> ScriptedPlanner:
    """Registry factory: an empty scripted planner, or one read from a script file."""
    if unused:
        msg = f"the scripted planner does not use {', '.join(sorted(unused))}; give only a script"
        raise PlannerConfigError(msg)
    if script is None:
        return ScriptedPlanner()
    return ScriptedPlanner(load_script(Path(script)))
