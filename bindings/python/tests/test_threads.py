"""Statements release the GIL: Python threads query in parallel."""

from __future__ import annotations

import threading
import time

import relgraph

from conftest import run_together

CROSS = "MATCH (a:P), (b:P), (c:P) RETURN count(*) AS n"


def grid(db: relgraph.Database) -> None:
    db.execute("UNWIND range(1, 2000) AS i CREATE (:P {i: i})")


def test_other_python_threads_run_while_a_statement_runs(db: relgraph.Database) -> None:
    grid(db)
    started = threading.Event()
    outcome: list = []

    def slow() -> None:
        started.set()
        try:
            # Eight billion rows: stopped by its timeout after 1.5 s.
            db.execute(CROSS, timeout=1.5)
        except relgraph.LimitError as e:
            outcome.append(e)

    t = threading.Thread(target=slow)
    t0 = time.monotonic()
    t.start()
    started.wait()
    # Python work in this thread. With the GIL held by the statement, the
    # loop could only start once the statement ended.
    spins = 0
    loop_start = time.monotonic()
    while time.monotonic() - loop_start < 0.3:
        spins += 1
    still_running = t.is_alive()
    elapsed_when_done = time.monotonic() - t0
    t.join()
    assert still_running, f"the loop ended {elapsed_when_done:.2f} s after the statement began"
    assert spins > 1000
    assert len(outcome) == 1


def test_two_threads_query_at_once_and_both_succeed(db: relgraph.Database) -> None:
    grid(db)
    answers = run_together(
        db,
        {
            "sum": ("MATCH (p:P) WHERE p.i <= $n RETURN sum(p.i)", {"n": 1000}),
            "pairs": ("MATCH (a:P), (b:P) WHERE a.i < $n AND b.i < $n RETURN count(*)", {"n": 301}),
        },
    )
    assert answers == {"sum": [(500500,)], "pairs": [(90000,)]}


def test_a_transaction_and_readers_in_other_threads(db: relgraph.Database) -> None:
    seen: list = []
    with db.transaction() as tx:
        tx.execute("CREATE (:W)")

        def read() -> None:
            seen.append(db.execute("MATCH (w:W) RETURN count(w)")[0][0])

        t = threading.Thread(target=read)
        t.start()
        t.join()
    assert seen == [0]  # snapshot isolation: the uncommitted write is unseen
    assert db.execute("MATCH (w:W) RETURN count(w)")[0][0] == 1


def test_one_transaction_used_from_two_threads_runs_one_statement_at_a_time(db: relgraph.Database) -> None:
    with db.transaction() as tx:
        def write(i: int) -> None:
            for j in range(20):
                tx.execute("CREATE (:T {i: $i, j: $j})", {"i": i, "j": j})

        threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert db.execute("MATCH (t:T) RETURN count(t)")[0][0] == 40
