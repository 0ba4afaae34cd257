"""The Franka Kitchen skills.

Specs register on import; the scripted backends (which import the simulator) register
when `skills.registry` is first asked for a backend.
"""

from skills.kitchen.specs import KITCHEN_SPECS
from skills.registry import SPECS, register_spec

for _spec in KITCHEN_SPECS:
    if _spec.name not in SPECS:
        register_spec(_spec)
