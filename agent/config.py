"""One run's settings: which robot, planner, critic, detectors and skill backends, and bounds.

`RunConfig` is frozen and validated at the boundary (the command line, `run_goal`), so
a typo in a setting fails before anything moves. `STEWARD_HOME` (default `~/.steward`)
holds the step logs (`runs/`) and the durable run state (`state.sqlite`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from safety.steplog.storage import steward_home

__all__ = ["RunConfig", "steward_home"]


class RunConfig(BaseModel):
    """Everything a run needs besides the goal. Every field has a working default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    embodiment: str = "franka_kitchen"
    embodiment_settings: dict[str, str | int | float | bool] = Field(default_factory=dict)
    seed: int | None = Field(default=None, description="seed of the randomised start state")
    planner: str = "local"
    planner_settings: dict[str, str] = Field(default_factory=dict)
    critic: str = "default"
    detectors: tuple[str, ...] = Field(default=("learned", "classical"), min_length=1)
    skill_backend: str = Field(default="scripted", description="backend for every skill")
    skill_backends: dict[str, str] = Field(
        default_factory=dict, description="per-skill overrides, e.g. {'open': 'vla'}"
    )
    closed_loop: bool = Field(
        default=True,
        description="verify each step from frames and replan; False = plan once, run blind",
    )
    wait_for_person_s: float = Field(
        default=30.0,
        ge=0.0,
        le=600.0,
        description="how long to hold still for a person to step away before giving up",
    )
    max_replans: int = Field(default=4, ge=0, le=20, description="new plans per goal")
    max_step_failures: int = Field(default=2, ge=1, le=10, description="tries per step")
    min_confidence: float = Field(default=0.9, ge=0.5, le=1.0)
    max_looks: int = Field(default=3, ge=1, le=10, description="observations per check")
    closer_looks: bool = Field(
        default=True,
        description="move the wrist camera to look closer at burner knobs the cameras are "
        "unsure of (the kitchen's knob look); False = judge from the usual view only",
    )
    home: Path = Field(default_factory=steward_home)

    @property
    def runs_dir(self) -> Path:
        """Step logs, one directory per run (what `steward audit` reads by default)."""
        return self.home / "runs"

    @property
    def state_db(self) -> Path:
        """The SQLite file of LangGraph checkpoints."""
        return self.home / "state.sqlite"

    def backend_for(self, skill: str) -> str:
        """The backend that runs `skill`: its override, else the default."""
        return self.skill_backends.get(skill, self.skill_backend)
