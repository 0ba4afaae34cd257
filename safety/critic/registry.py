"""Critics by name, with "did you mean" on a miss and plugins from an entry-point group.

Built-in names: `rules` (the deterministic rule layer), `commonsense` (preconditions and
effects), `default` (rules then common sense: what the agent runs), `llm` (the default
layers plus an LLM critic on an OpenAI-compatible server), and from the testing module
`fake-llm` (the same with a scripted model). `none` allows every step: it exists for the
benchmark's no-critic ablation and must never drive a real robot. Other packages add
critics through the `steward.critics` entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from embodiments.registry import Registry
from planner.types import Plan, Step
from safety.critic.base import Critic, PlanReview
from safety.critic.combined import CombinedCritic
from safety.critic.commonsense import CommonsenseCritic
from safety.critic.llm import ChatBackend, LLMCritic, LLMCriticConfig, OpenAIChatBackend
from safety.critic.rulebook import RuleBook, default_rulebook, load_rulebook
from safety.critic.rules import RuleCritic
from safety.errors import CriticConfigError, CriticNotFoundError
from safety.verdict import Decision, Verdict
from skills.scene import PerceivedScene

CriticFactory = Callable[..., Critic]

CRITICS: Registry[CriticFactory] = Registry(
    "critic", entry_point_group="steward.critics", not_found=CriticNotFoundError
)
register_critic = CRITICS.register


def _book(rules_path: str | Path | None) -> RuleBook:
    return load_rulebook(Path(rules_path)) if rules_path is not None else default_rulebook()


def default_layers(book: RuleBook) -> list[Critic]:
    """The deterministic layers, in the order they run."""
    return [RuleCritic(book), CommonsenseCritic(book)]


@register_critic("rules")
def make_rules(rules_path: str | Path | None = None) -> Critic:
    """The rule layer alone."""
    return RuleCritic(_book(rules_path))


@register_critic("commonsense")
def make_commonsense(rules_path: str | Path | None = None) -> Critic:
    """The common-sense layer alone."""
    return CommonsenseCritic(_book(rules_path))


@register_critic("default")
def make_default(rules_path: str | Path | None = None) -> Critic:
    """Rules, then common sense; strictest wins."""
    return CombinedCritic(default_layers(_book(rules_path)))


class NoCritic(Critic):
    """Allows every step (the benchmark's "no critic" ablation; never for a real robot)."""

    def review_plan(
        self, plan: Plan, scene: PerceivedScene, history: Sequence[Step] = ()
    ) -> PlanReview:
        """Allow everything."""
        del scene, history
        allow = Verdict(decision=Decision.ALLOW)
        return PlanReview(steps=tuple(allow for _ in plan.steps), verdict=allow)


@register_critic("none")
def make_none() -> Critic:
    """No critic at all."""
    return NoCritic()


@register_critic("llm")
def make_llm(
    *,
    model: str = "",
    base_url: str | None = None,
    api_key_env: str = "OPENAI_API_KEY",
    timeout_s: float = 30.0,
    backend: ChatBackend | None = None,
    rules_path: str | Path | None = None,
) -> Critic:
    """Rules, common sense, then an LLM critic that can only tighten their verdicts."""
    book = _book(rules_path)
    if backend is None:
        config = LLMCriticConfig(
            model=model, base_url=base_url, api_key_env=api_key_env, timeout_s=timeout_s
        )
        backend = OpenAIChatBackend(config)
    return CombinedCritic([*default_layers(book), LLMCritic(backend, book)])


def make_critic(name: str, **config: object) -> Critic:
    """Build a registered critic by name; a bad setting raises CriticConfigError."""
    _import_builtins()
    factory = CRITICS.get(name)
    try:
        critic = factory(**config)
    except TypeError as exc:
        msg = f"invalid setting for critic {name!r}: {exc}"
        raise CriticConfigError(msg) from None
    critic.name = name
    return critic


def critic_names() -> tuple[str, ...]:
    """Every registered critic name."""
    _import_builtins()
    return CRITICS.names()


def _import_builtins() -> None:
    import safety.critic.testing  # noqa: F401, PLC0415 - registers "fake-llm"
