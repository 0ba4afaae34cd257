"""The step critic: hazard rules, common sense and an optional LLM, strictest wins."""
