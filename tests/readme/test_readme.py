"""The README is executable: every block runs as written against a served twin (`cloudtwin serve`
on a free port), and what it prints matches what the README shows. How each block runs:
readme_blocks.py. What is substituted, and nothing else:

- `127.0.0.1:8080` (the README's address) -> the served twin's address;
- `<name>` -> the value of the key `name` in the most recent earlier output that has one
  (`<id>` after the instance is created is that instance's id).

A `# -> ...` comment after a command is checked against what it printed: a leading status
(`201`, from `curl -i`'s status line), headers (`Retry-After: 5`), then a JSON shape in which
`…` stands for any value (`"…"`), the rest of an object or list (`, …}`), or the rest of a
string (`"198.51.100.…"`); a shape that starts with a key is looked for in any object of the
answer. A command with no `# ->` must exit 0 (and a curl must get JSON, no 5xx).
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from readme_blocks import MODES, REPO, Block, Command, blocks, commands, documents
from served_process import TwinProcess

from cloudtwin.cli import main

README_ADDRESS = "127.0.0.1:8080"
# Commands that cannot run here, each matched narrowly (a substring of the command) with the reason.
NOT_RUN = {
    "https://api.genesiscloud.com": "a real Genesis Cloud account and its token",
    "cloudtwin contract barrack ": "minutes of schemathesis; the same suite runs in tests/contract/",
    "cloudtwin contract rackspace --junit": "minutes of schemathesis; the same suites run in tests/contract/",
    "--check-recording recorded.json": "needs answers recorded from a real provider; "
                                       "tests/contract/test_contract_command.py checks a recording",
}
ELLIPSIS = "…"

ALL_BLOCKS = [block for document in documents() for block in blocks(document)]


def _of_mode(mode: str) -> list[Block]:
    return [block for block in ALL_BLOCKS if block.mode == mode]


def test_every_block_says_how_it_runs() -> None:
    for block in ALL_BLOCKS:
        assert block.mode in MODES, (f"{block.where}: a ```{block.lang} block needs a marker on the line before it, "
                                     f"<!-- readme-test: MODE --> (one of {sorted(MODES)})")
        if block.mode == "skip":
            assert len(block.argument) > 10, f"{block.where}: say why the block is not run"
    assert _of_mode("run") and _of_mode("replay") and _of_mode("banner")


# A served twin and one bash session over all the shell blocks ---------------------------------------
class Shell:
    """One bash process: variables exported by one block are there for the next, as for a reader."""

    def __init__(self, cwd: Path) -> None:
        env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
        self.process = subprocess.Popen(["bash", "--noprofile", "--norc"], cwd=cwd, env=env, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def run(self, command: str, timeout: float = 120) -> tuple[int, str]:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{command}\nprintf '\\n@@readme-exit %s@@\\n' $?\n")
        self.process.stdin.flush()
        output: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"still running after {timeout:g} s (a command that runs until stopped needs "
                                     f"<!-- readme-test: skip: why --> before its block):\n{''.join(output)}") from None
            done = re.fullmatch(r"@@readme-exit (\d+)@@\n", line)
            if done:
                return int(done.group(1)), "".join(output).removesuffix("\n")
            output.append(line)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="module")
def served() -> Iterator[TwinProcess]:
    twin = TwinProcess(providers=())  # as `cloudtwin serve` starts: every provider, seed 0
    try:
        yield twin
    finally:
        twin.interrupt()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reader's checkout: the repository's folders, but files the commands write land here."""
    folder = tmp_path_factory.mktemp("reader")
    for name in ("scenarios", "fixtures", "spec"):
        (folder / name).symlink_to(REPO / name)
    return folder


def test_the_banner_is_what_serve_prints(served: TwinProcess) -> None:
    printed = served.banner.replace(served.base.removeprefix("http://"), README_ADDRESS)
    for block in _of_mode("banner"):
        for line in block.text.splitlines():
            assert line in printed.splitlines(), f"{block.where}: {line!r} is not printed:\n{printed}"


def test_the_shell_blocks_run_as_written(served: TwinProcess, workdir: Path) -> None:
    shell = Shell(workdir)
    address = served.base.removeprefix("http://")
    seen: dict[str, Any] = {}
    unused = set(NOT_RUN)
    try:
        for block in _of_mode("run"):
            for command in commands(block):
                reason = next((key for key in NOT_RUN if key in command.text), None)
                if reason is not None:
                    unused.discard(reason)
                    continue
                text = _substitute(command.text.replace(README_ADDRESS, address), seen, block, command)
                code, output = shell.run(text)
                where = f"{block.where} (line {command.line}): {command.text.splitlines()[0]}"
                assert code == 0, f"{where}\nexit {code}:\n{output}"
                status, headers, body = _parse(output)
                _check(where, command, output, status, headers, body)
                _remember(body, seen)
    finally:
        shell.close()
    assert not unused, f"exclusions that no longer match a README command: {sorted(unused)}"


def test_the_scenarios_replay_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for number, block in enumerate(_of_mode("replay")):
        scenario = tmp_path / f"readme-{number}.yaml"
        scenario.write_text(block.text, encoding="utf-8")
        code = main(["replay", str(scenario)])
        out = capsys.readouterr().out
        assert code == 0, f"{block.where}: the scenario does not pass:\n{out}"
        assert "1 passed, 0 failed" in out


def test_the_python_examples_pass_under_pytest(tmp_path: Path) -> None:
    examples = _of_mode("pytest")
    for number, block in enumerate(examples):
        (tmp_path / f"test_readme_example_{number}.py").write_text(block.text, encoding="utf-8")
    if not examples:
        return
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                             str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(examples)} passed" in result.stdout


def test_the_json_blocks_parse() -> None:
    for block in _of_mode("json"):
        try:
            json.loads(block.text)
        except ValueError as error:
            pytest.fail(f"{block.where}: not JSON: {error}")


# Substitutions and checks ------------------------------------------------------------------------------
def _substitute(text: str, seen: dict[str, Any], block: Block, command: Command) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in seen, f"{block.where} (line {command.line}): <{name}> was in no earlier output"
        return str(seen[name])

    return re.sub(r"<([a-z_]+)>", value, text)


def _parse(output: str) -> tuple[int | None, dict[str, str], Any]:
    status, headers, text = None, {}, output
    if output.startswith("HTTP/"):
        head, _, text = output.replace("\r\n", "\n").partition("\n\n")
        first, *rest = head.split("\n")
        status = int(first.split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in rest)}
    try:
        body = json.loads(text) if text.strip() else None
    except ValueError:
        body = text
    return status, headers, body


def _check(where: str, command: Command, output: str, status: int | None, headers: dict[str, str],
           body: Any) -> None:
    if command.text.lstrip().startswith("curl"):
        assert status is None or status < 500, f"{where}\n{output}"
        assert not isinstance(body, str), f"{where}: not JSON:\n{output}"
    if command.expected is None:
        return
    expected = re.match(r"^(?:(?P<status>\d{3})\b[,\s]*)?(?P<headers>(?:[A-Z][\w-]*: [^,{\"]+[,\s]*)*)(?P<shape>.*)$",
                        command.expected)
    assert expected is not None
    if expected.group("status"):
        assert status == int(expected.group("status")), f"{where}: the README says {expected.group('status')}:\n{output}"
    for name, value in re.findall(r"([A-Z][\w-]*): ([^,{\"]+)", expected.group("headers")):
        assert headers.get(name.lower()) == value.strip(), f"{where}: the README says {name}: {value}:\n{output}"
    shape = expected.group("shape").strip()
    if shape:
        pattern = _pattern(shape if shape.startswith(("{", "[")) else "{" + shape + "}")
        anywhere = not shape.startswith(("{", "["))
        candidates = list(_objects(body)) if anywhere else [body]
        assert any(_matches(pattern, c) for c in candidates), f"{where}: the README shows {shape}, it printed:\n{output}"


def _pattern(shape: str) -> Any:
    text = re.sub(r",\s*…\s*([}\]])", r"\1", shape)  # `, …}`: and the rest of the object
    text = re.sub(r"([{\[])\s*…\s*([}\]])", r"\1\2", text)
    return json.loads(text)


def _matches(pattern: Any, actual: Any) -> bool:
    if isinstance(pattern, dict):
        return isinstance(actual, dict) and all(k in actual and _matches(v, actual[k]) for k, v in pattern.items())
    if isinstance(pattern, list):
        return isinstance(actual, list) and all(any(_matches(p, a) for a in actual) for p in pattern)
    if pattern == ELLIPSIS:
        return actual is not None
    if isinstance(pattern, str) and pattern.endswith(ELLIPSIS):
        return isinstance(actual, str) and actual.startswith(pattern[:-1])
    return bool(pattern == actual)


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _objects(child)
    elif isinstance(value, list):
        for child in value:
            yield from _objects(child)


def _remember(body: Any, seen: dict[str, Any]) -> None:
    """Every scalar of the answer by its key, the first found (depth-first) winning within one answer."""
    found: dict[str, Any] = {}
    for obj in _objects(body):
        for key, value in obj.items():
            if isinstance(value, (str, int, float)) and key not in found:
                found[key] = value
    seen.update(found)
