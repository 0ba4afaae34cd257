"""Lazy grammar checks pick what llama-cpp-python's full grammar pass picks (real models)."""

from __future__ import annotations

import numpy as np
import pytest

from planner.backends.greedy import GrammarGate
from planner.backends.local import LlamaCppClient, LocalSettings, compile_grammar, import_llama_cpp
from planner.errors import PlannerBackendError
from planner.models import resolve
from planner.prompt import Message, messages
from planner.schema import Mode, build_schema
from planner.testing import kitchen_request

pytestmark = [pytest.mark.llm, pytest.mark.slow]


@pytest.fixture(scope="module")
def vocab_only():
    llama_cpp = import_llama_cpp()
    return llama_cpp.Llama(model_path=str(resolve("smollm2-135m")), vocab_only=True, verbose=False)


def _gate(llama, grammar_text: str) -> GrammarGate:
    grammars = import_llama_cpp().llama_grammar
    return GrammarGate(llama, grammars.LlamaGrammar.from_string(grammar_text, verbose=False))


def _token(llama, text: str) -> int:
    return int(llama.tokenize(text.encode(), add_bos=False, special=False)[0])


def test_the_favourite_is_taken_when_the_grammar_allows_it(vocab_only):
    gate = _gate(vocab_only, 'root ::= "yes" | "no"')
    logits = np.zeros(vocab_only.n_vocab(), dtype=np.float32)
    logits[_token(vocab_only, "yes")] = 9.0
    logits[_token(vocab_only, "no")] = 5.0
    try:
        assert gate.pick(logits) == _token(vocab_only, "yes")
        assert gate.full_checks == 0
    finally:
        gate.close()


def test_a_rejected_favourite_falls_back_to_the_best_allowed_token(vocab_only):
    gate = _gate(vocab_only, 'root ::= "yes" | "no"')
    logits = np.zeros(vocab_only.n_vocab(), dtype=np.float32)
    logits[_token(vocab_only, "hello")] = 9.0  # the model's favourite, not in the grammar
    logits[_token(vocab_only, "no")] = 5.0
    logits[_token(vocab_only, "yes")] = 4.0
    try:
        assert gate.pick(logits) == _token(vocab_only, "no")
        assert gate.full_checks == 1
        # the grammar advanced past "no": only the end of the answer is left
        logits[:] = 0.0
        logits[_token(vocab_only, "yes")] = 9.0
        assert gate.is_end(gate.pick(logits))
    finally:
        gate.close()


@pytest.mark.parametrize("goal", ["open the microwave", "hello there", "make toast"])
def test_lazy_greedy_answers_match_llama_cpp_full_grammar_sampling(goal):
    client = LlamaCppClient(LocalSettings(model="smollm2-135m", state_dir=None))
    request = kitchen_request(goal)
    schema = build_schema(Mode.GOALS, request.specs, request.scene, wrap=True)
    chat = [Message("system", "Answer with one JSON object."), Message("user", f"Goal: {goal}")]
    llama = client._load()  # both runs share one model
    llama.reset()
    lazy = client.complete(chat, schema, max_tokens=48)
    llama.reset()  # the same cache state for both, so the logits are bit-identical
    full = llama.create_chat_completion(
        messages=[{"role": m.role, "content": m.content} for m in chat],
        grammar=compile_grammar(schema),
        max_tokens=48,
        temperature=0.0,
        repeat_penalty=1.0,
    )
    assert lazy.text == full["choices"][0]["message"]["content"]
    assert lazy.completion_tokens == full["usage"]["completion_tokens"]
    assert lazy.prompt_tokens == full["usage"]["prompt_tokens"]


def test_a_prompt_longer_than_the_context_is_refused_with_the_setting_to_raise():
    client = LlamaCppClient(LocalSettings(model="smollm2-135m", n_ctx=512, state_dir=None))
    request = kitchen_request("open the microwave")
    schema = build_schema(Mode.GOALS, request.specs, request.scene, wrap=True)
    with pytest.raises(PlannerBackendError, match="more than the model's context of 512"):
        client.complete(messages(request, Mode.GOALS, request.goal), schema, max_tokens=16)
