"""The critic's verdict on one step: what it decided, why, and under which rules."""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field


class Decision(enum.StrEnum):
    """What happens to the step."""

    ALLOW = "allow"
    DENY = "deny"
    ASK_HUMAN = "ask_human"
    REVISE = "revise"


class Severity(enum.StrEnum):
    """How bad the hazard would be."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Verdict(BaseModel):
    """A decision on one step with reasons a person can read.

    `rule_ids` name the rules that fired; `ruleset_hash` is the SHA-256 of the rule set
    that decided, so a reviewer can tell which version of the rules was in force.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    decision: Decision
    reasons: tuple[str, ...] = ()
    rule_ids: tuple[str, ...] = ()
    hazard_category: str | None = None
    severity: Severity = Severity.NONE
    ruleset_hash: str = Field(default="", description="sha256 hex of the rule set in force")
    revision_hint: str | None = None

    @property
    def allowed(self) -> bool:
        """Whether the step may run without a person's approval."""
        return self.decision is Decision.ALLOW
