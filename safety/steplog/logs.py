"""Structured logging for the agent: JSON lines for machines, readable lines for people.

`configure_logging()` picks the renderer from the stream the logs go to: a terminal gets
structlog's console renderer, anything else (a pipe, a file, CI) gets one JSON object
per line. `run_context` and `step_context` bind the run id and step number to every
event logged inside them; `log_step_summary` writes the one summary line per step.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import structlog
from structlog.typing import Processor

from safety.steplog.reader import StepView

STEP_SUMMARY_EVENT = "step.summary"


def configure_logging(
    *, stream: TextIO | None = None, json_lines: bool | None = None, level: str = "info"
) -> None:
    """Configure structlog; `json_lines=None` chooses JSON unless `stream` is a terminal."""
    out = stream if stream is not None else sys.stderr
    as_json = not out.isatty() if json_lines is None else json_lines
    numeric = logging.getLevelNamesMapping().get(level.upper())
    if numeric is None:
        msg = f"unknown log level {level!r}; use debug, info, warning or error"
        raise ValueError(msg)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: list[Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer(sort_keys=True)]
        if as_json
        else [structlog.dev.ConsoleRenderer(colors=out.isatty())]
    )
    structlog.configure(
        processors=shared + renderer,
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )


@contextmanager
def run_context(run_id: str) -> Iterator[None]:
    """Bind `run_id` to every event logged inside the block."""
    with structlog.contextvars.bound_contextvars(run_id=run_id):
        yield


@contextmanager
def step_context(step: int, skill: str | None = None) -> Iterator[None]:
    """Bind the step number (and skill) to every event logged inside the block."""
    extra = {"skill": skill} if skill is not None else {}
    with structlog.contextvars.bound_contextvars(step=step, **extra):
        yield


def step_summary(view: StepView) -> dict[str, object]:
    """The fields of a step's summary line, from everything logged about the step."""
    verdict = view.verdict.verdict if view.verdict is not None else None
    planned = view.verdict.planned if view.verdict is not None else None
    evidence = view.verification
    return {
        "step": view.step,
        "action": str(planned) if planned is not None else None,
        "decision": verdict.decision.value if verdict else None,
        "severity": verdict.severity.value if verdict else None,
        "hazard_category": verdict.hazard_category if verdict else None,
        "rule_ids": list(verdict.rule_ids) if verdict else [],
        "approved_by": [a.approver for a in view.approvals if a.approved],
        "skill_status": view.skill_end.status if view.skill_end else None,
        "clamps": sum(s.count for s in view.shield if s.action == "clamp"),
        "stops": sum(1 for s in view.shield if s.action == "stop"),
        "verified": evidence.success if evidence else None,
        "confidence": evidence.confidence if evidence else None,
        "replanned": bool(view.replans),
    }


def log_step_summary(
    view: StepView, logger: structlog.typing.FilteringBoundLogger | None = None
) -> None:
    """Write the one summary line for a finished step."""
    log = logger if logger is not None else structlog.get_logger("steward.steps")
    log.info(STEP_SUMMARY_EVENT, **step_summary(view))
