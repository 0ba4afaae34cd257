"""The graph's nodes: one small module each, every one a function (state, runtime) -> update.

Nodes that move the robot (`act`) carry no automatic retry; `approve` and `clarify`
ask the run's operator inside the node, so a run resumed after a kill asks again, never
acts on an answer it did not save.
"""
