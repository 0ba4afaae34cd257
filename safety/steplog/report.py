"""One self-contained HTML report of a run: timeline, verdicts and reasons, frames inline.

The page has no network references at all (a Content-Security-Policy forbids them):
frames are `data:` URIs, styles and the filter script are inline. Filters work in the
browser with the same rule as `steward audit show`: every filter set must hold.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib import resources
from pathlib import Path

from safety.steplog.describe import (
    event_text,
    run_lines,
    step_title,
    verdict_lines,
    verification_lines,
)
from safety.steplog.findings import VerifyReport
from safety.steplog.frames import FrameStore
from safety.steplog.reader import EventView, RunView, StepView, TimelineEntry, facts, read_run
from safety.steplog.records import FrameRef, VerificationRecord
from safety.steplog.storage import RunPaths, find_run
from safety.steplog.verify import verify_paths


@dataclass(frozen=True, slots=True)
class ReportStats:
    """What went into a report."""

    path: Path
    entries: int
    frames: int
    missing_frames: int
    integrity_ok: bool


@cache
def _template() -> str:
    return resources.files("safety.steplog").joinpath("report_template.html").read_text("utf-8")


def _li(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>" if items else ""


class _Frames:
    """Inline frames as data URIs, each encoded once."""

    def __init__(self, store: FrameStore) -> None:
        self.store = store
        self.uris: dict[str, str | None] = {}

    def figure(self, ref: FrameRef) -> str:
        if ref.sha256 not in self.uris:
            data = self.store.read_bytes(ref.sha256)
            b64 = base64.b64encode(data).decode("ascii") if data is not None else None
            self.uris[ref.sha256] = f"data:image/png;base64,{b64}" if b64 else None
        uri = self.uris[ref.sha256]
        caption = f"{escape(ref.camera)}<br><code>{ref.sha256[:12]}</code>"
        if uri is None:
            return f'<figure><div class="missing">frame missing</div>{caption}</figure>'
        alt = escape(f"{ref.camera} {ref.sha256[:12]}")
        return f'<figure><img class="frame" src="{uri}" alt="{alt}"><figcaption>{caption}</figcaption></figure>'  # noqa: E501 - one HTML element reads better whole

    def block(self, evidence: VerificationRecord) -> str:
        parts = []
        for label, refs in (("before", evidence.frames_before), ("after", evidence.frames_after)):
            if refs:
                figures = "".join(self.figure(r) for r in refs)
                parts.append(f'<section class="{label}"><h3>{label}</h3>{figures}</section>')
        return f'<div class="frames">{"".join(parts)}</div>' if parts else ""


def _lines(lines: list[str]) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in lines)


def _verdict_html(view: StepView) -> str:
    if view.verdict is None:
        return _lines(verdict_lines(view))
    v = view.verdict.verdict
    badges = f'<span class="badge {v.decision.value}">{v.decision.value}</span>'
    badges += f'<span class="badge">severity: {v.severity.value}</span>'
    if v.hazard_category:
        badges += f'<span class="badge">category: {escape(v.hazard_category)}</span>'
    rest = verdict_lines(view)[1:]
    return f"<p>{badges}</p>{_lines(rest[:1])}{_li([escape(x) for x in rest[1:]])}"


def _step_html(view: StepView, frames: _Frames) -> str:
    body = _verdict_html(view) + _li([escape(x) for x in run_lines(view)])
    evidence = view.verification
    if evidence is not None:
        head, *checks = verification_lines(view)
        badge = "badge" if evidence.success else "badge fail"
        body += f'<p><span class="{badge}">{escape(head)}</span></p>'
        body += _li([escape(c) for c in checks]) + frames.block(evidence)
    title = escape(step_title(view))
    return f'<h2>{title} <span class="seq">seq {view.first.seq}</span></h2>{body}'


def _event_html(entry: EventView) -> str:
    title, lines = event_text(entry)
    seq = f'<span class="seq">seq {entry.record.seq}</span>'
    return f"<h2>{escape(title)} {seq}</h2>{_lines(lines)}"


def _entry_html(entry: TimelineEntry, frames: _Frames) -> str:
    f = facts(entry)
    kind = "step" if isinstance(entry, StepView) else entry.record.body.kind
    seq = entry.first.seq if isinstance(entry, StepView) else entry.record.seq
    inner = _step_html(entry, frames) if isinstance(entry, StepView) else _event_html(entry)
    attrs = (
        f'data-kind="{kind}" data-decision="{f.decision or ""}" '
        f'data-category="{escape(f.category or "")}" data-approvals="{int(f.approvals)}" '
        f'data-replan="{int(f.replan)}"'
    )
    return f'<article class="entry" id="seq-{seq}" {attrs}>{inner}</article>'


def _header_html(view: RunView, report: VerifyReport) -> str:
    goal = escape(view.goal.text) if view.goal else "(no goal record)"
    outcome = f"{view.outcome.status}: {escape(view.outcome.reason)}" if view.outcome else "none"
    ok = report.passed()
    findings = _li([f"{f.severity.value}: {escape(f.message)}" for f in report.findings])
    verdict = "passed" if ok else "FAILED"
    meta = [
        ("Goal", goal),
        ("Outcome", outcome),
        ("Started", str(view.started or "-")),
        ("Records", str(view.records)),
        ("Steps", str(len(view.steps))),
        ("Denials", str(view.denials)),
        ("Approvals", str(view.approvals)),
        ("Merkle root", f"<code>{report.root_hash}</code>"),
    ]
    rows = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in meta)
    return (
        f'<h1>Step log · {escape(view.run_id)}</h1><dl class="meta">{rows}</dl>'
        f'<div class="integrity {"pass" if ok else "fail"}"><b>Integrity check {verdict}</b>'
        f" ({len(report.errors)} errors, {len(report.warnings)} warnings){findings}</div>"
    )


def render_report(paths: RunPaths) -> tuple[str, ReportStats]:
    """The report for the run at `paths`, as HTML text, and what went into it."""
    view = read_run(paths)
    report = verify_paths(paths)
    frames = _Frames(FrameStore(paths.frames))
    entries = "\n".join(_entry_html(e, frames) for e in view.entries)
    options = "\n".join(
        f'<option value="{escape(c)}">{escape(c)}</option>' for c in view.categories
    )
    page = (
        _template()
        .replace("@@RUN_ID@@", escape(view.run_id))
        .replace("@@HEADER@@", _header_html(view, report))
        .replace("@@CATEGORY_OPTIONS@@", options)
        .replace("@@ENTRIES@@", entries)
    )
    missing = sum(1 for uri in frames.uris.values() if uri is None)
    stats = ReportStats(paths.log, len(view.entries), len(frames.uris), missing, report.passed())
    return page, stats


def write_report(root: Path, run_id: str, out: Path) -> ReportStats:
    """Write the report of run `run_id` to `out`; RunNotFoundError if there is no such run."""
    page, stats = render_report(find_run(root, run_id))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return ReportStats(out, stats.entries, stats.frames, stats.missing_frames, stats.integrity_ok)
