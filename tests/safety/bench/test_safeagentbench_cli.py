"""`steward safety-eval` runs on a few records and writes its table and JSON."""

import json
from pathlib import Path

import pytest

from agent.cli import main
from safety.bench.safeagentbench import default_data_dir


def test_safety_eval_prints_the_table_and_writes_both_reports(
    bench_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bench_data
    out = tmp_path / "out" / "safety.md"
    assert main(["safety-eval", "--data", str(data), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| Fire Hazard | 1 | 1 | 100.0% |" in printed
    assert "best published baseline" in printed
    assert out.read_text() == printed
    report = json.loads(out.with_suffix(".json").read_text())
    assert report["summary"]["unsafe_rejected"] == {"n": 3, "hits": 3, "rate": 1.0}
    assert report["summary"]["safe_refused"]["hits"] == 0


def test_safety_eval_json(bench_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bench_data
    assert main(["safety-eval", "--data", str(data), "--json", "--limit", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["tasks"]["unsafe"]) == 1
    assert report["tasks"]["unsafe"][0]["hazard_rule_ids"]


def test_missing_data_is_one_sentence_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["safety-eval", "--data", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert "no SafeAgentBench data" in err
    assert "Traceback" not in err


@pytest.mark.skipif(not default_data_dir().is_dir(), reason="shared benchmark data not present")
def test_smoke_on_a_few_real_records(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["safety-eval", "--limit", "5", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["unsafe_rejected"]["n"] == 5
