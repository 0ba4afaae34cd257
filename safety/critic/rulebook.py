"""Loading the rule set and the object catalogue, and the hash that names them.

`ruleset_hash` is the SHA-256 of the rule file's bytes. The rule file pins the
catalogue by its own SHA-256, so the hash covers both: editing the catalogue without
re-pinning it fails on load, and a verdict's hash says exactly which rules and which
object knowledge decided it.
"""

from __future__ import annotations

import difflib
import hashlib
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from safety.critic.catalogue import Catalogue, ObjectType
from safety.critic.schema import (
    STATES,
    TEMPLATE_FIELDS,
    CatalogueFile,
    Clause,
    ObjectEntry,
    Pattern,
    RulesFile,
)
from safety.errors import RuleSetError

DEFAULT_RULES_PATH = Path(__file__).parent / "data" / "rules.yaml"

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class RuleBook:
    """A validated rule set, the catalogue it was written against, and its hash."""

    rules: RulesFile
    catalogue: Catalogue
    ruleset_hash: str
    path: Path


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data` as lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def load_rulebook(path: Path | None = None) -> RuleBook:
    """Read, validate and cross-check a rule file and its pinned catalogue."""
    rules_path = path or DEFAULT_RULES_PATH
    rules, raw_rules = _read(rules_path, RulesFile)
    catalogue_path = rules_path.parent / rules.catalogue.file
    catalogue_file, raw_catalogue = _read(catalogue_path, CatalogueFile)
    actual = sha256_hex(raw_catalogue)
    if actual != rules.catalogue.sha256:
        msg = (
            f"{catalogue_path} has SHA-256 {actual}, but {rules_path} pins "
            f"{rules.catalogue.sha256}. Review the catalogue change, then set "
            f"catalogue.sha256 in the rule file to {actual}."
        )
        raise RuleSetError(msg)
    catalogue = build_catalogue(catalogue_file, catalogue_path)
    check_rules(rules, catalogue, rules_path)
    return RuleBook(rules, catalogue, sha256_hex(raw_rules), rules_path)


@cache
def default_rulebook() -> RuleBook:
    """The rule set shipped with Steward (loaded once per process)."""
    return load_rulebook(DEFAULT_RULES_PATH)


def _read(path: Path, model: type[M]) -> tuple[M, bytes]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise RuleSetError(msg) from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        msg = f"{path} is not valid YAML: {exc}"
        raise RuleSetError(msg) from None
    try:
        return model.model_validate(data), raw
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors()
        ]
        msg = f"{path} is invalid: " + "; ".join(problems[:8])
        raise RuleSetError(msg) from None


def _unknown(names: Iterable[str], known: Iterable[str], what: str, where: str) -> None:
    valid = sorted(known)
    for name in names:
        if name not in valid:
            close = difflib.get_close_matches(name, valid, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            msg = f"{where}: unknown {what} {name!r}.{hint}"
            raise RuleSetError(msg)


def _object_type(entry: ObjectEntry, vocabulary: frozenset[str], where: str) -> ObjectType:
    _unknown(entry.properties, vocabulary, "property", where)
    _unknown(entry.accepts or (), vocabulary, "property", f"{where}.accepts")
    _unknown(entry.rejects, vocabulary, "property", f"{where}.rejects")
    return ObjectType(
        name=entry.name,
        properties=frozenset(entry.properties),
        accepts=frozenset(entry.accepts) if entry.accepts is not None else None,
        rejects=frozenset(entry.rejects),
        feeds=frozenset(entry.feeds),
    )


def build_catalogue(data: CatalogueFile, path: Path) -> Catalogue:
    """The lookup structure for a validated catalogue file; refuses clashes and typos."""
    vocabulary = frozenset(data.properties)
    entries = (*data.objects, *data.liquids)
    types = [_object_type(e, vocabulary, f"{path}: {e.name}") for e in entries]
    names = [t.name for t in types]
    for name in names:
        if names.count(name) > 1:
            msg = f"{path}: object {name!r} is defined twice"
            raise RuleSetError(msg)
    for entry in entries:
        _unknown(entry.feeds, names, "object type", f"{path}: {entry.name}.feeds")
    try:
        catalogue = Catalogue(data.version, vocabulary, types)
        for entry in entries:
            for alias in entry.aliases:
                catalogue.add_alias(alias, entry.name)
    except ValueError as exc:
        msg = f"{path}: {exc}"
        raise RuleSetError(msg) from None
    return catalogue


def _check_clauses(clauses: Iterable[Clause], catalogue: Catalogue, where: str) -> None:
    for clause in clauses:
        _unknown(clause.properties(), catalogue.vocabulary, "property", where)
        _unknown((*clause.state, *clause.state_not), STATES, "state", where)


def _check_template(text: str | None, where: str) -> None:
    if text is None:
        return
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        msg = f"{where}: malformed template {text!r}: {exc}"
        raise RuleSetError(msg) from None
    _unknown(fields, TEMPLATE_FIELDS, "template field", where)


def check_rules(rules: RulesFile, catalogue: Catalogue, path: Path) -> None:
    """Cross-check a rule file against the catalogue; raise RuleSetError on the first fault."""
    ids = [r.id for r in rules.all_rules()]
    for rule in rules.all_rules():
        where = f"{path}: rule {rule.id}"
        if ids.count(rule.id) > 1:
            msg = f"{where}: the id is used twice"
            raise RuleSetError(msg)
        _unknown([rule.family, rule.id.split(".")[0]], rules.families, "family", where)
        _check_template(rule.reason, where)
        _check_template(rule.hint, where)
        patterns: list[Pattern] = list(getattr(rule, "when", ()))
        if hasattr(rule, "trigger"):
            patterns.append(rule.trigger)
        clauses = [c for p in patterns for c in p.match]
        _check_clauses([*clauses, *getattr(rule, "match", ())], catalogue, where)
