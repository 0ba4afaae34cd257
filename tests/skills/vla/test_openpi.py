"""The openpi protocol: wire format, our server on 127.0.0.1, the client and the backend."""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from websockets.sync.client import connect
from websockets.sync.server import serve

from embodiments.testing import FakeEmbodiment
from skills.base import SkillStatus
from skills.kitchen.specs import SwitchArgs
from skills.registry import make_skill
from skills.vla.base import PolicyInput
from skills.vla.checkpoint import load_policy
from skills.vla.config import RunConfig, VLASettings
from skills.vla.errors import PolicyServerError
from skills.vla.openpi_client import OpenPIClient
from skills.vla.openpi_server import PolicyServer
from skills.vla.openpi_wire import WireError, packb, unpackb

from .conftest import TASKS


@pytest.fixture
def server(checkpoint: Path) -> Iterator[PolicyServer]:
    srv = PolicyServer(load_policy(checkpoint), port=0).start()
    yield srv
    srv.shutdown()


def _request(size: int = 224) -> PolicyInput:
    rng = np.random.default_rng(0)
    frames = {
        c: rng.integers(0, 255, (size, size, 3), dtype=np.uint8) for c in ("overview", "wrist")
    }
    state = np.array([0.1, -0.2, 0.3, -1.5, 0.0, 1.2, 0.7, 0.04], np.float32)
    return PolicyInput(frames, state, TASKS[1])


@contextlib.contextmanager
def _one_reply_server(frame: bytes | str) -> Iterator[str]:
    """A server that sends empty metadata, then answers the first request with `frame`."""

    def handler(ws) -> None:
        ws.send(packb({}))
        ws.recv()
        ws.send(frame)

    with serve(handler, "127.0.0.1", 0) as srv:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        yield f"ws://127.0.0.1:{srv.socket.getsockname()[1]}"
        srv.shutdown()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_wire_round_trips_arrays_and_numpy_scalars() -> None:
    msg = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "s": np.float32(1.5), "p": "hi"}
    back = unpackb(packb(msg))
    np.testing.assert_array_equal(back["a"], msg["a"])
    assert back["a"].dtype == np.float32
    assert back["s"] == np.float32(1.5)
    assert isinstance(back["s"], np.float32)
    assert back["p"] == "hi"


def test_wire_refuses_object_arrays_both_ways() -> None:
    with pytest.raises(WireError, match="object"):
        packb({"x": np.array([object()])})
    forged = packb({"x": {"__ndarray__": True, "data": b"", "dtype": "|O", "shape": [0]}})
    with pytest.raises(WireError, match="refusing"):
        unpackb(forged)


def test_server_answers_like_the_local_policy(checkpoint: Path, server: PolicyServer) -> None:
    client = OpenPIClient(server.url)
    meta = client.connect()
    assert meta["source"] == str(checkpoint)
    remote = client.infer(_request())
    local = load_policy(checkpoint).infer(_request())
    np.testing.assert_allclose(remote.actions, local.actions, atol=1e-4)
    assert remote.progress == pytest.approx(local.progress, abs=1e-4)
    client.close()


def test_health_check_answers_200(server: PolicyServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/healthz")
    assert conn.getresponse().status == 200


def test_text_frame_from_the_client_gets_a_one_line_error_and_a_close(server: PolicyServer) -> None:
    with connect(server.url) as ws:
        ws.recv()  # metadata
        ws.send(packb({"prompt": "open the microwave"}))  # no state arrays
        reply = ws.recv()
    assert isinstance(reply, str)
    assert reply == "WireError: observation lacks the array 'observation/joint_position'"


def test_client_turns_a_server_error_frame_into_a_clear_error() -> None:
    traceback = "Traceback (most recent call last):\n  File x\nKeyError: 'observation/image'"
    problem = r"reported an error .*KeyError: 'observation/image'"
    # An openpi server whose policy raised sends its traceback as a text frame.
    with _one_reply_server(traceback) as url, pytest.raises(PolicyServerError, match=problem):
        OpenPIClient(url).infer(_request())


def test_server_down_names_the_url_and_how_to_start_one() -> None:
    url = f"ws://127.0.0.1:{_free_port()}"
    with pytest.raises(
        PolicyServerError, match=rf"cannot reach a policy server at {url}.*serve-policy"
    ):
        OpenPIClient(url, timeout_s=2).connect()


def test_api_key_is_required_when_the_server_sets_one(checkpoint: Path) -> None:
    srv = PolicyServer(load_policy(checkpoint), port=0, api_key="s3cret").start()
    try:
        with pytest.raises(PolicyServerError, match=r"HTTP 401.*STEWARD_OPENPI_API_KEY"):
            OpenPIClient(srv.url).connect()
        assert OpenPIClient(srv.url, api_key="s3cret").connect()["source"] == str(checkpoint)
    finally:
        srv.shutdown()


def test_openpi_backend_runs_against_a_real_server(server: PolicyServer) -> None:
    settings = VLASettings(openpi_url=server.url, run=RunConfig(max_ticks=6, execute_steps=3))
    skill = type(make_skill("turn_on", "openpi"))(settings=settings)
    assert skill.source == server.url
    fake = FakeEmbodiment()
    fake.reset(1)
    result = skill.run(fake, SwitchArgs(target="light"))
    assert result.status in (SkillStatus.SUCCEEDED, SkillStatus.TIMED_OUT)
    assert 0 < result.ticks <= 6
    assert server.url in result.message


def test_openpi_url_must_be_a_websocket_url() -> None:
    with pytest.raises(Exception, match="ws:// or wss://"):
        VLASettings.from_env({"STEWARD_OPENPI_URL": "http://host:8000"})


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ({"actions": np.zeros(5, np.float32)}, r"must be an H x A array, got \(5,\)"),
        ({"actions": np.full((2, 8), np.nan, np.float32)}, "NaN or infinite"),
        ({"result": 1}, "must be an H x A array, got NoneType"),
    ],
)
def test_client_refuses_replies_without_usable_actions(reply, problem: str) -> None:
    expected = f"without usable actions: .*{problem}"
    with _one_reply_server(packb(reply)) as url, pytest.raises(PolicyServerError, match=expected):
        OpenPIClient(url).infer(_request())
