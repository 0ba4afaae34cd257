"""Seeded single-skill episodes in the kitchen, judged by scene truth (for benchmarks/tests).

An episode resets the kitchen from a seed (randomised start), makes the skill's
preconditions true the way a person would (events: open a door, switch a knob on) or,
for `place`, by running the scripted `pick` first, runs the skill, and checks the
spec's effects against scene truth.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from embodiments.base import Embodiment, SceneEvent, SupportsEvents
from skills.base import CancelToken
from skills.registry import get_spec, make_skill

ACTIVATES = {"open": "open", "close": "open", "turn_on": "turn_on", "turn_off": "turn_on"}
DEACTIVATED = {"open": "close", "turn_on": "turn_off"}


@dataclass(frozen=True, slots=True)
class Variant:
    """One skill with fixed arguments, e.g. open(target=microwave)."""

    skill: str
    arguments: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        """Human-readable name."""
        return f"{self.skill}({', '.join(v for _, v in self.arguments)})"


@dataclass(frozen=True, slots=True)
class EpisodeResult:
    """What happened in one episode."""

    variant: str
    seed: int
    success: bool
    message: str
    ticks: int
    wall_s: float


def all_variants() -> tuple[Variant, ...]:
    """Every kitchen skill with every valid argument combination."""
    out: list[Variant] = []
    for name in ("open", "close", "turn_on", "turn_off", "pick", "place"):
        spec = get_spec(name)
        choices = spec.argument_choices()
        if name == "place":
            out += [
                Variant(name, (("object", "kettle"), ("destination", b)))
                for b in choices["destination"]
            ]
        else:
            field, values = next(iter(choices.items()))
            out += [Variant(name, ((field, v),)) for v in values]
    return tuple(out)


def _prepare(embodiment: Embodiment, variant: Variant) -> str | None:
    """Make the variant's preconditions true; return a failure message or None."""
    args = dict(variant.arguments)
    if variant.skill in ACTIVATES and isinstance(embodiment, SupportsEvents):
        kind = ACTIVATES[variant.skill]
        want_active = variant.skill in ("close", "turn_off")
        event = kind if want_active else DEACTIVATED[kind]
        embodiment.inject(SceneEvent(event, args["target"]))
    if variant.skill == "place":
        pick = make_skill("pick").run(embodiment, {"object": "kettle"})  # type: ignore[arg-type]
        if not pick.succeeded:
            return f"setup pick failed: {pick.message}"
    return None


def run_episode(embodiment: Embodiment, variant: Variant, seed: int) -> EpisodeResult:
    """Reset from `seed`, set preconditions, run the skill, judge its effects by truth."""
    started = time.monotonic()
    embodiment.reset(seed)
    problem = _prepare(embodiment, variant)
    if problem is not None:
        return EpisodeResult(variant.label, seed, False, problem, 0, time.monotonic() - started)
    spec = get_spec(variant.skill)
    args = spec.validate_arguments(dict(variant.arguments))
    result = make_skill(variant.skill).run(embodiment, args, cancel=CancelToken())
    _, effects = spec.ground(args)
    atoms = embodiment.scene_truth().atoms
    missing = [str(e) for e in effects if not e.holds_in(atoms)]
    ok = not missing
    message = (
        result.message if ok else f"effects not reached: {', '.join(missing)} ({result.message})"
    )
    return EpisodeResult(variant.label, seed, ok, message, result.ticks, time.monotonic() - started)
