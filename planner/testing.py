"""Test doubles for the planner: a fake language model, registered as the "fake" planner.

`FakeLLMClient` answers from a list of texts (or a function of the prompt) and records
every call, so tests can assert on prompts, schemas and repair rounds without a model.
Real backends refuse to run while `planner.llm.allow_model_calls(False)` is in force.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from embodiments.scene import Atom
from planner.base import PlanRequest
from planner.llm import Completion, LLMPlanner, PlannerSettings
from planner.prompt import Message
from planner.registry import register_planner, settings_from
from planner.schema import JsonSchema
from planner.suite import KITCHEN_OBJECTS
from skills.registry import all_specs
from skills.scene import PerceivedScene

Answerer = Callable[[Sequence[Message], JsonSchema], str]


@dataclass(frozen=True, slots=True)
class FakeCall:
    """One recorded request to the fake model."""

    messages: tuple[Message, ...]
    schema: JsonSchema
    max_tokens: int


@dataclass
class FakeLLMClient:
    """Answers in order from `answers` (or by calling it); counts words as tokens."""

    answers: Sequence[str] | Answerer
    model: str = "fake-llm"
    calls: list[FakeCall] = field(default_factory=list)

    def complete(
        self, messages: Sequence[Message], schema: JsonSchema, *, max_tokens: int
    ) -> Completion:
        """The next scripted answer; AssertionError when the script runs out."""
        self.calls.append(FakeCall(tuple(messages), schema, max_tokens))
        if callable(self.answers):
            text = self.answers(messages, schema)
        else:
            index = len(self.calls) - 1
            if index >= len(self.answers):
                msg = f"the fake model was called {index + 1} times but has {len(self.answers)}"
                raise AssertionError(msg)
            text = self.answers[index]
        prompt = sum(len(m.content.split()) for m in messages)
        return Completion(text=text, prompt_tokens=prompt, completion_tokens=len(text.split()))


@register_planner("fake")
def make_fake(answers: Sequence[str] | Answerer = (), **settings: object) -> LLMPlanner:
    """Registry factory: an LLM planner over a FakeLLMClient with the given answers."""
    return LLMPlanner(
        FakeLLMClient(answers), settings_from(PlannerSettings, settings), backend="fake"
    )


def kitchen_scene(*true: str, hidden: Sequence[str] = ()) -> PerceivedScene:
    """A kitchen scene: every fixture visible except `hidden`; `true` atoms believed true."""
    return PerceivedScene(
        objects=tuple(o for o in KITCHEN_OBJECTS if o not in hidden),
        atoms=frozenset(Atom.parse(a) for a in true),
    )


def kitchen_request(goal: str, *true: str, hidden: Sequence[str] = ()) -> PlanRequest:
    """A request over the kitchen catalog; the kettle is on the bottom left burner by default."""
    atoms = true or ("on(kettle, bottom_left_burner)",)
    return PlanRequest(goal=goal, scene=kitchen_scene(*atoms, hidden=hidden), specs=all_specs())
