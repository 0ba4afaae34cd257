"""Any OpenAI-compatible chat server: OpenAI, vLLM, Ollama, llama.cpp's server.

Structured output uses `{"type": "json_schema"}`; a server that rejects it (llama.cpp's
server answers HTTP 500) gets `{"type": "json_object", "schema": ...}` instead, and the
client remembers that for the rest of the run. Transport errors (connection refused,
timeouts) are retried a bounded number of times with backoff; HTTP errors are not.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Literal, TypeVar

import openai
from openai.types.chat import (
    ChatCompletion,
    ChatCompletionAssistantMessageParam,
    ChatCompletionMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
)
from openai.types.shared_params import ResponseFormatJSONSchema
from pydantic import Field

from planner.errors import PlannerBackendError, PlannerConfigError
from planner.llm import Completion, LLMPlanner, PlannerSettings, require_model_calls
from planner.prompt import Message
from planner.registry import register_planner, settings_from
from planner.schema import JsonSchema

T = TypeVar("T")
ResponseFormat = Literal["auto", "json_schema", "json_object"]
_FALLBACK_STATUS = (400, 422, 500)
_LOCAL_KEY = "not-needed"  # local servers ignore the key, but the client requires one


class OpenAISettings(PlannerSettings):
    """Where the server is and how to talk to it; unset values come from the environment."""

    base_url: str | None = None
    api_key: str | None = None
    model: str | None = None
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    retry_backoff_s: float = Field(default=0.5, ge=0)
    response_format: ResponseFormat = "auto"
    temperature: float = Field(default=0.0, ge=0, le=2)


def _wire(message: Message) -> ChatCompletionMessageParam:
    if message.role == "system":
        return ChatCompletionSystemMessageParam(role="system", content=message.content)
    if message.role == "assistant":
        return ChatCompletionAssistantMessageParam(role="assistant", content=message.content)
    return ChatCompletionUserMessageParam(role="user", content=message.content)


class OpenAIClient:
    """An `LLMClient` over the `openai` package; built lazily, no network in __init__."""

    def __init__(self, settings: OpenAISettings, client: openai.OpenAI | None = None) -> None:
        self.settings = settings
        self._client = client
        self._format: ResponseFormat = settings.response_format
        self._model = settings.model

    @property
    def model(self) -> str:
        """The model name sent to the server ("" until known)."""
        return self._model or ""

    def _openai(self) -> openai.OpenAI:
        if self._client is None:
            base_url = self.settings.base_url or os.environ.get("OPENAI_BASE_URL")
            key = self.settings.api_key or os.environ.get("OPENAI_API_KEY")
            if not key and not base_url:
                msg = (
                    "the openai planner needs an API key for api.openai.com: set OPENAI_API_KEY "
                    "or pass --api-key, or point --base-url at a local server"
                )
                raise PlannerConfigError(msg)
            require_model_calls("openai")
            self._client = openai.OpenAI(
                base_url=base_url,
                api_key=key or _LOCAL_KEY,
                timeout=self.settings.timeout_s,
                max_retries=0,  # retries are ours: transport errors only, bounded
            )
        return self._client

    def _model_name(self) -> str:
        if self._model:
            return self._model
        listed = [m.id for m in self._retrying(lambda: self._openai().models.list().data)]
        if len(listed) != 1:
            msg = "set --model: the server offers " + (", ".join(listed) if listed else "no models")
            raise PlannerConfigError(msg)
        self._model = listed[0]
        return self._model

    def complete(
        self, messages: Sequence[Message], schema: JsonSchema, *, max_tokens: int
    ) -> Completion:
        """One structured answer; falls back to json_object once if json_schema is refused."""
        fmt = "json_schema" if self._format == "auto" else self._format
        try:
            response = self._create(messages, schema, max_tokens, fmt)
        except openai.APIStatusError as exc:
            if self._format != "auto" or exc.status_code not in _FALLBACK_STATUS:
                raise _backend_error(exc) from exc
            self._format = "json_object"
            try:
                response = self._create(messages, schema, max_tokens, "json_object")
            except openai.APIStatusError as again:
                raise _backend_error(again) from again
        if self._format == "auto":
            self._format = "json_schema"
        usage = response.usage
        return Completion(
            text=response.choices[0].message.content or "" if response.choices else "",
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
        )

    def _create(
        self, messages: Sequence[Message], schema: JsonSchema, max_tokens: int, fmt: str
    ) -> ChatCompletion:
        model = self._model_name()
        wire = [_wire(m) for m in messages]
        strict: ResponseFormatJSONSchema | openai.Omit = openai.omit
        body: dict[str, object] | None = None
        if fmt == "json_schema":
            strict = {
                "type": "json_schema",
                "json_schema": {"name": "plan", "schema": schema, "strict": True},
            }
        else:
            # llama.cpp's dialect: the schema rides inside a json_object response format,
            # which the client's types do not describe, so it travels in the raw body.
            body = {"response_format": {"type": "json_object", "schema": schema}}
        return self._retrying(
            lambda: self._openai().chat.completions.create(
                model=model,
                messages=wire,
                max_tokens=max_tokens,
                temperature=self.settings.temperature,
                response_format=strict,
                extra_body=body,
            )
        )

    def _retrying(self, call: Callable[[], T]) -> T:
        attempts = self.settings.max_retries + 1
        for attempt in range(attempts):
            try:
                return call()
            except openai.APIConnectionError as exc:  # includes APITimeoutError
                if attempt + 1 == attempts:
                    where = self.settings.base_url or os.environ.get("OPENAI_BASE_URL") or "OpenAI"
                    msg = (
                        f"cannot reach the model server at {where} after {attempts} "
                        f"attempt(s): {exc}. Check that it is running and the URL is right."
                    )
                    raise PlannerBackendError(msg) from exc
                time.sleep(self.settings.retry_backoff_s * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _backend_error(exc: openai.APIStatusError) -> PlannerBackendError:
    return PlannerBackendError(
        f"the model server answered HTTP {exc.status_code}: {exc.message}. "
        "Check the model name and the server's log."
    )


class OpenAIPlanner(LLMPlanner):
    """The `openai` backend; its schema wraps the alternatives for strict servers."""

    @property
    def wants_wrapped_schema(self) -> bool:
        """OpenAI's strict mode refuses `anyOf` at the root."""
        return True


@register_planner("openai")
def make_openai(**settings: object) -> OpenAIPlanner:
    """Registry factory: settings are OpenAISettings fields."""
    config = settings_from(OpenAISettings, settings)
    return OpenAIPlanner(OpenAIClient(config), config, backend="openai")
