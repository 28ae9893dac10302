"""Ctrl-C (KeyboardInterrupt) cancels the running statement."""

from __future__ import annotations

import _thread
import os
import signal
import threading
import time
from typing import Callable

import pytest

import relgraph

# Eight billion rows: minutes of work, so only a cancellation (or the
# 60 s safety timeout, which would fail the test) stops it.
CROSS = "MATCH (a:P), (b:P), (c:P) RETURN count(*) AS n"


@pytest.fixture
def big(db: relgraph.Database) -> relgraph.Database:
    db.execute("UNWIND range(1, 2000) AS i CREATE (:P {i: i})")
    return db


def interrupt_after(seconds: float, interrupt: Callable[[], None] = _thread.interrupt_main) -> threading.Timer:
    timer = threading.Timer(seconds, interrupt)
    timer.start()
    return timer


def sigint() -> None:
    os.kill(os.getpid(), signal.SIGINT)


@pytest.mark.parametrize("interrupt", [_thread.interrupt_main, sigint], ids=["interrupt_main", "SIGINT"])
def test_keyboard_interrupt_cancels_a_running_statement(
    big: relgraph.Database, interrupt: Callable[[], None]
) -> None:
    timer = interrupt_after(0.3, interrupt)
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        big.execute(CROSS, timeout=60)
    elapsed = time.monotonic() - t0
    timer.join()
    assert 0.25 < elapsed < 10, elapsed
    # The database is usable at once.
    assert big.execute("MATCH (p:P) RETURN count(p)")[0] == (2000,)


def test_keyboard_interrupt_in_a_transaction_leaves_it_usable(big: relgraph.Database) -> None:
    with big.transaction() as tx:
        tx.execute("CREATE (:Before)")
        timer = interrupt_after(0.3)
        with pytest.raises(KeyboardInterrupt):
            tx.execute("MATCH (a:P), (b:P), (c:P) CREATE (:Never) RETURN count(*)", timeout=60)
        timer.join()
        tx.execute("CREATE (:After)")
    labels = sorted(r[0] for r in big.execute("MATCH (n) WHERE NOT n:P RETURN labels(n)[0]"))
    assert labels == ["After", "Before"]


def test_an_interrupt_outside_a_statement_is_untouched(db: relgraph.Database) -> None:
    # The signal arrives while Python code runs: Python raises it there;
    # the next statement is not affected.
    with pytest.raises(KeyboardInterrupt):
        _thread.interrupt_main()
        time.sleep(1)
    assert db.execute("RETURN 1")[0] == (1,)
