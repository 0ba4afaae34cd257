"""The Franka Kitchen skills: specs and their scripted backends (registered on import)."""

from skills.kitchen.specs import KITCHEN_SPECS
from skills.registry import SPECS, register_spec

for _spec in KITCHEN_SPECS:
    if _spec.name not in SPECS:
        register_spec(_spec)
