"""docs/python.md is a doctest: every `>>>` line on it runs here, on the
demo database its first step makes, and its output must be the one shown."""

from __future__ import annotations

import doctest
import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO


def test_the_python_walk_through_runs_as_written(
    crm_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(crm_path, tmp_path / "crm.db")
    monkeypatch.chdir(tmp_path)
    failures, attempted = doctest.testfile(
        os.fspath(REPO / "docs" / "python.md"),
        module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        verbose=False,
    )
    assert attempted > 30
    assert failures == 0, "docs/python.md: see the doctest report above"
