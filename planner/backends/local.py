"""The embedded planner: a small GGUF model run in-process by llama-cpp-python.

No key and no network. Decoding is constrained by a llama.cpp grammar compiled from
the request's JSON schema, so the model can only write skill names, visible objects
of the right kind, or goal literals over them; `greedy` decodes with that grammar
checked lazily (the same answers, ~30 ms a token faster). The key-value cache of the
previous prompt is kept and its longest common prefix reused, and the prompt's fixed
prefix (rules, catalog, examples) comes first, so after the first request only the
short scene-and-goal turn is read. The model loads on the first plan, not before.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import structlog
from pydantic import Field

from planner.backends import greedy, prefix_state
from planner.errors import PlannerSetupError
from planner.llm import Completion, LLMPlanner, PlannerSettings, require_model_calls
from planner.models import DEFAULT_MODEL, cache_dir, resolve
from planner.prompt import Message
from planner.registry import register_planner, settings_from
from planner.schema import JsonSchema, schema_text

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_grammar import LlamaGrammar

log = structlog.get_logger(__name__)


def import_llama_cpp() -> ModuleType:
    """Import llama_cpp, with OpenMP threads that sleep rather than spin while they wait.

    On a machine whose cores are shared (a robot's computer, a CI runner), spinning
    threads fight the other processes: measured on 2 busy cores, 20 tokens of a 1.5B
    model took 44 s with the default wait policy and 3.6 s with PASSIVE. OpenMP reads
    the policy once, when llama.cpp's library loads, so it is set before the import;
    a value already in the environment wins.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        return importlib.import_module("llama_cpp")
    except ImportError as exc:
        msg = f"the local planner needs llama-cpp-python ({exc}). Run: bash scripts/setup_llm.sh"
        raise PlannerSetupError(msg) from exc


def compile_grammar(schema: JsonSchema) -> LlamaGrammar:
    """The llama.cpp grammar that admits exactly the JSON documents the schema allows."""
    import_llama_cpp()
    grammars = importlib.import_module("llama_cpp.llama_grammar")
    grammar: LlamaGrammar = grammars.LlamaGrammar.from_json_schema(
        schema_text(schema), verbose=False
    )
    return grammar


class LocalSettings(PlannerSettings):
    """Which GGUF model to run and how; `model` is a model-store name or a .gguf path."""

    model: str = DEFAULT_MODEL
    n_threads: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    n_ctx: int = Field(default=4096, ge=512)
    n_batch: int = Field(default=512, ge=8)
    seed: int = 0
    state_dir: Path | None = Field(
        default_factory=lambda: cache_dir() / "prefix-states",
        description="keep the prompt prefix's key-value cache here between processes; None: off",
    )


class LlamaCppClient:
    """An `LLMClient` over `llama_cpp.Llama`, with compiled grammars cached per schema."""

    def __init__(self, settings: LocalSettings) -> None:
        self.settings = settings
        self._llama: Llama | None = None  # loaded on the first plan, never in __init__
        self._grammars: dict[str, LlamaGrammar] = {}
        self._state_file: Path | None = None  # set by the first request, saved after it
        self._formatter: Any = None  # the model's chat template, built on the first request

    @property
    def model(self) -> str:
        """The model-store name or file path."""
        return self.settings.model

    def _load(self) -> Llama:
        if self._llama is None:
            require_model_calls("local")
            llama_cpp = import_llama_cpp()
            path = resolve(self.settings.model)
            self._llama = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=self.settings.n_ctx,
                n_batch=self.settings.n_batch,
                n_threads=self.settings.n_threads,
                n_threads_batch=self.settings.n_threads,
                seed=self.settings.seed,
                verbose=False,
            )
        return self._llama

    def _prompt(self, messages: Sequence[Message]) -> list[int]:
        """The chat's tokens, formatted by the model's own chat template.

        The same formatter `Llama.create_chat_completion` builds from the GGUF metadata,
        so the tokens (and the saved prefix states) match what it would read.
        """
        llama = self._load()
        if self._formatter is None:
            formats = importlib.import_module("llama_cpp.llama_chat_format")
            template = llama.metadata.get("tokenizer.chat_template")
            if not template:
                msg = (
                    f"the model {self.settings.model!r} has no chat template in its GGUF "
                    "metadata; the local planner needs an instruct (chat) model"
                )
                raise PlannerSetupError(msg)
            model: Any = llama._model  # token texts, as Llama.__init__ reads them

            def text(token: int) -> str:
                return str(model.token_get_text(token)) if token != -1 else ""

            self._formatter = formats.Jinja2ChatFormatter(
                template=template,
                eos_token=text(llama.token_eos()),
                bos_token=text(llama.token_bos()),
                stop_token_ids=[llama.token_eos()],
            )
        wire = [{"role": m.role, "content": m.content} for m in messages]
        result = self._formatter(messages=wire)
        return llama.tokenize(
            result.prompt.encode(), add_bos=not result.added_special, special=True
        )

    def _grammar(self, schema: JsonSchema) -> LlamaGrammar:
        key = schema_text(schema)
        if key not in self._grammars:
            self._grammars[key] = compile_grammar(schema)
        return self._grammars[key]

    def complete(
        self, messages: Sequence[Message], schema: JsonSchema, *, max_tokens: int
    ) -> Completion:
        """One greedy answer, constrained to the schema."""
        llama = self._load()
        saving: Path | None = None
        if self._state_file is None and self.settings.state_dir is not None:
            # The first request's turns before its last are the fixed prompt prefix.
            self._state_file = prefix_state.state_file(
                self.settings.state_dir, resolve(self.settings.model), llama.n_ctx(), messages[:-1]
            )
            restored = prefix_state.restore(llama, self._state_file)
            log.info("planner.prefix_state", restored_tokens=restored, path=str(self._state_file))
            saving = None if restored else self._state_file
        prompt = self._prompt(messages)
        answer = greedy.complete(llama, prompt, self._grammar(schema), max_tokens)
        if saving is not None:
            prefix_state.save(llama, saving)
        return Completion(
            text=llama.detokenize(answer).decode("utf-8", errors="replace"),
            prompt_tokens=len(prompt),
            completion_tokens=len(answer),
        )


@register_planner("local")
def make_local(**settings: object) -> LLMPlanner:
    """Registry factory: settings are LocalSettings fields. Loads nothing until planning."""
    config = settings_from(LocalSettings, settings)
    return LLMPlanner(LlamaCppClient(config), config, backend="local")
