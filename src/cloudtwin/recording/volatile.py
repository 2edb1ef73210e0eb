"""Which values differ between two runs of the same session, without a second run.

From the spec first (format uuid, date-time, ipv4/ipv6, uri; readOnly ids), then from the
value's shape (a UUID, an ISO instant, an address, a long hex or token-like string) and
its key (`id`, `*_id`, `*_at`, `href`, ...).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
ADDRESS = re.compile(r"^(\d{1,3}\.){3}\d{1,3}(/\d+)?$|^[0-9a-fA-F:]+:[0-9a-fA-F:]*$")
HEXISH = re.compile(r"^[0-9a-fA-F]{16,}$")
# Key material, tokens, signatures: a long run of base64 that no two runs share.
OPAQUE = re.compile(r"[A-Za-z0-9+/=_-]{40,}")
# An id-derived fragment inside a longer string (a DNS name built from an instance id, say).
HEX_FRAGMENT = re.compile(r"(?<![0-9a-zA-Z])(?=[0-9a-f]*\d)[0-9a-f]{8,}(?![0-9a-zA-Z])")
URL = re.compile(r"^https?://")
VOLATILE_KEY = re.compile(r"(^|_)(id|uuid|at|ip|ips|address|href|url|uri|link|location|created|updated|expires|"
                          r"checksum|fingerprint|hostname|request_id|mac|serial)$|_(time|date)$", re.I)
VOLATILE_FORMATS = {"uuid", "date-time", "date", "ipv4", "ipv6", "uri", "uri-reference", "hostname"}

ISO_REGEX = r"^\d{4}-\d{2}-\d{2}"
UUID_REGEX = r"^[0-9a-fA-F-]{36}$"
UUID_INSIDE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Escaped in a written regex; `/`, `-`, `&`, `=` stay as they are, so the regex reads like the URL.
_REGEX_SPECIAL = re.compile(r"([.?*+()\[\]{}|^$\\])")


def is_volatile(key: str, value: Any, schema: Mapping[str, Any] | None = None) -> bool:
    if schema and (schema.get("format") in VOLATILE_FORMATS or schema.get("readOnly") and key == "id"):
        return True
    if isinstance(value, str):
        shaped = (UUID.match(value) or INSTANT.match(value) or ADDRESS.match(value) or HEXISH.match(value)
                  or URL.match(value) or HEX_FRAGMENT.search(value) or OPAQUE.search(value))
        return bool(shaped) or bool(VOLATILE_KEY.search(key))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return bool(VOLATILE_KEY.search(key))
    return False


def matcher_for(value: Any) -> Any:
    """What a replay checks of a volatile value: its shape, never the literal."""
    if isinstance(value, str):
        if UUID.match(value):
            return {"regex": UUID_REGEX}
        if INSTANT.match(value):
            return {"regex": ISO_REGEX}
        return {"schema": {"type": "string"}}
    if isinstance(value, bool):
        return {"schema": {"type": "boolean"}}
    if isinstance(value, (int, float)):
        return {"schema": {"type": "number"}}
    return {"present": True}


def url_matcher(path_and_query: str, known: Mapping[str, str]) -> dict[str, str]:
    """What a replay checks of an absolute URL the recorded service wrote for itself: its path
    and query, on whatever host serves the replay (the proxy's or the upstream's during the
    recording, another one after). An id an earlier answer gave is its `${variable}`; another id
    matches any UUID."""
    pattern = _REGEX_SPECIAL.sub(r"\\\1", path_and_query)
    for value, name in sorted(known.items(), key=lambda item: -len(item[0])):
        if len(value) >= 8 and not _REGEX_SPECIAL.search(value):  # `${...}` goes in verbatim
            pattern = pattern.replace(value, f"${{{name}}}")
    pattern = UUID_INSIDE.sub(UUID_REGEX.strip("^$"), pattern)
    return {"regex": f"^https?://[^/]+{pattern}$"}
