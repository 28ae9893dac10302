"""The type stub (relgraph/__init__.pyi) matches the module: every class,
method, parameter and default that exists at run time is in the stub, and
nothing else is (mypy's stubtest)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_the_stub_matches_the_module() -> None:
    pytest.importorskip("mypy", reason="pip install mypy to check the stub")
    run = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "relgraph"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_package_is_typed() -> None:
    pytest.importorskip("mypy", reason="pip install mypy to check the package")
    import relgraph

    package = __import__("pathlib").Path(relgraph.__file__).parent
    assert (package / "py.typed").is_file()
    run = subprocess.run(
        # By name: mypy reads an installed package only when it has py.typed.
        [sys.executable, "-m", "mypy", "--strict", "-p", "relgraph"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
