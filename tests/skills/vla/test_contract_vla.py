"""The skill contract suite (tests/skills/test_contract.py), run over the vla and openpi backends.

It runs in a child pytest with `-p skills.vla`, which registers the learned backends before
the suite collects its parameters, exactly as `steward skills check` runs it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CONTRACT = Path(__file__).resolve().parents[1] / "test_contract.py"


@pytest.mark.sim
@pytest.mark.slow
def test_contract_suite_passes_on_every_learned_backend(tmp_path: Path) -> None:
    pytest.importorskip("mujoco")
    env_root = {"STEWARD_VLA_DIR": str(tmp_path / "no-checkpoints")}  # nothing may be loaded
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "skills.vla",
            "-k",
            "vla or openpi",
            "-p",
            "no:cacheprovider",
            str(CONTRACT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **env_root},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    summary = proc.stdout.strip().splitlines()[-1]
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert passed == 12, summary  # cancel-before-moving, 6 skills x {vla, openpi}
