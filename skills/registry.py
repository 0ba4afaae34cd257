"""The skill library: specs by name, backends by (skill, backend) name.

Built-in skills register by decorator when `skills.kitchen` is imported; skills from
other packages come from the `steward.skills` entry-point group, loaded on first lookup.
"""

from __future__ import annotations

from collections.abc import Callable

from embodiments.registry import Registry
from skills.base import Skill, SkillSpec
from skills.errors import SkillNotFoundError

SkillFactory = Callable[[], Skill]

SPECS: Registry[SkillSpec] = Registry(
    "skill", entry_point_group="steward.skills", not_found=SkillNotFoundError
)
BACKENDS: Registry[SkillFactory] = Registry(
    "skill backend", entry_point_group="steward.skills", not_found=SkillNotFoundError
)


def register_spec(spec: SkillSpec) -> SkillSpec:
    """Add a spec to the library; a name can be registered once."""
    return SPECS.add(spec.name, spec)


def register_skill(cls: type[Skill]) -> type[Skill]:
    """Class decorator: register a backend under `(spec.name, backend)`.

    The spec is registered too if this is its first backend.
    """
    if cls.spec.name not in SPECS:
        register_spec(cls.spec)
    elif SPECS.get(cls.spec.name) is not cls.spec:
        msg = f"skill {cls.spec.name!r} is registered with a different spec"
        raise ValueError(msg)
    BACKENDS.add(backend_key(cls.spec.name, cls.backend), cls)
    return cls


def backend_key(skill: str, backend: str) -> str:
    """The registry key of one backend of one skill."""
    return f"{skill}:{backend}"


def _builtins() -> None:
    import skills.kitchen  # noqa: F401, PLC0415 - registers the kitchen specs on import


def _builtin_backends() -> None:
    _builtins()
    # The scripted backends import the simulator: only when a backend is asked for.
    import skills.kitchen.scripted  # noqa: PLC0415 - registers on import
    import skills.vla  # noqa: F401, PLC0415 - the learned and remote (openpi) backends


def get_spec(name: str) -> SkillSpec:
    """The spec named `name`; a miss lists every skill."""
    _builtins()
    return SPECS.get(name)


def all_specs() -> tuple[SkillSpec, ...]:
    """Every registered spec, sorted by name (the planner's catalog)."""
    _builtins()
    return tuple(SPECS.get(n) for n in SPECS.names())


def make_skill(name: str, backend: str = "scripted") -> Skill:
    """Instantiate one backend of one skill; a miss names the backends that exist."""
    spec = get_spec(name)
    _builtin_backends()
    key = backend_key(spec.name, backend)
    if key not in BACKENDS:
        have = [k.split(":", 1)[1] for k in BACKENDS.names() if k.startswith(f"{name}:")]
        msg = (
            f"skill {name!r} has no backend {backend!r}; "
            f"available backends: {', '.join(have) or 'none'}"
        )
        raise SkillNotFoundError(msg)
    return BACKENDS.get(key)()


def backends_of(name: str) -> tuple[str, ...]:
    """The backend names registered for one skill."""
    _builtin_backends()
    return tuple(k.split(":", 1)[1] for k in BACKENDS.names() if k.startswith(f"{name}:"))
