"""Results as pandas DataFrames, pyarrow Tables and networkx graphs."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pandas as pd
import pyarrow as pa
import pytest

import relgraph


@pytest.fixture
def triangle(db: relgraph.Database) -> relgraph.Database:
    db.execute(
        "CREATE (a:Person {name: 'Ada', born: date('1815-12-10')}), (b:Person {name: 'Bob'}), "
        "(c:Company {name: 'Cern', labels: 'shadowed'}), "
        "(a)-[:KNOWS {since: 2001}]->(b), (b)-[:WORKS_AT {title: 'CTO'}]->(c), "
        "(a)-[:WORKS_AT {title: 'CEO'}]->(c)"
    )
    return db


def test_to_pandas_has_the_columns_and_values(triangle: relgraph.Database) -> None:
    df = triangle.execute(
        "MATCH (p:Person) RETURN p.name AS name, p.born AS born, size(p.name) AS n ORDER BY name"
    ).to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["name", "born", "n"]
    assert df["name"].tolist() == ["Ada", "Bob"]
    assert df["n"].tolist() == [3, 3]
    assert df["n"].dtype.kind == "i"
    assert df["born"][0] == dt.date(1815, 12, 10)
    assert df["born"][1] is None
    # Entities stay relgraph objects.
    df = triangle.execute("MATCH (p:Person {name: 'Ada'}) RETURN p").to_pandas()
    assert isinstance(df["p"][0], relgraph.Node)


def test_to_pandas_of_no_rows_keeps_the_columns(db: relgraph.Database) -> None:
    df = db.execute("MATCH (n:Nothing) RETURN n.a AS a, n.b AS b").to_pandas()
    assert list(df.columns) == ["a", "b"] and len(df) == 0


def test_to_arrow_types_the_columns(triangle: relgraph.Database) -> None:
    table = triangle.execute(
        "MATCH (p:Person)-[k:KNOWS]->(q) RETURN p.name AS name, p.born AS born, "
        "k.since AS since, duration('P1M') AS d, duration('PT1S') AS s, q AS q, k AS k"
    ).to_arrow()
    assert isinstance(table, pa.Table)
    assert table.column_names == ["name", "born", "since", "d", "s", "q", "k"]
    assert table.schema.field("name").type == pa.string()
    assert table.schema.field("born").type == pa.date32()
    assert table.schema.field("since").type == pa.int64()
    assert table.schema.field("d").type == pa.month_day_nano_interval()
    assert table.schema.field("s").type == pa.duration("us")
    assert pa.types.is_struct(table.schema.field("q").type)
    row = table.to_pylist()[0]
    assert row["q"]["labels"] == ["Person"] and row["q"]["properties"] == {"name": "Bob"}
    assert row["k"]["type"] == "KNOWS" and row["k"]["properties"] == {"since": 2001}


def test_to_networkx_from_paths(triangle: relgraph.Database) -> None:
    g = triangle.execute("MATCH p = (:Person {name: 'Ada'})-[*1..2]->(:Company) RETURN p").to_networkx()
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == 3
    assert g.number_of_edges() == 3
    names = nx.get_node_attributes(g, "name")
    assert sorted(names.values()) == ["Ada", "Bob", "Cern"]
    ada = next(n for n, name in names.items() if name == "Ada")
    assert g.nodes[ada]["labels"] == ["Person"]
    assert g.nodes[ada]["born"] == dt.date(1815, 12, 10)
    types = sorted(t for _, _, t in g.edges(data="type"))
    assert types == ["KNOWS", "WORKS_AT", "WORKS_AT"]
    assert sorted(t for _, _, t in g.edges(data="title") if t) == ["CEO", "CTO"]
    # `labels` wins over a property of that name.
    cern = next(n for n, name in names.items() if name == "Cern")
    assert g.nodes[cern]["labels"] == ["Company"]


def test_to_networkx_from_nodes_relationships_and_lists(triangle: relgraph.Database) -> None:
    g = triangle.execute(
        "MATCH (a)-[r:WORKS_AT]->(c) RETURN collect(r) AS rels, collect(DISTINCT c) AS companies"
    ).to_networkx()
    # Two relationships to one company; their start nodes come without
    # attributes since the result does not hold them.
    assert g.number_of_edges() == 2 and g.number_of_nodes() == 3
    company = [n for n, labels in g.nodes(data="labels") if labels == ["Company"]]
    assert len(company) == 1
    # Parallel relationships stay apart (a multigraph keyed by id).
    triangle.execute("MATCH (a {name: 'Ada'}), (b {name: 'Bob'}) CREATE (a)-[:KNOWS {since: 2020}]->(b)")
    g = triangle.execute("MATCH (a)-[r:KNOWS]->(b) RETURN a, r, b").to_networkx()
    assert g.number_of_edges() == 2 and g.number_of_nodes() == 2


def test_to_networkx_without_entities_is_a_value_error(triangle: relgraph.Database) -> None:
    with pytest.raises(ValueError, match="no nodes, relationships or paths"):
        triangle.execute("MATCH (p:Person) RETURN p.name").to_networkx()


def test_a_missing_library_names_what_to_install(db: relgraph.Database, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    # None in sys.modules makes `import pandas` raise ImportError.
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        db.execute("RETURN 1 AS x").to_pandas()
