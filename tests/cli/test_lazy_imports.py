"""`cloudtwin --help` and `--version` import only argparse and the command table: the heavy
libraries (Flask, schemathesis, the OpenAPI validator, PyYAML) wait for a command that uses them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["flask", "werkzeug", "gunicorn", "schemathesis", "hypothesis", "openapi_spec_validator", "jsonschema",
         "yaml", "requests", "cloudtwin.engine", "cloudtwin.providers"]

PROBE = """
import json, sys
from cloudtwin.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy} or m in {heavy})))
"""


@pytest.mark.parametrize("argv", [["--help"], ["--version"], []])
def test_help_and_version_import_nothing_heavy(argv: list[str]) -> None:
    probe = PROBE.format(heavy=repr(set(HEAVY)))
    result = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, timeout=60)
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == [], f"cloudtwin {' '.join(argv)} imported {loaded}"


def test_a_command_imports_only_its_own_module() -> None:
    from cloudtwin.cli import build_parser

    probe = ("import sys; from cloudtwin.cli import build_parser; build_parser(['replay']); "
             "print('cloudtwin.harness.contract_cli' in sys.modules, 'cloudtwin.harness.replay' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "True"], result.stdout + result.stderr
    assert build_parser(["replay"]).parse_args(["replay", "x.yaml"]).paths == ["x.yaml"]
