"""The parsed-YAML cache (start-up speed) gives back exactly what PyYAML parses, and never
stands in the way: unmarshalable documents and a broken cache file fall back to parsing."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from cloudtwin.engine import yamlio


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "cloudtwin" / "yaml"


def test_a_document_is_read_back_from_the_cache_as_parsed(cache: Path) -> None:
    raw = b"stock:\n  FINLAND-1: {1: 4, 2: 2}\nname: x\nflag: true\nratio: 0.5\nnone: null\nlist: [a, b]\n"
    first = yamlio._parse_cached(raw)
    files = list(cache.iterdir())
    assert len(files) == 1
    again = yamlio._parse_cached(raw)
    assert again == first == yamlio.parse(raw.decode())
    assert list(again["stock"]["FINLAND-1"]) == [1, 2]  # integer keys stay integers


def test_what_marshal_cannot_keep_is_parsed_every_time(cache: Path) -> None:
    document = yamlio._parse_cached(b"when: 2026-01-02\n")
    assert document == {"when": datetime.date(2026, 1, 2)}
    assert not cache.exists() or not list(cache.glob("*.marshal"))


def test_a_broken_cache_file_falls_back_to_parsing(cache: Path) -> None:
    raw = b"a: 1\n"
    yamlio._parse_cached(raw)
    (cached,) = cache.iterdir()
    cached.write_bytes(b"\x00garbage")
    assert yamlio._parse_cached(raw) == {"a": 1}


def test_the_cache_can_be_switched_off(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDTWIN_YAML_CACHE", "0")
    assert yamlio._parse_cached(b"a: 1\n") == {"a": 1}
    assert not cache.exists()
