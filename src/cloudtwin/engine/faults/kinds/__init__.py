"""Built-in fault kinds, one module each: importing a module registers its kind."""

from . import drip, empty_reply, error, hang, latency, malformed, reset, throttle, truncated  # noqa: F401
