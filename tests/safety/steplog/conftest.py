"""Fixtures for the step-log tests: a recorded demo run, copied fresh for each test."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from safety.steplog.storage import RunPaths
from safety.steplog.testing import write_demo_run


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template")
    write_demo_run(root, "demo")
    return root / "demo"


@pytest.fixture
def demo(tmp_path: Path, demo_template: Path) -> RunPaths:
    """A private copy of the demo run, free to tamper with."""
    shutil.copytree(demo_template, tmp_path / "demo")
    return RunPaths(tmp_path, "demo")


@dataclass(frozen=True)
class LogFile:
    """The demo run's log file, line by line."""

    paths: RunPaths

    def read(self) -> list[bytes]:
        """The log's lines without their newlines."""
        return self.paths.log.read_bytes().split(b"\n")[:-1]

    def write(self, lines: list[bytes]) -> None:
        """Replace the log with `lines`."""
        self.paths.log.write_bytes(b"".join(line + b"\n" for line in lines))


@pytest.fixture
def log_file(demo: RunPaths) -> LogFile:
    """Read and rewrite the demo run's log."""
    return LogFile(demo)
