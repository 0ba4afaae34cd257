"""The rule layer: hazard rules from a versioned data file, which no model can override.

`RuleEngine` matches the rules of a `RuleBook` (see `rulebook.py` for loading and the
`ruleset_hash`) against one step in the simulated world, against the world at the end of
the plan, and against windows of steps. `RuleCritic` is the engine behind the `Critic`
interface. It reads the step's skill and arguments, the perceived scene and the history;
it never reads the step's intent or the goal text, so no wording can talk past it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from safety.critic.actions import Action
from safety.critic.base import Finding, SimulatingCritic, input_finding
from safety.critic.match import Context, match
from safety.critic.rulebook import RuleBook, default_rulebook, load_rulebook
from safety.critic.schema import EndRule, Pattern, StepRule, WindowRule
from safety.critic.world import Trace, TraceEntry, World
from skills.scene import PerceivedScene


def _finding(
    rule: StepRule | EndRule | WindowRule,
    ctx: Context,
    matched: tuple[str, ...],
    max_steps: int | None = None,
) -> Finding:
    return Finding(
        rule_id=rule.id,
        decision=rule.decision,
        severity=rule.severity,
        reason=ctx.fill(rule.reason, matched, max_steps),
        family=rule.family,
        hint=ctx.fill(rule.hint, matched, max_steps) if rule.hint else None,
    )


class RuleEngine:
    """Evaluates a rule book's step, end and window rules."""

    def __init__(self, book: RuleBook) -> None:
        self.book = book

    @property
    def ruleset_hash(self) -> str:
        """SHA-256 of the rule file (which pins the catalogue)."""
        return self.book.ruleset_hash

    def check_step(
        self, action: Action, world: World, person_distance_m: float | None = None
    ) -> list[Finding]:
        """Every step rule that fires on the action in the world before it."""
        ctx = Context.of_action(action, world, self.book.catalogue, person_distance_m)
        found = []
        for rule in self.book.rules.step_rules:
            for pattern in rule.when:
                matched = match(pattern, ctx)
                if matched is not None:
                    found.append(_finding(rule, ctx, matched))
                    break
        return found

    def check_end(self, plan: Trace) -> list[tuple[int, Finding]]:
        """End rules on the world after the plan.

        Each finding sits on the last plan step that touched the entities involved (the
        last step when none did).
        """
        if not plan.entries:
            return []
        found = []
        for rule in self.book.rules.end_rules:
            pattern = Pattern(match=rule.match)
            for entity in plan.after.entities():
                ctx = Context(world=plan.after, catalogue=self.book.catalogue, object=entity)
                matched = match(pattern, ctx)
                if matched is not None:
                    index = _last_touch(plan.entries, {entity, *matched})
                    found.append((index, _finding(rule, ctx, matched)))
        return found

    def check_windows(self, past: Trace, plan: Trace) -> list[tuple[int, Finding]]:
        """Window rules over the history and the plan, by the plan step that carries them.

        That is the trigger when it is in the plan, else the step that passes the deadline.
        """
        if not plan.entries:
            return []
        entries, offset = (*past.entries, *plan.entries), len(past.entries)
        found = []
        for rule in self.book.rules.window_rules:
            for i in range(len(entries)):
                late = self._late_release(rule, entries, i)
                if late is None:
                    continue
                ctx, deadline = late
                index = (
                    i - offset if i >= offset else min(deadline + 1 - offset, len(plan.entries) - 1)
                )
                found.append((max(index, 0), _finding(rule, ctx, (), rule.max_steps)))
        return found

    def _late_release(
        self, rule: WindowRule, entries: Sequence[TraceEntry], i: int
    ) -> tuple[Context, int] | None:
        action = entries[i].action
        if not isinstance(action, Action):
            return None
        ctx = Context.of_action(action, entries[i].before, self.book.catalogue, None)
        if match(rule.trigger, ctx) is None:
            return None
        deadline = i + rule.max_steps
        for j in range(i + 1, len(entries)):
            later = entries[j].action
            if not isinstance(later, Action) or later.verb not in rule.release:
                continue
            if later.object == action.object:
                return (ctx, deadline) if j > deadline else None
        # Never released: an end rule speaks for a plan that stops before the deadline.
        return (ctx, deadline) if len(entries) - 1 > deadline else None


def _last_touch(entries: Sequence[TraceEntry], entities: set[str]) -> int:
    for index in range(len(entries) - 1, -1, -1):
        action = entries[index].action
        if isinstance(action, Action) and {action.object, action.destination} & entities:
            return index
    return len(entries) - 1


class RuleCritic(SimulatingCritic):
    """The deterministic hazard rules as a critic."""

    name = "rules"

    def __init__(self, book: RuleBook | None = None) -> None:
        self.engine = RuleEngine(book or default_rulebook())
        self.ruleset_hash = self.engine.ruleset_hash

    @classmethod
    def from_file(cls, path: Path) -> RuleCritic:
        """A rule critic over another rule file (its catalogue pinned beside it)."""
        return cls(load_rulebook(path))

    def step_findings(self, entry: TraceEntry, scene: PerceivedScene) -> list[Finding]:
        """Step rules; a step the critic cannot resolve is denied."""
        if not isinstance(entry.action, Action):
            return [input_finding(entry.action)]
        return self.engine.check_step(entry.action, entry.before, scene.person_distance_m)

    def plan_findings(
        self, history: Trace, plan: Trace, scene: PerceivedScene
    ) -> list[tuple[int, Finding]]:
        """End-state and window rules."""
        del scene
        return [*self.engine.check_end(plan), *self.engine.check_windows(history, plan)]
