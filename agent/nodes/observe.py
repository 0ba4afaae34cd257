"""observe: take frames and proprioception from the robot (and a simulator's snapshot)."""

from __future__ import annotations

from agent.nodes.common import Ctx, log
from agent.state import AgentState
from embodiments.base import SupportsSnapshot


def observe(state: AgentState, *, runtime: Ctx) -> AgentState:
    """Observe; keep the observation in the context and a simulator snapshot in the state.

    The snapshot lets a resumed run put a simulated world back where it was: a real
    robot's world persists by itself when the agent process dies.
    """
    del state
    ctx = runtime.context
    ctx.latest = ctx.robot.observe()
    body = ctx.embodiment
    snapshot = body.snapshot() if isinstance(body, SupportsSnapshot) else None
    log.debug("agent.observe", time_s=round(ctx.latest.time_s, 3))
    return {"snapshot": snapshot}
