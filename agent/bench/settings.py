"""The benchmark's settings: one frozen, validated config built from the command line.

Bad values fail here, before any kitchen is built, with the option, the value and the
valid choices ("did you mean" for a near miss).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.bench.errors import BenchConfigError
from agent.bench.operators import OperatorName
from agent.bench.perturb import Kind

BENCH_CONFIGS: Mapping[str, Mapping[str, object]] = MappingProxyType(
    {
        "full": {},  # critic + verification + replanning: the agent as it ships
        "open_loop": {"closed_loop": False},  # plan once, execute blind (SayCan-style)
        "no_critic": {"critic": "none"},  # every step allowed, nobody asked
    }
)
"""Configuration name -> the RunConfig fields it changes."""

RunValue = str | int | float | bool | tuple[str, ...]


def _did_you_mean(option: str, value: str, valid: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(value, valid, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {option} {value!r}{hint} Valid: {', '.join(valid)}"


class BenchSettings(BaseModel):
    """What to run, how many times, where, and with which planner and operator."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    episodes: int = Field(default=30, ge=1, description="episodes per configuration")
    goals: str = Field(default="", description="','-separated parts of suite goal ids to keep")
    configs: tuple[str, ...] = tuple(BENCH_CONFIGS)
    perturbations: tuple[Kind, ...] = tuple(Kind)
    workers: int | None = Field(
        default=None, ge=1, le=256, description="default: all local cores (Ray: the cluster's)"
    )
    ray: str | None = Field(default=None, description="Ray address, or 'local'")
    planner: Literal["scripted", "local"] = "scripted"
    operator: OperatorName = "resident"
    seed: int = Field(default=0, ge=0, description="first kitchen seed; episode i uses seed+i")
    throughput: tuple[int, ...] = ()
    throughput_episodes: int = Field(default=8, ge=1)
    store: Path | None = Field(
        default=None, description="parent folder of the workers' run stores (default: temp)"
    )
    embodiment: str = "franka_kitchen"
    embodiment_settings: dict[str, str | int | float | bool] = Field(default_factory=dict)
    run_settings: dict[str, RunValue] = Field(
        default_factory=dict, description="RunConfig fields for every run (tests: the fake)"
    )

    @field_validator("configs", mode="before")
    @classmethod
    def _known_configs(cls, value: object) -> tuple[str, ...]:
        names = _names(value)
        for name in names:
            if name not in BENCH_CONFIGS:
                raise ValueError(_did_you_mean("configuration", name, tuple(BENCH_CONFIGS)))
        if not names:
            msg = f"name at least one configuration: {', '.join(BENCH_CONFIGS)}"
            raise ValueError(msg)
        return names

    @field_validator("perturbations", mode="before")
    @classmethod
    def _known_kinds(cls, value: object) -> tuple[str, ...]:
        names = _names(value)
        valid = tuple(str(k) for k in Kind)
        for name in names:
            if name not in valid:
                raise ValueError(_did_you_mean("perturbation", name, valid))
        if not names:
            msg = f"name at least one perturbation kind ('none' for unperturbed): {valid}"
            raise ValueError(msg)
        return names

    @field_validator("throughput")
    @classmethod
    def _positive_workers(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(w < 1 for w in value):
            msg = f"worker counts must be >= 1, got {list(value)}; e.g. --throughput 1,2"
            raise ValueError(msg)
        return value

    @property
    def local_workers(self) -> int:
        """Worker processes on this machine: `workers`, or every local core."""
        return self.workers or os.cpu_count() or 1

    @classmethod
    def parse(cls, **values: object) -> BenchSettings:
        """Validate; a bad value raises BenchConfigError naming each field and value."""
        given = {k: v for k, v in values.items() if v is not None}
        try:
            return cls.model_validate(given)
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"]) or "(settings)"
                message = str(err["msg"]).removeprefix("Value error, ")
                problems.append(f"--{field.replace('_', '-')}={err['input']!r}: {message}")
            msg = "invalid benchmark option: " + "; ".join(problems)
            raise BenchConfigError(msg) from None


def _names(value: object) -> tuple[str, ...]:
    """A ','-separated string or a sequence of names, as unique stripped names."""
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        msg = f"expected ','-separated names, got {value!r}"
        raise ValueError(msg)
    return tuple(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))
