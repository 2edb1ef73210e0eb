"""Seed data: `fixtures/accounts.yaml` and `fixtures/<provider>/*.yaml`.

A custom fixtures folder (`--fixtures`) and a scenario's `setup` are overlays: their
values are merged into the defaults, so an override names only what it changes.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml


def load_folder(root: Path, providers: Iterable[str]) -> dict[str, Any]:
    """{"accounts": [...], "<provider>": {"<file stem>": data, ...}, ...}"""
    data: dict[str, Any] = {}
    accounts_file = root / "accounts.yaml"
    if accounts_file.is_file():
        data["accounts"] = (yaml.safe_load(accounts_file.read_text(encoding="utf-8")) or {}).get("accounts", [])
    for provider in providers:
        folder = root / provider
        files: dict[str, Any] = {}
        if folder.is_dir():
            for path in sorted(folder.rglob("*.yaml")):
                key = path.relative_to(folder).with_suffix("").as_posix()
                files[key] = yaml.safe_load(path.read_text(encoding="utf-8"))
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
