"""The skill contract, run over every registered skill backend.

`steward skills check NAME` runs this file with STEWARD_SKILL=NAME to check one skill.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

from embodiments.base import Embodiment
from embodiments.registry import make_embodiment
from embodiments.testing import FakeEmbodiment
from skills.base import CancelToken, SkillStatus
from skills.errors import SkillArgumentError, SkillIncompatibleError
from skills.kitchen.episodes import Variant, all_variants, run_episode
from skills.registry import all_specs, backends_of, make_skill

ONLY = os.environ.get("STEWARD_SKILL", "")
SPECS = [s for s in all_specs() if not ONLY or s.name == ONLY]
BACKENDS = [(s.name, b) for s in SPECS for b in backends_of(s.name)]


def _combinations(spec_name: str) -> list[dict[str, str]]:
    spec = next(s for s in SPECS if s.name == spec_name)
    choices = spec.argument_choices()
    keys = list(choices)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*choices.values())]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_spec_is_described_and_declares_effects(spec) -> None:  # type: ignore[no-untyped-def]
    assert spec.description.strip()
    assert spec.effects, "a skill must declare what it changes"
    assert spec.argument_choices(), "arguments must enumerate their valid values"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_argument_combination_validates_and_grounds(spec) -> None:  # type: ignore[no-untyped-def]
    for combo in _combinations(spec.name):
        args = spec.validate_arguments(combo)
        pre, eff = spec.ground(args)
        assert all(str(e) for e in (*pre, *eff))


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_bad_arguments_list_valid_choices(spec) -> None:  # type: ignore[no-untyped-def]
    field, values = next(iter(spec.argument_choices().items()))
    combo = _combinations(spec.name)[0] | {field: "spaceship"}
    with pytest.raises(SkillArgumentError, match=values[0]):
        spec.validate_arguments(combo)
    with pytest.raises(SkillArgumentError, match="Extra inputs"):
        spec.validate_arguments(_combinations(spec.name)[0] | {"speed": "fast"})


@pytest.mark.parametrize(("name", "backend"), BACKENDS)
def test_backend_refuses_an_embodiment_it_cannot_drive(name: str, backend: str) -> None:
    skill = make_skill(name, backend)
    fake = FakeEmbodiment()
    fake.reset(0)
    if skill.supports(fake):
        pytest.skip("backend drives the fake embodiment")
    with pytest.raises(SkillIncompatibleError):
        skill.run(fake, _combinations(name)[0])  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def kitchen() -> Iterator[Embodiment]:
    pytest.importorskip("mujoco")
    emb = make_embodiment("franka_kitchen", cameras=())
    yield emb
    emb.close()


@pytest.mark.sim
@pytest.mark.parametrize(("name", "backend"), BACKENDS)
def test_cancelled_run_stops_before_moving(name: str, backend: str, kitchen: Embodiment) -> None:
    skill = make_skill(name, backend)
    kitchen.reset(0)
    before = kitchen.observe().proprio.joint_position_rad
    token = CancelToken()
    token.cancel("operator pressed stop")
    result = skill.run(kitchen, _combinations(name)[0], cancel=token)  # type: ignore[arg-type]
    assert result.status is SkillStatus.CANCELLED
    assert result.message == "operator pressed stop"
    after = kitchen.observe().proprio.joint_position_rad
    assert abs(after - before).max() < 0.05


VARIANTS = [v for v in all_variants() if v.skill in {s.name for s in SPECS}]


@pytest.mark.sim
@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.label)
def test_the_scripted_expert_reaches_every_effect_from_a_randomised_start(
    variant: Variant, kitchen: Embodiment
) -> None:
    """One seeded episode per variant (the success rates over 50 are `steward skills bench`)."""
    result = run_episode(kitchen, variant, seed=3)
    assert result.success, result.message
