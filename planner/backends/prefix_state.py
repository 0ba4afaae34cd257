"""The embedded model's key-value cache, kept on disk so a new process skips the prefix.

Reading the fixed prompt prefix (rules, skill catalog, worked examples: about 1,100
tokens) takes 25-40 s on 2 cores, once per process; every later request reuses it from
memory. After a process's first answer the model's state (the key-value cache of that
prompt and answer, about 35 MB) is written to a file named by the model file, the
context size, the llama-cpp-python version and the prefix's text; the next process
with the same four loads it and reads only the tokens that differ. A file that does not
load is removed and the prefix is read as before; only the newest few files are kept.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from planner.prompt import Message

if TYPE_CHECKING:
    from llama_cpp import Llama

log = structlog.get_logger(__name__)

KEEP_FILES = 4
"""State files kept per directory (newest first): one per prompt prefix in use, ~35 MB each."""


def state_file(directory: Path, model: Path, n_ctx: int, prefix: Sequence[Message]) -> Path:
    """The state file for this model file, context size, library version and prefix."""
    version = str(getattr(importlib.import_module("llama_cpp"), "__version__", "?"))
    stat = model.stat()
    identity = {
        "model": [str(model.resolve()), stat.st_size, stat.st_mtime_ns],
        "n_ctx": n_ctx,
        "llama_cpp": version,
        "prefix": [[m.role, m.content] for m in prefix],
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    return directory / f"{digest[:32]}.kv"


def restore(llama: Llama, path: Path) -> int:
    """Load a saved state into `llama`; the number of tokens it holds (0 when none)."""
    if not path.is_file():
        return 0
    llama_cpp = importlib.import_module("llama_cpp")
    capacity = llama.n_ctx()
    tokens = (llama_cpp.llama_token * capacity)()
    count = ctypes.c_size_t(0)
    loaded = llama_cpp.llama_state_load_file(
        llama.ctx, str(path).encode(), tokens, capacity, ctypes.byref(count)
    )
    if not loaded or not 0 < count.value <= capacity:
        log.warning("planner.prefix_state.unreadable", path=str(path))
        path.unlink(missing_ok=True)
        llama.reset()  # type: ignore[no-untyped-call]  # llama-cpp-python leaves it untyped
        return 0
    llama.input_ids[: count.value] = tokens[: count.value]
    llama.n_tokens = count.value
    llama._requires_eval = True  # the logits of the restored state are stale
    return int(count.value)


def save(llama: Llama, path: Path) -> bool:
    """Write `llama`'s current state to `path` (atomically); False when it cannot."""
    llama_cpp = importlib.import_module("llama_cpp")
    count = llama.n_tokens
    tokens = (llama_cpp.llama_token * count)(*llama.input_ids[:count].tolist())
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    saved = bool(llama_cpp.llama_state_save_file(llama.ctx, str(partial).encode(), tokens, count))
    if saved:
        partial.replace(path)
        _prune(path.parent)
    else:
        partial.unlink(missing_ok=True)
        log.warning("planner.prefix_state.not_saved", path=str(path))
    return saved


def _prune(directory: Path) -> None:
    """Remove all but the KEEP_FILES newest state files (prompts change between versions)."""
    files = sorted(directory.glob("*.kv"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in files[KEEP_FILES:]:
        old.unlink(missing_ok=True)
