"""`cloudtwin contract PROVIDER`: the schemathesis contract suite against the twin or a real endpoint.

Against the twin (default): a fresh twin served on 127.0.0.1:<free port> in a thread, then the
schemathesis CLI in a subprocess with a generated `--config-file` (seeded, no example database,
auth for the default account, the shared checks of `contract_hooks`). Every check, negative
testing, and the stateful phase through the specs' OpenAPI links.

Against a real endpoint (`--base-url URL --token T`): safe defaults, so that pointing it at a
production account can do no harm: read-only operations (GET) unless `--allow-writes`, positive
data only unless `--negative`, a request budget (`--max-requests`, default 300), a rate limit
(`--rate-limit`, default 5/s), a small example budget. One quick request first tells an
unreachable URL in seconds (exit status 2). A run the budget cuts short is a partial result:
what it reached and what it found, exit status 0 when nothing failed.

Reports (a JUnit XML and a HAR file per API, the config used, the drift report) are kept in
`--report-dir`, by default ./cloudtwin-contract-<api>-<time>/, named at the end of the run;
`--junit` and `--drift-report` also write the merged JUnit and the drift report where asked.
`--drift-report FILE.json` lists, per operation, how the answers differ from the spec (also
printed). `--check-recording FILE` checks recorded answers offline (format: cloudtwin.harness.drift).

Exit status: 0 nothing failed (a partial run included), 1 a check failed, 2 a mistake in the
command line or an unreachable endpoint, 130 interrupted.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, NoReturn
from urllib.parse import urlsplit

# Light modules only: `cloudtwin contract --help` must not pay for schemathesis or the twin.
from . import contract, contract_shards, drift
from ..flag_types import positive_int
from .contract_flags import (PHASES, REAL_MAX_EXAMPLES, REAL_MAX_REQUESTS, REAL_RATE_LIMIT, TOKEN_VAR,
                             WRITE_METHODS, UsageError, check_flags, http_url, parameter_binding, phase_list,
                             provider_or_api, rate_limit, selected_operations)

INTERRUPTED = 130  # schemathesis' status when stopped before the end: Ctrl-C, or our request budget


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


def _schemathesis_cmd(config_file: Path, spec: Path, base_url: str, args: argparse.Namespace, real: bool,
                      reports: Mapping[str, Path], write_methods: tuple[str, ...] = WRITE_METHODS) -> list[str]:
    cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config_file), "run", str(spec),
           "--url", base_url, "--seed", str(args.seed), "-n", str(args.max_examples),
           "--report", ",".join(reports), "--no-color", "--workers", "1"]
    for fmt, path in reports.items():
        cmd += [f"--report-{fmt}-path", str(path)]
    cmd += ["--mode", "all" if (args.negative if real else not args.positive_only) else "positive"]
    if args.phases:
        cmd += ["--phases", args.phases]
    elif args.operation:
        # Stateful flows need the operations their links lead to, which --operation leaves out
        # (schemathesis would call that an error); --phases asks for them explicitly.
        cmd += ["--phases", ",".join(p for p in PHASES if p != "stateful")]
    if real and not args.allow_writes:
        # Excluded, not included: schemathesis ORs its include filters, so `--include-method GET`
        # would widen `--include-operation-id` back to every GET; exclusions always hold. Only the
        # spec's own methods: schemathesis warns about a filter that matches nothing.
        for method in write_methods:
            cmd += ["--exclude-method", method]
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


def _junit_failures(path: Path) -> int | None:
    """Test cases that failed or errored in a schemathesis JUnit report (None: no readable report)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    return sum(1 for case in root.iter("testcase")
               if case.find("failure") is not None or case.find("error") is not None)


def check_recording(args: argparse.Namespace, names: list[str]) -> int:
    try:
        exchanges = drift.load_recording(json.loads(Path(args.check_recording).read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        print(f"error: --check-recording {args.check_recording}: {getattr(error, 'strerror', None) or error}",
              file=sys.stderr)
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


def _report_dir(args: argparse.Namespace, names: list[str]) -> Path:
    """The folder every report of this run is kept in (made here; never removed)."""
    if args.report_dir:
        path = Path(args.report_dir)
        path.mkdir(parents=True, exist_ok=True)
        return path
    label = names[0] if len(names) == 1 else args.provider
    base = f"cloudtwin-contract-{label.strip('_')}-{time.strftime('%Y%m%d-%H%M%S')}"
    for attempt in range(1, 1000):  # two runs in the same second get -2, -3 …
        path = Path(base if attempt == 1 else f"{base}-{attempt}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"{base}-*: too many runs in one second")


@dataclass
class ApiOutcome:
    """What one API's run did and found."""

    name: str
    status: str  # passed | partial | FAILED | skipped | interrupted
    seconds: float = 0.0
    sent: int = 0  # requests that went out (checks' own requests included)
    reached: int = 0  # operations that got at least one request
    selected: int = 0
    failures: int | None = 0  # failing test cases in the JUnit report (None: not known)
    budget_cut: bool = False

    def line(self, budget: int) -> str:
        if self.status == "skipped":
            return f"  {self.name:20} skipped: the request budget ({budget}) was spent before it"
        found = ("no failures" if self.failures == 0 else "failures: see above" if self.failures is None
                 else f"{self.failures} failed test(s)")
        text = (f"  {self.name:20} {self.status:11} {self.sent} requests, {self.reached} of {self.selected} "
                f"operations reached, {found}  ({self.seconds:.1f} s)")
        if self.budget_cut:
            text += (f"\n  {'':20} stopped at the request budget ({budget}); "
                     f"--max-requests raises it to reach the rest")
        return text


def _call(cmd: list[str], env: Mapping[str, str], cwd: Path) -> tuple[int, bool]:
    """Run schemathesis; (exit status, whether the user interrupted it)."""
    process = subprocess.Popen(cmd, env=dict(env), cwd=cwd)
    try:
        return process.wait(), False
    except KeyboardInterrupt:
        # Ctrl-C reached schemathesis too: it stops, writes its reports and exits; let it.
        try:
            return process.wait(timeout=30), True
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            process.kill()
            return process.wait(), True


def _tally(count_file: Path) -> dict[str, int]:
    try:
        data = json.loads(count_file.read_text(encoding="utf-8"))
        return {"sent": int(data.get("sent", 0)), "refused": int(data.get("refused", 0))}
    except (OSError, ValueError, AttributeError):
        return {"sent": 0, "refused": 0}


def run_contract(args: argparse.Namespace) -> int:
    try:
        names = check_flags(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check_recording:
        return check_recording(args, names)
    import importlib.util

    if importlib.util.find_spec("schemathesis") is None:  # finds it without importing it
        print("error: a contract run needs schemathesis, which is not installed here", file=sys.stderr)
        return 2
    if args.base_url:
        from .contract_endpoint import unreachable

        problem = unreachable(args.base_url)
        if problem:
            print(f"error: --base-url {args.base_url}: {problem}", file=sys.stderr)
            return 2
    try:
        report_dir = _report_dir(args, names)
    except OSError as error:
        print(f"error: --report-dir {args.report_dir or '.'}: {error.strerror or error}", file=sys.stderr)
        return 2
    try:
        return _run(args, names, report_dir)
    except KeyboardInterrupt:
        print(f"\ninterrupted; reports so far in {report_dir}{os.sep}", file=sys.stderr)
        return INTERRUPTED


def _run(args: argparse.Namespace, names: list[str], report_dir: Path) -> int:
    real = bool(args.base_url)
    budget = args.max_requests or 0
    served = None if real else _Served(contract.profile(names[0]), args.twin_seed)
    outcomes: list[ApiOutcome] = []
    drift_reports: list[dict[str, Any]] = []
    spent = 0
    try:
        with tempfile.TemporaryDirectory(prefix="cloudtwin-contract-") as scratch:  # the request tally, no report
            for position, name in enumerate(names, 1):
                if budget and spent >= budget:
                    print(f"[{position}/{len(names)}] {name}: skipped, the request budget is spent")
                    outcomes.append(ApiOutcome(name, "skipped"))
                    continue
                outcome = _run_api(args, name, f"[{position}/{len(names)}]", served, report_dir, Path(scratch),
                                   budget - spent if budget else 0, drift_reports)
                spent += outcome.sent
                outcomes.append(outcome)
                if outcome.status == "interrupted":
                    break
    finally:
        if served is not None:
            served.close()
    return _finish(args, outcomes, drift_reports, report_dir, budget)


def _run_api(args: argparse.Namespace, name: str, counter: str, served: _Served | None, report_dir: Path,
             scratch: Path, budget: int, drift_reports: list[dict[str, Any]]) -> ApiOutcome:
    real = served is None
    prof = contract.profile(name)
    if real:
        base_url, token = str(args.base_url), str(args.token or os.environ.get(TOKEN_VAR, ""))
    else:
        assert served is not None
        contract.reset_twin(served.twin)  # each API starts from the fixtures (then the token)
        base_url = served.url + contract.mount_path(prof)
        token = contract.default_credential(prof, served.twin)
    overrides: dict[str, Any] = {"cache": {"enabled": False}}
    if real and prof.async_deletes:
        overrides["checks"] = {"use_after_free": {"enabled": False}}
    data = contract.config_data(prof, base_url=base_url, token="${" + TOKEN_VAR + "}", seed=args.seed,
                                max_examples=args.max_examples, max_steps=args.max_steps, overrides=overrides)
    data["hooks"] = "cloudtwin.harness.contract_hooks"
    if real:
        data.pop("parameters", None)  # the twin's fixture values mean nothing there
    for binding in args.param or []:
        key, _, value = binding.partition("=")
        data.setdefault("parameters", {})[key] = value
    folder = report_dir.resolve()
    config_file = folder / f"{name}.toml"  # kept: the run can be repeated from it (the token is not in it)
    config_file.write_text(to_toml(data), encoding="utf-8")
    reports = {"junit": folder / f"{name}.junit.xml", "har": folder / f"{name}.har"}
    spec_methods = {m.upper() for item in (contract._document(prof.spec_file).get("paths") or {}).values()
                    for m in (item or {}) if m in drift.METHODS}
    cmd = _schemathesis_cmd(config_file, prof.spec_path, base_url, args, real, reports,
                            tuple(m for m in WRITE_METHODS if m in spec_methods))
    env = dict(os.environ)
    env[TOKEN_VAR] = token
    env.pop("SCHEMATHESIS_HOOKS", None)
    count_file = scratch / f"{name}.count.json"
    env[contract.COUNT_FILE_ENV] = str(count_file)
    env.pop(contract.BUDGET_ENV, None)
    if budget:
        env[contract.BUDGET_ENV] = str(budget)
    if served is not None and prof.async_deletes:  # a twin (not a real endpoint) that deletes later
        env[contract.SETTLE_ENV] = f"{served.url}/_twin {contract.settle_seconds(prof)}"
    where = base_url if real else f"{base_url} (twin, seed {args.twin_seed})"
    mode = ("read-only" if not args.allow_writes else "writes allowed") if real else "all checks, negative, stateful"
    limits = [f"at most {budget} requests"] if budget else []
    limits += [f"{args.rate_limit}"] if args.rate_limit else []
    print(f"{counter} {name}: {prof.spec_file} against {where} ({', '.join([mode, *limits])})", flush=True)
    started = time.monotonic()
    if (not real and not budget and not args.phases and not args.operation and getattr(args, "jobs", 1) > 1
            and len(selected_operations(name, args, real)) >= contract_shards.WORTH_SHARDING):
        code, user_stop = _run_sharded(args, name, prof, served, data, reports, cmd, env, count_file, scratch)
    else:
        code, user_stop = _call(cmd, env, scratch)  # what hypothesis leaves in its working folder is no report
    seconds = time.monotonic() - started
    tally = _tally(count_file)
    budget_cut = bool(budget) and tally["refused"] > 0 and code == INTERRUPTED and not user_stop
    failures = _junit_failures(reports["junit"])
    exchanges: list[drift.Exchange] = []
    if reports["har"].is_file():
        try:
            har = json.loads(reports["har"].read_text(encoding="utf-8"))
            exchanges = drift.from_har(har, urlsplit(base_url).path.rstrip("/"))
        except ValueError:
            print(f"{name}: the HAR report {reports['har']} is not readable JSON; no drift analysis")
    selected = selected_operations(name, args, real)
    index = drift.SpecIndex(contract._document(prof.spec_file))
    labels = {label for label, _ in selected}
    reached = {f"{e.method.upper()} {m[0]}" for e in exchanges if (m := index.match(e.method, e.path))} & labels
    if user_stop or (code == INTERRUPTED and not budget_cut):
        status = "interrupted"
    elif budget_cut:
        status = "partial" if failures == 0 else "FAILED"
    else:
        status = "passed" if code == 0 else "FAILED"
    if status == "FAILED" and not failures:
        failures = None  # a failure the JUnit does not show (a fatal warning, a configuration error)
    if exchanges and (args.drift_report or real):
        drifts = drift.analyse(contract._document(prof.spec_file), exchanges)
        print(drift.report_text(name, drifts))
        drift_reports.append(drift.report_json(name, base_url, drifts))
    return ApiOutcome(name, status, seconds, tally["sent"], len(reached), len(selected), failures, budget_cut)


def _run_sharded(args: argparse.Namespace, name: str, prof: contract.Profile, served: _Served | None,
                 data: dict[str, Any], reports: Mapping[str, Path], cmd: list[str], env: Mapping[str, str],
                 count_file: Path, scratch: Path) -> tuple[int, bool]:
    """The twin's run split by phases across processes, each against a twin of its own
    (`contract_shards`); reports and the tally merged where the serial run leaves them."""
    assert served is not None
    twins = [served] + [_Served(prof, args.twin_seed) for _ in contract_shards.SHARDS[1:]]
    try:
        shards = []
        for index, (phases, twin) in enumerate(zip(contract_shards.SHARDS, twins)):
            if twin is not served:
                contract.reset_twin(twin.twin)
            base_url = twin.url + contract.mount_path(prof)
            config = scratch / f"{name}.{index}.toml"
            config.write_text(to_toml({**data, "base-url": base_url}), encoding="utf-8")
            parts = {fmt: scratch / f"{name}.{index}{path.suffix if fmt == 'har' else '.junit.xml'}"
                     for fmt, path in reports.items()}
            shard_cmd = _swap(cmd, {str(path): str(parts[fmt]) for fmt, path in reports.items()})
            shard_cmd = _swap(shard_cmd, {cmd[cmd.index("--config-file") + 1]: str(config),
                                          cmd[cmd.index("--url") + 1]: base_url})
            shard_env = {**env, TOKEN_VAR: contract.default_credential(prof, twin.twin),
                         contract.COUNT_FILE_ENV: str(scratch / f"{name}.{index}.count.json")}
            if contract.SETTLE_ENV in env:
                shard_env[contract.SETTLE_ENV] = f"{twin.url}/_twin {contract.settle_seconds(prof)}"
            shards.append(contract_shards.Shard(phases, [*shard_cmd, "--phases", ",".join(phases)], shard_env,
                                                parts, Path(shard_env[contract.COUNT_FILE_ENV]),
                                                scratch / f"{name}.{index}.out"))
        print(f"  phases side by side in {len(shards)} processes (--jobs {args.jobs})", flush=True)
        code, user_stop = contract_shards.run(shards, scratch)
        contract_shards.merge(shards, reports, count_file)
        return code, user_stop
    finally:
        for twin in twins[1:]:
            twin.close()


def _swap(cmd: list[str], replacements: Mapping[str, str]) -> list[str]:
    return [replacements.get(part, part) for part in cmd]


def _finish(args: argparse.Namespace, outcomes: list[ApiOutcome], drift_reports: list[dict[str, Any]],
            report_dir: Path, budget: int) -> int:
    junit_parts = [(o.name, report_dir / f"{o.name}.junit.xml") for o in outcomes]
    if args.junit:
        _merge_junit(junit_parts, Path(args.junit))
    drift_file = Path(args.drift_report) if args.drift_report else report_dir / "drift.json" if drift_reports else None
    if drift_file is not None:
        drift_file.write_text(json.dumps({"apis": drift_reports}, indent=2) + "\n", encoding="utf-8")
    print("\nContract summary")
    for outcome in outcomes:
        print(outcome.line(budget))
    if drift_reports:
        drifting = sum(r["operations_with_drift"] for r in drift_reports)
        print(f"  drift: {drifting} operation(s) disagree with the spec (details in {drift_file})")
    kept = sorted(p.name for p in report_dir.iterdir()) if report_dir.is_dir() else []
    print(f"Reports in {report_dir}{os.sep}: {', '.join(kept) or 'none'}")
    asked = [str(p) for p in (args.junit, args.drift_report) if p]
    if asked:
        print(f"  and {', '.join(asked)}")
    counts = {status: sum(o.status == status for o in outcomes)
              for status in ("passed", "partial", "skipped", "FAILED", "interrupted")}
    print(", ".join(f"{n} {status.lower()}" for status, n in counts.items() if n or status in ("passed", "FAILED")))
    if any(o.status == "partial" or o.status == "skipped" for o in outcomes) and not counts["FAILED"]:
        print("Partial result: the request budget ran out before every operation was tested; nothing failed.")
    if counts["interrupted"]:
        return INTERRUPTED
    return 1 if counts["FAILED"] else 0


def _one_line_error(message: str) -> NoReturn:
    """argparse's error as one line naming the flag (no usage block), like the command's own; exit status 2."""
    print(f"error: {message} (cloudtwin contract --help)", file=sys.stderr)
    raise SystemExit(2)


def register(commands_parser: Any) -> None:
    p = commands_parser.add_parser(
        "contract", help="run the schemathesis contract suite against the twin or a real endpoint",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=__doc__.split("\n", 1)[1] + "\nRecording format (--check-recording):\n" + drift.RECORDING_HELP)
    p.error = _one_line_error
    p.add_argument("provider", type=provider_or_api,
                   help="a provider (all of its APIs), one API of it, or _twin (the control plane); "
                        "an unknown name lists the known ones")
    p.add_argument("--api", action="append", help="only this API of the provider (repeatable)")
    p.add_argument("--base-url", type=http_url, help="the API's base URL on a real endpoint (instead of a served twin)")
    p.add_argument("--token", help=f"the credential for --base-url (or env {TOKEN_VAR})")
    p.add_argument("--allow-writes", action="store_true", help="real endpoint: also non-GET operations")
    p.add_argument("--negative", action="store_true", help="real endpoint: also send invalid data")
    p.add_argument("--positive-only", action="store_true", help="twin: no negative testing")
    p.add_argument("--max-requests", type=positive_int, metavar="N",
                   help=f"request budget; when spent the run stops with a partial result "
                        f"(real endpoint default {REAL_MAX_REQUESTS}; twin: none)")
    p.add_argument("--rate-limit", type=rate_limit,
                   help=f"e.g. 5/s, 100/m (real endpoint default {REAL_RATE_LIMIT}; twin: none)")
    p.add_argument("--max-examples", "-n", type=positive_int, metavar="N",
                   help=f"examples per operation (twin {contract.MAX_EXAMPLES}, real {REAL_MAX_EXAMPLES})")
    p.add_argument("--max-steps", type=positive_int, metavar="N", default=contract.MAX_STEPS,
                   help="steps per stateful scenario")
    p.add_argument("--phases", type=phase_list, help=f"schemathesis phases (default: {','.join(PHASES)})")
    p.add_argument("--operation", action="append",
                   help="only this operationId (repeatable; no stateful phase unless --phases names it)")
    p.add_argument("--param", action="append", type=parameter_binding, metavar="LOCATION.NAME=VALUE",
                   help="a fixed parameter value, e.g. path.account=MossoCloudFS_... for Cloud Files (repeatable)")
    p.add_argument("--jobs", type=positive_int, default=1, metavar="N",
                   help="twin: 2 runs coverage+stateful and fuzzing side by side, a twin each (an API of 20+ "
                        "operations; faster only with a core to spare; default 1: one after the other)")
    p.add_argument("--seed", type=int, default=contract.SEED, help="schemathesis seed")
    p.add_argument("--twin-seed", type=int, default=contract.TWIN_SEED, help="the served twin's seed")
    p.add_argument("--report-dir", metavar="DIR",
                   help="keep every report here (default: a new ./cloudtwin-contract-<api>-<time>/)")
    p.add_argument("--junit", help="also write the JUnit XML report (every API merged) here")
    p.add_argument("--drift-report", help="write the drift report (JSON) here")
    p.add_argument("--check-recording", metavar="FILE", help="check recorded answers offline (no requests)")
    p.set_defaults(run=run_contract)


