"""`steward skills`: useful output, and plain errors for bad input."""

from __future__ import annotations

import pytest

from agent.cli import main


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_skills_list_shows_every_skill_with_choices(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["skills", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("open", "close", "turn_on", "turn_off", "pick", "place"):
        assert name in out
    assert "scripted" in out


def test_unknown_skill_is_a_plain_error_with_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["skills", "check", "opn"]) == 2
    err = capsys.readouterr().err
    assert "Did you mean 'open'" in err
    assert "Traceback" not in err
