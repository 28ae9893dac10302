"""Write transactions: commit on success, rollback on an exception."""

from __future__ import annotations

import pytest

import relgraph


def count(db: relgraph.Database) -> int:
    return db.execute("MATCH (n) RETURN count(n) AS c")[0][0]


def test_a_block_that_ends_normally_commits(db: relgraph.Database) -> None:
    with db.transaction() as tx:
        tx.execute("CREATE (:A {x: $x})", {"x": 1})
        # The transaction sees its own writes; others do not, yet.
        assert tx.execute("MATCH (a:A) RETURN a.x")[0] == (1,)
        assert count(db) == 0
    assert tx.closed
    assert count(db) == 1


def test_a_block_that_raises_rolls_back_and_the_exception_goes_on(db: relgraph.Database) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with db.transaction() as tx:
            tx.execute("CREATE (:A)")
            raise Boom()
    assert tx.closed
    assert count(db) == 0
    # The write lock was released.
    db.execute("CREATE (:B)")
    assert count(db) == 1


def test_a_failed_statement_leaves_the_transaction_usable(db: relgraph.Database) -> None:
    with db.transaction() as tx:
        tx.execute("CREATE (:A)")
        with pytest.raises(relgraph.QueryError) as e:
            tx.execute("CREATE (:B)\nWITH 1 AS one\nRETURN one / 0")
        assert e.value.line == 3
        tx.execute("CREATE (:C)")
    labels = sorted(r[0] for r in db.execute("MATCH (n) RETURN labels(n)[0]"))
    assert labels == ["A", "C"]


def test_explicit_commit_and_rollback(db: relgraph.Database) -> None:
    tx = db.transaction()
    tx.execute("CREATE (:A)")
    tx.rollback()
    assert count(db) == 0
    tx = db.transaction()
    tx.execute("CREATE (:A)")
    tx.commit()
    assert count(db) == 1
    for end in (tx.commit, tx.rollback):
        with pytest.raises(relgraph.ClosedError):
            end()
    with pytest.raises(relgraph.ClosedError):
        tx.execute("RETURN 1")
    # Ending inside the block is allowed; the block's end does nothing more.
    with db.transaction() as tx:
        tx.execute("CREATE (:A)")
        tx.rollback()
    assert count(db) == 1


def test_a_committed_transaction_is_durable(tmp_path) -> None:
    with relgraph.Database(tmp_path / "db") as db:
        with db.transaction() as tx:
            tx.execute("UNWIND range(1, 100) AS i CREATE (:N {i: i})")
    with relgraph.Database(tmp_path / "db") as db:
        assert db.execute("MATCH (n:N) RETURN sum(n.i)")[0] == (5050,)


def test_a_transaction_keeps_a_closed_database_open(tmp_path) -> None:
    db = relgraph.Database(tmp_path / "db")
    tx = db.transaction()
    db.close()
    tx.execute("CREATE (:Late)")
    tx.commit()
    del tx
    with relgraph.Database(tmp_path / "db") as again:
        assert again.execute("MATCH (n:Late) RETURN count(n)")[0] == (1,)


def test_transaction_limits(db: relgraph.Database) -> None:
    with db.transaction() as tx:
        with pytest.raises(relgraph.LimitError):
            tx.execute("UNWIND range(1, 100) AS x RETURN x", max_rows=5)
        tx.execute("CREATE (:A)")
    assert count(db) == 1
