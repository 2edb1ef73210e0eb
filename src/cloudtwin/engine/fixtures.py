"""Seed data: `fixtures/accounts.yaml` and `fixtures/<provider>/*.yaml`.

A custom fixtures folder (`--fixtures`) and a scenario's `setup` are overlays: their
values are merged into the defaults, so an override names only what it changes.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Iterable, Mapping

from .yamlio import load_copy


def load_folder(root: Path, providers: Iterable[str]) -> dict[str, Any]:
    """{"accounts": [...], "<provider>": {"<file stem>": data, ...}, ...} from *.yaml and *.json."""
    data: dict[str, Any] = {}
    accounts_file = root / "accounts.yaml"
    if accounts_file.is_file():
        data["accounts"] = (load_copy(accounts_file) or {}).get("accounts", [])
    for provider in providers:
        folder = root / provider
        files: dict[str, Any] = {}
        if folder.is_dir():
            # JSON is YAML too: served documents (e.g. JSON schemas) can live beside the seeds.
            for path in sorted([*folder.rglob("*.yaml"), *folder.rglob("*.json")]):
                key = path.relative_to(folder).with_suffix("").as_posix()
                files[key] = load_copy(path)
        data[provider] = files
    return data


def merge(base: Any, overlay: Any) -> Any:
    """Deep-merge mappings; lists and scalars in the overlay replace the base's."""
    if isinstance(base, Mapping) and isinstance(overlay, Mapping):
        out = dict(base)
        for key, value in overlay.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(overlay)
