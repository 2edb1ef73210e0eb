"""What `cloudtwin record` needs to know of Rackspace beyond its specs.

The identity answer's service catalog names the image and files endpoints; a client that
followed them would leave the proxy, so their URLs are rewritten to point through it. The
token request carries the API key or password: it is never replayed (a replay gets its
token from the target), and its answer's token id is a secret like any other.
"""

from __future__ import annotations

from ...recording.hooks import RecordingHooks

HOOKS = RecordingHooks(
    rewrite_urls=frozenset({"authenticate"}),
    not_replayed=frozenset({"authenticate"}),
)
