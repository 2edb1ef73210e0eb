"""What `cloudtwin record` needs to know of Rackspace beyond its specs.

The identity answer's service catalog names the image and files endpoints; a client that
followed them would leave the proxy, so their URLs are rewritten to point through it. The
token request carries the API key or password: it is never replayed (a replay gets its
token from the target), and its answer's token id is a secret like any other.

The catalogue is Rackspace's public base images: those a session listed or fetched that its
own tenant does not own become `base_images` of fixtures/rackspace/images.yaml, in each
region whose image endpoint answered them (the token answer's catalog says which is which).
"""

from __future__ import annotations

from typing import Any, Mapping

from ...recording.hooks import RecordingHooks, Seen

# The keys a fixture record holds at its top level (seed.image_data serves them as they are):
# the image schema's base attributes. Every other key of an answer is an extra property,
# except what the renderer adds (`self`, `file`, `schema`) and what the fixture never holds.
FIXTURE_KEYS = ("id", "name", "status", "visibility", "protected", "container_format", "disk_format", "size",
                "virtual_size", "checksum", "min_disk", "min_ram", "owner", "tags", "created_at", "updated_at")
# INFERRED: `direct_url` and `locations` name the upstream's storage back end (Glance shows
# them by operator option only); a base image in the twin has neither.
NOT_HELD = frozenset({"self", "file", "schema", "direct_url", "locations"})


def _session(body: Any) -> Mapping[str, Any]:
    """The token answer: the tenant the session acts as, and the region of each image endpoint."""
    access = body.get("access") if isinstance(body, dict) else None
    if not isinstance(access, dict):
        return {}
    tenant = ((access.get("token") or {}).get("tenant") or {}).get("id")
    endpoints = {endpoint["publicURL"].rstrip("/"): endpoint["region"]
                 for service in access.get("serviceCatalog") or [] if service.get("type") == "image"
                 for endpoint in service.get("endpoints") or []
                 if endpoint.get("publicURL") and endpoint.get("region")}
    return {"tenant": tenant, "image_endpoints": endpoints}


def _region(seen: Seen) -> str | None:
    """The region whose image endpoint the answer came from (the longest endpoint that prefixes it)."""
    endpoints: Mapping[str, str] = seen.facts.get("image_endpoints") or {}
    matches = [url for url in endpoints if seen.url == url or seen.url.startswith(url + "/")]
    return endpoints[max(matches, key=len)] if matches else None


def _is_base_image(image: Any, tenant: str | None) -> bool:
    # Customers cannot make an image public (403 visibility_public_forbidden): a public image
    # the session's tenant does not own is Rackspace's.
    return (isinstance(image, dict) and "id" in image and image.get("visibility") == "public"
            and (tenant is None or image.get("owner") != tenant))


def fixture_record(image: Mapping[str, Any], region: str) -> dict[str, Any]:
    """An image as the API shows it -> a `base_images` record (properties back under `properties`)."""
    record: dict[str, Any] = {"id": image["id"], "regions": [region]}
    record.update({key: image[key] for key in FIXTURE_KEYS if key in image and key != "id"})
    properties = {key: value if isinstance(value, str) else str(value) for key, value in image.items()
                  if key not in FIXTURE_KEYS and key not in NOT_HELD and value is not None}
    if properties:
        record["properties"] = properties
    return record


def _base_images(images: list[Any], seen: Seen) -> Mapping[str, Any]:
    region = _region(seen)
    tenant = seen.facts.get("tenant")
    if region is None:  # an endpoint the session's catalog did not name: no region to seed it in
        return {}
    records = [fixture_record(image, region) for image in images if _is_base_image(image, tenant)]
    return {"images": {"base_images": records}} if records else {}


def _listed(body: Any, seen: Seen) -> Mapping[str, Any]:
    return _base_images(body.get("images") or [] if isinstance(body, dict) else [], seen)


def _fetched(body: Any, seen: Seen) -> Mapping[str, Any]:
    return _base_images([body], seen)


HOOKS = RecordingHooks(
    rewrite_urls=frozenset({"authenticate"}),
    not_replayed=frozenset({"authenticate"}),
    facts={"authenticate": _session},
    catalogue={"listImages": _listed, "getImage": _fetched},
)
