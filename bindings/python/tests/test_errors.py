"""relgraph's errors as exception classes: where a query error points,
limits, locks, closed handles."""

from __future__ import annotations

import pytest

import relgraph

ALL = [
    relgraph.QueryError,
    relgraph.LimitError,
    relgraph.LockedError,
    relgraph.CancelledError,
    relgraph.DatabaseError,
    relgraph.ClosedError,
]


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_every_error_is_a_relgraph_error(cls: type) -> None:
    assert issubclass(cls, relgraph.Error)
    assert issubclass(cls, Exception)
    assert cls.__module__ == "relgraph"
    assert cls.__doc__


@pytest.mark.parametrize(
    ("query", "line", "column", "caret", "kind"),
    [
        # Syntax: a missing parenthesis.
        ("MATCH (n:Person\nRETURN n", 2, 1, "  RETURN n\n  ^^^^^^", "SyntaxError"),
        # Semantics: an unknown variable on the third line.
        ("MATCH (n)\nWITH n\nRETURN m.name", 3, 8, "  RETURN m.name\n         ^", "SyntaxError"),
        # Run time: division by zero, underlined.
        ("WITH 0 AS z\nRETURN 1 + 10 / z AS x", 2, 12, "  RETURN 1 + 10 / z AS x\n             ^^^^^^", "ArgumentError"),
        # Columns count characters, not bytes.
        ("RETURN 'ü' + x", 1, 14, "  RETURN 'ü' + x\n               ^", "SyntaxError"),
    ],
)
def test_a_query_error_says_line_column_and_shows_a_caret(
    db: relgraph.Database, query: str, line: int, column: int, caret: str, kind: str
) -> None:
    with pytest.raises(relgraph.QueryError) as e:
        db.execute(query).fetchall()
    err = e.value
    assert (err.line, err.column) == (line, column), str(err)
    assert err.caret == caret, str(err)
    assert err.kind == kind
    assert f"at line {line}, column {column}" in str(err)
    assert str(err).endswith(caret)


def test_a_query_error_without_a_place_has_no_line(db: relgraph.Database) -> None:
    db.execute("CREATE CONSTRAINT c FOR (p:P) REQUIRE p.k IS UNIQUE")
    db.execute("CREATE (:P {k: 1})")
    with pytest.raises(relgraph.QueryError) as e:
        db.execute("CREATE (:P {k: 1})")
    assert e.value.kind == "ConstraintValidationFailed"
    assert (e.value.line, e.value.column, e.value.caret) == (None, None, None)


def test_a_detail_code_comes_with_the_kind(db: relgraph.Database) -> None:
    with pytest.raises(relgraph.QueryError) as e:
        db.execute("RETURN $missing")
    assert e.value.kind == "ParameterMissing"
    with pytest.raises(relgraph.QueryError) as e:
        db.execute("MATCH (n) RETURN m")
    assert e.value.detail == "UndefinedVariable"


def test_limits_raise_limit_error_and_the_database_stays_usable(db: relgraph.Database) -> None:
    db.execute("UNWIND range(1, 2000) AS i CREATE (:P {i: i})")
    cross = "MATCH (a:P), (b:P), (c:P) RETURN count(*) AS n"
    with pytest.raises(relgraph.LimitError, match="timed out"):
        db.execute(cross, timeout=0.05)
    with pytest.raises(relgraph.LimitError, match="timed out"):
        import datetime

        db.execute(cross, timeout=datetime.timedelta(milliseconds=50))
    with pytest.raises(relgraph.LimitError, match="maximum of 10 rows"):
        db.execute("MATCH (p:P) RETURN p.i", max_rows=10)
    assert len(db.execute("MATCH (p:P) RETURN p.i LIMIT 10", max_rows=10)) == 10
    with pytest.raises(relgraph.LimitError, match="memory budget"):
        db.execute("MATCH (a:P), (b:P) RETURN a.i, b.i", memory=1 << 20)
    assert db.execute("MATCH (p:P) RETURN count(p) AS n")[0] == (2000,)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_a_bad_timeout_is_a_value_error(db: relgraph.Database, bad: float) -> None:
    with pytest.raises(ValueError, match="timeout"):
        db.execute("RETURN 1", timeout=bad)


def test_a_timeout_of_the_wrong_type_is_a_type_error(db: relgraph.Database) -> None:
    with pytest.raises(TypeError, match="timeout"):
        db.execute("RETURN 1", timeout="1s")  # type: ignore[arg-type]


def test_a_database_open_twice_is_locked(tmp_path) -> None:
    path = tmp_path / "db"
    with relgraph.Database(path):
        with pytest.raises(relgraph.LockedError, match="locked"):
            relgraph.Database(path)
    # Closed, it opens again.
    with relgraph.Database(str(path)) as again:
        assert again.path == path


def test_a_busy_writer_is_locked_error(tmp_path) -> None:
    db = relgraph.Database(tmp_path / "db", write_lock_timeout=0.05)
    with db.transaction():
        with pytest.raises(relgraph.LockedError, match="write lock"):
            db.execute("CREATE ()")
        with pytest.raises(relgraph.LockedError):
            db.transaction()
    db.execute("CREATE ()")
    db.close()


def test_create_false_refuses_a_missing_database(tmp_path) -> None:
    with pytest.raises(relgraph.DatabaseError):
        relgraph.Database(tmp_path / "nothing", create=False)


def test_a_closed_database_raises_closed_error(tmp_path) -> None:
    db = relgraph.Database(tmp_path / "db")
    assert not db.closed
    db.close()
    assert db.closed
    db.close()  # twice is fine
    with pytest.raises(relgraph.ClosedError):
        db.execute("RETURN 1")
    with pytest.raises(relgraph.ClosedError):
        db.transaction()
    assert "closed" in repr(db)


def test_the_context_manager_closes(tmp_path) -> None:
    with relgraph.Database(tmp_path / "db") as db:
        db.execute("CREATE (:X)")
    assert db.closed
    with relgraph.Database(tmp_path / "db") as db:
        assert db.execute("MATCH (x:X) RETURN count(x)")[0] == (1,)


def test_an_error_inside_the_with_block_still_closes(tmp_path) -> None:
    with pytest.raises(relgraph.QueryError):
        with relgraph.Database(tmp_path / "db") as db:
            db.execute("RETURN")
    assert db.closed


def test_a_panic_in_the_engine_is_a_database_error_not_a_crash(db: relgraph.Database) -> None:
    from relgraph import _relgraph

    with pytest.raises(relgraph.DatabaseError, match="internal error.*deliberate panic"):
        _relgraph._panic_on_worker()
    assert db.execute("RETURN 1")[0] == (1,)
