"""What `cloudtwin record` needs to know of Genesis beyond its spec: which answers are catalogue."""

from __future__ import annotations

from typing import Any, Mapping

from ...recording.hooks import RecordingHooks, Seen

# The keys fixtures/genesis/images.yaml holds (the rest of an answer is derived by the twin).
IMAGE_KEYS = ("id", "type", "family", "name", "os_type", "slug", "versions", "regions", "accelerators")


def _images(body: Any, _: Seen) -> Mapping[str, Any]:
    images = [{k: item[k] for k in IMAGE_KEYS if k in item} for item in body.get("images", [])
              if isinstance(item, dict) and item.get("type") == "cloud-image"]
    return {"images": {"images": images}} if images else {}


HOOKS = RecordingHooks(catalogue={"listImages": _images})
