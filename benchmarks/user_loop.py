"""What a user waits on, as a ratio to the build of commit 57a4d11, measured side by side.

    python benchmarks/user_loop.py                    # fixture + replay (~2 min on 2 cores)
    python benchmarks/user_loop.py --contract genesis # also `cloudtwin contract genesis` (minutes)
    python benchmarks/run.py                          # runs these too, every provider's contract included
    python benchmarks/user_loop.py --base /tmp/base57 --rounds 3
    python benchmarks/user_loop.py --only-replay      # the replay figure alone (~1 min)

The base build is a checkout of 57a4d11 with its own virtualenv:

    git worktree add /tmp/base57 57a4d11
    cd /tmp/base57 && python3 -m venv .venv && .venv/bin/pip install -q -e ".[test]"

Each figure runs both builds in fresh processes, alternating (this build, base, base, this
build, ...), so a machine's drift hits both alike; the ratio is of the medians. The load
average is printed with every figure: on a shared 2-core machine it says how far to trust it.

- *fixture*: a generated project of 200 tests that take the `cloudtwin` fixture and 200 that
  take nothing; pytest times its own test loop (no start-up, no collection); cost per test =
  (with - without) / 200. Target: at most 1/10 of the base's.
- *replay*: every scenario of `scenarios/` that both builds have, replayed in turn in one
  process (what `cloudtwin replay scenarios/` and `pytest scenarios/` do), from loading the
  file to the last step; mean per scenario. Target: at most 1/4 of the base's.
- *contract*: `cloudtwin contract PROVIDER` as a user runs it (its default budget), whole
  process. Target: at most 1/3 of the base's, same checks and coverage.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_BASE = Path(os.environ.get("CLOUDTWIN_BASE", "/tmp/base57"))
TESTS = 200
# As on a user's machine: bytecode cached (a shell that sets PYTHONDONTWRITEBYTECODE would make
# every process compile every module it imports, a fixed cost that hides the figures).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Build:
    name: str
    root: Path
    python: str


def load_average() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def alternate(builds: list[Build], rounds: int, measure: Callable[[Build], float],
              start: int = 0) -> dict[str, list[float]]:
    """Each round measures every build; the order flips every round."""
    samples: dict[str, list[float]] = {b.name: [] for b in builds}
    for r in range(start, start + rounds):
        for build in (builds if r % 2 == 0 else builds[::-1]):
            samples[build.name].append(measure(build))
    return samples


# The fixture -------------------------------------------------------------------------
TIMER = '''
import time, pytest
_took = {}

@pytest.hookimpl(hookwrapper=True)
def pytest_runtestloop(session):
    started = time.perf_counter()
    yield
    _took["loop"] = time.perf_counter() - started

def pytest_sessionfinish(session):
    import os, json
    with open(os.environ["LOOP_TIMES"], "a") as out:
        out.write(json.dumps({"file": str(session.config.args), "seconds": _took.get("loop", 0.0)}) + "\\n")
'''


def fixture_project(folder: Path) -> None:
    (folder / "conftest.py").write_text(TIMER)
    (folder / "test_with.py").write_text("".join(
        f"def test_{i}(cloudtwin):\n    assert cloudtwin.twin is not None\n\n" for i in range(TESTS)))
    (folder / "test_without.py").write_text("".join(
        f"def test_{i}():\n    assert True\n\n" for i in range(TESTS)))
    (folder / "pytest.ini").write_text("[pytest]\naddopts = -p no:randomly -p no:cacheprovider -q\n")


def loop_seconds(build: Build, folder: Path, test_file: str) -> float:
    times = folder / "times.jsonl"
    times.unlink(missing_ok=True)
    done = subprocess.run([build.python, "-m", "pytest", test_file], cwd=folder, capture_output=True, text=True,
                          env={**ENV, "LOOP_TIMES": str(times)}, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{build.name}: pytest {test_file} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return float(json.loads(times.read_text().splitlines()[-1])["seconds"])


def fixture_cost(builds: list[Build], rounds: int) -> dict[str, list[float]]:
    folder = Path(tempfile.mkdtemp(prefix="cloudtwin-fixture-"))
    fixture_project(folder)

    def per_test_ms(build: Build) -> float:
        with_fixture = loop_seconds(build, folder, "test_with.py")
        without = loop_seconds(build, folder, "test_without.py")
        return (with_fixture - without) / TESTS * 1000
    return alternate(builds, rounds, per_test_ms)


# Replays -----------------------------------------------------------------------------
REPLAY = '''
import json, sys, time
from pathlib import Path
from cloudtwin.harness.runner import Runner, build_twin_target
from cloudtwin.harness.scenario import load
root, names = Path(sys.argv[1]), json.loads(sys.argv[2])
passes = []
for _ in range(2):  # the first pass is `cloudtwin replay scenarios/`; the second, the same again
    started = time.perf_counter()
    failed = []
    for name in names:
        scenario = load(root / name)
        target = build_twin_target(scenario)
        if not Runner(scenario, target).run().passed:
            failed.append(name)
        getattr(target, "close", lambda: None)()
        del target
    passes.append((time.perf_counter() - started) / len(names))
print(json.dumps({"per_scenario": passes, "failed": failed}))
'''


def shared_scenarios(builds: list[Build]) -> list[str]:
    names = [{str(p.relative_to(b.root)) for p in (b.root / "scenarios").rglob("*.yaml")} for b in builds]
    return sorted(set.intersection(*names))


def replay_cost(builds: list[Build], rounds: int, names: list[str]) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    second: dict[str, list[float]] = {b.name: [] for b in builds}

    def per_scenario_ms(build: Build) -> float:
        done = subprocess.run([build.python, "-c", REPLAY, str(build.root), json.dumps(names)], cwd=build.root,
                              env=ENV, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"{build.name}: replay failed:\n{done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if result["failed"]:
            raise RuntimeError(f"{build.name}: scenarios failed: {result['failed']}")
        second[build.name].append(result["per_scenario"][1] * 1000)
        return float(result["per_scenario"][0] * 1000)
    return alternate(builds, rounds, per_scenario_ms), second


# Contract ----------------------------------------------------------------------------
def contract_cost(builds: list[Build], rounds: int, provider: str, extra: list[str],
                  start: int = 0) -> dict[str, list[float]]:
    def seconds(build: Build) -> float:
        folder = Path(tempfile.mkdtemp(prefix=f"cloudtwin-contract-{build.name}-"))
        started = time.perf_counter()
        # Reports land in the working folder (57a4d11 has no --report-dir).
        done = subprocess.run([build.python, "-m", "cloudtwin", "contract", provider, *extra], cwd=folder, env=ENV,
                              capture_output=True, text=True, timeout=3600)
        took = time.perf_counter() - started
        (folder / "output.txt").write_text(done.stdout + done.stderr)
        summary = [line.strip() for line in done.stdout.splitlines() if line.strip().startswith(provider)]
        print(f"    {build.name}: contract {provider} {took:.1f} s, exit {done.returncode}: {' | '.join(summary)} "
              f"({folder}/output.txt)", flush=True)
        if done.returncode != 0:
            raise RuntimeError(f"{build.name}: contract {provider} exited {done.returncode}: see {folder}/output.txt")
        return took
    return alternate(builds, rounds, seconds, start)


# Report ------------------------------------------------------------------------------
def ratio_row(figure: str, samples: dict[str, list[float]], unit: str, target: float,
              note: str = "") -> tuple[str, str, str, bool | None, str]:
    ours, base = (statistics.median(v) for v in samples.values())
    ratio = ours / base if base > 0 else float("inf")
    spread = "; ".join(f"{name} " + ", ".join(f"{x:.1f}" for x in v) for name, v in samples.items())
    return (figure, f"{ours:.1f} / {base:.1f} {unit} = {ratio:.2f}", f"<= {target:.2f}", ratio <= target,
            f"{load_average()}; samples {spread}{'; ' + note if note else ''}")


def builds_or_none(base: Path) -> list[Build] | None:
    python = base / ".venv" / "bin" / "python"
    if not python.exists():
        return None
    return [Build("this", ROOT, sys.executable), Build("57a4d11", base, str(python))]


def figures(add: Callable[..., None], *, base: Path = DEFAULT_BASE, rounds: int = 3,
            contract: list[str] | None = None, contract_args: list[str] | None = None,
            loop: bool = True, fixture: bool = True) -> None:
    """Add every user-loop figure through `add(figure, value, target, ok, note)`."""
    builds = builds_or_none(base)
    if builds is None:
        add("user loop (vs 57a4d11)", "no base build", "n/a", None,
            f"make one at {base}: see benchmarks/user_loop.py")
        return
    if loop and fixture:
        print(f"  user loop: fixture, {rounds} rounds ({load_average()})", flush=True)
        add(*ratio_row("cloudtwin fixture: cost per test, this / 57a4d11", fixture_cost(builds, rounds), "ms", 0.10))
    if loop:
        names = shared_scenarios(builds)
        print(f"  user loop: replay of {len(names)} scenarios, {rounds} rounds ({load_average()})", flush=True)
        first, second = replay_cost(builds, rounds, names)
        ours2, base2 = (statistics.median(v) for v in second.values())
        add(*ratio_row(f"replay: per scenario ({len(names)}), this / 57a4d11", first, "ms", 0.25,
                       f"again in the same process: {ours2:.1f} / {base2:.1f} ms = {ours2 / base2:.2f}"))
    for position, provider in enumerate(contract or []):
        # One run each (a run takes minutes); which build goes first alternates by provider.
        print(f"  user loop: contract {provider} ({load_average()})", flush=True)
        add(*ratio_row(f"contract {provider}: whole run, this / 57a4d11",
                       contract_cost(builds, 1, provider, contract_args or [], start=position), "s", 1 / 3))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, default=DEFAULT_BASE, help="checkout of 57a4d11 with .venv")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--contract", action="append", default=[], help="also time `cloudtwin contract P`")
    parser.add_argument("--only-contract", action="store_true", help="only the contract figures")
    parser.add_argument("--only-replay", action="store_true", help="only the replay figure")
    args = parser.parse_args()
    rows: list[tuple[Any, ...]] = []

    def add(figure: str, value: str, target: str, ok: bool | None, note: str = "") -> None:
        verdict = "n/a" if ok is None else ("met" if ok else "MISSED")
        rows.append((figure, value, target, verdict, note))
        print(f"  {figure}: {value}  (target {target}: {verdict}) {note}", flush=True)

    figures(add, base=args.base, rounds=args.rounds, contract=[] if args.only_replay else args.contract,
            loop=not args.only_contract, fixture=not args.only_replay)
    print()
    for row in rows:
        print(" | ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
