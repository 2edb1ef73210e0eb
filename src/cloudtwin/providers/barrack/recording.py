"""What `cloudtwin record` needs to know of Barrack beyond its spec: catalogue answers and logins."""

from __future__ import annotations

from typing import Any, Mapping

from ...recording.hooks import RecordingHooks


def _regions(body: Any) -> Mapping[str, Any]:
    return {"regions": {"regions": body["regions"]}} if body.get("regions") else {}


def _os_images(body: Any) -> Mapping[str, Any]:
    return {"os_images": {"images": body["images"]}} if body.get("images") else {}


HOOKS = RecordingHooks(
    # A login sends the e-mail and password; a replay authenticates with the target's own key.
    not_replayed=frozenset({"obtainToken", "refreshToken"}),
    # simplejwt's pair: {"access": "<jwt>", "refresh": "<jwt>"}.
    secret_keys=frozenset({"access", "refresh"}),
    catalogue={"listRegions": _regions, "listOsImages": _os_images},
)
