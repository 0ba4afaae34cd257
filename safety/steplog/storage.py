"""Where a run lives on disk, and durable file writes.

A run is one directory under the log root:

    <root>/<run_id>/steplog.jsonl   one canonical JSON record per line, append-only
    <root>/<run_id>/head.json       tree head: record count, Merkle root, last hash
    <root>/<run_id>/frames/         PNG frames named <sha256>.png
"""

from __future__ import annotations

import difflib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from safety.steplog.errors import RunNotFoundError

LOG_FILE = "steplog.jsonl"
HEAD_FILE = "head.json"
FRAMES_DIR = "frames"
LOG_DIR_ENV = "STEWARD_LOG_DIR"

_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


HOME_ENV = "STEWARD_HOME"


def steward_home() -> Path:
    """Where Steward keeps runs: `$STEWARD_HOME`, else `~/.steward`."""
    return Path(os.environ.get(HOME_ENV, "~/.steward")).expanduser()


def default_log_dir() -> Path:
    """`$STEWARD_LOG_DIR`, else `runs/` under `steward_home()`."""
    env = os.environ.get(LOG_DIR_ENV)
    return Path(env).expanduser() if env else steward_home() / "runs"


def new_run_id(now: datetime | None = None) -> str:
    """A fresh run id: UTC time, sortable, plus random hex so two runs never collide."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(3)}"


def check_run_id(run_id: str) -> str:
    """`run_id` if it is a safe directory name, else ValueError naming the rule."""
    if not _RUN_ID.match(run_id):
        msg = (
            f"invalid run id {run_id!r}: use letters, digits, '.', '_' or '-' "
            "(at most 128, starting with a letter or digit)"
        )
        raise ValueError(msg)
    return run_id


@dataclass(frozen=True, slots=True)
class RunPaths:
    """The files of one run."""

    root: Path
    run_id: str

    @property
    def directory(self) -> Path:
        """The run's directory."""
        return self.root / self.run_id

    @property
    def log(self) -> Path:
        """The JSON-lines record file."""
        return self.directory / LOG_FILE

    @property
    def head(self) -> Path:
        """The tree-head file."""
        return self.directory / HEAD_FILE

    @property
    def frames(self) -> Path:
        """The frame store directory."""
        return self.directory / FRAMES_DIR


def list_runs(root: Path) -> list[RunPaths]:
    """Every run under `root` (a directory holding a step log), sorted by run id."""
    if not root.is_dir():
        return []
    return [
        RunPaths(root, child.name)
        for child in sorted(root.iterdir())
        if _RUN_ID.match(child.name) and (child / LOG_FILE).is_file()
    ]


def find_run(root: Path, run_id: str) -> RunPaths:
    """The run `run_id` under `root`, or RunNotFoundError saying what is there."""
    if _RUN_ID.match(run_id) and (root / run_id / LOG_FILE).is_file():
        return RunPaths(root, run_id)
    if not root.is_dir():
        msg = f"log directory {root} does not exist; pass --log-dir or set ${LOG_DIR_ENV}"
        raise RunNotFoundError(msg)
    names = [run.run_id for run in list_runs(root)]
    if (root / run_id).is_dir():
        msg = f"{root / run_id} holds no {LOG_FILE}: it is not a Steward run directory"
        raise RunNotFoundError(msg)
    close = difflib.get_close_matches(run_id, names, n=3)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    where = f"{len(names)} runs there" if names else "there are no runs there"
    msg = f"no run {run_id!r} under {root} ({where}).{hint} See `steward audit list`."
    raise RunNotFoundError(msg)


def fsync_path(path: Path) -> None:
    """Make the bytes of the file (or the entries of the directory) at `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in `directory` durable."""
    fsync_path(directory)


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data` so a crash leaves either the old or the new file.

    `durable` also fsyncs the file and its directory, so a power cut cannot lose it; a
    process that is killed loses nothing either way (the OS holds the written bytes).
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        if durable:
            os.fsync(fh.fileno())
    tmp.replace(path)
    if durable:
        fsync_dir(path.parent)


HEAD_MAX_BYTES = 4096
"""A tree head is a few hundred bytes; one write of at most a page cannot be torn by a kill."""


class HeadFile:
    """The tree-head file, rewritten in place by one `pwrite` at offset 0.

    Renaming a new file over the old one (`write_atomic`) costs about 1.3 ms on this
    machine's ext4 (the old inode is freed and ext4 flushes the new data on a replacing
    rename), which is why the head used to be written only at barriers; a process killed
    between them left it several records behind, and the run could not be reopened. One
    write of at most a page is atomic against a killed process, so the head now follows
    every record for about 20 us. It never shrinks: a shorter head is padded with spaces,
    which JSON readers skip, so no old bytes trail it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._size = 0
        self._new = False  # created by this writer: its directory entry needs an fsync too

    def write(self, data: bytes, *, durable: bool) -> None:
        """Replace the head with `data` (fsynced when `durable`)."""
        if len(data) > HEAD_MAX_BYTES:
            msg = f"a tree head of {len(data)} bytes is over {HEAD_MAX_BYTES}; it cannot be written"
            raise ValueError(msg)
        if self._fd is None:
            self._new = not self.path.exists()
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            self._size = os.fstat(self._fd).st_size
        padded = data + b" " * (self._size - len(data))
        os.pwrite(self._fd, padded, 0)
        self._size = max(self._size, len(padded))
        if durable:
            os.fsync(self._fd)
            if self._new:
                fsync_dir(self.path.parent)
                self._new = False

    def close(self) -> None:
        """Release the file (what was written stays)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
