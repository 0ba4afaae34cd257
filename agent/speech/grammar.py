"""The command vocabulary and the JSGF grammar the offline recogniser decodes with."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.errors import AgentConfigError

if TYPE_CHECKING:
    from skills.base import SkillSpec

VERB_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "pick": ("pick up",),
    "place": ("put",),
    "turn_on": ("switch on",),
    "turn_off": ("switch off",),
}
_PARTICLES = frozenset({"on", "off", "up", "down"})
_WORD = re.compile(r"[a-z][a-z']*")
_JSGF_TOKEN = re.compile(r"<(\w+)>|([\[\]()|*])|([a-z']+)")
_JSGF_TO_REGEX = {"[": "(?:", "]": ")?", "(": "(?:", ")": ")", "|": "|", "*": "*"}


@dataclass(frozen=True, kw_only=True)
class Vocabulary:
    """The words a spoken command may use: lowercase phrases of dictionary words."""

    verbs: tuple[str, ...]
    objects: tuple[str, ...]
    connectives: tuple[str, ...] = ("and", "then", "and then")
    determiners: tuple[str, ...] = ("the",)  # "a" is confused with "the" too often
    prepositions: tuple[str, ...] = ("on", "onto", "in", "into", "to")

    def __post_init__(self) -> None:
        for name in ("verbs", "objects", "connectives", "determiners", "prepositions"):
            phrases: tuple[str, ...] = getattr(self, name)
            if not phrases and name in ("verbs", "objects"):
                raise AgentConfigError(f"Vocabulary.{name} is empty; give at least one phrase")
            bad = [p for p in phrases if not p.split() or not all(map(_WORD.fullmatch, p.split()))]
            if bad:
                msg = f"Vocabulary.{name}: {bad[0]!r} must be lowercase words (a-z, ')"
                raise AgentConfigError(msg)

    @classmethod
    def from_catalog(
        cls,
        specs: Iterable[SkillSpec],
        *,
        objects: Iterable[str] = (),
        synonyms: Mapping[str, tuple[str, ...]] = VERB_SYNONYMS,
    ) -> Vocabulary:
        """The vocabulary of a skill catalog (`skills.registry.all_specs()`).

        Verbs are the skill names ("turn_on" -> "turn on") and their synonyms; objects are
        the skills' argument choices ("top_left_burner" -> "top left burner") and `objects`.
        """
        verbs: set[str] = set()
        things = {o.replace("_", " ") for o in objects}
        for spec in specs:
            verbs.update((spec.name.replace("_", " "), *synonyms.get(spec.name, ())))
            for values in spec.argument_choices().values():
                things.update(v.replace("_", " ") for v in values)
        return cls(verbs=tuple(sorted(verbs)), objects=tuple(sorted(things)))

    @property
    def words(self) -> frozenset[str]:
        """Every word the grammar uses."""
        bodies = self._rules().values()
        return frozenset(m[3] for b in bodies for m in _JSGF_TOKEN.finditer(b) if m[3])

    @property
    def prompt(self) -> str:
        """A hint for open-vocabulary transcription servers."""
        verbs, objects = ", ".join(self.verbs), ", ".join(self.objects)
        return f"Commands to a household robot. Verbs: {verbs}. Objects: {objects}."

    def _rules(self) -> dict[str, str]:
        """The grammar's rules; phrasal verbs may also go around the object ("turn it on")."""
        split: dict[str, set[str]] = {}
        for head, _, particle in (v.rpartition(" ") for v in self.verbs):
            if head and " " not in head and particle in _PARTICLES:
                split.setdefault(head, set()).add(particle)
        forms = ["<verb> [<det>] <object> [<prep> [<det>] <object>]"]
        forms += [
            f"{h} [<det>] <object> ({' | '.join(sorted(p))})" for h, p in sorted(split.items())
        ]
        return {
            "goal": "<command> (<connective> <command>)*",
            "command": " | ".join(f"({form})" for form in forms),
            "verb": " | ".join(self.verbs),
            "object": " | ".join(self.objects),
            "connective": " | ".join(self.connectives),
            "det": " | ".join(self.determiners),
            "prep": " | ".join(self.prepositions),
        }

    def jsgf(self) -> str:
        """The grammar in JSGF, for pocketsphinx: commands joined by connectives."""
        rules = [
            f"{'public ' if n == 'goal' else ''}<{n}> = {b};" for n, b in self._rules().items()
        ]
        return "\n".join(("#JSGF V1.0;", "grammar steward;", *rules, ""))

    def matches(self, text: str) -> bool:
        """Whether `text` is a whole sentence of the grammar, not a partial decode."""
        rules = self._rules()

        def regex(body: str) -> str:  # every word is followed by one space
            parts = []
            for rule, symbol, word in _JSGF_TOKEN.findall(body):
                if rule:
                    parts.append(f"(?:{regex(rules[rule])})")
                else:
                    parts.append(_JSGF_TO_REGEX[symbol] if symbol else re.escape(word) + " ")
            return "".join(parts)

        return re.fullmatch(regex(rules["goal"]), " ".join(text.split()) + " ") is not None


def default_vocabulary() -> Vocabulary:
    """The vocabulary of the built-in skill catalog."""
    from skills.registry import all_specs  # noqa: PLC0415 - the catalog only when asked for

    return Vocabulary.from_catalog(all_specs())
