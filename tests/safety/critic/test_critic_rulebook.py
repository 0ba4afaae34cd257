"""The rule file and the object catalogue: versioned data, hashed, validated on load."""

import hashlib
import shutil
from pathlib import Path

import pytest

from safety.critic.catalogue import snake
from safety.critic.rulebook import DEFAULT_RULES_PATH, RuleBook, load_rulebook, sha256_hex
from safety.critic.rules import RuleCritic
from safety.critic.testing import scene, step
from safety.errors import RuleSetError

DATA = DEFAULT_RULES_PATH.parent


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    shutil.copytree(DATA, tmp_path / "data")
    return tmp_path / "data"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _repin(rules: Path) -> None:
    digest = sha256_hex((rules.parent / "objects.yaml").read_bytes())
    lines = [
        f"  sha256: {digest}" if line.startswith("  sha256: ") else line
        for line in rules.read_text().splitlines()
    ]
    rules.write_text("\n".join(lines) + "\n")


def test_ruleset_hash_is_the_sha256_of_the_rule_file(book: RuleBook) -> None:
    assert book.ruleset_hash == hashlib.sha256(DEFAULT_RULES_PATH.read_bytes()).hexdigest()


def test_verdicts_carry_the_ruleset_hash(book: RuleBook) -> None:
    verdict = RuleCritic(book).review(step("break", object="vase"), scene())
    assert verdict.ruleset_hash == book.ruleset_hash


def test_changing_a_rule_changes_the_hash(data_copy: Path, book: RuleBook) -> None:
    _edit(data_copy / "rules.yaml", "severity: critical", "severity: high")
    assert load_rulebook(data_copy / "rules.yaml").ruleset_hash != book.ruleset_hash


def test_an_unpinned_catalogue_edit_is_refused(data_copy: Path) -> None:
    _edit(
        data_copy / "objects.yaml",
        "{name: fork, properties: [utensil, metal]}",
        "{name: fork, properties: [utensil]}",
    )
    with pytest.raises(
        RuleSetError, match=r"set catalogue\.sha256 in the rule file to [0-9a-f]{64}"
    ):
        load_rulebook(data_copy / "rules.yaml")


def test_a_repinned_catalogue_edit_takes_effect(data_copy: Path) -> None:
    _edit(
        data_copy / "objects.yaml",
        "{name: fork, properties: [utensil, metal]}",
        "{name: fork, properties: [utensil]}",
    )
    _repin(data_copy / "rules.yaml")
    book = load_rulebook(data_copy / "rules.yaml")
    assert "metal" not in book.catalogue.properties("fork")


def test_a_misspelt_property_in_a_rule_is_refused_with_a_suggestion(data_copy: Path) -> None:
    _edit(
        data_copy / "rules.yaml",
        "{role: all_contents, has: [metal]}",
        "{role: all_contents, has: [metall]}",
    )
    with pytest.raises(RuleSetError, match=r"unknown property 'metall'\. Did you mean 'metal'"):
        load_rulebook(data_copy / "rules.yaml")


def test_an_unknown_key_is_refused(data_copy: Path) -> None:
    _edit(data_copy / "rules.yaml", "    decision: deny\n", "    decision: deny\n    priority: 1\n")
    with pytest.raises(RuleSetError, match="priority"):
        load_rulebook(data_copy / "rules.yaml")


def test_an_unknown_template_field_is_refused(data_copy: Path) -> None:
    _edit(data_copy / "rules.yaml", "{matched} is metal", "{thing} is metal")
    with pytest.raises(RuleSetError, match="unknown template field 'thing'"):
        load_rulebook(data_copy / "rules.yaml")


def test_a_duplicate_rule_id_is_refused(data_copy: Path) -> None:
    _edit(data_copy / "rules.yaml", "id: fire.lit_flame_released", "id: fire.lit_flame_enclosed")
    with pytest.raises(RuleSetError, match="used twice"):
        load_rulebook(data_copy / "rules.yaml")


def test_a_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match="cannot read"):
        load_rulebook(tmp_path / "rules.yaml")


def test_every_rule_names_a_declared_family(book: RuleBook) -> None:
    assert all(r.family in book.rules.families for r in book.rules.all_rules())


def test_catalogue_covers_the_franka_kitchen(book: RuleBook) -> None:
    for name in ("microwave", "kettle", "light", "slide_cabinet", "hinge_cabinet"):
        assert book.catalogue.lookup(name) is not None
    for burner in (
        "bottom_left_burner",
        "bottom_right_burner",
        "top_left_burner",
        "top_right_burner",
    ):
        kind = book.catalogue.lookup(burner)
        assert kind is not None
        assert {"heating_element", "unattended_heat"} <= kind.properties


@pytest.mark.parametrize(
    ("raw", "canonical", "type_name"),
    [
        ("RemoteControl", "remote_control", "remote_control"),
        ("remote control", "remote_control", "remote_control"),
        ("Cellphone", "cell_phone", "cell_phone"),
        ("AppleSliced", "apple_sliced", "apple"),
        ("mug_2", "mug_2", "mug"),
        ("StoveBurner", "stove_burner", "stove_burner"),
    ],
)
def test_names_resolve_to_catalogue_types(
    book: RuleBook, raw: str, canonical: str, type_name: str
) -> None:
    assert book.catalogue.canonical(raw) == canonical
    kind = book.catalogue.lookup(canonical)
    assert kind is not None
    assert kind.name == type_name


def test_snake_case() -> None:
    assert snake("TVStand") == "tvstand"
    assert snake("Dining Table") == "dining_table"


def test_unknown_objects_have_no_properties(book: RuleBook) -> None:
    assert book.catalogue.lookup("flux_capacitor") is None
    assert book.catalogue.properties("flux_capacitor") == frozenset()
