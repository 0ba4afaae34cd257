"""wait: hold still until the person near the robot steps away (bounded), then look again.

Reached when a person declined a step because someone was close, or when the shield held
a skill back for the same reason. The arm holds its pose; the presence sensor is read
every control tick. When the person has gone the agent observes, perceives and judges the
same step again; when `wait_for_person_s` runs out the run ends refused, saying so.
"""

from __future__ import annotations

from agent.nodes.common import Ctx, log
from agent.state import AgentState, Outcome
from embodiments.base import Command

CHECK_S = 1.0  # after the person is gone, stay still this long before moving again


def wait(state: AgentState, *, runtime: Ctx) -> AgentState:
    """Hold the arm until nobody is sensed for CHECK_S, or the run's wait budget is spent."""
    ctx = runtime.context
    ctx.fresh = None  # time passes here: look again afterwards
    config = state["config"]
    why = state.get("waiting") or "a person is near"
    waited = state.get("waited_s", 0.0)
    limits = ctx.robot.limits
    tick_s = 1.0 / limits.control_rate_hz
    hold = Command.hold(limits.n_joints, ctx.robot.gripper_command)
    clear_s = 0.0
    log.info("agent.wait", reason=why, waited_s=round(waited, 1))
    while waited < config.wait_for_person_s and clear_s < CHECK_S:
        ctx.robot.apply(hold)
        waited += tick_s
        clear_s = clear_s + tick_s if ctx.person() is None else 0.0
    if clear_s < CHECK_S:
        reason = f"{why}; waited {waited:.0f} s for them to step away"
        return {
            "waiting": None,
            "waited_s": waited,
            "outcome": Outcome(status="refused", reason=reason),
        }
    return {"waiting": None, "waited_s": waited}
