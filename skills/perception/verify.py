"""The verification policy: whether a step's expected effects hold in the frames after it.

Each look takes a fresh observation, checks its frames (a bad frame is reported and the
scene re-observed, never classified), and asks the detectors about the effects' atoms.
The first detector answers every look; effects it is unsure about (confidence below the
policy's threshold) get another look with the next detector as a cross-check, until all
are decided or the looks run out. Every look leaves evidence: frame hashes, problems and
each detector's estimates, for the step log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from embodiments.base import Observation
from embodiments.png import is_image, png_sha256
from skills.perception.base import Detector, PredicateEstimate
from skills.perception.frames import FrameProblem, check_frames
from skills.predicates import GroundLiteral

Outcome = Literal["verified", "failed", "uncertain", "bad_frames"]
MOVED_M = 1e-3  # end effector displacement above which an unchanged frame is "frozen"


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyPolicy:
    """How sure the verifier must be, and how often it may look again."""

    min_confidence: float = 0.9
    max_looks: int = 3

    def __post_init__(self) -> None:
        if not 0.5 <= self.min_confidence <= 1.0:
            msg = f"min_confidence={self.min_confidence!r} must lie in [0.5, 1]"
            raise ValueError(msg)
        if self.max_looks < 1:
            msg = f"max_looks={self.max_looks!r} must be at least 1"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class Look:
    """One observation: its frame hashes, frame problems and the estimates it produced."""

    index: int
    frame_sha256: tuple[tuple[str, str], ...]
    problems: tuple[FrameProblem, ...] = ()
    estimates: tuple[PredicateEstimate, ...] = ()


@dataclass(frozen=True, slots=True)
class EffectCheck:
    """The verdict on one expected effect, combined over every estimate of its atom."""

    literal: GroundLiteral
    holds: bool
    confidence: float
    decided: bool
    detectors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Verification:
    """The step's outcome, one check per effect, and the evidence behind them."""

    outcome: Outcome
    checks: tuple[EffectCheck, ...]
    looks: tuple[Look, ...]
    message: str = ""
    frames_before_sha256: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def success(self) -> bool:
        """Every effect holds with enough confidence."""
        return self.outcome == "verified"

    @property
    def confidence(self) -> float:
        """The weakest effect's confidence (0 when no frame could be read)."""
        return min((c.confidence for c in self.checks), default=0.0)


def frame_hashes(observation: Observation) -> tuple[tuple[str, str], ...]:
    """Hashes of every frame that is an image at all (bad ones too: they are evidence)."""
    return tuple(
        (cam, png_sha256(f)) for cam, f in sorted(observation.frames.items()) if is_image(f)
    )


def _moved(before: Observation | None, after: Observation) -> bool:
    if before is None:
        return False
    shift = after.proprio.end_effector_position_m - before.proprio.end_effector_position_m
    return bool(np.linalg.norm(shift) > MOVED_M)


def _combine(
    literal: GroundLiteral, estimates: Sequence[PredicateEstimate], threshold: float
) -> EffectCheck:
    """Average the estimates' probability that the atom is true."""
    if not estimates:
        return EffectCheck(literal, holds=False, confidence=0.0, decided=False, detectors=())
    p_true = float(np.mean([e.confidence if e.value else 1 - e.confidence for e in estimates]))
    atom_true = p_true > 0.5
    confidence = max(p_true, 1 - p_true)
    return EffectCheck(
        literal,
        holds=atom_true == literal.positive,
        confidence=confidence,
        decided=confidence >= threshold,
        detectors=tuple(dict.fromkeys(e.detector for e in estimates)),
    )


def verify_effects(
    observe: Callable[[], Observation],
    effects: Sequence[GroundLiteral],
    detectors: Sequence[Detector],
    *,
    policy: VerifyPolicy | None = None,
    before: Observation | None = None,
) -> Verification:
    """Look (and look again while unsure) until every effect is decided or looks run out."""
    policy = policy or VerifyPolicy()
    if not detectors:
        msg = "verify_effects needs at least one detector"
        raise ValueError(msg)
    seen: dict[str, list[PredicateEstimate]] = {str(e.atom): [] for e in effects}
    looks: list[Look] = []
    pending = list(effects)
    for index in range(policy.max_looks):
        observation = observe()
        previous = None if before is None else before.frames
        problems = check_frames(
            observation.frames, previous=previous, moved=_moved(before, observation)
        )
        if problems:
            looks.append(Look(index, frame_hashes(observation), problems))
            continue
        # The primary detector judges every look; later looks add the next detector.
        chosen = [detectors[0]] + ([detectors[min(index, len(detectors) - 1)]] if index else [])
        found: list[PredicateEstimate] = []
        for detector in dict.fromkeys(chosen):
            judged = set(map(str, detector.atoms()))
            wanted = [e.atom for e in pending if str(e.atom) in judged]
            found += detector.detect(observation.frames, wanted).values()
        for estimate in found:
            seen[str(estimate.atom)].append(estimate)
        looks.append(Look(index, frame_hashes(observation), (), tuple(found)))
        checks = {
            str(e.atom): _combine(e, seen[str(e.atom)], policy.min_confidence) for e in effects
        }
        pending = [e for e in effects if not checks[str(e.atom)].decided]
        if not pending:
            break
    final = tuple(_combine(e, seen[str(e.atom)], policy.min_confidence) for e in effects)
    return _conclude(final, tuple(looks), () if before is None else frame_hashes(before))


def reconsider(
    result: Verification,
    look: Look,
    policy: VerifyPolicy | None = None,
) -> Verification:
    """The verdict again after a closer look (`look`, its estimates from the closer view).

    For the atoms the closer look judged, its estimates replace the earlier ones: it was
    taken because the usual view could not see them well.
    """
    policy = policy or VerifyPolicy()
    found = {str(e.atom): e for e in look.estimates}
    checks = tuple(
        _combine(c.literal, [found[str(c.literal.atom)]], policy.min_confidence)
        if str(c.literal.atom) in found
        else c
        for c in result.checks
    )
    return _conclude(checks, (*result.looks, look), result.frames_before_sha256)


def _conclude(
    checks: tuple[EffectCheck, ...],
    looks: tuple[Look, ...],
    before_hashes: tuple[tuple[str, str], ...],
) -> Verification:
    if all(look.problems for look in looks):
        listed = "; ".join(str(p) for p in looks[-1].problems)
        message = f"bad frames on all {len(looks)} looks ({listed}); check the cameras"
        return Verification("bad_frames", checks, looks, message, before_hashes)
    if any(c.decided and not c.holds for c in checks):
        failed = ", ".join(str(c.literal) for c in checks if c.decided and not c.holds)
        return Verification("failed", checks, looks, f"not as expected: {failed}", before_hashes)
    unsure = [str(c.literal) for c in checks if not c.decided]
    if unsure:
        message = f"unsure after {len(looks)} looks: {', '.join(unsure)}"
        return Verification("uncertain", checks, looks, message, before_hashes)
    return Verification("verified", checks, looks, "every effect holds", before_hashes)
