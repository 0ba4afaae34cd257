"""A scripted run for tests and demos: real frames from the fake embodiment, every record kind.

`write_demo_run` records what the agent would log for "heat water and light the
kitchen": an allowed step with shield clamps, a denied step (fire) and the replan it
causes, an `ask_human` step a person approves and whose knob gets a closer look, a step
whose verification fails and is replanned and retried, and the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from embodiments.base import SceneEvent
from embodiments.testing import FakeConfig, FakeEmbodiment
from planner.types import Plan, Step
from safety.steplog.canonical import sha256_hex
from safety.steplog.records import (
    ApprovalRecord,
    GoalRecord,
    LookRecord,
    LookResultRecord,
    OutcomeRecord,
    PlanRecord,
    PredicateCheck,
    ReplanRecord,
    ShieldRecord,
    SkillEndRecord,
    SkillStartRecord,
    VerdictRecord,
    VerificationRecord,
)
from safety.steplog.writer import StepLog
from safety.verdict import Decision, Severity, Verdict

DEMO_GOAL = "heat water in the kettle and turn the light on"
RULESET_HASH = sha256_hex(b"steward demo rules v1")


@dataclass(frozen=True, kw_only=True)
class _Scripted:
    step: Step
    verdict: Verdict
    event: SceneEvent | None = None
    approver: str | None = None
    clamps: int = 0
    verified: bool = True
    look: bool = False


def _step(skill: str, effect: str, **arguments: str) -> Step:
    return Step(
        skill=skill, arguments=arguments, intent=f"{skill} {arguments}", expected_effects=(effect,)
    )


def _allow() -> Verdict:
    return Verdict(
        decision=Decision.ALLOW, reasons=("no hazard rule applies",), ruleset_hash=RULESET_HASH
    )


SCRIPT: tuple[_Scripted, ...] = (
    _Scripted(
        step=_step("open", "open(microwave)", target="microwave"),
        verdict=_allow(),
        event=SceneEvent("open", "microwave"),
        clamps=3,
    ),
    _Scripted(
        step=_step("place", "in(kettle, microwave)", target="microwave"),
        verdict=Verdict(
            decision=Decision.DENY,
            reasons=("the kettle is metal; metal in a microwave can start a fire",),
            rule_ids=("fire.metal_in_microwave",),
            hazard_category="fire",
            severity=Severity.HIGH,
            ruleset_hash=RULESET_HASH,
        ),
    ),
    _Scripted(
        step=_step("turn_on", "turned_on(top_left_burner)", target="top_left_burner"),
        verdict=Verdict(
            decision=Decision.ASK_HUMAN,
            reasons=("a burner left on needs a person nearby",),
            rule_ids=("fire.heat_unattended",),
            hazard_category="fire",
            severity=Severity.MEDIUM,
            ruleset_hash=RULESET_HASH,
        ),
        event=SceneEvent("turn_on", "top_left_burner"),
        approver="operator:alice",
        look=True,
    ),
    _Scripted(
        step=_step("turn_on", "turned_on(light)", target="light"), verdict=_allow(), verified=False
    ),
    _Scripted(
        step=_step("turn_on", "turned_on(light)", target="light"),
        verdict=_allow(),
        event=SceneEvent("turn_on", "light"),
    ),
)


def _run_step(log: StepLog, body: FakeEmbodiment, no: int, s: _Scripted) -> None:
    log.append(VerdictRecord(step=no, planned=s.step, verdict=s.verdict))
    if s.verdict.decision is Decision.DENY:
        return
    if s.approver is not None:
        log.append(ApprovalRecord(step=no, approved=True, approver=s.approver, channel="cli"))
    before = log.put_frames(body.observe().frames)
    skill = s.step.skill
    log.append(SkillStartRecord(step=no, skill=skill, arguments=s.step.arguments, backend="demo"))
    if s.clamps:
        clamp = ShieldRecord(
            step=no,
            action="clamp",
            fields=("joint_velocity_rad_s",),
            count=s.clamps,
            reason="joint speed above limit",
        )
        log.append(clamp)
    if s.event is not None:
        body.inject(s.event)
    log.append(SkillEndRecord(step=no, skill=skill, status="succeeded", duration_s=1.25, ticks=16))
    after = log.put_frames(body.observe().frames)
    if s.look:
        _look_closer(log, body, no, s.step.expected_effects)
    checks = tuple(
        PredicateCheck(literal=effect, holds=s.verified, confidence=0.9)
        for effect in s.step.expected_effects
    )
    evidence = VerificationRecord(
        step=no,
        success=s.verified,
        confidence=0.9,
        predicates=checks,
        frames_before=before,
        frames_after=after,
        method="cell-colour",
    )
    log.append(evidence)


def _look_closer(log: StepLog, body: FakeEmbodiment, no: int, atoms: tuple[str, ...]) -> None:
    log.append(
        LookRecord(step=no, look="knob_look", atoms=atoms, reason="unsure from the usual view")
    )
    seen = log.put_frames(body.observe().frames)
    estimates = tuple(PredicateCheck(literal=a, holds=True, confidence=0.99) for a in atoms)
    log.append(
        LookResultRecord(step=no, look="knob_look", reached=True, estimates=estimates, frames=seen)
    )


_REPLAN_AFTER: dict[int, tuple[Literal["deny", "verification_failed"], str]] = {
    1: ("deny", "the critic refused to put the metal kettle in the microwave"),
    3: ("verification_failed", "the light is still off in the frames after the step"),
}


def _fixed_clock(start: datetime) -> Callable[[], datetime]:
    ticks = iter(range(1_000_000))
    return lambda: start + timedelta(seconds=next(ticks))


def write_demo_run(root: Path, run_id: str = "demo", *, finish: bool = True) -> StepLog:
    """Record the demo run under `root` and return its (closed) log."""
    body = FakeEmbodiment(FakeConfig(image_size_px=64, randomize=False))
    body.reset(seed=0)
    clock = _fixed_clock(datetime(2025, 1, 1, 12, 0, tzinfo=UTC))
    with StepLog.open(root, run_id, clock=clock) as log:
        log.append(GoalRecord(text=DEMO_GOAL, source="speech"))
        plan = Plan(goal=DEMO_GOAL, steps=tuple(s.step for s in SCRIPT), backend="scripted")
        log.append(PlanRecord(plan=plan, prompt_sha256=sha256_hex(DEMO_GOAL.encode())))
        attempt = 0
        for no, scripted in enumerate(SCRIPT):
            _run_step(log, body, no, scripted)
            if no in _REPLAN_AFTER:
                attempt += 1
                trigger, reason = _REPLAN_AFTER[no]
                log.append(ReplanRecord(step=no, trigger=trigger, attempt=attempt, reason=reason))
                rest = plan.model_copy(update={"steps": plan.steps[no + 1 :]})
                log.append(PlanRecord(attempt=attempt, plan=rest))
        if finish:
            log.append(OutcomeRecord(status="done", reason="kettle heating, light on", steps_run=4))
    return log
