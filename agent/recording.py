"""`steward run --video out.mp4`: the overview camera during the run, as H.264.

`FrameTap` sits between the shield and the robot and grabs one frame every few control
ticks while skills run (and every observation the agent takes), so the video shows the
motion itself, not only the moments the agent looked.
"""

from __future__ import annotations

from pathlib import Path

from agent.config import RunConfig
from agent.context import Operator, Progress
from agent.report import RunReport
from agent.runner import Overrides, run_goal
from agent.video import VideoRecorder
from embodiments.base import (
    AppliedCommand,
    Command,
    Embodiment,
    EmbodimentWrapper,
    Observation,
    SupportsRender,
)
from embodiments.registry import make_embodiment

TICKS_PER_FRAME = 2  # 12.5 Hz control -> about 6 video frames per simulated second


class FrameTap(EmbodimentWrapper):
    """Forwards everything; adds a camera frame to the video every few ticks."""

    def __init__(self, inner: Embodiment, video: VideoRecorder, camera: str = "overview") -> None:
        super().__init__(inner)
        self.video = video
        self.camera = camera
        self._ticks = 0

    def observe(self) -> Observation:
        """Observe, and keep the frame."""
        observation = self.inner.observe()
        frame = observation.frames.get(self.camera)
        if frame is not None:
            self.video.add(frame)
        return observation

    def apply(self, command: Command) -> AppliedCommand:
        """Apply, and every few ticks render a frame for the video."""
        applied = self.inner.apply(command)
        self._ticks += 1
        if self._ticks % TICKS_PER_FRAME == 0:
            body = self.inner.unwrapped
            if isinstance(body, SupportsRender):
                self.video.add(body.render(self.camera))
        return applied


def recorded_run(
    path: Path,
    goal: str,
    config: RunConfig,
    *,
    source: str,
    operator: Operator,
    progress: Progress,
) -> RunReport:
    """`run_goal` with the overview camera written to `path` (checked before anything moves)."""
    fps = 12.5 / TICKS_PER_FRAME
    with VideoRecorder(path, fps=fps) as video:
        body = make_embodiment(config.embodiment, **config.embodiment_settings)
        tapped = FrameTap(body, video)
        return run_goal(
            goal,
            config,
            source=source,
            operator=operator,
            progress=progress,
            overrides=Overrides(embodiment=tapped),
        )
