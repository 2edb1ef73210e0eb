"""Built-in fault kinds: importing a module registers its kind."""

from . import error, latency, throttle  # noqa: F401
