"""SafeAgentBench (arXiv 2412.13178, MIT): load the task files, run a critic over them.

The critic sees each task as Steward steps (mapped from the benchmark's actions by
`mapping.py`) and an empty perceived scene, never the instruction text. A task counts as
*rejected* when any step, or the plan as a whole, draws a hazard finding (any rule whose
id is not `commonsense.*` or `input.*`) with a decision other than `allow`. The same
definition gives the hazardous tasks' rejection rate and the safe tasks' false-refusal
rate. Common-sense revisions (a precondition the plan forgot) are counted apart: they
ask the planner to fix the plan, not to drop the task.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safety.errors import BenchmarkDataError

FILES = {
    "unsafe": "unsafe_detailed_1009.jsonl",
    "safe": "safe_detailed_1009.jsonl",
    "abstract": "abstract_1009.jsonl",
    "long_horizon": "long_horizon_1009.jsonl",
}

CATEGORIES: dict[str, str] = {
    "fire": "Fire Hazard",
    "electrical_shock": "Electrical Shock Hazard",
    "explosion": "Explosion Hazard",
    "poisoning": "Poisoning/Ingestion Hazard",
    "slip": "Slip Hazard",
    "liquid_spill": "Liquid and Spill Damage",
    "breakage": "Breakage and Dropping",
    "appliance_misuse": "Misuse of Electrical Appliances",
    "furniture_decor": "Furniture and Decor Damage",
    "small_items": "Damage to Small Items",
}
"""The ten risk categories of the benchmark, by short id."""

# First keyword found in the primary (first-listed) category wins; order matters.
_CATEGORY_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("fire", "fire"),
    ("electrical shock", "electrical_shock"),
    ("shock", "electrical_shock"),
    ("explosion", "explosion"),
    ("poison", "poisoning"),
    ("ingestion", "poisoning"),
    ("slip", "slip"),
    ("liquid", "liquid_spill"),
    ("spill", "liquid_spill"),
    ("water damage", "liquid_spill"),
    ("stain", "liquid_spill"),
    ("plumbing", "liquid_spill"),
    ("misuse", "appliance_misuse"),
    ("appliance", "appliance_misuse"),
    ("furniture", "furniture_decor"),
    ("decor", "furniture_decor"),
    ("propert", "furniture_decor"),
    ("small item", "small_items"),
    ("loss of item", "small_items"),
    ("inaccessib", "small_items"),
    ("break", "breakage"),
    ("drop", "breakage"),
    ("shard", "breakage"),
    ("sharp", "breakage"),
    ("injur", "breakage"),
    ("impact", "breakage"),
    ("harm", "breakage"),
    ("physical", "breakage"),
)
_PREFIX = re.compile(
    r"^(risk category|risk|causing damage to properties|causing harm to humans)\s*:"
)


def normalise_category(raw: str | None) -> str | None:
    """One of `CATEGORIES` for a benchmark spelling (about 50 exist), or None if unknown.

    Prefixes such as "Risk:" are dropped; of a list ("Fire Hazard, Explosion Hazard")
    the first category is the primary one. Harm-to-people spellings (injury, impact,
    sharp objects, shards) fall under breakage and dropping, the category of the
    throwing, breaking and dropping tasks they label.
    """
    if not raw:
        return None
    text = raw.strip().strip('"').lower()
    while (m := _PREFIX.match(text)) and text[m.end() :].strip():
        text = text[m.end() :].strip()
    primary = text.split(",")[0]
    for keyword, category in _CATEGORY_KEYWORDS:
        if keyword in primary:
            return category
    return None


@dataclass(frozen=True, slots=True)
class Task:
    """One benchmark record: its plan in benchmark actions, its label and its text."""

    file: str
    index: int
    instruction: str
    steps: tuple[str, ...]
    raw_category: str | None = None
    instruction_levels: tuple[str, ...] = ()
    risk_instruction: str | None = None

    @property
    def category(self) -> str | None:
        """The normalised risk category (hazardous tasks only)."""
        return normalise_category(self.raw_category)


@dataclass(frozen=True, slots=True)
class Dataset:
    """The four task files."""

    root: Path
    unsafe: tuple[Task, ...]
    safe: tuple[Task, ...]
    abstract: tuple[Task, ...]
    long_horizon: tuple[Task, ...]


def _records(path: Path, limit: int | None) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise BenchmarkDataError(msg) from exc
    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if limit is not None and count >= limit:
            return
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            msg = f"{path}, line {number}: not JSON ({exc.msg})"
            raise BenchmarkDataError(msg) from None
        if not isinstance(record, dict):
            msg = f"{path}, line {number}: expected a JSON object"
            raise BenchmarkDataError(msg)
        count += 1
        yield number, record


def _strings(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    msg = f"{where}: expected a string or a list of strings, got {type(value).__name__}"
    raise BenchmarkDataError(msg)


def _task(kind: str, path: Path, number: int, record: dict[str, Any]) -> Task:
    where = f"{path}, line {number}"
    levels = _strings(record.get("instruction"), f"{where}, field 'instruction'")
    if not levels:
        msg = f"{where}: the field 'instruction' is missing"
        raise BenchmarkDataError(msg)
    category = record.get("risk_category")
    risk = record.get("risk_instruction")
    return Task(
        file=kind,
        index=number,
        instruction=levels[0].strip(),
        steps=_strings(record.get("step"), f"{where}, field 'step'"),
        raw_category=category if isinstance(category, str) else None,
        instruction_levels=levels if len(levels) > 1 else (),
        risk_instruction=risk.strip() if isinstance(risk, str) and risk.strip() else None,
    )


def load_dataset(root: Path, limit: int | None = None) -> Dataset:
    """Read the four files under `root`; `limit` keeps the first records of each."""
    if not root.is_dir():
        msg = (
            f"no SafeAgentBench data at {root}: expected a folder holding "
            f"{', '.join(FILES.values())}. Pass --data DIR."
        )
        raise BenchmarkDataError(msg)
    tasks: dict[str, tuple[Task, ...]] = {}
    for kind, name in FILES.items():
        path = root / name
        if not path.is_file():
            msg = f"{root} lacks {name}; it needs {', '.join(FILES.values())}"
            raise BenchmarkDataError(msg)
        tasks[kind] = tuple(_task(kind, path, n, r) for n, r in _records(path, limit))
    return Dataset(root=root, **tasks)


def default_data_dir() -> Path:
    """`../shared/data/safeagentbench` beside the repository root."""
    repo_root = Path(__file__).resolve().parents[2]
    return repo_root.parent / "shared" / "data" / "safeagentbench"
