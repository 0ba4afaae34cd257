"""Safety benchmarks for the step critic (SafeAgentBench)."""
