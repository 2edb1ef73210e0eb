"""Regenerate docs/images/replay-report.png: the replay report of a scenario that fails on purpose.

    python docs/replay_screenshot.py

Replays docs/examples/still-active-after-delete.yaml (and one passing scenario) into a report,
opens it in headless chromium and shoots the page down to the end of the failed scenario.
Needs Playwright and Debian's chromium, as the tests do.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from cloudtwin.cli import main as cloudtwin

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.html"
        os.chdir(ROOT)  # the report shows the paths as given: relative ones, as a user types them
        cloudtwin(["replay", "docs/examples/still-active-after-delete.yaml",
                   "scenarios/genesis/stuck-creating-then-error.yaml", "--html", str(report)])
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(report.as_uri())
            box = page.locator("section.scenario.failed").bounding_box()
            assert box is not None
            out = DOCS / "images" / "replay-report.png"
            page.screenshot(path=str(out), full_page=True,
                            clip={"x": 0, "y": 0, "width": 1200, "height": box["y"] + box["height"] + 12})
            browser.close()
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
