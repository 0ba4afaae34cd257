"""A client of the openpi websocket policy server (our own: openpi-client pins numpy < 2).

Connect, read the server's metadata frame, then one binary request and one binary reply
per inference. A text frame from the server is an error report (openpi sends its
traceback that way and closes); it becomes a PolicyServerError with its first line.
"""

from __future__ import annotations

from typing import Any

import structlog
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.sync.client import ClientConnection, connect

from skills.vla.base import ActionChunk, PolicyInput
from skills.vla.errors import PolicyServerError
from skills.vla.openpi_wire import (
    WireError,
    chunk_from_reply,
    observation_message,
    packb,
    unpackb,
)

log = structlog.get_logger("steward.skills.vla.openpi")
OPENPI_IMAGE_SIZE_PX = 224


class OpenPIClient:
    """One connection to a policy server; a `ChunkPolicy`."""

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 10.0,
        image_size_px: int = OPENPI_IMAGE_SIZE_PX,
    ) -> None:
        self.url = url
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.image_size_px = image_size_px
        self.metadata: dict[str, Any] = {}
        self._conn: ClientConnection | None = None

    @property
    def source(self) -> str:
        """The server URL."""
        return self.url

    def connect(self) -> dict[str, Any]:
        """Open the connection and return the server's metadata."""
        headers = {"Authorization": f"Api-Key {self.api_key}"} if self.api_key else None
        try:
            self._conn = connect(
                self.url,
                additional_headers=headers,
                compression=None,
                max_size=None,
                open_timeout=self.timeout_s,
                close_timeout=1.0,
                legacy=True,  # a long-lived connection, not a `with` block
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            hint = " (set STEWARD_OPENPI_API_KEY)" if status in (401, 403) else ""
            msg = f"policy server at {self.url} refused the connection: HTTP {status}{hint}"
            raise PolicyServerError(msg) from None
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
            msg = (
                f"cannot reach a policy server at {self.url} ({type(exc).__name__}: {exc}). "
                "Start one (`steward serve-policy CKPT --port PORT`, or openpi's "
                "scripts/serve_policy.py) or set STEWARD_OPENPI_URL"
            )
            raise PolicyServerError(msg) from None
        self.metadata = self._receive("metadata")
        log.info("openpi.connected", url=self.url, metadata_keys=sorted(self.metadata))
        return self.metadata

    def _receive(self, what: str) -> dict[str, Any]:
        assert self._conn is not None  # connect() sets it
        try:
            frame = self._conn.recv(timeout=self.timeout_s)
        except TimeoutError:
            msg = f"policy server at {self.url} sent no {what} within {self.timeout_s:.0f} s"
            raise PolicyServerError(msg) from None
        except ConnectionClosed as exc:
            msg = f"policy server at {self.url} closed the connection before its {what} ({exc})"
            raise PolicyServerError(msg) from None
        if isinstance(frame, str):
            first = frame.strip().splitlines()[0] if frame.strip() else "(empty)"
            last = frame.strip().splitlines()[-1] if frame.strip() else ""
            detail = first if first == last else f"{first} ... {last}"
            msg = f"policy server at {self.url} reported an error instead of its {what}: {detail}"
            self.close()
            raise PolicyServerError(msg)
        try:
            return unpackb(frame)
        except WireError as exc:
            msg = f"policy server at {self.url} sent an undecodable {what}: {exc}"
            raise PolicyServerError(msg) from None

    def infer(self, request: PolicyInput) -> ActionChunk:
        """Send one observation, return the chunk the server answers with."""
        if self._conn is None:
            self.connect()
        assert self._conn is not None  # connect() sets it or raises
        try:
            self._conn.send(packb(observation_message(request, image_size_px=self.image_size_px)))
        except ConnectionClosed as exc:
            self._conn = None
            msg = f"policy server at {self.url} closed the connection ({exc}); is it still up?"
            raise PolicyServerError(msg) from None
        reply = self._receive("reply")
        try:
            chunk = chunk_from_reply(reply)
        except WireError as exc:
            msg = f"policy server at {self.url} sent a reply without usable actions: {exc}"
            raise PolicyServerError(msg) from None
        return chunk

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
