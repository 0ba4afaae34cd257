"""The graph's nodes: one small module each, every one a function (state, runtime) -> update.

Nodes that move the robot (`act`) carry no automatic retry; `approve` and `clarify`
call `interrupt()` before anything else, so a resumed run asks again, never acts twice.
"""
