"""One module per rule; importing a module registers its rule."""

from . import retry_after, backoff, jitter, bounded, duplicates, orphans, cost, recovery  # noqa: F401
