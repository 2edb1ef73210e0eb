"""The dashboard's files: served from the package, offline, with the right types and nothing else."""

from __future__ import annotations

import re

from cloudtwin.dashboard import UI_DIR


def test_the_shell_and_its_assets_are_served_from_the_package(client) -> None:
    assert client.get("/_twin/ui").status_code == 308
    shell = client.get("/_twin/ui/")
    assert shell.status_code == 200 and shell.content_type.startswith("text/html")
    for asset, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        answer = client.get(f"/_twin/ui/{asset}")
        assert answer.status_code == 200 and answer.content_type.startswith(kind)
        assert answer.get_data() == (UI_DIR / asset).read_bytes()


def test_nothing_outside_the_folder_and_nothing_missing_is_served(client) -> None:
    assert client.get("/_twin/ui/nothing.js").status_code == 404
    assert client.get("/_twin/ui/..%2Fdashboard.py").status_code == 404


def test_the_files_reach_no_network_but_the_twin() -> None:
    for path in UI_DIR.iterdir():
        text = path.read_text()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path.name  # no CDN, no remote asset
        assert not re.search(r"fetch\(\s*[\"'`]https?://", text), path.name


def test_the_spec_comes_as_json_for_the_browser(client) -> None:
    document = client.get("/_twin/openapi.yaml?format=json").get_json()
    assert "FaultRuleInput" in document["components"]["schemas"]
