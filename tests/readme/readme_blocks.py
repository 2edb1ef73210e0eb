"""The fenced blocks of README.md (and of the docs/ pages it names), and how each one runs.

How a block runs follows from its language, or from a marker comment on the line before it:

    <!-- readme-test: MODE -->              or          <!-- readme-test: MODE: argument -->

| mode | default for | what the test does |
|---|---|---|
| `run` | bash, sh, shell | each command runs, in order, in one bash session against a served twin |
| `replay` | yaml with top-level `provider:` and `steps:` | written to a file, `cloudtwin replay FILE` must pass |
| `pytest` | python | written to `test_readme_example.py`, `python -m pytest` must pass |
| `json` | json | must parse |
| `data` | any other yaml | shown only (a fragment of a spec or fixture) |
| `banner` | — | the output of `cloudtwin serve`: each line must be in what the served twin prints |
| `skip` | — | not run; the argument says why (required) |

A block without a language needs a marker. New blocks are picked up with no change here.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).parents[2]
FENCE = re.compile(r"^```(?P<lang>[\w+-]*)\s*$")
MARKER = re.compile(r"^<!--\s*readme-test:\s*(?P<mode>[\w-]+)\s*(?::\s*(?P<argument>.*?))?\s*-->\s*$")
MODES = {"run", "replay", "pytest", "json", "data", "banner", "skip"}
SHELLS = {"bash", "sh", "shell"}
# A README's `# -> ...` comment says what the command before it prints.
EXPECTATION = re.compile(r"(?:^|\s)#\s*->\s*(?P<expected>.*)$")


@dataclass(frozen=True)
class Block:
    document: Path
    line: int  # of the opening fence
    lang: str
    text: str
    mode: str
    argument: str

    @property
    def where(self) -> str:
        return f"{self.document.relative_to(REPO)}:{self.line}"


def documents() -> list[Path]:
    """README.md and every docs/ page it names."""
    readme = REPO / "README.md"
    named = sorted(set(re.findall(r"\bdocs/[\w./-]+\.md\b", readme.read_text(encoding="utf-8"))))
    return [readme] + [REPO / name for name in named if (REPO / name).is_file()]


def blocks(document: Path) -> list[Block]:
    found: list[Block] = []
    lines = document.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        previous = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = MARKER.match(previous.strip())
        lang = opening.group("lang")
        text = "\n".join(lines[index + 1:end]) + "\n"
        mode = marker.group("mode") if marker else _default_mode(lang, text)
        found.append(Block(document, index + 1, lang, text, mode, (marker.group("argument") or "") if marker else ""))
        index = end + 1
    return found


def _default_mode(lang: str, text: str) -> str:
    if lang in SHELLS:
        return "run"
    if lang == "python":
        return "pytest"
    if lang == "json":
        return "json"
    if lang == "yaml":
        keys = set(re.findall(r"^(provider|steps)\s*:", text, re.MULTILINE))
        return "replay" if keys == {"provider", "steps"} else "data"
    return "unmarked"


@dataclass
class Command:
    line: int
    text: str
    expected: str | None  # the `# -> ...` that follows it, if any


def commands(block: Block) -> list[Command]:
    """A shell block as the commands bash would read: continuation lines and quotes spanning lines
    joined; a `# -> ...` comment (at the end of the command or on the lines right after) kept."""
    result: list[Command] = []
    pending: list[str] = []
    start = 0
    for offset, line in enumerate(block.text.splitlines()):
        stripped = line.strip()
        if not pending:
            if not stripped:
                continue
            if stripped.startswith("#"):
                arrow = EXPECTATION.search(stripped)
                if arrow and result:
                    previous = result[-1]
                    previous.expected = " ".join(filter(None, [previous.expected, arrow.group("expected")]))
                continue
            start = block.line + 1 + offset
        pending.append(line)
        joined = "\n".join(pending)
        if joined.endswith("\\") or not _complete(joined):
            continue
        arrow = EXPECTATION.search(pending[-1])
        result.append(Command(start, joined, arrow.group("expected").strip() if arrow else None))
        pending = []
    assert not pending, f"{block.where}: an unfinished command: {pending}"
    return result


def _complete(text: str) -> bool:
    try:
        shlex.split(text, comments=True)
        return True
    except ValueError:  # a quote still open: the command goes on
        return False
