"""Built-in fault kinds, one module each: importing a module registers its kind."""

from . import drip, error, hang, latency, malformed, sever, throttle, truncated  # noqa: F401
