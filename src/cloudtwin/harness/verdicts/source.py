"""Where a journal comes from: a live twin's control plane, a saved file, or a replayed scenario."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

PAGE = 10_000


class SourceError(ValueError):
    """A journal that cannot be had: said in one line, naming the URL or file."""


def from_url(url: str, admin_token: str | None = None, timeout: float = 30.0) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """A live twin's journal (every entry, page by page) and its fault rules' window ends."""
    from . import fault_windows

    base = url.rstrip("/")
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    entries: list[dict[str, Any]] = []
    since = 0
    try:
        while True:
            response = requests.get(f"{base}/_twin/journal", params={"since": since, "limit": PAGE},
                                    headers=headers, timeout=timeout)
            if response.status_code != 200:
                raise SourceError(f"--url {url}: GET /_twin/journal answered {response.status_code}")
            page = response.json()["entries"]
            entries.extend(page)
            if len(page) < PAGE:
                break
            since = page[-1]["seq"]
        faults = requests.get(f"{base}/_twin/faults", headers=headers, timeout=timeout)
        windows = fault_windows(faults.json().get("faults", [])) if faults.status_code == 200 else {}
    except requests.RequestException as exc:
        raise SourceError(f"--url {url}: cannot reach the twin ({exc.__class__.__name__})") from None
    except (ValueError, KeyError, TypeError):
        raise SourceError(f"--url {url}: the answer is not a cloudtwin journal") from None
    return entries, windows


def from_file(path: Path) -> list[dict[str, Any]]:
    """A saved journal: `GET /_twin/journal`'s document, or its list of entries."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"--journal {path}: cannot read it ({exc.__class__.__name__})") from None
    except ValueError as exc:
        raise SourceError(f"--journal {path}: not JSON ({exc})") from None
    entries = document.get("entries") if isinstance(document, dict) else document
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "seq" in e for e in entries):
        raise SourceError(f"--journal {path}: expected a list of journal entries (or {{\"entries\": [...]}})")
    return entries


def from_replay(path: Path) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Replay a scenario on a fresh in-process twin and hand back its journal."""
    from . import fault_windows
    from ..runner import Runner, build_twin_target
    from ..scenario import ScenarioError, load

    try:
        scenario = load(path)
    except ScenarioError as error:
        raise SourceError(f"--replay {error}") from None
    target = build_twin_target(scenario)
    Runner(scenario, target).run()
    twin = target.twin
    windows = fault_windows(rule.to_dict() for rule in twin.faults.rules())
    return twin.journal.query({}, limit=0), windows
