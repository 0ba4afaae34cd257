"""`steward plan`: prints the plan or the reason; bad settings exit 2 with one sentence."""

from __future__ import annotations

from agent.cli import main


def test_plan_prints_the_scripted_plan(tmp_path, capsys):
    script = tmp_path / "s.yaml"
    script.write_text("open the microwave:\n  steps: [{skill: open, target: microwave}]\n")
    status = main(["plan", "open the microwave", "--planner", "scripted", "--script", str(script)])
    out = capsys.readouterr().out
    assert status == 0
    assert "1. open(target=microwave)  - open the microwave  -> open(microwave)" in out


def test_plan_json_output_carries_status_and_steps(tmp_path, capsys):
    script = tmp_path / "s.yaml"
    script.write_text("make toast: {refuse: There is no toaster.}\n")
    status = main(
        ["plan", "make toast", "--planner", "scripted", "--script", str(script), "--json"]
    )
    out = capsys.readouterr().out
    assert status == 1
    assert '"status": "refused"' in out
    assert "There is no toaster." in out


def test_an_unknown_planner_or_scene_is_one_sentence_and_exit_2(capsys):
    assert main(["plan", "x", "--planner", "scriptd"]) == 2
    assert "Did you mean 'scripted'" in capsys.readouterr().err
    assert main(["plan", "x", "--planner", "scripted", "--scene", "garage"]) == 2
    assert "unknown scene 'garage'" in capsys.readouterr().err
