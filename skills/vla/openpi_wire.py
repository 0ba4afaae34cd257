"""The openpi policy-server wire format: msgpack with numpy arrays, and the DROID keys.

Arrays travel as `{"__ndarray__": True, "data": bytes, "dtype": str, "shape": [...]}`,
numpy scalars as `{"__npgeneric__": True, "data": value, "dtype": str}` (openpi-client's
`msgpack_numpy`). Object, void and complex dtypes are refused both ways: nothing on this
wire is ever unpickled. Written with ormsgpack (already installed with langgraph)
because openpi-client pins numpy < 2.

Observations use the DROID keys of pi0/pi0.5 DROID servers: the overview camera is
`observation/exterior_image_1_left`, the wrist camera `observation/wrist_image_left`,
the state `observation/joint_position` (7) and `observation/gripper_position` (1, 0 open
.. 1 closed), plus `prompt`. Replies carry `actions` (H x 8: 7 joint velocities and the
gripper, 0 open .. 1 closed); our own server adds `progress`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import ormsgpack

from skills.vla.base import ActionChunk, Float32Array, PolicyInput
from skills.vla.dataset import resize

EXTERIOR_KEY = "observation/exterior_image_1_left"
WRIST_KEY = "observation/wrist_image_left"
JOINTS_KEY = "observation/joint_position"
GRIPPER_KEY = "observation/gripper_position"
PROMPT_KEY = "prompt"
CAMERA_KEYS = {"overview": EXTERIOR_KEY, "wrist": WRIST_KEY}
GRIPPER_MAX_OPENING_M = 0.08  # the Franka hand: two fingers of 4 cm
_REFUSED_KINDS = ("O", "V", "c")


class WireError(ValueError):
    """A message does not follow the openpi wire format."""


def _encode(obj: object) -> object:
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in _REFUSED_KINDS:
            msg = f"refusing to send an array of dtype {obj.dtype} (object/void/complex)"
            raise WireError(msg)
        return {
            "__ndarray__": True,
            "data": np.ascontiguousarray(obj).tobytes(),
            "dtype": obj.dtype.str,
            "shape": list(obj.shape),
        }
    if isinstance(obj, np.generic):
        return {"__npgeneric__": True, "data": obj.item(), "dtype": obj.dtype.str}
    msg = f"cannot send a value of type {type(obj).__name__}"
    raise TypeError(msg)


def _decode(obj: object) -> object:
    if isinstance(obj, dict):
        if obj.get("__ndarray__") is True:
            dtype = np.dtype(obj["dtype"])
            if dtype.kind in _REFUSED_KINDS:
                msg = f"refusing an array of dtype {dtype} (object/void/complex)"
                raise WireError(msg)
            return np.frombuffer(obj["data"], dtype=dtype).reshape(obj["shape"]).copy()
        if obj.get("__npgeneric__") is True:
            dtype = np.dtype(obj["dtype"])
            if dtype.kind in _REFUSED_KINDS:
                msg = f"refusing a scalar of dtype {dtype}"
                raise WireError(msg)
            return dtype.type(obj["data"])
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    return obj


def packb(message: dict[str, Any]) -> bytes:
    """One message as msgpack bytes, arrays in openpi's form."""
    try:
        return ormsgpack.packb(message, default=_encode)
    except TypeError as exc:  # ormsgpack reports a failing `default` as a TypeError
        msg = f"cannot send this message ({exc}); object, void and complex arrays are refused"
        raise WireError(msg) from None


def unpackb(data: bytes) -> dict[str, Any]:
    """Decode one message; raises WireError when it is not a msgpack map."""
    try:
        raw = ormsgpack.unpackb(data)
    except ormsgpack.MsgpackDecodeError as exc:
        msg = f"not a msgpack message ({exc})"
        raise WireError(msg) from None
    if not isinstance(raw, dict):
        msg = f"expected a msgpack map, got {type(raw).__name__}"
        raise WireError(msg)
    return {str(k): _decode(v) for k, v in raw.items()}


def observation_message(request: PolicyInput, *, image_size_px: int) -> dict[str, Any]:
    """A `PolicyInput` as a DROID observation (images resized to a square, e.g. 224)."""
    message: dict[str, Any] = {
        key: resize(np.asarray(request.frames[cam]), image_size_px)
        for cam, key in CAMERA_KEYS.items()
        if cam in request.frames
    }
    opening = float(request.state[-1])
    closed = 1.0 - np.clip(opening / GRIPPER_MAX_OPENING_M, 0.0, 1.0)
    message[JOINTS_KEY] = request.state[:-1].astype(np.float64)
    message[GRIPPER_KEY] = np.array([closed], dtype=np.float64)
    message[PROMPT_KEY] = request.instruction
    return message


def request_from_message(message: dict[str, Any]) -> PolicyInput:
    """A DROID observation back into a `PolicyInput` (server side); WireError names a bad key."""
    for key in (JOINTS_KEY, GRIPPER_KEY):
        if not isinstance(message.get(key), np.ndarray):
            msg = f"observation lacks the array {key!r}"
            raise WireError(msg)
    prompt = message.get(PROMPT_KEY)
    if not isinstance(prompt, str):
        msg = f"observation lacks the string {PROMPT_KEY!r}"
        raise WireError(msg)
    frames = {}
    for cam, key in CAMERA_KEYS.items():
        frame = message.get(key)
        if isinstance(frame, np.ndarray):
            frames[cam] = frame.astype(np.uint8, copy=False)
    closed = float(np.asarray(message[GRIPPER_KEY]).reshape(-1)[0])
    opening = (1.0 - closed) * GRIPPER_MAX_OPENING_M
    joints = np.asarray(message[JOINTS_KEY], dtype=np.float32).reshape(-1)
    state = np.append(joints, np.float32(opening)).astype(np.float32)
    return PolicyInput(frames, state, prompt)


def reply_message(chunk: ActionChunk, *, infer_ms: float) -> dict[str, Any]:
    """A chunk as a reply: gripper as closedness, plus our `progress` and openpi's timing."""
    actions = chunk.actions.astype(np.float32).copy()
    actions[:, -1] = 1.0 - actions[:, -1]
    reply: dict[str, Any] = {"actions": actions, "policy_timing": {"infer_ms": infer_ms}}
    if chunk.progress is not None:
        reply["progress"] = float(chunk.progress)
    return reply


def chunk_from_reply(reply: dict[str, Any]) -> ActionChunk:
    """A reply's `actions` (H x A, gripper as closedness) as an `ActionChunk`."""
    actions = reply.get("actions")
    if not isinstance(actions, np.ndarray) or actions.ndim != 2 or actions.shape[0] == 0:
        shape = getattr(actions, "shape", type(actions).__name__)
        msg = f"reply 'actions' must be an H x A array, got {shape}"
        raise WireError(msg)
    if not np.all(np.isfinite(actions)):
        msg = "reply 'actions' contains NaN or infinite values"
        raise WireError(msg)
    out: Float32Array = actions.astype(np.float32).copy()
    out[:, -1] = 1.0 - out[:, -1]
    progress = reply.get("progress")
    return ActionChunk(out, float(progress) if isinstance(progress, int | float) else None)
