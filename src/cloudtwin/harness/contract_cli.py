"""`cloudtwin contract PROVIDER`: the schemathesis contract suite against the twin or a real endpoint.

Against the twin (default): a fresh twin served on 127.0.0.1:<free port> in a thread, then the
schemathesis CLI in a subprocess with a generated `--config-file` (seeded, no example database,
auth for the default account, the shared checks of `contract_hooks`). Every check, negative
testing, and the stateful phase through the specs' OpenAPI links.

Against a real endpoint (`--base-url URL --token T`): safe defaults, so that pointing it at a
production account can do no harm: read-only operations (GET) unless `--allow-writes`, positive
data only unless `--negative`, a request budget (`--max-requests`, default 300), a rate limit
(`--rate-limit`, default 5/s), a small example budget.

`--drift-report FILE.json` lists, per operation, how the answers differ from the spec (also
printed). `--check-recording FILE` checks recorded answers offline (format: cloudtwin.harness.drift).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Mapping

from . import commands, contract, drift
from .contract_hooks import BUDGET_ENV, COUNT_FILE_ENV, SETTLE_ENV

TOKEN_VAR = "CLOUDTWIN_CONTRACT_TOKEN"  # the CLI config reads the token from here, never from the file
READ_ONLY_METHODS = ("GET",)


# A minimal TOML writer for the config (the standard library reads TOML, it does not write it).
def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def to_toml(data: Mapping[str, Any]) -> str:
    """Scalars first, then one `[table]` per mapping, `[[array]]` for lists of tables."""
    lines: list[str] = []
    tables: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, Mapping) or (isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value)):
            tables.append((key, value))
        else:
            lines.append(f"{json.dumps(key)} = {_toml_value(value)}")
    for key, value in tables:
        if isinstance(value, list):
            for item in value:
                lines.append(f"\n[[{json.dumps(key)}]]")
                lines.extend(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in item.items())
        else:
            lines.append(f"\n[{json.dumps(key)}]")
            lines.extend(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items())
    return "\n".join(lines) + "\n"


class _Served:
    """The twin for one provider on a loopback port, in a thread of this process."""

    def __init__(self, prof: contract.Profile, seed: int) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass  # schemathesis shows the progress; a line per request would drown it

        self.twin, self.app = contract.new_twin(prof, seed=seed)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       name="cloudtwin-contract", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def api_names(provider: str, only: list[str] | None) -> list[str]:
    names = contract.PROVIDER_APIS.get(provider) or [contract.profile(provider).name]
    if only:
        wanted = {contract.profile(n).name for n in only}
        names = [n for n in names if n in wanted]
    return names


def _schemathesis_cmd(config_file: Path, spec: Path, base_url: str, args: argparse.Namespace, real: bool,
                      reports: Mapping[str, Path]) -> list[str]:
    cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config_file), "run", str(spec),
           "--url", base_url, "--seed", str(args.seed), "-n", str(args.max_examples),
           "--report", ",".join(reports), "--no-color", "--workers", "1"]
    for fmt, path in reports.items():
        cmd += [f"--report-{fmt}-path", str(path)]
    cmd += ["--mode", "all" if (args.negative if real else not args.positive_only) else "positive"]
    if args.phases:
        cmd += ["--phases", args.phases]
    if real and not args.allow_writes:
        for method in READ_ONLY_METHODS:
            cmd += ["--include-method", method]
    if args.rate_limit:
        cmd += ["--rate-limit", args.rate_limit]
    for operation_id in args.operation or []:
        cmd += ["--include-operation-id", operation_id]
    if real:
        cmd += ["--request-timeout", "30"]
    return cmd


def _merge_junit(parts: list[tuple[str, Path]], out: Path) -> None:
    """One JUnit file, one <testsuite> per API (named after it)."""
    root = ET.Element("testsuites")
    for name, part in parts:
        if not part.is_file():
            continue
        tree = ET.parse(part).getroot()
        suites = list(tree) if tree.tag == "testsuites" else [tree]
        for suite in suites:
            suite.set("name", f"contract.{name}")
        root.extend(suites)
    out.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)


def check_recording(args: argparse.Namespace, names: list[str]) -> int:
    try:
        exchanges = drift.load_recording(json.loads(Path(args.check_recording).read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        print(f"error: {args.check_recording}: {error}", file=sys.stderr)
        return 2
    reports = []
    for name in names:
        prof = contract.profile(name)
        document = contract._document(prof.spec_file)
        index = drift.SpecIndex(document)
        mine = [e for e in exchanges if index.match(e.method, e.path) is not None] if len(names) > 1 else exchanges
        if not mine:
            continue
        drifts = drift.analyse(document, mine)
        print(drift.report_text(name, drifts))
        reports.append(drift.report_json(name, f"recording {args.check_recording}", drifts))
    if args.drift_report:
        Path(args.drift_report).write_text(json.dumps({"apis": reports}, indent=2) + "\n", encoding="utf-8")
    drifting = sum(r["operations_with_drift"] for r in reports)
    print(f"\n{sum(r['operations_checked'] for r in reports)} operations checked, {drifting} with drift")
    return 1 if drifting else 0


def run_contract(args: argparse.Namespace) -> int:
    real = bool(args.base_url)
    if args.token and not real:
        print("error: --token goes with --base-url", file=sys.stderr)
        return 2
    try:
        names = api_names(args.provider, args.api)
    except KeyError as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 2
    if not names:
        print("error: no API selected", file=sys.stderr)
        return 2
    if args.check_recording:
        return check_recording(args, names)
    if real and len(names) > 1 and not args.api:
        print(f"error: {args.provider} has several APIs ({', '.join(names)}) on different base URLs; "
              f"choose one with --api", file=sys.stderr)
        return 2
    if args.max_examples is None:
        args.max_examples = 5 if real else contract.MAX_EXAMPLES
    if args.rate_limit is None and real:
        args.rate_limit = "5/s"
    budget = args.max_requests if args.max_requests is not None else (300 if real else 0)

    served = None if real else _Served(contract.profile(names[0]), args.twin_seed)
    results: list[tuple[str, int, float]] = []
    junit_parts: list[tuple[str, Path]] = []
    drift_reports: list[dict[str, Any]] = []
    spent = 0
    with tempfile.TemporaryDirectory(prefix="cloudtwin-contract-") as tmp:
        try:
            for position, name in enumerate(names, 1):
                prof = contract.profile(name)
                if real:
                    base_url, token = str(args.base_url).rstrip("/"), str(args.token or os.environ.get(TOKEN_VAR, ""))
                    if prof.credential is not None and not token:
                        print(f"error: {name}: --token is needed against a real endpoint", file=sys.stderr)
                        return 2
                else:
                    assert served is not None
                    contract.reset_twin(served.twin)  # each API starts from the fixtures (then the token)
                    base_url = served.url + contract.mount_path(prof)
                    token = contract.default_credential(prof, served.twin)
                overrides: dict[str, Any] = {"cache": {"enabled": False}}
                if real and prof.async_deletes:
                    overrides["checks"] = {"use_after_free": {"enabled": False}}
                data = contract.config_data(prof, base_url=base_url, token="${" + TOKEN_VAR + "}", seed=args.seed,
                                            max_examples=args.max_examples, max_steps=args.max_steps,
                                            overrides=overrides)
                data["hooks"] = "cloudtwin.harness.contract_hooks"
                if real:
                    data.pop("parameters", None)  # the twin's fixture values mean nothing there
                for binding in args.param or []:
                    key, _, value = binding.partition("=")
                    data.setdefault("parameters", {})[key] = value
                config_file = Path(tmp) / f"{name}.toml"
                config_file.write_text(to_toml(data), encoding="utf-8")
                reports = {"junit": Path(tmp) / f"{name}.junit.xml", "har": Path(tmp) / f"{name}.har"}
                cmd = _schemathesis_cmd(config_file, prof.spec_path, base_url, args, real, reports)
                env = dict(os.environ)
                env[TOKEN_VAR] = token
                env.pop("SCHEMATHESIS_HOOKS", None)
                count_file = Path(tmp) / f"{name}.count"
                if budget:
                    if budget - spent <= 0:
                        print(f"[{position}/{len(names)}] {name}: skipped, the request budget is spent")
                        results.append((name, 1, 0.0))
                        continue
                    env[BUDGET_ENV] = str(budget - spent)
                    env[COUNT_FILE_ENV] = str(count_file)
                if not real and prof.async_deletes:
                    env[SETTLE_ENV] = f"{served.url}/_twin {contract.settle_seconds(prof)}"  # type: ignore[union-attr]
                where = base_url if real else f"{base_url} (twin, seed {args.twin_seed})"
                mode = ("read-only" if not args.allow_writes else "writes allowed") if real else "all checks, negative, stateful"
                print(f"[{position}/{len(names)}] {name}: {prof.spec_file} against {where} ({mode})", flush=True)
                started = time.monotonic()
                code = subprocess.call(cmd, env=env, cwd=tmp)
                elapsed = time.monotonic() - started
                if count_file.is_file():
                    sent = int(count_file.read_text() or 0)
                    spent += sent
                    if sent >= budget - (spent - sent):
                        print(f"{name}: stopped at the request budget ({budget}); the run is incomplete")
                results.append((name, code, elapsed))
                junit_parts.append((name, reports["junit"]))
                if reports["har"].is_file() and (args.drift_report or real):
                    from urllib.parse import urlsplit

                    har = json.loads(reports["har"].read_text(encoding="utf-8"))
                    exchanges = drift.from_har(har, urlsplit(base_url).path.rstrip("/"))
                    drifts = drift.analyse(contract._document(prof.spec_file), exchanges)
                    print(drift.report_text(name, drifts))
                    drift_reports.append(drift.report_json(name, base_url, drifts))
        finally:
            if served is not None:
                served.close()
        if args.junit:
            _merge_junit(junit_parts, Path(args.junit))
    if args.drift_report:
        Path(args.drift_report).write_text(json.dumps({"apis": drift_reports}, indent=2) + "\n", encoding="utf-8")
    print("\nContract summary")
    for name, code, elapsed in results:
        print(f"  {name:20} {'passed' if code == 0 else 'FAILED'}  ({elapsed:.1f} s)")
    if drift_reports:
        drifting = sum(r["operations_with_drift"] for r in drift_reports)
        print(f"  drift: {drifting} operation(s) disagree with the spec"
              + (f" (details in {args.drift_report})" if args.drift_report else ""))
    failed = [n for n, code, _ in results if code != 0]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def register(commands_parser: Any) -> None:
    p = commands_parser.add_parser(
        "contract", help="run the schemathesis contract suite against the twin or a real endpoint",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=__doc__.split("\n", 1)[1] + "\nRecording format (--check-recording):\n" + drift.RECORDING_HELP)
    p.add_argument("provider", help="genesis, barrack, rackspace (all three APIs), _twin, or one API "
                                    "(rackspace-images, rackspace-identity, rackspace-files)")
    p.add_argument("--api", action="append", help="only this API of the provider (repeatable)")
    p.add_argument("--base-url", help="the API's base URL on a real endpoint (instead of a served twin)")
    p.add_argument("--token", help=f"the credential for --base-url (or env {TOKEN_VAR})")
    p.add_argument("--allow-writes", action="store_true", help="real endpoint: also non-GET operations")
    p.add_argument("--negative", action="store_true", help="real endpoint: also send invalid data")
    p.add_argument("--positive-only", action="store_true", help="twin: no negative testing")
    p.add_argument("--max-requests", type=int, help="request budget (real endpoint default 300; twin: none)")
    p.add_argument("--rate-limit", help="e.g. 5/s (real endpoint default 5/s; twin: none)")
    p.add_argument("--max-examples", "-n", type=int, help=f"examples per operation (twin {contract.MAX_EXAMPLES}, real 5)")
    p.add_argument("--max-steps", type=int, default=contract.MAX_STEPS, help="steps per stateful scenario")
    p.add_argument("--phases", help="schemathesis phases (default: examples,coverage,fuzzing,stateful)")
    p.add_argument("--operation", action="append", help="only this operationId (repeatable)")
    p.add_argument("--param", action="append", metavar="LOCATION.NAME=VALUE",
                   help="a fixed parameter value, e.g. path.account=MossoCloudFS_... for Cloud Files (repeatable)")
    p.add_argument("--seed", type=int, default=contract.SEED, help="schemathesis seed")
    p.add_argument("--twin-seed", type=int, default=contract.TWIN_SEED, help="the served twin's seed")
    p.add_argument("--junit", help="write a JUnit XML report here")
    p.add_argument("--drift-report", help="write the drift report (JSON) here")
    p.add_argument("--check-recording", metavar="FILE", help="check recorded answers offline (no requests)")
    p.set_defaults(run=run_contract)


commands.REGISTER.append(register)
