"""Build hook: ship specs/*.toml inside the wheel as adapters/_specs/ (see unified/spec.py)."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithSpecs(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "adapters" / "_specs"
        target.mkdir(parents=True, exist_ok=True)
        for spec in sorted(Path(__file__).parent.joinpath("specs").glob("*.toml")):
            self.copy_file(str(spec), str(target / spec.name))


setup(cmdclass={"build_py": BuildWithSpecs})
