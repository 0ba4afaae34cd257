"""Reading runs for people: run summaries, a step-grouped timeline, and its filters.

The reader is lenient: it shows every record that validates and counts the lines it
could not read, so a damaged log can still be looked at. Whether the log can be trusted
is the verifier's question, not the reader's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from safety.steplog.errors import StepLogCorruptError
from safety.steplog.parse import parse_log
from safety.steplog.records import (
    ApprovalRecord,
    GoalRecord,
    LookRecord,
    LookResultRecord,
    OutcomeRecord,
    ReplanRecord,
    ShieldRecord,
    SkillEndRecord,
    SkillStartRecord,
    StoredRecord,
    VerdictRecord,
    VerificationRecord,
)
from safety.steplog.storage import RunPaths, find_run, list_runs
from safety.verdict import Decision


@dataclass
class StepView:
    """Everything logged about one step: verdict, approvals, skill run, shield, evidence."""

    step: int
    first: StoredRecord
    records: list[StoredRecord] = field(default_factory=list)
    verdict: VerdictRecord | None = None
    approvals: list[ApprovalRecord] = field(default_factory=list)
    skill_start: SkillStartRecord | None = None
    skill_end: SkillEndRecord | None = None
    shield: list[ShieldRecord] = field(default_factory=list)
    verification: VerificationRecord | None = None
    looks: list[LookRecord | LookResultRecord] = field(default_factory=list)
    replans: list[ReplanRecord] = field(default_factory=list)

    def add(self, record: StoredRecord) -> None:
        """File one of the step's records in its slot."""
        self.records.append(record)
        body = record.body
        if isinstance(body, VerdictRecord):
            self.verdict = body
        elif isinstance(body, ApprovalRecord):
            self.approvals.append(body)
        elif isinstance(body, SkillStartRecord):
            self.skill_start = body
        elif isinstance(body, SkillEndRecord):
            self.skill_end = body
        elif isinstance(body, ShieldRecord):
            self.shield.append(body)
        elif isinstance(body, VerificationRecord):
            self.verification = body
        elif isinstance(body, LookRecord | LookResultRecord):
            self.looks.append(body)
        elif isinstance(body, ReplanRecord):
            self.replans.append(body)


@dataclass(frozen=True)
class EventView:
    """A run-level record (goal, plan, replan, outcome, recovery); `cause` for a replan."""

    record: StoredRecord
    cause: StepView | None = None


TimelineEntry = StepView | EventView


@dataclass(frozen=True, slots=True)
class EntryFacts:
    """What the filters look at, for one timeline entry."""

    decision: str | None
    category: str | None
    approvals: bool
    replan: bool


def facts(entry: TimelineEntry) -> EntryFacts:
    """Filter facts; a replan shares the verdict and approvals of the step that caused it."""
    step = entry if isinstance(entry, StepView) else entry.cause
    is_replan = isinstance(entry, EventView) and isinstance(entry.record.body, ReplanRecord)
    verdict = step.verdict.verdict if step is not None and step.verdict is not None else None
    return EntryFacts(
        decision=verdict.decision.value if verdict is not None else None,
        category=verdict.hazard_category if verdict is not None else None,
        approvals=bool(step is not None and step.approvals),
        replan=is_replan or bool(isinstance(entry, StepView) and entry.replans),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineFilter:
    """Narrow a timeline; every filter given must hold. Run-level records show only unfiltered."""

    verdict: Decision | None = None
    category: str | None = None
    approvals: bool = False
    replans: bool = False

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.verdict or self.category or self.approvals or self.replans)

    def matches(self, entry: TimelineEntry) -> bool:
        """Whether `entry` passes every filter that is set."""
        f = facts(entry)
        return (
            (self.verdict is None or f.decision == self.verdict.value)
            and (self.category is None or f.category == self.category)
            and (not self.approvals or f.approvals)
            and (not self.replans or f.replan)
        )


@dataclass
class RunView:
    """One run as a reader sees it."""

    run_id: str
    entries: list[TimelineEntry]
    records: int
    unreadable_lines: int
    goal: GoalRecord | None = None
    outcome: OutcomeRecord | None = None
    started: datetime | None = None

    @property
    def steps(self) -> list[StepView]:
        """The step entries, in order."""
        return [e for e in self.entries if isinstance(e, StepView)]

    @property
    def denials(self) -> int:
        """Steps the critic denied."""
        return sum(
            1 for s in self.steps if s.verdict and s.verdict.verdict.decision is Decision.DENY
        )

    @property
    def approvals(self) -> int:
        """Approvals a person granted."""
        return sum(1 for s in self.steps for a in s.approvals if a.approved)

    @property
    def categories(self) -> list[str]:
        """Hazard categories named by any verdict, sorted."""
        cats = {s.verdict.verdict.hazard_category for s in self.steps if s.verdict}
        return sorted(c for c in cats if c)

    def filtered(self, flt: TimelineFilter) -> list[TimelineEntry]:
        """Entries that pass `flt` (all of them when no filter is set)."""
        return [e for e in self.entries if flt.matches(e)] if flt.active else list(self.entries)


def build_view(run_id: str, records: Iterable[StoredRecord], unreadable: int = 0) -> RunView:
    """Group records into a timeline: one entry per step, one per run-level record."""
    steps: dict[int, StepView] = {}
    view = RunView(run_id=run_id, entries=[], records=0, unreadable_lines=unreadable)
    for record in records:
        view.records += 1
        view.started = view.started or record.time
        body = record.body
        if isinstance(body, GoalRecord) and view.goal is None:
            view.goal = body
        elif isinstance(body, OutcomeRecord):
            view.outcome = body
        step_no = record.step
        if isinstance(body, ReplanRecord) or step_no is None:
            cause = steps.get(step_no) if step_no is not None else None
            if cause is not None:
                cause.add(record)
            view.entries.append(EventView(record, cause))
            continue
        if step_no not in steps:
            steps[step_no] = StepView(step=step_no, first=record)
            view.entries.append(steps[step_no])
        steps[step_no].add(record)
    return view


def read_run(paths: RunPaths) -> RunView:
    """The timeline of the run at `paths`; StepLogCorruptError if nothing in it is readable."""
    parsed = parse_log(paths.log)
    if parsed.looks_foreign:
        msg = f"{paths.log} is not a Steward step log; run `steward audit verify {paths.run_id}`"
        raise StepLogCorruptError(msg)
    bad = sum(1 for line in parsed.lines if line.entry is None) + bool(parsed.fragment)
    return build_view(paths.run_id, (e.record for e in parsed.entries), bad)


def open_run(root: Path, run_id: str) -> RunView:
    """Find and read one run; RunNotFoundError names what is there instead."""
    return read_run(find_run(root, run_id))


def read_all(root: Path) -> list[RunView | tuple[str, str]]:
    """Every run under `root`: its view, or (run id, why it cannot be read)."""
    views: list[RunView | tuple[str, str]] = []
    for paths in list_runs(root):
        try:
            views.append(read_run(paths))
        except (StepLogCorruptError, OSError) as exc:
            views.append((paths.run_id, str(exc)))
    return views
