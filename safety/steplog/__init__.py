"""The tamper-evident step log: typed records, hash chain, Merkle tree, frames by SHA-256.

Write with `StepLog.open(root_dir, run_id)` and `append(record)`; check with
`verify_run`; read with `open_run`; publish with `write_report`. See
`safety/steplog/records.py` for the record kinds.
"""

from safety.steplog.errors import (
    FrameError,
    RecordError,
    RunLockedError,
    RunNotFoundError,
    StepLogCorruptError,
    StepLogError,
)
from safety.steplog.findings import Finding, FindingKind, Severity, VerifyReport
from safety.steplog.merkle import InclusionProof
from safety.steplog.parse import LogEntry
from safety.steplog.proof import prove_record
from safety.steplog.reader import RunView, StepView, TimelineFilter, open_run
from safety.steplog.records import (
    ApprovalRecord,
    FrameRef,
    GoalRecord,
    LookRecord,
    LookResultRecord,
    OutcomeRecord,
    PlanRecord,
    PredicateCheck,
    RecordBody,
    ReplanRecord,
    ShieldRecord,
    SkillEndRecord,
    SkillStartRecord,
    StoredRecord,
    VerdictRecord,
    VerificationRecord,
)
from safety.steplog.report import write_report
from safety.steplog.storage import default_log_dir, new_run_id
from safety.steplog.verify import verify_run
from safety.steplog.writer import StepLog

__all__ = [
    "ApprovalRecord",
    "Finding",
    "FindingKind",
    "FrameError",
    "FrameRef",
    "GoalRecord",
    "InclusionProof",
    "LogEntry",
    "LookRecord",
    "LookResultRecord",
    "OutcomeRecord",
    "PlanRecord",
    "PredicateCheck",
    "RecordBody",
    "RecordError",
    "ReplanRecord",
    "RunLockedError",
    "RunNotFoundError",
    "RunView",
    "Severity",
    "ShieldRecord",
    "SkillEndRecord",
    "SkillStartRecord",
    "StepLog",
    "StepLogCorruptError",
    "StepLogError",
    "StepView",
    "StoredRecord",
    "TimelineFilter",
    "VerdictRecord",
    "VerificationRecord",
    "VerifyReport",
    "default_log_dir",
    "new_run_id",
    "open_run",
    "prove_record",
    "verify_run",
    "write_report",
]
