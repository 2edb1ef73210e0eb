"""Build cloudtwin's wheel from a copy of the checkout and install it, with no extras, into a
fresh virtual environment: `python build_installed.py REPO WORKDIR`. Prints what it ran.

Run in the background from the start of a test session (conftest.py): the install is mostly
waiting on the package index, so it overlaps the rest of the suite instead of adding to it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# What the wheel is built from: the files a clean clone has (no build/ or egg-info left over).
SOURCES = ["pyproject.toml", "setup.py", "README.md", "src", "spec", "fixtures"]


@dataclass
class Build:
    work: Path
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def venv(self) -> Path:
        return self.work / "venv"

    @property
    def wheel(self) -> Path:
        return next((self.work / "dist").glob("cloudtwin-*.whl"))

    def wait(self, timeout: float = 900) -> None:
        code = self.process.wait(timeout=timeout)
        assert code == 0, f"building or installing the wheel failed:\n{self.log.read_text()}"


def run(*command: str | Path, cwd: Path | None = None) -> None:
    started = time.monotonic()
    print("$", " ".join(map(str, command)), flush=True)
    subprocess.run([str(c) for c in command], cwd=cwd, check=True)
    print(f"  ({time.monotonic() - started:.1f} s)", flush=True)


def main(repo: Path, work: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-z", *SOURCES], cwd=repo, capture_output=True, check=True)
    source = work / "source"
    for name in filter(None, listed.stdout.decode().split("\0")):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", work / "dist", source)
    run(sys.executable, "-m", "venv", work / "venv")
    wheel = next((work / "dist").glob("cloudtwin-*.whl"))
    # A normal install from the package index (its cache is reused): the dependencies as declared.
    run(work / "venv" / "bin" / "python", "-m", "pip", "install", "--quiet", wheel)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
