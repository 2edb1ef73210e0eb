"""The twin refuses to start on a fixture row that could not be served as the resource it seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudtwin.app import build_twin
from cloudtwin.engine.twin import FixtureSchemaError


def _custom(tmp_path: Path, provider: str, name: str, text: str) -> Path:
    folder = tmp_path / provider
    folder.mkdir(parents=True)
    (folder / name).write_text(text)
    return tmp_path


def test_the_bundled_fixtures_fit_their_schemas():
    build_twin()  # would raise FixtureSchemaError


def test_a_stray_key_in_a_custom_fixture_stops_the_start_with_file_and_line(tmp_path):
    root = _custom(tmp_path, "genesis", "catalog.yaml", (
        "catalog:\n"
        "  - id: c1\n"
        "    name: Jupyter\n"
        "    description: d\n"
        "    logo_url: https://example.invalid/x.png\n"
        "    requires_driver: true\n"
        "    base_image_ids: []\n"
        "    images: [{id: i1, name: Ubuntu ML (NVIDIA, PyTorch)}]\n"
        "    fields: []\n"))
    with pytest.raises(FixtureSchemaError) as caught:
        build_twin(["genesis"], fixtures=root)
    message = str(caught.value)
    assert isinstance(caught.value, ValueError) and "\n" not in message
    assert f"{root / 'genesis' / 'catalog.yaml'}:8:" in message and "PyTorch)" in message


def test_a_wrong_type_in_a_custom_fixture_stops_the_start(tmp_path):
    root = _custom(tmp_path, "barrack", "firewall_protocols.yaml",
                   "protocols:\n  - {name: tcp, ports: true}\n  - {name: udp, ports: sometimes}\n")
    with pytest.raises(FixtureSchemaError, match=r"firewall_protocols.yaml:3: protocols/1/ports: not a valid Protocol"):
        build_twin(["barrack"], fixtures=root)


def test_twin_only_fields_and_fields_the_twin_adds_are_allowed(tmp_path):
    root = _custom(tmp_path, "genesis", "images.yaml", (
        "images:\n"
        "  - {id: i1, type: base-os, family: Debian, name: Debian 12, os_type: linux, slug: debian-12,\n"
        "     versions: ['1'], regions: [NORD-NO-KRS-1], accelerators: [cpu]}\n"))
    twin = build_twin(["genesis"], fixtures=root)
    assert [i["id"] for i in twin.fixtures["genesis"]["images"]["images"]] == ["i1"]


def test_an_override_that_breaks_a_row_is_named_as_such():
    with pytest.raises(FixtureSchemaError, match=r"barrack/firewall_protocols.yaml \(as overridden\): protocols/0"):
        build_twin(["barrack"], overrides={"barrack": {"firewall_protocols": {"protocols": [{"name": 5}]}}})
