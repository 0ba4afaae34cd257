"""`steward bench`: the closed-loop benchmark (issue #8).

Seeded kitchen episodes of suite goals, one perturbation injected mid-run per episode,
run under three configurations on the same seeds (the full agent, open loop, no critic)
and judged by scene truth. Modules:

- `perturb`: perturbation kinds, their seeded schedules, the listener that arms them;
- `wrappers`: embodiment wrappers that fire events at a tick and corrupt a frame;
- `goals`: which suite goals each perturbation tests, and success by `accept` literals;
- `hazards`: hazardous actions from scene truth recorded around each step;
- `operators`: the simulated resident who approves steps;
- `episode`: one episode on a worker's kitchen; `parallel`: local processes or Ray;
- `stats`, `summary`, `table`, `plot`: Wilson intervals, aggregation, markdown, PNG;
- `settings`: the validated options; `run`: the whole run and its output files.
"""
