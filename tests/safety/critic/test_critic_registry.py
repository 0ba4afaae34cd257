"""Critics by name: did-you-mean, duplicate refusal, settings errors."""

import pytest

from safety.critic.registry import CRITICS, make_critic
from safety.errors import CriticConfigError, CriticNotFoundError


def test_a_miss_suggests_the_closest_name() -> None:
    with pytest.raises(CriticNotFoundError, match="Did you mean 'rules'"):
        make_critic("rulez")


def test_a_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        CRITICS.add("rules", CRITICS.get("rules"))


def test_an_unknown_setting_is_a_config_error() -> None:
    with pytest.raises(CriticConfigError, match="colour"):
        make_critic("default", colour="red")


def test_the_built_critic_is_named_as_registered() -> None:
    assert make_critic("default").name == "default"
