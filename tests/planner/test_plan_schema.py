"""The answer schema: enums are skill names and visible objects of the right kind."""

from __future__ import annotations

import json

import pytest

from planner.backends.local import compile_grammar
from planner.errors import ModelOutputError
from planner.schema import (
    MAX_PLAN_ITEMS,
    Mode,
    ReplyKind,
    build_schema,
    goal_literals,
    parse_reply,
)
from planner.testing import kitchen_scene
from skills.kitchen.specs import BURNERS, DOORS, SWITCHES


def _step_shapes(schema: dict) -> dict[str, dict]:
    plan = schema["anyOf"][0]
    items = plan["properties"]["steps"]["items"]["anyOf"]
    return {s["properties"]["skill"]["enum"][0]: s["properties"] for s in items}


def test_step_enums_are_skill_names_and_visible_objects_of_the_right_kind(specs):
    shapes = _step_shapes(build_schema(Mode.STEPS, specs, kitchen_scene()))
    assert sorted(shapes) == ["close", "open", "pick", "place", "turn_off", "turn_on"]
    assert shapes["open"]["target"]["enum"] == list(DOORS)
    assert shapes["turn_on"]["target"]["enum"] == list(SWITCHES)
    assert shapes["place"]["destination"]["enum"] == list(BURNERS)
    assert shapes["place"]["object"]["enum"] == ["kettle"]


def test_a_hidden_object_drops_out_of_every_enum(specs):
    scene = kitchen_scene(hidden=("kettle", "microwave"))
    shapes = _step_shapes(build_schema(Mode.STEPS, specs, scene))
    assert "pick" not in shapes
    assert "place" not in shapes
    assert shapes["close"]["target"]["enum"] == ["slide_cabinet", "hinge_cabinet"]
    literals = goal_literals(specs, scene)
    assert not any("kettle" in lit or "microwave" in lit for lit in literals)


def test_goal_literals_cover_each_changeable_atom_both_ways(specs):
    literals = goal_literals(specs, kitchen_scene())
    assert "open(microwave)" in literals
    assert "not open(microwave)" in literals
    assert "on(kettle, top_left_burner)" in literals
    assert "not turned_on(light)" in literals
    assert len(literals) == 2 * (3 + 5 + 4 + 1)


def test_wrapped_schema_keeps_any_of_off_the_root(specs):
    schema = build_schema(Mode.GOALS, specs, kitchen_scene(), wrap=True)
    assert schema["type"] == "object"
    assert "anyOf" not in schema
    assert len(schema["properties"]["reply"]["anyOf"]) == 3
    assert schema["required"] == ["reply"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"goal":["open(microwave)"]}', ReplyKind.PLAN),
        ('{"reply":{"goal":["open(microwave)"]}}', ReplyKind.PLAN),
        ('{"refuse":"no fridge here"}', ReplyKind.REFUSE),
        ('{"ask":"which burner?"}', ReplyKind.ASK),
    ],
)
def test_parse_reply_reads_each_shape(text, kind):
    assert parse_reply(text, Mode.GOALS).kind is kind


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("open the microwave", "not valid JSON"),
        ('{"steps":[]}', "unexpected key 'steps'"),
        ('{"goal":"open(microwave)"}', "list of literal strings"),
        ('{"goal":[], "ask":"?"}', "one object with one key"),
    ],
)
def test_parse_reply_names_what_is_wrong(text, problem):
    with pytest.raises(ModelOutputError, match=problem):
        parse_reply(text, Mode.GOALS)


@pytest.mark.parametrize("mode", list(Mode))
def test_llama_cpp_compiles_the_schema_to_a_grammar(specs, mode):
    pytest.importorskip("llama_cpp")
    schema = build_schema(mode, specs, kitchen_scene())
    grammar = compile_grammar(schema)
    assert "open(microwave)" in grammar._grammar or mode is Mode.STEPS


def test_lists_are_bounded_so_a_repeating_model_stops_except_in_the_wrapped_form(specs):
    for mode, key in ((Mode.GOALS, "goal"), (Mode.STEPS, "steps")):
        plan = build_schema(mode, specs, kitchen_scene())["anyOf"][0]
        assert plan["properties"][key]["maxItems"] == MAX_PLAN_ITEMS
        wrapped = build_schema(mode, specs, kitchen_scene(), wrap=True)
        assert "maxItems" not in json.dumps(wrapped)
