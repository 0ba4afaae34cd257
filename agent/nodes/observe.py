"""observe: take frames and proprioception from the robot (and a simulator's snapshot).

Not a graph node of its own: `perceive` observes first, so a step pays for one
LangGraph super-step and checkpoint, not two, for looking at the world.
"""

from __future__ import annotations

from agent.context import RunContext
from agent.nodes.common import log
from agent.state import AgentState
from embodiments.base import Observation, SupportsSnapshot


def observe(ctx: RunContext) -> tuple[Observation, AgentState]:
    """Observe; keep the observation in the context, and a simulator snapshot for the state.

    Right after a verified step the observation verify took is still the world as it is
    (`ctx.fresh`, taken here): it is used rather than rendered again. The snapshot lets a
    resumed run put a simulated world back where it was: a real robot's world persists by
    itself when the agent process dies.
    """
    reused, ctx.fresh = ctx.fresh, None
    observation = ctx.latest = reused if reused is not None else ctx.robot.observe()
    body = ctx.embodiment
    snapshot = body.snapshot() if isinstance(body, SupportsSnapshot) else None
    log.debug("agent.observe", time_s=round(observation.time_s, 3), reused=reused is not None)
    return observation, {"snapshot": snapshot}
