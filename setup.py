"""Bundle spec/ and fixtures/ into the package so that an installed twin has its defaults."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "cloudtwin" / "data"
        for name in ("spec", "fixtures"):
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(ROOT / name, target / name)


setup(cmdclass={"build_py": BuildWithData})
