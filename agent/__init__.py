"""Steward: an open agent for household robots."""
