"""Plain-text descriptions of timeline entries, shared by the terminal and HTML views."""

from __future__ import annotations

from safety.steplog.reader import EventView, StepView
from safety.steplog.records import (
    GoalRecord,
    LookRecord,
    LookResultRecord,
    OutcomeRecord,
    PlanRecord,
    RecordBody,
    RecoveryRecord,
    ReplanRecord,
)


def event_text(entry: EventView) -> tuple[str, list[str]]:
    """Title and lines for a run-level record."""
    b = entry.record.body
    if isinstance(b, GoalRecord):
        return "Goal", [f"“{b.text}” ({b.source}, sha256 {b.text_sha256[:12]})"]
    if isinstance(b, PlanRecord):
        who = " / ".join(x for x in (b.plan.backend, b.plan.model) if x) or "unknown planner"
        prompt = f", prompt sha256 {b.prompt_sha256[:12]}" if b.prompt_sha256 else ""
        steps = [f"{i}. {s}" for i, s in enumerate(b.plan.steps, start=1)]
        return f"Plan (attempt {b.attempt})", [f"by {who}{prompt}", *steps]
    if isinstance(b, ReplanRecord):
        cause = f" after step {b.step}" if b.step is not None else ""
        return f"Replan (attempt {b.attempt})", [f"{b.trigger}{cause}: {b.reason}"]
    if isinstance(b, OutcomeRecord):
        return f"Outcome: {b.status}", [f"{b.reason} ({b.steps_run} steps run)"]
    return _aside(b)


def _aside(b: RecordBody) -> tuple[str, list[str]]:
    """Title and lines for a recovery, a closer look, or any other kind (by name)."""
    if isinstance(b, RecoveryRecord):
        return "Recovery", [f"{b.note}; {b.fragment_bytes} bytes set aside"]
    if isinstance(b, LookRecord | LookResultRecord):
        return "Closer look", look_lines(b)
    return b.kind, []


def look_lines(b: LookRecord | LookResultRecord) -> list[str]:
    """A closer look: why it moved, or what it saw."""
    if isinstance(b, LookRecord):
        return [f"{b.look} for {', '.join(b.atoms)}: {b.reason}".rstrip(": ")]
    if not b.reached:
        return [f"{b.look} did not get there: {b.message}"]
    return [
        f"{b.look}: {e.literal} {'holds' if e.holds else 'does not hold'} ({e.confidence:.2f})"
        for e in b.estimates
    ]


def step_title(view: StepView) -> str:
    """`Step 3 · turn_on(target=light)`."""
    planned = str(view.verdict.planned) if view.verdict else "(no verdict logged)"
    return f"Step {view.step} · {planned}"


def verdict_lines(view: StepView) -> list[str]:
    """Decision, severity, category, rules and reasons."""
    if view.verdict is None:
        return ["no verdict was logged for this step"]
    v = view.verdict.verdict
    head = f"{v.decision.value} · severity {v.severity.value}"
    head += f" · category {v.hazard_category}" if v.hazard_category else ""
    rules = ", ".join(v.rule_ids) or "none"
    lines = [head, f"rules: {rules} · rule set {v.ruleset_hash[:12] or '-'}"]
    lines += [f"reason: {r}" for r in v.reasons]
    if v.revision_hint:
        lines.append(f"revision hint: {v.revision_hint}")
    return lines


def run_lines(view: StepView) -> list[str]:
    """Approvals, the skill's start and end, and shield events."""
    lines = []
    for a in view.approvals:
        via = f" via {a.channel}" if a.channel else ""
        note = f": {a.note}" if a.note else ""
        lines.append(f"{'approved' if a.approved else 'refused'} by {a.approver}{via}{note}")
    if view.skill_start is not None:
        lines.append(f"skill started (backend {view.skill_start.backend or '?'})")
    if view.skill_end is not None:
        e = view.skill_end
        msg = f": {e.message}" if e.message else ""
        lines.append(f"skill {e.status} after {e.duration_s:g} s, {e.ticks} ticks{msg}")
    for s in view.shield:
        fields = ", ".join(s.fields) or "-"
        lines.append(f"shield {s.action} x{s.count} ({fields}) {s.reason}".rstrip())
    for look in view.looks:
        lines += look_lines(look)
    return lines


def verification_lines(view: StepView) -> list[str]:
    """Whether the effects held, with each predicate's confidence."""
    e = view.verification
    if e is None:
        return []
    method = f" by {e.method}" if e.method else ""
    lines = [f"verified: {'yes' if e.success else 'no'} (confidence {e.confidence:.2f}{method})"]
    lines += [
        f"{p.literal} {'holds' if p.holds else 'does not hold'} ({p.confidence:.2f})"
        for p in e.predicates
    ]
    return lines
