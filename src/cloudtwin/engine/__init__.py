"""The provider-agnostic engine: specs, routing, validation, clock, lifecycles, faults, state.

Nothing in this package knows any provider; providers plug in through `engine.provider`.
"""
