"""Real models (marked `llm`): llama.cpp's server behind the openai backend, and the
embedded default model through the local backend. Run with: pytest -m llm tests/planner"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
import structlog

from planner.backends.openai_compat import OpenAIClient, OpenAISettings
from planner.base import PlanStatus
from planner.models import DEFAULT_MODEL, resolve
from planner.prompt import messages
from planner.registry import make_planner
from planner.schema import Mode, ReplyKind, build_schema, parse_reply
from planner.testing import kitchen_request

pytestmark = [pytest.mark.llm, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(resolve("smollm2-135m")),
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "2",
    ]  # fmt: skip
    log = tmp_path_factory.mktemp("server") / "server.log"
    handle = log.open("wb")
    process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            pytest.fail("llama_cpp.server did not answer within 90 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        handle.close()


def test_the_openai_backend_gets_a_schema_valid_answer_from_llama_cpp_server(server_url):
    settings = OpenAISettings(base_url=server_url, model="smollm2", max_output_tokens=64)
    client = OpenAIClient(settings)
    request = kitchen_request("open the microwave")
    schema = build_schema(Mode.GOALS, request.specs, request.scene, wrap=True)
    answer = client.complete(messages(request, Mode.GOALS, request.goal), schema, max_tokens=64)
    reply = parse_reply(answer.text, Mode.GOALS)  # raises unless the answer fits the schema
    assert reply.kind in set(ReplyKind)
    assert answer.completion_tokens > 0
    planner = make_planner("openai", base_url=server_url, model="smollm2", max_output_tokens=64)
    result = planner.plan(request)
    assert result.status in set(PlanStatus)


def test_the_default_local_model_plans_a_simple_goal():
    planner = make_planner("local", model=DEFAULT_MODEL)
    result = planner.plan(kitchen_request("open the microwave"))
    assert result.status is PlanStatus.PLANNED, result.reason
    assert result.plan is not None
    assert [str(s) for s in result.plan.steps] == ["open(target=microwave)"]


def _restored_tokens(planner_settings: dict[str, object], goal: str) -> tuple[int, PlanStatus]:
    """Plan once with a fresh model (as a new process would); the tokens it restored."""
    planner = make_planner("local", **planner_settings)
    with structlog.testing.capture_logs() as events:
        result = planner.plan(kitchen_request(goal))
    restored = [e["restored_tokens"] for e in events if e["event"] == "planner.prefix_state"]
    assert len(restored) == 1
    return restored[0], result.status


def test_a_new_process_reuses_the_saved_prompt_prefix(tmp_path):
    settings: dict[str, object] = {"model": "smollm2-135m", "state_dir": tmp_path}
    restored, _ = _restored_tokens(settings, "open the microwave")
    assert restored == 0
    (saved,) = tmp_path.glob("*.kv")
    restored, status = _restored_tokens(settings, "turn on the light")
    assert restored > 1000  # the rules, catalog and examples
    assert status in set(PlanStatus)
    saved.write_bytes(b"not a llama.cpp state")
    restored, status = _restored_tokens(settings, "turn on the light")
    assert restored == 0  # an unreadable file is dropped and the prefix read again
    assert status in set(PlanStatus)
    assert saved.stat().st_size > 1_000_000  # and written anew
