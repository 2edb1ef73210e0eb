"""pytest collects every scenario in this folder as a test item: `pytest scenarios/`."""

from cloudtwin.harness.pytest_scenarios import collect


def pytest_collect_file(file_path, parent):  # type: ignore[no-untyped-def]
    return collect(file_path, parent)
