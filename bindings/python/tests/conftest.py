"""Fixtures: an in-memory database, and the cookbook's demo graph made by
the `relgraph` command-line tool (`generate`, then `import`).

The tool is looked for in $RELGRAPH_BIN, then in the repository's cargo
target directories ($CARGO_TARGET_DIR, target/). `.ci/run` builds it with
`cargo test --workspace` before the Python tests run; elsewhere build it with
`cargo build -p relgraph-cli`. Tests that need it fail (they are not
skipped) when it is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Tuple

import pytest

import relgraph

REPO = Path(__file__).resolve().parents[3]


def relgraph_bin() -> Path:
    candidates = []
    if os.environ.get("RELGRAPH_BIN"):
        candidates.append(Path(os.environ["RELGRAPH_BIN"]))
    targets = [REPO / "target"]
    if os.environ.get("CARGO_TARGET_DIR"):
        targets.insert(0, Path(os.environ["CARGO_TARGET_DIR"]))
    for t in targets:
        candidates += [t / "debug" / "relgraph", t / "release" / "relgraph"]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    pytest.fail(
        "the relgraph command-line tool was not found (looked at "
        + ", ".join(str(c) for c in candidates)
        + "); build it with `cargo build -p relgraph-cli` or set RELGRAPH_BIN"
    )


@pytest.fixture(scope="session")
def crm_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo CRM graph at scale 0.1, seed 42 (the cookbook's), made by
    `relgraph generate` (CSV) and `relgraph import`."""
    tool = relgraph_bin()
    work = tmp_path_factory.mktemp("crm")
    csv = work / "csv"
    subprocess.run(
        [tool, "generate", "--out", csv, "--scale", "0.1", "--seed", "42", "--quiet"],
        check=True,
    )
    flags = (csv / "import-flags.txt").read_text().split()
    db = work / "crm.db"
    subprocess.run(
        [tool, "import", "--db", db, *flags],
        cwd=csv,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return db


@pytest.fixture
def crm_copy(crm_path: Path, tmp_path: Path) -> Path:
    """A private copy of the demo graph, for tests that write or lock it."""
    copy = tmp_path / "crm.db"
    shutil.copytree(crm_path, copy)
    return copy


@pytest.fixture
def db() -> Iterator[relgraph.Database]:
    with relgraph.Database.in_memory() as db:
        yield db


def run_together(
    db: relgraph.Database, queries: Mapping[str, Tuple[str, Dict[str, Any]]]
) -> Dict[str, List[Tuple[Any, ...]]]:
    """Runs each named (query, parameters) on a thread of its own, all
    released at once, and returns their rows by name; raises the first
    error any of them met."""
    barrier = threading.Barrier(len(queries))
    answers: Dict[str, List[Tuple[Any, ...]]] = {}
    failures: List[BaseException] = []

    def ask(name: str, query: str, parameters: Dict[str, Any]) -> None:
        try:
            barrier.wait()
            answers[name] = db.execute(query, parameters).fetchall()
        except BaseException as e:  # re-raised below, in the test's thread
            failures.append(e)

    threads = [
        threading.Thread(target=ask, args=(name, query, parameters))
        for name, (query, parameters) in queries.items()
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]
    return answers
