"""The openai backend over a mock HTTP transport: schema formats, fallback, bounded retries."""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from planner.backends.openai_compat import OpenAIClient, OpenAIPlanner, OpenAISettings
from planner.base import PlanStatus
from planner.errors import PlannerBackendError, PlannerConfigError
from planner.testing import kitchen_request


def _completion(content: str) -> dict:
    return {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }


class Server:
    """A fake chat server: records request bodies, answers by a rule."""

    def __init__(
        self, *, reject_json_schema: bool = False, fail_connects: int = 0, status: int = 200
    ) -> None:
        self.bodies: list[dict] = []
        self.reject_json_schema = reject_json_schema
        self.fail_connects = fail_connects
        self.status = status

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.fail_connects:
            self.fail_connects -= 1
            raise httpx.ConnectError("connection refused", request=request)
        body = json.loads(request.content)
        self.bodies.append(body)
        if self.status != 200:
            return httpx.Response(self.status, json={"error": {"message": "bad key"}})
        if self.reject_json_schema and body["response_format"]["type"] == "json_schema":
            return httpx.Response(500, json={"error": {"message": "json_schema unsupported"}})
        return httpx.Response(200, json=_completion('{"reply":{"goal":["open(microwave)"]}}'))


def _planner(server: Server, **settings: object) -> OpenAIPlanner:
    config = OpenAISettings(model="m", retry_backoff_s=0, **settings)
    client = openai.OpenAI(
        base_url="http://127.0.0.1:9/v1",
        api_key="k",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(server)),
    )
    return OpenAIPlanner(OpenAIClient(config, client), config, backend="openai")


def test_json_schema_is_sent_strict_with_the_alternatives_under_one_key():
    server = Server()
    result = _planner(server).plan(kitchen_request("open the microwave"))
    assert result.status is PlanStatus.PLANNED
    fmt = server.bodies[0]["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["required"] == ["reply"]
    assert result.usage.prompt_tokens == 11


def test_a_server_that_rejects_json_schema_gets_json_object_with_the_schema_from_then_on():
    server = Server(reject_json_schema=True)
    planner = _planner(server)
    planner.plan(kitchen_request("open the microwave"))
    planner.plan(kitchen_request("open the microwave"))
    kinds = [b["response_format"]["type"] for b in server.bodies]
    assert kinds == ["json_schema", "json_object", "json_object"]
    assert "anyOf" in json.dumps(server.bodies[1]["response_format"]["schema"])


def test_transport_errors_are_retried_a_bounded_number_of_times():
    server = Server(fail_connects=2)
    assert _planner(server, max_retries=2).plan(kitchen_request("open it")).plan is not None
    with pytest.raises(PlannerBackendError, match="after 2 attempt"):
        _planner(Server(fail_connects=5), max_retries=1).plan(kitchen_request("open it"))


def test_http_errors_are_not_retried():
    server = Server(status=401)
    with pytest.raises(PlannerBackendError, match="HTTP 401"):
        _planner(server, response_format="json_schema").plan(kitchen_request("open it"))
    assert len(server.bodies) == 1


def test_without_a_key_or_a_url_the_error_says_what_to_set(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    client = OpenAIClient(OpenAISettings(model="m"))
    with pytest.raises(PlannerConfigError, match="set OPENAI_API_KEY"):
        client._openai()
