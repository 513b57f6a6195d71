"""Package discovery only: installs ``checks/`` under the specific import name ``auditor_checks``.

Everything else lives in pyproject.toml. A generic top-level ``checks`` package would collide with
other distributions, so the folder is mapped; subpackages are found at build time so that adding a
check domain needs no packaging change.
"""

from setuptools import find_packages, setup

engine_packages = find_packages(include=["auditor", "auditor.*"])
check_packages = ["auditor_checks"] + [f"auditor_checks.{name}" for name in find_packages("checks")]

setup(
    packages=engine_packages + check_packages,
    package_dir={"auditor_checks": "checks"},
)
