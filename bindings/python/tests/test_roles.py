"""Statements and transactions run as a role (`role=`): they see and write
only what its privileges allow; an unknown role is refused."""

from __future__ import annotations

import pytest

import relgraph


@pytest.fixture()
def db() -> relgraph.Database:
    db = relgraph.Database.in_memory()
    db.execute(
        "CREATE (:Person {name: 'Ada', email: 'ada@x', consent: true}), "
        "(:Person {name: 'Bob', email: 'bob@x', consent: false}), (:Company {name: 'Acme'})"
    )
    db.execute("CREATE ROLE marketing")
    db.execute("GRANT MATCH {name} ON GRAPH * NODES Person WHERE n.consent = true TO marketing")
    return db


def test_a_role_reads_only_what_it_may(db: relgraph.Database) -> None:
    names = db.execute("MATCH (p:Person) RETURN p.name, p.email ORDER BY p.name", role="marketing")
    assert names.fetchall() == [("Ada", None)]
    assert db.execute("MATCH (c:Company) RETURN count(c)", role="marketing")[0] == (0,)
    # The administrator (no role) sees everything.
    assert db.execute("MATCH (p:Person) RETURN count(p)")[0] == (2,)


def test_a_role_without_write_privileges_cannot_write(db: relgraph.Database) -> None:
    with pytest.raises(relgraph.QueryError) as e:
        db.execute("CREATE (:Person {name: 'Eve'})", role="marketing")
    assert e.value.kind == "SecurityError"
    with db.transaction(role="marketing") as tx:
        assert tx.execute("MATCH (p:Person) RETURN count(p)")[0] == (1,)
        with pytest.raises(relgraph.QueryError):
            tx.execute("MATCH (p:Person) SET p.name = 'x'")
        # A failed statement leaves the transaction usable.
        assert tx.execute("MATCH (p:Person) RETURN p.name")[0] == ("Ada",)
    assert db.execute("MATCH (p:Person {name: 'Eve'}) RETURN count(p)")[0] == (0,)
    assert db.execute("MATCH (p:Person) RETURN p.name ORDER BY p.name").fetchall() == [
        ("Ada",),
        ("Bob",),
    ]


def test_an_unknown_role_is_refused(db: relgraph.Database) -> None:
    with pytest.raises(relgraph.QueryError) as e:
        db.execute("RETURN 1", role="nobody")
    assert e.value.kind == "SecurityError"
    assert "nobody" in str(e.value)
