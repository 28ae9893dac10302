"""Every value type, both ways: as a parameter (`RETURN $v`) and as a
result of Cypher's own constructors."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo

import pytest

import relgraph


def back(db: relgraph.Database, value: object) -> object:
    """`value` sent as a parameter and returned."""
    ((out,),) = db.execute("RETURN $v AS v", {"v": value}).fetchall()
    return out


def one(db: relgraph.Database, query: str, parameters: dict | None = None) -> object:
    ((out,),) = db.execute(query, parameters).fetchall()
    return out


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -(2**63),
        2**63 - 1,
        1.5,
        -0.0,
        float("inf"),
        "",
        "Grüße, 世界 🌍",
        [],
        [1, "two", None, [3.0]],
        {},
        {"a": 1, "b": [True, {"c": "d"}]},
        dt.date(2024, 6, 30),
        dt.date(1, 1, 1),
        dt.date(9999, 12, 31),
        dt.date(1969, 12, 31),
        dt.time(12, 34, 56, 789012),
        dt.time(23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5, minutes=-30))),
        dt.datetime(2024, 6, 30, 8, 15, 1, 250000),
        dt.datetime(1900, 1, 1),
        dt.datetime(2024, 6, 30, 8, 15, tzinfo=dt.timezone.utc),
        dt.datetime(2024, 6, 30, 8, 15, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        dt.timedelta(0),
        dt.timedelta(days=3, seconds=4, microseconds=5),
        dt.timedelta(days=-1, seconds=86399),
        relgraph.Duration(months=14, days=-3, seconds=7, nanoseconds=8),
    ],
    ids=repr,
)
def test_a_parameter_comes_back_equal_and_of_its_type(db: relgraph.Database, value: object) -> None:
    out = back(db, value)
    assert out == value
    assert type(out) is type(value)
    if isinstance(value, (dt.time, dt.datetime)):
        assert out.utcoffset() == value.utcoffset()


def test_nan_comes_back_nan(db: relgraph.Database) -> None:
    assert math.isnan(back(db, float("nan")))


def test_a_tuple_is_a_list(db: relgraph.Database) -> None:
    assert back(db, (1, (2, 3))) == [1, [2, 3]]


def test_parameters_are_typed_in_cypher(db: relgraph.Database) -> None:
    row = db.execute(
        "RETURN $i + 1 AS i, $f * 2 AS f, $s + '!' AS s, size($l) AS n, $m.k AS k, "
        "$d + duration('P1D') AS d, $t.hour AS h, $b AND true AS b",
        {
            "i": 41,
            "f": 1.25,
            "s": "hi",
            "l": [1, 2, 3],
            "m": {"k": "v"},
            "d": dt.date(2024, 2, 28),
            "t": dt.datetime(2024, 1, 1, 17),
            "b": True,
        },
    )[0]
    assert row == (42, 2.5, "hi!", 3, "v", dt.date(2024, 2, 29), 17, True)


def test_a_named_zone_comes_back_as_zoneinfo(db: relgraph.Database) -> None:
    v = dt.datetime(2024, 6, 30, 8, 15, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))
    out = back(db, v)
    assert out == v
    assert out.tzinfo == zoneinfo.ZoneInfo("Europe/Stockholm")
    assert out.utcoffset() == dt.timedelta(hours=2)
    out = one(db, "RETURN datetime('2024-01-15T10:00[Europe/Stockholm]') AS t")
    assert out.tzinfo == zoneinfo.ZoneInfo("Europe/Stockholm")
    assert (out.hour, out.utcoffset()) == (10, dt.timedelta(hours=1))


def test_cypher_temporals_map_to_datetime_types(db: relgraph.Database) -> None:
    row = db.execute(
        "RETURN date('2024-06-30') AS d, localtime('08:15:30.5') AS lt, "
        "time('08:15+01:00') AS t, localdatetime('2024-06-30T08:15') AS ldt, "
        "datetime('2024-06-30T08:15:00.123456789-03:00') AS zdt, "
        "duration('PT1H30M') AS short, duration('P1Y2M3DT4S') AS long"
    )[0]
    assert row[0] == dt.date(2024, 6, 30)
    assert row[1] == dt.time(8, 15, 30, 500000)
    assert row[2] == dt.time(8, 15, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert row[3] == dt.datetime(2024, 6, 30, 8, 15)
    # Nanoseconds are truncated to Python's microseconds.
    assert row[4] == dt.datetime(
        2024, 6, 30, 8, 15, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=-3))
    )
    assert row[5] == dt.timedelta(hours=1, minutes=30)
    assert row[6] == relgraph.Duration(months=14, days=3, seconds=4)
    assert str(row[6]) == "P1Y2M3DT4S"
    assert row[6].months == 14 and row[6].days == 3 and row[6].seconds == 4


def test_a_date_python_cannot_hold_is_a_value_error(db: relgraph.Database) -> None:
    with pytest.raises(ValueError, match="outside the years"):
        db.execute("RETURN date('+10000-01-01') AS d").fetchall()
    with pytest.raises(ValueError, match="outside the years"):
        db.execute("RETURN localdatetime('-0001-01-01T00:00') AS d")[0]


def test_nodes_relationships_and_paths(db: relgraph.Database) -> None:
    res = db.execute(
        "CREATE p = (a:Person:Admin {name: 'Ada', born: 1815})-[k:KNOWS {since: date('1833-06-05')}]->"
        "(b:Person {name: 'Charles'}) RETURN a, k, b, p"
    )
    a, k, b, p = res[0]
    assert isinstance(a, relgraph.Node)
    assert sorted(a.labels) == ["Admin", "Person"]
    assert a.properties == {"name": "Ada", "born": 1815}
    assert a["name"] == "Ada" and a.get("missing") is None and a.get("x", 7) == 7
    assert "born" in a and "missing" not in a
    with pytest.raises(KeyError):
        a["missing"]
    assert isinstance(k, relgraph.Relationship)
    assert k.type == "KNOWS"
    assert (k.start, k.end) == (a.id, b.id)
    assert k["since"] == dt.date(1833, 6, 5)
    assert isinstance(p, relgraph.Path)
    assert len(p) == 1
    assert p.nodes == [a, b] and p.relationships == [k]
    assert p.start == a and p.end == b
    # Equality and hashing are by identity (id), as in Cypher.
    (again,) = db.execute("MATCH (n {name: 'Ada'}) RETURN n")[0]
    assert again == a and hash(again) == hash(a) and len({a, again, b}) == 2
    assert a != b and a != a.id
    assert "Ada" in repr(a) and "KNOWS" in repr(k) and "KNOWS" in repr(p)


def test_a_node_or_relationship_is_a_parameter(db: relgraph.Database) -> None:
    a, k = db.execute("CREATE (a:N {x: 1})-[k:R]->(:N {x: 2}) RETURN a, k")[0]
    assert one(db, "MATCH (n:N) WHERE n = $node RETURN n.x AS x", {"node": a}) == 1
    assert one(db, "RETURN $node AS n", {"node": a}) == a
    assert one(db, "MATCH ()-[r]->() WHERE r = $rel RETURN type(r) AS t", {"rel": k}) == "R"
    # A deleted node as a parameter matches nothing, and returned it is a
    # node with its id and nothing else (not a crash).
    db.execute("MATCH (n:N {x: 1}) DETACH DELETE n")
    assert db.execute("MATCH (n:N) WHERE n = $node RETURN n", {"node": a}).fetchall() == []
    gone = one(db, "RETURN $node AS n", {"node": a})
    assert gone == a and gone.labels == [] and gone.properties == {}


def test_a_path_is_not_a_parameter(db: relgraph.Database) -> None:
    (p,) = db.execute("CREATE p = (:A)-[:R]->(:B) RETURN p")[0]
    with pytest.raises(TypeError, match="path cannot be a parameter"):
        back(db, p)


@pytest.mark.parametrize(
    ("value", "error", "says"),
    [
        (2**63, OverflowError, "64-bit"),
        (b"bytes", TypeError, "cannot pass a bytes"),
        ({1, 2}, TypeError, "cannot pass a set"),
        (object(), TypeError, "cannot pass a object"),
        ({1: "a"}, TypeError, "map keys must be str"),
        ([1, [2, b"x"]], TypeError, "cannot pass a bytes"),
        (dt.time(1, tzinfo=dt.timezone(dt.timedelta(microseconds=1))), ValueError, "microseconds"),
    ],
    ids=repr,
)
def test_values_cypher_has_no_type_for_are_refused(
    db: relgraph.Database, value: object, error: type, says: str
) -> None:
    with pytest.raises(error, match=says) as e:
        back(db, value)
    assert "$v" in str(e.value)


def test_a_list_that_contains_itself_is_refused_not_a_crash(db: relgraph.Database) -> None:
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="levels deep"):
        back(db, loop)


def test_parameters_must_be_a_dict_with_str_names(db: relgraph.Database) -> None:
    with pytest.raises(TypeError, match="dict"):
        db.execute("RETURN 1", [1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="names must be str"):
        db.execute("RETURN 1", {1: 1})  # type: ignore[dict-item]


def test_result_rows_columns_and_stats(db: relgraph.Database) -> None:
    res = db.execute("UNWIND range(1, 3) AS x RETURN x, x * x AS sq")
    assert res.columns == ["x", "sq"]
    assert len(res) == 3
    assert list(res) == [(1, 1), (2, 4), (3, 9)]
    assert list(res) == res.fetchall()  # a result can be read again
    assert res[-1] == (3, 9)
    with pytest.raises(IndexError):
        res[3]
    assert res.to_dicts() == [{"x": 1, "sq": 1}, {"x": 2, "sq": 4}, {"x": 3, "sq": 9}]
    created = db.execute("CREATE (:A {k: 1}), (:B)")
    assert created.columns == [] and created.fetchall() == []
    assert created.stats["nodes_created"] == 2
    assert created.stats["properties_set"] == 1
    assert db.execute("EXPLAIN MATCH (n) RETURN n").plan
    assert res.plan is None


def test_numpy_scalars_are_parameters(db: relgraph.Database) -> None:
    np = pytest.importorskip("numpy")
    assert back(db, np.int64(7)) == 7 and type(back(db, np.int64(7))) is int
    assert back(db, np.float64(0.5)) == 0.5
    assert back(db, [np.int32(1), np.uint8(2)]) == [1, 2]
    with pytest.raises(OverflowError):
        back(db, np.uint64(2**64 - 1))
