import pytest

import safety.critic.llm as llm
from safety.critic.base import Critic
from safety.critic.commonsense import CommonsenseCritic
from safety.critic.registry import make_critic
from safety.critic.rulebook import RuleBook, default_rulebook
from safety.critic.rules import RuleCritic


@pytest.fixture(autouse=True)
def _no_model_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real model server."""
    monkeypatch.setattr(llm, "ALLOW_MODEL_REQUESTS", False)


@pytest.fixture(scope="session")
def book() -> RuleBook:
    return default_rulebook()


@pytest.fixture(scope="session")
def rules(book: RuleBook) -> RuleCritic:
    return RuleCritic(book)


@pytest.fixture(scope="session")
def commonsense(book: RuleBook) -> CommonsenseCritic:
    return CommonsenseCritic(book)


@pytest.fixture(scope="session")
def critic() -> Critic:
    return make_critic("default")
