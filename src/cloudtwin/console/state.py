"""`cloudtwin state export|import FILE`: a running twin's whole state."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .client import ConsoleError, TwinClient
from .common import common_options, print_json, runs, wants_json


def state_export(args: argparse.Namespace, client: TwinClient) -> int:
    document = client.get("/state")
    text = json.dumps(document)
    if args.file in (None, "-"):
        print(text)
        return 0
    path = Path(args.file)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConsoleError(f"{args.file}: cannot write ({error.strerror or error})") from None
    if wants_json(args):
        print_json({"file": str(path), "bytes": len(text.encode())})
    else:
        print(f"exported the twin's state to {path} ({len(text.encode()):,} bytes)")
    return 0


def state_import(args: argparse.Namespace, client: TwinClient) -> int:
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except OSError as error:
        raise ConsoleError(f"{args.file}: cannot read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise ConsoleError(f"{args.file}: not UTF-8 text; expected a state document from `cloudtwin state export`") \
            from None
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ConsoleError(f"{args.file}: not JSON ({error}); expected a state document from "
                           "`cloudtwin state export`") from None
    client.put("/state", document)
    if wants_json(args):
        print_json({"imported": args.file})
    else:
        print(f"imported {args.file} into the twin at {client.url}")
    return 0


def register(subparsers: Any) -> None:
    common = common_options()

    p = subparsers.add_parser("state", parents=[common], help="export or import a running twin's whole state",
                              description="The whole state as one JSON document (GET/PUT /_twin/state).")
    verbs = p.add_subparsers(dest="state_verb", metavar="{export,import}", required=True)
    q = verbs.add_parser("export", parents=[common], help="write the state to FILE (or stdout)")
    q.add_argument("file", nargs="?", metavar="FILE", help="where to write it (default: stdout)")
    q.set_defaults(run=runs(state_export))
    q = verbs.add_parser("import", parents=[common], help="replace the state with FILE's")
    q.add_argument("file", metavar="FILE", help="a document from `cloudtwin state export` (- for stdin)")
    q.set_defaults(run=runs(state_import))
