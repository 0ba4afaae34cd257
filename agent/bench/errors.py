"""Errors of the closed-loop benchmark, grouped by who must act.

- `BenchConfigError`: the person running `steward bench` passed a bad option (an
  unknown configuration or perturbation, zero episodes, a goal filter that matches
  nothing); the message names the option, the value and the valid choices.
- `BenchSetupError`: an optional package is missing (Ray for `--ray`, matplotlib for the
  plot); the message names the install command.
"""

from __future__ import annotations

from agent.errors import AgentConfigError, AgentSetupError


class BenchConfigError(AgentConfigError):
    """A benchmark option is invalid; the message names the option, the value and the fix."""


class BenchSetupError(AgentSetupError):
    """The benchmark needs a package this environment lacks; the message says what to install."""


INSTALL_HINT = ".venv/bin/pip install -e '.[bench]'"
"""How to add the benchmark's optional packages (matplotlib, Ray) to the project's venv."""
