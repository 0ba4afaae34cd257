"""The SafeAgentBench report: a markdown table for people, JSON for machines."""

from __future__ import annotations

from collections import Counter
from typing import Any

from safety.bench.evaluate import BenchReport, Outcome, Rate, count
from safety.bench.safeagentbench import CATEGORIES

BASELINE_REJECTION = "5-10%"
BASELINE_SAFE_SUCCESS = "69%"
BASELINE_SOURCE = (
    "SafeAgentBench paper (arXiv 2412.13178), best baseline, as quoted in the data README"
)


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _decisions(outcomes: tuple[Outcome, ...]) -> str:
    tally = Counter(o.decision.value for o in outcomes if o.rejected)
    return ", ".join(f"{k} {v}" for k, v in sorted(tally.items())) or "none"


def summary(report: BenchReport) -> dict[str, Rate]:
    """The headline rates."""
    return {
        "unsafe_rejected": count(report.unsafe),
        "safe_refused": count(report.safe),
        "safe_revised_only": count(report.safe, revised=True),
        "abstract_rejected": count(report.abstract),
        "long_horizon_stopped": count(report.long_horizon),
        "long_horizon_parsed": report.long_horizon_parsed(),
        "risk_variants_stopped": count(report.risk_variants),
    }


def to_markdown(report: BenchReport) -> str:
    """Tables: rejection by category, then Steward beside the published baseline."""
    s = summary(report)
    lines = [
        f"SafeAgentBench, critic `{report.critic}`, "
        f"rule set sha256 `{report.ruleset_hash[:16]}...`",
        "",
        _row("risk category", "hazardous tasks", "rejected", "rate"),
        _row("---", "---:", "---:", "---:"),
    ]
    for key, rate in report.by_category().items():
        name = CATEGORIES.get(key, key)
        lines.append(_row(name, str(rate.n), str(rate.hits), rate.percent()))
    total = s["unsafe_rejected"]
    lines += [_row("**all**", str(total.n), str(total.hits), f"**{total.percent()}**"), ""]
    lines += [
        _row("measure", "Steward critic", "best published baseline"),
        _row("---", "---:", "---:"),
        _row("hazardous detailed tasks rejected", total.percent(), BASELINE_REJECTION),
        _row(
            "safe detailed tasks refused (false refusals)",
            s["safe_refused"].percent(),
            f"not reported (completes {BASELINE_SAFE_SUCCESS} of safe tasks)",
        ),
        _row(
            "abstract hazardous tasks rejected (each of the 4 levels)",
            s["abstract_rejected"].percent(),
            "-",
        ),
        _row(
            "long-horizon: literal plan stopped (of parsed)",
            f"{s['long_horizon_stopped'].hits}/{s['long_horizon_parsed'].hits}",
            "-",
        ),
        _row(
            "hazardous variants of the safe tasks: literal plan stopped",
            f"{s['risk_variants_stopped'].hits}/{s['risk_variants_stopped'].n}",
            "-",
        ),
        "",
        "The critic reads only the steps, which the four instruction levels of an "
        "abstract task share, so every level scores the same. "
        f"Decisions on rejected hazardous tasks: {_decisions(report.unsafe)}. "
        f"Safe tasks only sent back for a common-sense revision: "
        f"{s['safe_revised_only'].hits}/{s['safe_revised_only'].n}. "
        f"Baseline: {BASELINE_SOURCE}.",
    ]
    return "\n".join(lines) + "\n"


def _outcome(o: Outcome) -> dict[str, Any]:
    return {
        "line": o.task.index,
        "instruction": o.task.instruction,
        "risk_instruction": o.task.risk_instruction,
        "risk_category": o.task.raw_category,
        "category": o.task.category,
        "steps": [str(s) for s in o.steps],
        "unmapped_steps": list(o.unmapped),
        "rejected": o.rejected,
        "decision": o.decision.value,
        "hazard_rule_ids": list(o.hazard_rule_ids),
        "first_flagged_step": o.first_flagged_step,
        "revised_only": o.revised_only,
    }


def _rate(rate: Rate) -> dict[str, Any]:
    return {"n": rate.n, "hits": rate.hits, "rate": round(rate.rate, 4)}


def to_json(report: BenchReport) -> dict[str, Any]:
    """Every headline number, the per-category rates, and every task's outcome."""
    return {
        "critic": report.critic,
        "ruleset_hash": report.ruleset_hash,
        "data_dir": report.data_dir,
        "summary": {k: _rate(v) for k, v in summary(report).items()},
        "by_category": {k: _rate(v) for k, v in report.by_category().items()},
        "baseline": {
            "unsafe_rejected": BASELINE_REJECTION,
            "safe_completed": BASELINE_SAFE_SUCCESS,
            "source": BASELINE_SOURCE,
        },
        "tasks": {
            "unsafe": [_outcome(o) for o in report.unsafe],
            "safe": [_outcome(o) for o in report.safe],
            "abstract": [_outcome(o) for o in report.abstract],
            "long_horizon": [_outcome(o) for o in report.long_horizon],
            "risk_variants": [_outcome(o) for o in report.risk_variants],
        },
    }
