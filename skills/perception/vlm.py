"""An optional verifier that asks a vision-language model one yes/no question per atom.

Any OpenAI-compatible chat server with image input works (`openai_asker`); tests pass a
fake asker from `skills.perception.testing`. An answer that is neither yes nor no gives
confidence 0.5, so the verification policy treats the atom as undecided.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING

import cv2
import numpy as np

from embodiments.base import Frame
from embodiments.scene import Atom
from skills.perception.base import PredicateEstimate
from skills.perception.labels import ALL_ATOMS

if TYPE_CHECKING:
    from openai import OpenAI

Asker = Callable[[str, bytes], str]
"""(question, PNG bytes of the frame) -> the model's answer text."""

ANSWER_CONFIDENCE = 0.9  # a bare yes/no carries no calibrated probability


def question(atom: Atom) -> str:
    """The yes/no question put to the model for one atom."""
    entity = atom.args[-1].replace("_", " ") if atom.args else ""
    if atom.predicate == "open":
        text = f"Is the {entity} open?"
    elif atom.predicate == "turned_on":
        text = f"Is the {entity} turned on?"
    elif atom.predicate == "on":
        text = f"Is the kettle standing on the {entity}?"
    elif atom.predicate == "holding":
        text = f"Is the robot gripper holding the {entity}?"
    else:
        text = f"Is it true that {atom}?"
    return f"{text} Answer with one word: yes or no."


def png_bytes(frame: Frame) -> bytes:
    """PNG encoding of an RGB frame."""
    ok, buf = cv2.imencode(".png", cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2BGR))
    if not ok:
        msg = f"cannot PNG-encode a frame of shape {frame.shape}"
        raise ValueError(msg)
    return buf.tobytes()


def openai_asker(client: OpenAI, model: str, max_tokens: int = 3) -> Asker:
    """An asker that sends the question and the image to an OpenAI-compatible server."""

    def ask(text: str, png: bytes) -> str:
        url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        reply = client.chat.completions.create(
            model=model,
            temperature=0.0,
            max_tokens=max_tokens,
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": text},
                        {"type": "image_url", "image_url": {"url": url}},
                    ],
                }
            ],
        )
        return reply.choices[0].message.content or ""

    return ask


class VlmVerifier:
    """Asks one question per requested atom about one camera's frame."""

    name = "vlm"

    def __init__(self, ask: Asker, *, camera: str = "overview") -> None:
        self.ask = ask
        self.camera = camera

    def atoms(self) -> tuple[Atom, ...]:
        """Any atom can be asked about; these are the kitchen's."""
        return ALL_ATOMS

    def detect(
        self, frames: Mapping[str, Frame], atoms: Collection[Atom] | None = None
    ) -> dict[str, PredicateEstimate]:
        """One question per atom (all kitchen atoms when none are given)."""
        png = png_bytes(frames[self.camera])
        out: dict[str, PredicateEstimate] = {}
        for atom in ALL_ATOMS if atoms is None else atoms:
            answer = self.ask(question(atom), png).strip().lower().strip(".! ")
            value = answer.startswith("yes")
            sure = value or answer.startswith("no")
            out[str(atom)] = PredicateEstimate(
                atom=atom,
                value=value,
                confidence=ANSWER_CONFIDENCE if sure else 0.5,
                detector=self.name,
                camera=self.camera,
            )
        return out
