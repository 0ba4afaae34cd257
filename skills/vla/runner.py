"""The closed loop every learned backend shares: observe, infer a chunk, run part of it.

Each inference returns H actions; the first `execute_steps` run open-loop (one control
tick each) before the next observation, as openpi's clients and ACT do. The cancel
token is checked before every tick. The policy ends the run itself when its progress
estimate stays above `done_progress`; a policy without one (a pi0 server) runs for its
tick budget and leaves the verdict to the frame-based verifier. Nothing retries motion.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import structlog

from embodiments.base import Command, Embodiment
from skills.base import CancelToken, SkillResult, SkillStatus
from skills.errors import SkillIncompatibleError
from skills.vla.base import ActionChunk, ChunkPolicy, PolicyInput
from skills.vla.config import RunConfig

log = structlog.get_logger("steward.skills.vla.runner")


@dataclass
class _Counters:
    started_s: float = field(default_factory=time.monotonic)
    ticks: int = 0
    clamped: int = 0
    stopped: int = 0
    inferences: int = 0
    infer_s: float = 0.0

    def result(self, status: SkillStatus, message: str) -> SkillResult:
        return SkillResult(
            status=status,
            message=message,
            ticks=self.ticks,
            duration_s=time.monotonic() - self.started_s,
            clamped_ticks=self.clamped,
            stopped_ticks=self.stopped,
        )


def _check_chunk(chunk: ActionChunk, n_joints: int, source: str) -> None:
    want = n_joints + 1
    if chunk.actions.ndim != 2 or chunk.actions.shape[1] != want or chunk.horizon == 0:
        msg = (
            f"policy {source} returned actions of shape {chunk.actions.shape}; this embodiment "
            f"needs H x {want} ({n_joints} joint velocities + gripper). Use a policy trained "
            "for this robot"
        )
        raise SkillIncompatibleError(msg)


def _execute(
    embodiment: Embodiment,
    chunk: ActionChunk,
    *,
    steps: int,
    cancel: CancelToken,
    binarize_gripper: bool,
    counters: _Counters,
) -> None:
    """Run up to `steps` actions of the chunk, one per tick, stopping early on cancel."""
    n_joints = embodiment.limits.n_joints
    for action in chunk.actions[:steps]:
        if cancel.cancelled:
            return
        gripper = float(np.clip(action[-1], 0.0, 1.0))
        if binarize_gripper:
            gripper = 1.0 if gripper >= 0.5 else 0.0
        applied = embodiment.apply(Command(action[:n_joints].astype(np.float64), gripper))
        counters.ticks += 1
        counters.clamped += int(applied.was_clamped)
        counters.stopped += int(applied.stopped)


def run_chunked(
    embodiment: Embodiment,
    policy: ChunkPolicy,
    instruction: str,
    *,
    cancel: CancelToken,
    config: RunConfig,
    max_ticks: int,
) -> SkillResult:
    """Run `policy` closed-loop on `embodiment` until done, cancelled or out of ticks."""
    n_joints = embodiment.limits.n_joints
    counters = _Counters()
    done_streak = 0
    has_progress = True
    bound = log.bind(source=policy.source, instruction=instruction)
    bound.info("vla.run.start", max_ticks=max_ticks, execute_steps=config.execute_steps)
    status, message = SkillStatus.TIMED_OUT, ""
    while counters.ticks < max_ticks:
        if cancel.cancelled:
            embodiment.stop()
            status, message = SkillStatus.CANCELLED, cancel.reason or "cancelled"
            break
        request = PolicyInput.from_observation(embodiment.observe(), instruction)
        began = time.perf_counter()
        chunk = policy.infer(request)
        counters.infer_s += time.perf_counter() - began
        counters.inferences += 1
        _check_chunk(chunk, n_joints, policy.source)
        has_progress = chunk.progress is not None
        if chunk.progress is not None and chunk.progress >= config.done_progress:
            done_streak += 1
            if done_streak >= config.done_patience:
                status = SkillStatus.SUCCEEDED
                message = f"policy reports the task done after {counters.ticks} ticks"
                break
        else:
            done_streak = 0
        budget = min(config.execute_steps, max_ticks - counters.ticks)
        _execute(
            embodiment,
            chunk,
            steps=budget,
            cancel=cancel,
            binarize_gripper=config.binarize_gripper,
            counters=counters,
        )
    if status is SkillStatus.TIMED_OUT and not has_progress:
        status = SkillStatus.SUCCEEDED
        message = (
            f"ran the tick budget ({max_ticks}); the policy gives no done signal, so "
            "verify the effects from frames"
        )
    elif status is SkillStatus.TIMED_OUT:
        message = f"policy did not report the task done within {max_ticks} ticks"
    mean_ms = 1e3 * counters.infer_s / max(1, counters.inferences)
    bound.info(
        "vla.run.end",
        status=str(status),
        ticks=counters.ticks,
        inferences=counters.inferences,
        mean_infer_ms=round(mean_ms, 2),
    )
    return counters.result(status, f"{message} ({policy.source})")
