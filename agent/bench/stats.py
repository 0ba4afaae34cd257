"""Rates with 95% Wilson score intervals, for success and recovery counts.

The Wilson interval stays inside [0, 1] and behaves at 0/n and n/n, where the normal
approximation collapses to a zero-width interval: 20/20 successes still leave a lower
bound of about 84%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054
"""The two-sided 95% quantile of the standard normal distribution."""


def wilson_interval(successes: int, trials: int, *, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of `successes` out of `trials`; (0, 1) when there are none."""
    if trials < 0 or not 0 <= successes <= max(trials, 0):
        msg = f"need 0 <= successes <= trials, got successes={successes}, trials={trials}"
        raise ValueError(msg)
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    z2 = z * z
    denominator = 1.0 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1.0 - p) / trials + z2 / (4 * trials * trials))
    # At 0/n and n/n one edge is exactly 0 or 1; rounding would leave it 1e-17 off.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True, slots=True)
class Rate:
    """A count of successes out of trials, with its 95% Wilson interval."""

    successes: int
    trials: int

    @property
    def value(self) -> float | None:
        """The observed rate, or None without trials."""
        return self.successes / self.trials if self.trials else None

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% Wilson interval."""
        return wilson_interval(self.successes, self.trials)

    def __str__(self) -> str:
        if not self.trials:
            return "n/a (0 episodes)"
        low, high = self.interval
        return (
            f"{self.successes}/{self.trials} = {100 * self.successes / self.trials:.0f}% "
            f"[{100 * low:.0f}, {100 * high:.0f}]"
        )

    def to_json(self) -> dict[str, object]:
        """Counts, rate and interval as plain JSON values."""
        low, high = self.interval
        return {
            "successes": self.successes,
            "trials": self.trials,
            "rate": None if self.value is None else round(self.value, 4),
            "ci95": [round(low, 4), round(high, 4)],
        }
