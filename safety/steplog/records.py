"""Typed step-log records: one model per kind of decision, and the envelope they travel in.

Every line of a step log is one `StoredRecord`: schema version, run id, sequence number,
time, the hash of the previous record (`prev_hash`, a chain), and a `body` whose `kind`
says what was decided. Bodies that belong to one step carry `step`, the running step
number in the run (a replan does not reset it), so a reviewer can group a step's
verdict, approvals, skill run, shield events and verification.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from planner.types import Plan, Step
from safety.steplog.errors import RecordError
from safety.verdict import Verdict

SCHEMA_VERSION = "steward.steplog/1"
"""Written in every record; a reader refuses other versions by name."""

GENESIS_HASH = "0" * 64
"""`prev_hash` of the first record in a run."""

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
RunId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
StepNo = Annotated[int, Field(ge=0, description="running step number in the run")]


class _Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def frame_refs(self) -> tuple[FrameRef, ...]:
        """Frames this record points to (none for most kinds)."""
        return ()


class FrameRef(BaseModel):
    """One camera frame in the run's frame store, named by the SHA-256 of its PNG bytes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    camera: str = Field(min_length=1, max_length=64)
    sha256: Sha256Hex


class GoalRecord(_Body):
    """The goal exactly as received, and the SHA-256 of its UTF-8 text."""

    kind: Literal["goal"] = "goal"
    text: str
    source: Literal["typed", "speech"] = "typed"
    # Filled from `text` when not given; a given value must match it.
    text_sha256: Sha256Hex = Field(default="", validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _hash_text(cls, data: Any) -> Any:  # noqa: ANN401 - pydantic passes raw input through
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            digest = hashlib.sha256(data["text"].encode("utf-8")).hexdigest()
            given = data.get("text_sha256")
            if given is None:
                return {**data, "text_sha256": digest}
            if given != digest:
                msg = f"text_sha256 {given!r} does not match the goal text (sha256 {digest})"
                raise ValueError(msg)
        return data


class PlanRecord(_Body):
    """A plan as the planner returned it; `attempt` 0 is the first plan, n the n-th replan."""

    kind: Literal["plan"] = "plan"
    attempt: int = Field(default=0, ge=0)
    plan: Plan
    prompt_sha256: Sha256Hex | None = Field(
        default=None, description="sha256 of the prompt sent to the model, if there was one"
    )


class VerdictRecord(_Body):
    """The critic's verdict on one step, before it ran."""

    kind: Literal["verdict"] = "verdict"
    step: StepNo
    planned: Step
    verdict: Verdict


class ApprovalRecord(_Body):
    """A person's answer to an `ask_human` verdict, and who gave it."""

    kind: Literal["approval"] = "approval"
    step: StepNo
    approved: bool
    approver: str = Field(min_length=1, max_length=200)
    channel: str = Field(default="", max_length=64, description="cli, web, voice, ...")
    note: str = ""


class SkillStartRecord(_Body):
    """A skill backend started on the robot."""

    kind: Literal["skill_start"] = "skill_start"
    step: StepNo
    skill: str = Field(min_length=1, max_length=64)
    arguments: dict[str, str] = Field(default_factory=dict)
    backend: str = ""


class SkillEndRecord(_Body):
    """A skill backend finished, and how."""

    kind: Literal["skill_end"] = "skill_end"
    step: StepNo
    skill: str = Field(min_length=1, max_length=64)
    status: Literal["succeeded", "failed", "cancelled", "stopped"]
    duration_s: float = Field(ge=0.0)
    ticks: int = Field(default=0, ge=0)
    message: str = ""


class ShieldRecord(_Body):
    """The action shield clamped commands (`count` of them) or made a protective stop."""

    kind: Literal["shield"] = "shield"
    step: StepNo
    action: Literal["clamp", "stop"]
    fields: tuple[str, ...] = ()
    count: int = Field(default=1, ge=1)
    reason: str = ""


class PredicateCheck(BaseModel):
    """Whether a predicate holds in frames (an expected effect, or an atom a look judged)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    literal: str = Field(min_length=1)
    holds: bool
    confidence: Fraction


class VerificationRecord(_Body):
    """The evidence that a step did (or did not) have its effects."""

    kind: Literal["verification"] = "verification"
    step: StepNo
    success: bool
    confidence: Fraction
    predicates: tuple[PredicateCheck, ...] = ()
    frames_before: tuple[FrameRef, ...] = ()
    frames_after: tuple[FrameRef, ...] = ()
    method: str = ""

    def frame_refs(self) -> tuple[FrameRef, ...]:
        """Frames before, then after."""
        return self.frames_before + self.frames_after


class LookRecord(_Body):
    """Perception moves the robot to look closer (written before the motion).

    `step` is the step being verified, or None when the scene is perceived between steps.
    """

    kind: Literal["look"] = "look"
    step: StepNo | None = None
    look: str = Field(min_length=1, max_length=64)
    atoms: tuple[str, ...] = Field(min_length=1)
    reason: str = ""


class LookResultRecord(_Body):
    """What a closer look saw: whether the camera got there, each atom's estimate, frames."""

    kind: Literal["look_result"] = "look_result"
    step: StepNo | None = None
    look: str = Field(min_length=1, max_length=64)
    reached: bool
    estimates: tuple[PredicateCheck, ...] = ()
    frames: tuple[FrameRef, ...] = ()
    message: str = ""

    def frame_refs(self) -> tuple[FrameRef, ...]:
        """The frames taken at the look's posture."""
        return self.frames


class ReplanRecord(_Body):
    """The agent asked for a new plan, and why; `step` is the step that caused it."""

    kind: Literal["replan"] = "replan"
    step: StepNo | None = None
    trigger: Literal[
        "deny", "revise", "verification_failed", "skill_failed", "scene_changed", "operator"
    ]
    reason: str = Field(min_length=1)
    attempt: int = Field(ge=1)


class OutcomeRecord(_Body):
    """How the run ended, in words a person can read."""

    kind: Literal["outcome"] = "outcome"
    status: Literal["done", "refused", "failed", "stopped"]
    reason: str = ""
    steps_run: int = Field(default=0, ge=0)


class RecoveryRecord(_Body):
    """Written when a run is reopened after its writer was killed mid-record."""

    kind: Literal["recovery"] = "recovery"
    fragment_bytes: int = Field(ge=0)
    fragment_sha256: Sha256Hex | None = None
    fragment_file: str | None = None
    head_repaired: bool = False
    note: str = ""


RecordBody = Annotated[
    GoalRecord
    | PlanRecord
    | VerdictRecord
    | ApprovalRecord
    | SkillStartRecord
    | SkillEndRecord
    | ShieldRecord
    | VerificationRecord
    | LookRecord
    | LookResultRecord
    | ReplanRecord
    | OutcomeRecord
    | RecoveryRecord,
    Field(discriminator="kind"),
]
"""Any record body; `kind` selects the model."""

BODY_TYPES: tuple[type[_Body], ...] = (
    GoalRecord,
    PlanRecord,
    VerdictRecord,
    ApprovalRecord,
    SkillStartRecord,
    SkillEndRecord,
    ShieldRecord,
    VerificationRecord,
    LookRecord,
    LookResultRecord,
    ReplanRecord,
    OutcomeRecord,
    RecoveryRecord,
)


class StoredRecord(BaseModel):
    """One line of the log: the envelope around a body."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal["steward.steplog/1"]
    run_id: RunId
    seq: int = Field(ge=0)
    time: AwareDatetime
    prev_hash: Sha256Hex
    body: RecordBody

    @property
    def step(self) -> int | None:
        """The step this record belongs to, if any."""
        step = getattr(self.body, "step", None)
        return step if isinstance(step, int) else None


def make_record(
    *, run_id: str, seq: int, time: datetime, prev_hash: str, body: RecordBody
) -> StoredRecord:
    """An envelope for `body`; refuses values that are not record bodies."""
    if not isinstance(body, BODY_TYPES):
        names = ", ".join(t.__name__ for t in BODY_TYPES)
        msg = f"cannot log a {type(body).__name__}; pass one of: {names}"
        raise RecordError(msg)
    return StoredRecord(
        schema_version=SCHEMA_VERSION,
        run_id=run_id,
        seq=seq,
        time=time,
        prev_hash=prev_hash,
        body=body,
    )


class TreeHead(BaseModel):
    """The run's tree head, rewritten after every append: how many records, and their root.

    A verifier compares the log with it to notice records deleted from the end; a
    reviewer who copies `root_hash` elsewhere at the end of a run can later prove that
    nothing in the log changed (`steward audit verify RUN --root HASH`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal["steward.steplog/1"]
    run_id: RunId
    size: int = Field(ge=0)
    root_hash: Sha256Hex
    last_hash: Sha256Hex
    time: AwareDatetime
