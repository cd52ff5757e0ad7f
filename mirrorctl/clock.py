"""Clocks: injected wherever time matters so tests can drive it."""
