"""The packages of the imgcourse wheel; everything else is in pyproject.toml.

The course's notebooks stay at the top of the repository (``notebooks/``) and ship inside the
package as ``imgcourse/notebooks/`` (``imgcourse notebooks --out DIR`` copies them out):
``package_dir`` maps that one package onto the top-level folder, and package-data in
pyproject.toml takes its ``*.ipynb`` files, and nothing else (not the folder's pytest
``conftest.py``). pyproject.toml alone cannot add a mapped package to an automatic package
search, hence this file. An editable install does not see the mapping;
``imgcourse.course.install.shipped_notebooks`` finds the clone's ``notebooks/`` instead.
"""

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

NOTEBOOKS = "imgcourse.notebooks"


class BuildPy(build_py):
    """``build_py`` that takes no Python modules from the notebooks folder, only its data."""

    def find_package_modules(self, package, package_dir):
        if package == NOTEBOOKS:
            return []
        return super().find_package_modules(package, package_dir)


setup(
    packages=[*find_packages(include=["imgcourse", "imgcourse.*"]), NOTEBOOKS],
    package_dir={NOTEBOOKS: "notebooks"},
    cmdclass={"build_py": BuildPy},
)
