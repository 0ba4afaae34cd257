"""Settings of the Franka Kitchen embodiment (frozen, validated, units in names)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from embodiments.errors import EmbodimentConfigError

CAMERAS = ("overview", "wrist")


class KitchenConfig(BaseModel):
    """How the kitchen is built, rendered and randomised."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    image_width_px: int = Field(default=128, ge=16, le=1024)
    image_height_px: int = Field(default=128, ge=16, le=1024)
    cameras: tuple[str, ...] = CAMERAS
    shadows: bool = False
    multisampling: bool = False
    randomize: bool = True
    robot_noise_ratio: float = Field(default=0.0, ge=0.0, le=1.0)
    max_joint_velocity_rad_s: float = Field(default=1.5, gt=0.0, le=2.0)
    settle_ticks: int = Field(default=5, ge=0, le=100)

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> KitchenConfig:
        """Validate keyword settings; a bad one raises EmbodimentConfigError naming it."""
        try:
            cfg = cls.model_validate(dict(settings))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}={e.get('input')!r}: {e['msg']}"
                for e in exc.errors()
            )
            msg = f"invalid franka_kitchen setting: {problems}"
            raise EmbodimentConfigError(msg) from None
        unknown = sorted(set(cfg.cameras) - set(CAMERAS))
        if unknown:
            msg = f"unknown camera(s) {unknown}; valid cameras: {', '.join(CAMERAS)}"
            raise EmbodimentConfigError(msg)
        return cfg
