"""The Franka Kitchen skills: specs and their scripted backends (registered on import)."""

from skills.kitchen.specs import KITCHEN_SPECS
from skills.registry import SPECS, register_spec

for _spec in KITCHEN_SPECS:
    if _spec.name not in SPECS:
        register_spec(_spec)

# The scripted backends import the simulator; they register when the library is loaded.
import skills.kitchen.scripted  # noqa: E402, F401
