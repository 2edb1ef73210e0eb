"""Where the bundled specs and fixtures are: in the installed package, or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def _find(name: str) -> Path:
    bundled = _PACKAGE / "data" / name
    if bundled.is_dir():
        return bundled
    checkout = _PACKAGE.parents[1] / name  # src/cloudtwin -> repository root
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"cloudtwin cannot find its {name}/ folder (looked in {bundled} and {checkout})")


def spec_dir() -> Path:
    return _find("spec")


def fixtures_dir() -> Path:
    return _find("fixtures")
