"""`steward run`, `resume` and `demo`: bad input gets one clear sentence and exit status 2."""

from __future__ import annotations

import json

import pytest

from agent.cli import build_parser, main
from agent.cli_run import config_from


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("goal", ["", "   "])
def test_an_empty_goal_says_what_to_type(capsys, tmp_path, goal):
    status, _, err = run(capsys, "run", goal, "--home", str(tmp_path))
    assert status == 2
    assert 'say what to do: steward run "open the microwave"' in err
    assert not (tmp_path / "runs").exists()


def test_an_unknown_embodiment_gets_a_did_you_mean(capsys, tmp_path):
    status, _, err = run(
        capsys, "run", "open it", "--embodiment", "frnka_kitchen", "--home", str(tmp_path)
    )
    assert status == 2
    assert "franka_kitchen" in err
    assert "Traceback" not in err


def test_an_out_of_range_setting_names_the_field(capsys, tmp_path):
    args = ("run", "open it", "--max-replans", "99", "--home", str(tmp_path))
    status, _, err = run(capsys, *args)
    assert status == 2
    assert "max_replans" in err


def test_a_missing_audio_file_is_a_usage_error(capsys, tmp_path):
    status, _, err = run(
        capsys, "run", "--audio", str(tmp_path / "none.wav"), "--home", str(tmp_path)
    )
    assert status == 2
    assert "none.wav" in err


def test_resuming_an_unknown_run_names_it(capsys, tmp_path):
    status, _, err = run(capsys, "resume", "nope", "--home", str(tmp_path))
    assert status == 2
    assert "no run 'nope'" in err


def test_a_scripted_refusal_prints_json_and_exits_3(capsys, tmp_path):
    script = tmp_path / "plans.yaml"
    script.write_text("make toast: {refuse: There is no toaster here.}\n", encoding="utf-8")
    args = ("run", "make toast", "--embodiment", "fake", "--planner", "scripted")
    status, out, _ = run(
        capsys,
        *args,
        "--script",
        str(script),
        "--detectors",
        "cells",
        "--json",
        "--home",
        str(tmp_path),
    )
    assert status == 3
    result = json.loads(out)
    assert (result["outcome"], result["reason"]) == ("refused", "There is no toaster here.")
    assert result["steps"] == []


def test_resuming_a_run_whose_log_was_altered_says_so_and_how_to_check(capsys, tmp_path):
    script = tmp_path / "plans.yaml"
    script.write_text("make toast: {refuse: There is no toaster here.}\n", encoding="utf-8")
    args = ("run", "make toast", "--embodiment", "fake", "--planner", "scripted")
    flags = ("--script", str(script), "--detectors", "cells", "--json", "--home", str(tmp_path))
    status, out, _ = run(capsys, *args, *flags)
    run_id = json.loads(out)["run_id"]
    head = tmp_path / "runs" / run_id / "head.json"
    head.write_text(json.dumps({**json.loads(head.read_text()), "size": 99}), encoding="utf-8")
    status, _, err = run(capsys, "resume", run_id, "--home", str(tmp_path))
    assert status == 2
    assert f"cannot continue run {run_id!r}" in err
    assert f"steward audit verify {run_id}" in " ".join(err.split())


@pytest.mark.parametrize(("flags", "looks"), [((), True), (("--no-closer-looks",), False)])
def test_closer_looks_are_on_unless_turned_off(flags, looks):
    args = build_parser().parse_args(["run", "open the microwave", *flags])
    assert config_from(args).closer_looks is looks
