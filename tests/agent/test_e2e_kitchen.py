"""End to end in the MuJoCo kitchen: real frames, learned detectors, scripted skills.

The `steward` command runs in its own process where the test needs one (a crash, a
Ctrl-C, the embedded model); the rest call `run_goal` directly. Scene truth is read
only here, to judge the outcome.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import imageio.v2 as iio
import pytest

from agent.config import RunConfig
from agent.runner import Overrides, run_goal
from agent.testing import EventsAt, ScriptedOperator, logged
from embodiments.base import SceneEvent
from embodiments.registry import make_embodiment
from planner.backends.scripted import ScriptedPlanner, load_script
from safety.steplog.parse import parse_log
from safety.steplog.storage import RunPaths
from safety.steplog.writer import BARRIER_KINDS

pytestmark = [pytest.mark.sim, pytest.mark.slow]

GOAL = "open the microwave and turn on the light"
SCRIPT = f"""
{GOAL}:
  goal: [open(microwave), turned_on(light)]
turn on the top left burner:
  steps: [{{skill: turn_on, target: top_left_burner}}]
"""
DONE_WHEN = "make the kitchen ready for cooking: open the microwave and turn the light on"


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "plans.yaml"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def config(home: Path, **changes: object) -> RunConfig:
    return RunConfig(planner="scripted", seed=0, home=home).model_copy(update=changes)


def steward(*args: str, home: Path) -> subprocess.Popen[str]:
    """`steward ARGS --home HOME` in a new process, stdout and stderr captured."""
    cmd = [sys.executable, "-m", "agent.cli", *args, "--home", str(home)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def only_run(home: Path) -> RunPaths:
    (run_dir,) = (home / "runs").iterdir()
    return RunPaths(home / "runs", run_dir.name)


def bodies(paths: RunPaths) -> list:
    return [line.entry.record.body for line in parse_log(paths.log).lines if line.entry]


def wait_for(paths_of, predicate, proc: subprocess.Popen[str], timeout_s: float = 240.0) -> None:
    """Poll the step log until `predicate(bodies)` holds; fail if the process ends first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        try:
            if predicate(bodies(paths_of())):
                return
        except (ValueError, FileNotFoundError):
            pass
        time.sleep(0.05)
    pytest.fail("the run never reached the expected point")


def step_started(step_no: int):
    return lambda recs: any(b.kind == "skill_start" and b.step == step_no for b in recs)


def verified(step_no: int):
    return lambda recs: any(b.kind == "verification" and b.step == step_no for b in recs)


@pytest.mark.llm
def test_the_readme_goal_runs_with_the_embedded_planner(tmp_path):
    proc = steward("run", DONE_WHEN, "--seed", "0", "--json", home=tmp_path)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    result = json.loads(out)
    assert result["outcome"] == "done", result["reason"]
    assert {"microwave", "light switch"} <= set(result["scene_truth"]["completed_tasks"])
    assert all(step["verified"] for step in result["steps"] if step["skill_status"])
    assert {s["skill"] for s in result["steps"]} >= {"open", "turn_on"}


@pytest.mark.llm
def test_a_goal_the_kitchen_cannot_serve_is_refused_before_anything_moves(tmp_path):
    report = run_goal("bake a chocolate cake in the oven", config(tmp_path, planner="local"))
    assert (report.outcome.status, report.exit_code) == ("refused", 3), report.outcome.reason
    assert report.steps == ()
    assert "skill_start" not in [b.kind for b in logged(report)]


def test_a_door_closed_mid_run_is_noticed_and_replanned(tmp_path, script):
    kitchen = make_embodiment("franka_kitchen")
    report = run_goal(
        GOAL,
        config(tmp_path),
        overrides=Overrides(
            embodiment=kitchen,
            planner=ScriptedPlanner(load_script(script)),
            listeners=(EventsAt(kitchen, {2: SceneEvent("close", "microwave")}),),
        ),
    )
    assert report.outcome.status == "done", report.outcome.reason
    triggers = [b.trigger for b in logged(report) if b.kind == "replan"]
    assert "scene_changed" in triggers
    assert {"microwave", "light switch"} <= set(report.scene_truth.completed_tasks)


def test_an_ask_human_step_runs_after_approval(tmp_path, script):
    operator = ScriptedOperator(approvals=[True])
    report = run_goal(
        "turn on the top left burner",
        config(tmp_path),
        operator=operator,
        overrides=Overrides(planner=ScriptedPlanner(load_script(script))),
    )
    assert report.outcome.status == "done", report.outcome.reason
    assert "nobody attending it" in operator.asked[0]
    assert "turned_on(top_left_burner)" in {str(a) for a in report.scene_truth.atoms}


def test_a_killed_run_resumes_without_repeating_finished_steps(tmp_path, script):
    args = ("run", GOAL, "--planner", "scripted", "--script", str(script), "--seed", "0")
    proc = steward(*args, "--json", home=tmp_path)
    wait_for(lambda: only_run(tmp_path), step_started(2), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    paths = only_run(tmp_path)
    before = [b for b in bodies(paths) if b.kind == "skill_start"]
    resumed = steward("resume", paths.run_id, "--json", home=tmp_path)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err[-3000:] + out[-3000:]
    result = json.loads(out)
    assert result["outcome"] == "done", result["reason"]
    starts = [b for b in bodies(paths) if b.kind == "skill_start"]
    finished_first = [b for b in starts if b.step == 1]
    assert len(finished_first) == 1  # step 1 ran once, before the kill
    assert len(starts) == len(before) + 1  # only the interrupted step ran again
    assert {"microwave", "light switch"} <= set(result["scene_truth"]["completed_tasks"])
    verify = subprocess.run(
        [sys.executable, "-m", "agent.cli", "audit", "verify", paths.run_id],
        env={**os.environ, "STEWARD_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_a_run_killed_between_two_fsyncs_resumes(tmp_path, script):
    """Killed after a step's verification, before the next motion's fsync: the records
    since the last barrier are in the log but were never fsynced, and the run reopens
    (the step log's head follows every record, not only the barriers)."""
    args = ("run", GOAL, "--planner", "scripted", "--script", str(script), "--seed", "0")
    proc = steward(*args, "--json", home=tmp_path)
    for step in (1, 2):  # stop the process right after a verification, check, then kill
        wait_for(lambda: only_run(tmp_path), verified(step), proc)
        proc.send_signal(signal.SIGSTOP)
        if bodies(only_run(tmp_path))[-1].kind not in BARRIER_KINDS:
            break
        proc.send_signal(signal.SIGCONT)  # it had reached the next barrier: try the next step
    else:
        pytest.fail("the run was never stopped between two barriers")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    paths = only_run(tmp_path)
    before = bodies(paths)
    resumed = steward("resume", paths.run_id, "--json", home=tmp_path)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err[-3000:] + out[-3000:]
    assert json.loads(out)["outcome"] == "done"
    after = bodies(paths)
    assert after[: len(before)] == before  # nothing written before the kill was lost
    ran_before = {b.step for b in before if b.kind == "skill_start"}
    ran_again = [b.step for b in after[len(before) :] if b.kind == "skill_start"]
    assert not ran_before & set(ran_again)  # verified steps did not run again


def test_ctrl_c_stops_the_robot_logs_it_and_the_run_resumes(tmp_path, script):
    args = ("run", GOAL, "--planner", "scripted", "--script", str(script), "--seed", "0")
    proc = steward(*args, "--json", home=tmp_path)
    wait_for(lambda: only_run(tmp_path), step_started(1), proc)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 4, err[-3000:]
    assert json.loads(out)["outcome"] == "stopped"
    paths = only_run(tmp_path)
    ends = [b for b in bodies(paths) if b.kind in ("skill_end", "outcome")]
    assert [b.kind for b in ends[-2:]] == ["skill_end", "outcome"]
    assert (ends[-2].status, ends[-1].status) == ("cancelled", "stopped")
    resumed = steward("resume", paths.run_id, "--json", home=tmp_path)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err[-3000:] + out[-3000:]
    assert json.loads(out)["outcome"] == "done"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="scripts/setup.sh installs espeak-ng")
def test_a_spoken_goal_is_transcribed_logged_as_speech_and_carried_out(tmp_path, script):
    wav = tmp_path / "goal.wav"
    espeak = [shutil.which("espeak-ng") or "", "-v", "en-us", "-s", "140", "-w", str(wav), GOAL]
    subprocess.run(espeak, check=True, capture_output=True)
    video = tmp_path / "run.mp4"
    args = ("run", "--audio", str(wav), "--planner", "scripted", "--script", str(script))
    proc = steward(*args, "--seed", "0", "--json", "--video", str(video), home=tmp_path)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    assert f"heard (pocketsphinx): {GOAL!r}" in " ".join(err.split())
    result = json.loads(out)
    assert result["outcome"] == "done", result["reason"]
    goal = next(b for b in bodies(only_run(tmp_path)) if b.kind == "goal")
    assert (goal.text, goal.source) == (GOAL, "speech")
    with iio.get_reader(str(video), format="FFMPEG") as reader:  # type: ignore[arg-type]
        frames = list(reader.iter_data())
    assert len(frames) > 20  # frames while the skills moved, not only when the agent looked
    assert frames[0].shape == (128, 128, 3)


def test_a_closer_look_moves_the_real_arm_and_reads_the_knobs(tmp_path, script):
    """Looks forced for every knob (threshold above 1): the arm goes to the look posture
    through the shield, the knob reader's answers match scene truth, the goal still holds."""
    from skills.perception.knob_look import knob_look  # noqa: PLC0415 - torch, simulator

    report = run_goal(
        "turn on the top left burner",
        config(tmp_path),
        operator=ScriptedOperator(approvals=[True]),
        overrides=Overrides(
            planner=ScriptedPlanner(load_script(script)), look=knob_look(min_confidence=1.01)
        ),
    )
    assert report.outcome.status == "done", report.outcome.reason
    bodies = logged(report)
    kinds = [b.kind for b in bodies]
    assert kinds.count("look") == kinds.count("look_result") >= 2
    results = [b for b in bodies if b.kind == "look_result"]
    assert all(r.reached and r.estimates for r in results), [r.message for r in results]
    truth = {str(a) for a in report.scene_truth.atoms}
    last = {e.literal: e.holds for e in results[-1].estimates}
    assert last == {k: k in truth for k in last}
    assert last["turned_on(top_left_burner)"] is True
