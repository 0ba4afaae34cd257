"""`steward serve-policy`: serve a checkpoint over the openpi websocket protocol.

Same protocol as openpi's `WebsocketPolicyServer` (metadata frame on connect, one msgpack
reply per msgpack observation, `GET /healthz` answers 200), with three differences that
matter for a robot on a network: it binds 127.0.0.1 unless told otherwise, it can
require `Authorization: Api-Key KEY`, and an error frame carries one line naming the
problem, never a traceback. Each connection runs in its own thread (websockets' sync
server), so a slow inference does not stall the other clients' handshakes.
"""

from __future__ import annotations

import threading
import time
from http import HTTPStatus
from typing import Any

import structlog
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from skills.vla.base import ChunkPolicy
from skills.vla.config import DEFAULT_HOST
from skills.vla.errors import VLAError
from skills.vla.openpi_wire import (
    WireError,
    packb,
    reply_message,
    request_from_message,
    unpackb,
)

log = structlog.get_logger("steward.skills.vla.server")
INTERNAL_ERROR = 1011


class PolicyServer:
    """Serves one `ChunkPolicy`; `start()` runs it in a thread, `serve_forever()` in this one."""

    def __init__(
        self,
        policy: ChunkPolicy,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        api_key: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.policy = policy
        self.api_key = api_key
        self.metadata = {
            "source": policy.source,
            "action_space": "joint_velocity",
            **(metadata or {}),
        }
        self._server: Server = serve(
            self._handle,
            host,
            port,
            process_request=self._process_request,
            compression=None,
            max_size=None,
        )
        self.host = host
        self.port = int(self._server.socket.getsockname()[1])
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The ws:// URL clients connect to."""
        return f"ws://{self.host}:{self.port}"

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.path == "/healthz":
            return connection.respond(HTTPStatus.OK, "OK\n")
        expected = f"Api-Key {self.api_key}"
        if self.api_key is not None and request.headers.get("Authorization") != expected:
            log.warning("server.unauthorised", remote=str(connection.remote_address))
            return connection.respond(HTTPStatus.UNAUTHORIZED, "missing or wrong Api-Key\n")
        return None

    def _handle(self, connection: ServerConnection) -> None:
        connection.send(packb(self.metadata))
        while True:
            try:
                frame = connection.recv()
            except ConnectionClosed:
                return
            try:
                if isinstance(frame, str):
                    msg = "send observations as binary msgpack frames, not text"
                    raise WireError(msg)
                request = request_from_message(unpackb(frame))
                began = time.perf_counter()
                chunk = self.policy.infer(request)
                infer_ms = (time.perf_counter() - began) * 1e3
                connection.send(packb(reply_message(chunk, infer_ms=infer_ms)))
            except (WireError, VLAError) as exc:
                log.warning("server.bad_request", error=str(exc))
                connection.send(f"{type(exc).__name__}: {exc}")
                connection.close(INTERNAL_ERROR, "bad request")
                return
            except Exception as exc:
                # Any other failure is our bug: log it here, tell the client one line only.
                log.exception("server.internal_error")
                connection.send(f"internal error in the policy server: {type(exc).__name__}")
                connection.close(INTERNAL_ERROR, "internal error")
                raise

    def serve_forever(self) -> None:
        """Serve until `shutdown()` (or Ctrl-C)."""
        log.info("server.start", url=self.url, source=self.policy.source)
        self._server.serve_forever()

    def start(self) -> PolicyServer:
        """Serve in a background thread; returns self."""
        self._thread = threading.Thread(
            target=self.serve_forever, daemon=True, name="policy-server"
        )
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
