"""Planner backends by name: `local` (default), `openai`, `scripted`, and `fake` for tests.

Built-in backends register by decorator when their module is imported, which happens
on the first lookup; heavy libraries (llama-cpp-python) load only when a planner plans.
Backends from other packages come from the `steward.planners` entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from embodiments.registry import Registry
from planner.base import Planner
from planner.errors import PlannerConfigError, PlannerNotFoundError

PlannerFactory = Callable[..., Planner]
DEFAULT_PLANNER = "local"

PLANNERS: Registry[PlannerFactory] = Registry(
    "planner", entry_point_group="steward.planners", not_found=PlannerNotFoundError
)
register_planner = PLANNERS.register

S = TypeVar("S", bound=BaseModel)


def _builtins() -> None:
    # Importing registers; llama_cpp and openai objects are created only when planning.
    import planner.backends.local  # noqa: PLC0415 - registers "local"
    import planner.backends.openai_compat  # noqa: PLC0415 - registers "openai"
    import planner.backends.scripted  # noqa: PLC0415 - registers "scripted"
    import planner.testing  # noqa: F401, PLC0415 - registers "fake"


def make_planner(name: str = DEFAULT_PLANNER, **settings: object) -> Planner:
    """Build a registered planner by name; a miss suggests the closest name."""
    _builtins()
    return PLANNERS.get(name)(**settings)


def planner_names() -> tuple[str, ...]:
    """Every registered planner name."""
    _builtins()
    return PLANNERS.names()


def settings_from(model: type[S], settings: Mapping[str, object]) -> S:
    """Validate keyword settings into a config; the error names each bad field and value."""
    given = {k: v for k, v in settings.items() if v is not None}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "(settings)"
            got = f" (got {err['input']!r})" if err["type"] != "missing" else ""
            problems.append(f"{field}: {err['msg']}{got}")
        msg = f"invalid {model.__name__}: " + "; ".join(problems)
        raise PlannerConfigError(msg) from None
