"""`steward audit`: exit status 0 pass / 1 fail / 2 bad input, and never a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent import cli
from safety.steplog.testing import write_demo_run


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    write_demo_run(root, "demo")
    write_demo_run(root, "unfinished", finish=False)
    return root


@pytest.fixture
def runs(tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of two runs, found through $STEWARD_LOG_DIR."""
    root = tmp_path / "runs"
    shutil.copytree(template, root)
    monkeypatch.setenv("STEWARD_LOG_DIR", str(root))
    monkeypatch.setenv("COLUMNS", "200")
    # Only this module's commands, so a half-finished sibling module cannot break these tests.
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("agent.cli_audit",))
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(["audit", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_audit_is_a_registered_command_module() -> None:
    assert "agent.cli_audit" in cli.COMMAND_MODULES


def test_list_shows_goal_outcome_and_counts(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "list")
    assert status == 0
    demo = next(line for line in out.splitlines() if "demo" in line)
    assert "heat water" in demo
    assert "done" in demo
    assert demo.split("│")[-4:-1] == [" 28      ", " 1       ", " 1         "]
    assert "unfinished" in out
    assert "none" in out


def test_list_of_an_empty_or_missing_dir(
    tmp_path: Path, runs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "list", "--log-dir", str(tmp_path / "empty-but-there"))[0] == 2
    (tmp_path / "empty").mkdir()
    status, out, _ = run(capsys, "list", "--log-dir", str(tmp_path / "empty"))
    assert (status, out.strip()) == (0, f"No runs under {tmp_path / 'empty'}.")


@pytest.mark.parametrize(
    ("flags", "present", "absent"),
    [
        ([], ["Goal", "Outcome: done", "operator:alice"], []),
        (
            ["--verdict", "deny"],
            ["place(target=microwave)", "fire.metal_in_microwave"],
            ["Goal", "target=light"],
        ),
        (["--category", "fire"], ["microwave", "top_left_burner"], ["target=light"]),
        (["--approvals"], ["approved by operator:alice via cli"], ["microwave"]),
        (["--replans"], ["Replan (attempt 1)", "Replan (attempt 2)"], ["Goal"]),
    ],
)
def test_show_filters(
    runs: Path,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    present: list[str],
    absent: list[str],
) -> None:
    status, out, _ = run(capsys, "show", "demo", *flags)
    assert status == 0
    for text in present:
        assert text in out
    for text in absent:
        assert text not in out


def test_show_refuses_an_unknown_verdict(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["audit", "show", "demo", "--verdict", "maybe"])
    assert exc.value.code == 2
    assert (
        "invalid verdict 'maybe'; choose from allow, deny, ask_human, revise"
        in capsys.readouterr().err
    )


def test_verify_passes_an_intact_run(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "verify", "demo")
    assert status == 0
    assert out.startswith("PASS demo: 28 records, 8 frames, 0 errors")


def test_verify_fails_a_tampered_run_and_names_the_record(
    runs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = runs / "demo" / "steplog.jsonl"
    lines = log.read_bytes().split(b"\n")
    del lines[7]
    log.write_bytes(b"\n".join(lines))
    status, out, _ = run(capsys, "verify", "demo")
    assert status == 1
    assert "deleted" in out
    assert "record seq 7 deleted" in out
    assert "FAIL demo" in out


def test_verify_strict_fails_on_warnings(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "verify", "unfinished")[0] == 0
    status, out, _ = run(capsys, "verify", "unfinished", "--strict")
    assert status == 1
    assert "no outcome record" in out


def test_verify_against_a_root_kept_elsewhere(
    runs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = run(capsys, "verify", "demo")[1].split("Merkle root ")[1].strip()
    assert run(capsys, "verify", "demo", "--root", root)[0] == 0
    status, out, _ = run(capsys, "verify", "demo", "--root", "ab" * 32)
    assert status == 1
    assert "root_mismatch" in out


def test_unknown_run_is_exit_2_with_a_hint(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "verify", "dem")
    assert status == 2
    assert out == ""
    assert "no run 'dem'" in err
    assert "Did you mean demo" in err
    assert "Traceback" not in err


def test_report_writes_one_html_file(
    runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.html"
    status, out, _ = run(capsys, "report", "demo", "-o", str(target))
    assert status == 0
    assert "12 entries, 8 frames (0 missing)" in out
    assert target.read_text().startswith("<!DOCTYPE html>")


def test_audit_without_an_action_prints_help(
    runs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys)
    assert status == 2
    assert "verify" in out
    assert "report" in out


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (b"\x89PNG\r\n\x1a\nbinary", 1, "not a Steward step log"),
        (b"", 1, "is empty"),
        (b'{"body":{"kind":"goal","te', 0, "incomplete"),
    ],
)
def test_bad_files_in_a_real_process_never_show_a_traceback(
    tmp_path: Path, content: bytes, status: int, words: str
) -> None:
    (tmp_path / "r1").mkdir()
    (tmp_path / "r1" / "steplog.jsonl").write_bytes(content)
    # One process runs every action, as a person would one after another; any uncaught
    # exception would print a traceback to stderr.
    code = (
        "import sys, agent.cli as c; c.COMMAND_MODULES = ('agent.cli_audit',)\n"
        "actions = [['verify', 'r1'], ['show', 'r1'], ['list'], ['report', 'r1', '-o', 'r.html']]\n"
        "for action in actions:\n"
        "    status = c.main(['audit', *action, '--log-dir', sys.argv[1]])\n"
        "    print('STATUS', action[0], status, flush=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    statuses = dict(
        line.split()[1:] for line in done.stdout.splitlines() if line.startswith("STATUS")
    )
    assert statuses["verify"] == str(status)
    assert words in done.stdout
    assert statuses["show"] in ("0", "2")
    assert statuses["list"] == "0"
    assert statuses["report"] in ("0", "2")
