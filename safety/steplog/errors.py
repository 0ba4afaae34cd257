"""Step-log errors, grouped by who must act.

- `RunNotFoundError`: the reviewer named a run that is not under the log directory; the
  message lists the runs that are there.
- `StepLogCorruptError`: a log on disk cannot be continued or read as a step log; the
  message says where and suggests `steward audit verify`.
- `RunLockedError`: another process is writing the run.
- `FrameError`: a developer passed a frame that is not H x W x 3 uint8.
- `RecordError`: a developer passed a record body the log does not know.
"""


class StepLogError(Exception):
    """Base class for every step-log error."""


class RunNotFoundError(StepLogError, LookupError):
    """No run with the requested id exists under the log directory."""


class StepLogCorruptError(StepLogError, ValueError):
    """The log on disk is damaged or is not a Steward step log."""


class RunLockedError(StepLogError, RuntimeError):
    """Another process holds the run open for writing."""


class FrameError(StepLogError, ValueError):
    """A frame has the wrong shape or type, or cannot be encoded or decoded."""


class RecordError(StepLogError, TypeError):
    """A value passed to the log is not a record body it can store."""
