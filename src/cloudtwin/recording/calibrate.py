"""`cloudtwin calibrate RECORDING… --out overlay.yaml`: lifecycle durations (and latencies)
fitted from recordings, as a fixture overlay, with the difference from the current fixtures.

Only states the twin times (those with `after` in its lifecycle fixtures) are fitted: how
long an instance stays `active` is the client's choice, not the provider's. A duration is
the median of the observed ones; latency is a log-normal fitted per operation (median and
sigma of the log), written as the twin's own `latency` fault rules.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path
from typing import Any, Mapping

import yaml


REMOVED = "(removed)"


def read_recording(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(observed lifecycles, observed latency) of a recording folder or a lifecycles file."""
    if not path.exists():
        raise ValueError("no such recording folder or file")
    folder = path if path.is_dir() else path.parent
    lifecycles_file = path if path.is_file() else folder / "lifecycles.yaml"
    lifecycles = yaml.safe_load(lifecycles_file.read_text(encoding="utf-8")) or {}
    if not isinstance(lifecycles, dict) or lifecycles.get("format") != "cloudtwin-observed-lifecycles":
        raise ValueError(f"{lifecycles_file}: not the lifecycles.yaml of a `cloudtwin record` session")
    latency_file = folder / "latency.yaml"
    latency = yaml.safe_load(latency_file.read_text(encoding="utf-8")) if latency_file.is_file() else {}
    return lifecycles, latency or {}


def fit(recordings: list[tuple[dict[str, Any], dict[str, Any]]], current: Mapping[str, Any]
        ) -> tuple[dict[str, Any], dict[str, list[float]], dict[str, list[float]]]:
    """(lifecycle overlay, samples per kind.state, latency samples per operation)."""
    samples: dict[tuple[str, str], list[tuple[float, str]]] = {}
    for lifecycles, _ in recordings:
        for resource in lifecycles.get("resources") or []:
            kind = resource["kind"]
            for transition in resource.get("transitions") or []:
                timed = (current.get(kind) or {}).get(transition["state"])
                if isinstance(timed, Mapping) and "after" in timed:
                    samples.setdefault((kind, transition["state"]), []).append(
                        (float(transition["seconds"]), transition["then"]))
    overlay: dict[str, Any] = {}
    for (kind, state), seen in sorted(samples.items()):
        seconds = statistics.median(s for s, _ in seen)
        then = statistics.mode(t for _, t in seen)
        rule: dict[str, Any] = {"after": f"{max(round(seconds, 1), 0.1):g}s"}
        rule.update({"remove": True} if then == REMOVED else {"then": then})
        overlay.setdefault(kind, {})[state] = rule
    latency: dict[str, list[float]] = {}
    for _, observed in recordings:
        for operation, values in (observed.get("operations") or {}).items():
            latency.setdefault(operation, []).extend(float(v) for v in values)
    return overlay, {f"{k}.{s}": [x for x, _ in v] for (k, s), v in samples.items()}, latency


def latency_rules(latency: Mapping[str, list[float]]) -> list[dict[str, Any]]:
    rules = []
    for operation, values in sorted(latency.items()):
        logs = [math.log(max(v, 0.001)) for v in values]
        sigma = statistics.pstdev(logs) if len(logs) > 1 else 0.0
        rules.append({"match": {"operation": operation},
                      "action": {"type": "latency", "distribution": "lognormal",
                                 "ms": round(math.exp(statistics.median(logs)), 3), "sigma": round(sigma, 3)}})
    return rules


def difference(overlay: Mapping[str, Any], current: Mapping[str, Any], samples: Mapping[str, list[float]]) -> list[str]:
    lines = []
    for kind, states in overlay.items():
        for state, rule in states.items():
            before = (current.get(kind) or {}).get(state) or {}
            seen = samples.get(f"{kind}.{state}", [])
            spread = f"{len(seen)} sample(s), {min(seen):.1f}-{max(seen):.1f}s" if seen else "no samples"
            ends = "removed" if rule.get("remove") else rule.get("then")
            was = f"{before.get('after')} -> {'removed' if before.get('remove') else before.get('then')}"
            mark = "  " if str(before.get("after")) == rule["after"] else "~ "
            lines.append(f"{mark}{kind}.{state}: {was}  now {rule['after']} -> {ends}  ({spread})")
    return lines


def calibrate(args: argparse.Namespace) -> int:
    from ..app import build_twin

    recordings = []
    for path in args.recordings:
        try:
            recordings.append(read_recording(Path(path)))
        except (OSError, ValueError, yaml.YAMLError) as error:
            print(f"error: {path}: {error}", file=sys.stderr)
            return 2
    providers = {r.get("provider") for r, _ in recordings}
    if len(providers) != 1 or None in providers:
        print(f"error: RECORDING: the recordings must be of one provider (got {sorted(map(str, providers))})",
              file=sys.stderr)
        return 2
    provider = str(providers.pop())
    twin = build_twin([provider], fixtures=args.fixtures)
    current = twin.fixtures[provider].get("lifecycles") or {}
    try:
        overlay, samples, latency = fit(recordings, current)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        print(f"error: RECORDING: a lifecycles.yaml or latency.yaml is not as `cloudtwin record` writes it "
              f"({type(error).__name__}: {error})", file=sys.stderr)
        return 2
    out: Path = args.out
    if out.suffix in (".yaml", ".yml"):
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(yaml.safe_dump(overlay, sort_keys=False), encoding="utf-8")
    else:  # a fixtures folder, ready for `serve --fixtures`
        (out / provider).mkdir(parents=True, exist_ok=True)
        (out / provider / "lifecycles.yaml").write_text(yaml.safe_dump(overlay, sort_keys=False), encoding="utf-8")
        if args.latency:
            (out / provider / "faults.yaml").write_text(yaml.safe_dump(latency_rules(latency), sort_keys=False),
                                                        encoding="utf-8")
    print(f"calibrated {provider} from {len(recordings)} recording(s) -> {out}")
    print("\n".join(difference(overlay, current, samples)) or "  (no timed state was observed)")
    for operation, values in sorted(latency.items()):
        ordered = sorted(values)
        p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
        print(f"  latency {operation}: median {statistics.median(values):.1f} ms, p90 {p90:.1f} ms "
              f"({len(values)} calls)")
    return 0


def register(subparsers: Any) -> None:
    c = subparsers.add_parser(
        "calibrate", help="fit lifecycle durations and latencies from recordings into a fixture overlay",
        description="Read `cloudtwin record` folders, fit how long each timed state lasted, write the overlay "
                    "(lifecycles.yaml format; a folder for `serve --fixtures`) and print what changed.")
    c.add_argument("recordings", nargs="+", help="recording folders (or their lifecycles.yaml)")
    c.add_argument("--out", type=Path, required=True,
                   help="overlay.yaml (lifecycles format) or a folder (<provider>/lifecycles.yaml)")
    c.add_argument("--fixtures", type=Path, help="compare with this fixtures overlay instead of the built-in ones")
    c.add_argument("--latency", action="store_true",
                   help="with a folder --out, also write the fitted latencies as faults.yaml latency rules")
    c.set_defaults(run=calibrate)


