"""A closer look: move the camera to where it sees what the usual view could not.

Not a graph node: `perceive` and `verify` call it when the cameras are unsure of atoms
that the run's look can judge (the kitchen's knob look: a burner knob below 0.98
confidence) and the hand is empty. The decision is logged, and fsynced, before the arm
moves (`look`); what the look saw follows (`look_result`, with its frames). A look that
cannot get there, or whose frames are bad, judges nothing and leaves the earlier
estimates as they were.
"""

from __future__ import annotations

from collections.abc import Mapping

from agent.nodes.common import Ctx, log, record, store_frames
from safety.steplog.records import LookRecord, LookResultRecord, PredicateCheck
from skills.perception.frames import check_frames
from skills.perception.verify import Look, frame_hashes


def look_closer(
    runtime: Ctx,
    confidence: Mapping[str, float],
    *,
    step: int | None,
    hand_empty: bool,
    index: int = 0,
) -> Look | None:
    """Look closer at the unsure atoms of `confidence` (atom -> confidence), if any.

    Returns the look (number `index` of its check: its frame hashes, any frame problems,
    its estimates), or None when no look was wanted or possible. `step` is the step being
    verified (None between steps).
    """
    ctx = runtime.context
    looker = ctx.look
    if looker is None or not hand_empty:
        return None
    wanted = looker.wanted(confidence)
    if not wanted:
        return None
    unsure = ", ".join(f"{a} {confidence[str(a)]:.2f}" for a in wanted)
    record(
        runtime,
        LookRecord(
            step=step,
            look=looker.name,
            atoms=tuple(str(a) for a in wanted),
            reason=f"unsure from the usual view: {unsure}",
        ),
    )
    moved = looker.move(ctx.robot, ctx.cancel)
    reached = moved.succeeded
    observation = ctx.latest = ctx.robot.observe()
    problems = check_frames(observation.frames) if reached else ()
    found = looker.reader.detect(observation.frames, wanted) if reached and not problems else {}
    message = moved.message if not problems else "; ".join(str(p) for p in problems)
    seen = tuple(
        PredicateCheck(literal=key, holds=e.value, confidence=e.confidence)
        for key, e in found.items()
    )
    frames = store_frames(runtime, observation.frames)
    record(
        runtime,
        LookResultRecord(
            step=step,
            look=looker.name,
            reached=reached,
            estimates=seen,
            frames=frames,
            message=message,
        ),
    )
    log.info(
        "agent.look",
        look=looker.name,
        step=step,
        reached=reached,
        seen={key: (e.value, round(e.confidence, 3)) for key, e in found.items()},
    )
    return Look(index, frame_hashes(observation), tuple(problems), tuple(found.values()))


def seen_closer(
    atoms: set[str], confidence: Mapping[str, float], look: Look
) -> tuple[set[str], dict[str, float]]:
    """A scene's true atoms and confidences with the look's estimates in place of its own."""
    atoms, confidence = set(atoms), dict(confidence)
    for estimate in look.estimates:
        key = str(estimate.atom)
        confidence[key] = estimate.confidence
        if estimate.value:
            atoms.add(key)
        else:
            atoms.discard(key)
    return atoms, confidence
