"""Build a run's dependencies from its `RunConfig`: robot, planner, critic, detectors, skills.

Everything is looked up in its registry, so a misspelt name fails here, before the
robot moves, with the registry's "did you mean" message.
"""

from __future__ import annotations

from collections.abc import Callable

from agent.config import RunConfig
from agent.context import PersonSensor
from embodiments.base import Embodiment
from embodiments.registry import make_embodiment
from planner.base import Planner
from planner.registry import make_planner
from safety.critic.base import Critic
from safety.critic.registry import make_critic
from safety.shield import ActionShield
from skills.base import Skill
from skills.errors import SkillIncompatibleError
from skills.perception.base import Detector
from skills.perception.looks import CloserLook
from skills.perception.registry import make_detector
from skills.registry import make_skill


def build_embodiment(config: RunConfig) -> Embodiment:
    """The configured embodiment (not yet reset)."""
    return make_embodiment(config.embodiment, **config.embodiment_settings)


def shielded(embodiment: Embodiment, sensor: PersonSensor) -> ActionShield:
    """The embodiment behind the action shield, person distance from perception."""
    return ActionShield(embodiment, person_distance_m=sensor)


def build_planner(config: RunConfig) -> Planner:
    """The configured planner."""
    return make_planner(config.planner, **config.planner_settings)


def build_critic(config: RunConfig) -> Critic:
    """The configured critic."""
    return make_critic(config.critic)


def build_detectors(config: RunConfig) -> tuple[Detector, ...]:
    """The configured detectors, primary first."""
    return tuple(make_detector(name) for name in config.detectors)


def build_look(config: RunConfig, embodiment: Embodiment) -> CloserLook | None:
    """The kitchen's knob look, when the run allows closer looks and the robot is the kitchen."""
    if not config.closer_looks or embodiment.unwrapped.name != "franka_kitchen":
        return None
    from skills.perception.knob_look import knob_look  # noqa: PLC0415 - torch and the simulator

    return knob_look()


def skill_factory(config: RunConfig, embodiment: Embodiment) -> Callable[[str], Skill]:
    """Builds each skill's configured backend, refusing one that cannot drive the robot."""
    cache: dict[str, Skill] = {}

    def build(name: str) -> Skill:
        if name not in cache:
            backend = config.backend_for(name)
            skill = make_skill(name, backend)
            if not skill.supports(embodiment):
                msg = (
                    f"the {backend!r} backend of {name!r} cannot drive {embodiment.name!r}; "
                    "pick another with --skills"
                )
                raise SkillIncompatibleError(msg)
            cache[name] = skill
        return cache[name]

    return build
