"""`steward record`, `train` and `serve-policy`: bad input gets one sentence, good input works."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.cli import main


def test_record_unknown_target_lists_the_valid_ones(tmp_path: Path, capsys) -> None:
    assert main(["record", "open", "--target", "spaceship", "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "spaceship" in err
    assert "microwave" in err
    assert "Traceback" not in err


def test_record_without_target_asks_for_one(tmp_path: Path, capsys) -> None:
    assert main(["record", "turn_on", "--out", str(tmp_path / "d")]) == 2
    assert "name at least one --target" in capsys.readouterr().err


def test_train_on_a_missing_dataset_says_how_to_record_one(tmp_path: Path, capsys) -> None:
    code = main(["train", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "ck")])
    assert code == 2
    assert "steward record" in capsys.readouterr().err


def test_train_writes_a_checkpoint(dataset: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "ck"
    args = ["train", "--data", str(dataset), "--out", str(out), "--steps", "2", "--batch-size", "4"]
    assert main(args) == 0
    assert "trained 2 steps on 36 samples (3 episodes)" in capsys.readouterr().out
    assert (out / "model.safetensors").is_file()


def test_serve_policy_without_a_checkpoint_names_the_fix(tmp_path: Path, capsys) -> None:
    assert main(["serve-policy", str(tmp_path / "none"), "--port", "0"]) == 2
    assert "steward train" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["record", "train", "serve-policy"])
def test_commands_are_registered(command: str, capsys) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "usage: steward" in capsys.readouterr().out
