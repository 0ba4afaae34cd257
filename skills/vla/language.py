"""Instructions in words for a skill step: `open(target=slide_cabinet)` -> "open the slide cabinet".

Recording, training and every backend build the instruction the same way, so a policy
trained on recorded demonstrations hears at run time exactly what it was trained on.
"""

from __future__ import annotations

from pydantic import BaseModel

_PREPOSITIONS = {"destination": "on"}


def instruction(skill: str, arguments: BaseModel) -> str:
    """The instruction for one skill with typed arguments."""
    words = [skill.replace("_", " ")]
    for name, value in arguments.model_dump().items():
        preposition = _PREPOSITIONS.get(name)
        phrase = f"the {str(value).replace('_', ' ')}"
        words.append(f"{preposition} {phrase}" if preposition else phrase)
    return " ".join(words)
