"""What `cloudtwin record` needs to know of Barrack beyond its spec: catalogue answers and logins."""

from __future__ import annotations

from typing import Any, Mapping

from ...recording.hooks import RecordingHooks, Seen


def _regions(body: Any, _: Seen) -> Mapping[str, Any]:
    return {"regions": {"regions": body["regions"]}} if body.get("regions") else {}


def _os_images(body: Any, _: Seen) -> Mapping[str, Any]:
    return {"os_images": {"images": body["images"]}} if body.get("images") else {}


def _gpus(body: Any, _: Seen) -> Mapping[str, Any]:
    models = {}
    for gpu in body.get("gpus") or []:
        configurations = {c["gpu_count"]: {k: c[k] for k in ("vcpus", "ram_gb", "boot_disk_gb", "ephemeral_disk_gb")
                                           if k in c} for c in gpu.get("configurations") or []}
        models[gpu["gpu_model"]] = {"metadata": gpu.get("metadata") or {}, "configurations": configurations}
    return {"gpus": {"models": models}} if models else {}


def _prices(body: Any, _: Seen) -> Mapping[str, Any]:
    """Hourly GPU prices in the account's currency (the fixture keeps one price per model and currency)."""
    prices: dict[str, Any] = {}
    for row in body.get("gpu_prices") or []:
        prices.setdefault(row["gpu_model"], {"prices": {row["currency"]: row["price_per_gpu_hour"]}})
    return {"gpus": {"models": prices}} if prices else {}


def _volume_types(body: Any, _: Seen) -> Mapping[str, Any]:
    tiers = [{**{k: v for k, v in tier.items() if k != "types"},
              "types": [{k: v for k, v in kind.items() if k != "rate"} for kind in tier.get("types") or []]}
             for tier in body.get("volume_types") or []]
    return {"volume_types": {"tiers": tiers}} if tiers else {}


HOOKS = RecordingHooks(
    # A login sends the e-mail and password; a replay authenticates with the target's own key.
    not_replayed=frozenset({"obtainToken", "refreshToken"}),
    # simplejwt's pair: {"access": "<jwt>", "refresh": "<jwt>"}.
    secret_keys=frozenset({"access", "refresh"}),
    catalogue={"listRegions": _regions, "listOsImages": _os_images, "getGpuSpecs": _gpus, "getPricing": _prices,
               "listVolumeTypes": _volume_types},
)
