"""Conversions of a result to pandas, pyarrow and networkx.

`Result.to_pandas()`, `.to_arrow()` and `.to_networkx()` call these. The
libraries are optional: each is imported when its conversion is first
used, and a missing one raises ImportError naming the package to install.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Dict, Iterator, List

from relgraph import Duration, Node, Path, Relationship

if TYPE_CHECKING:  # pragma: no cover
    from relgraph import Result


def _require(module: str, extra: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"this conversion needs {module}: pip install {module} "
            f"(or relgraph[{extra}])"
        ) from e


def to_pandas(result: Result) -> Any:
    """The rows as a DataFrame with the result's columns; values keep their
    Python types (nodes stay `relgraph.Node`, dates `datetime.date`)."""
    pd = _require("pandas", "pandas")
    return pd.DataFrame.from_records(result.fetchall(), columns=result.columns)


def _arrow_value(value: Any) -> Any:
    """A value pyarrow can infer a type for: entities become dicts of
    their fields, relgraph.Duration becomes pyarrow's MonthDayNano."""
    if isinstance(value, Node):
        return {
            "id": value.id,
            "labels": value.labels,
            "properties": _arrow_value(value.properties),
        }
    if isinstance(value, Relationship):
        return {
            "id": value.id,
            "type": value.type,
            "start": value.start,
            "end": value.end,
            "properties": _arrow_value(value.properties),
        }
    if isinstance(value, Path):
        return {
            "nodes": [_arrow_value(n) for n in value.nodes],
            "relationships": [_arrow_value(r) for r in value.relationships],
        }
    if isinstance(value, Duration):
        pa = _require("pyarrow", "arrow")
        nanos = value.seconds * 1_000_000_000 + value.nanoseconds
        return pa.MonthDayNano([value.months, value.days, nanos])
    if isinstance(value, list):
        return [_arrow_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _arrow_value(v) for k, v in value.items()}
    return value


def to_arrow(result: Result) -> Any:
    """The rows as a pyarrow Table, one column per result column, each
    typed by pyarrow's inference (a column whose values have no common
    type raises pyarrow's error)."""
    pa = _require("pyarrow", "arrow")
    rows = result.fetchall()
    arrays = [
        pa.array([_arrow_value(row[i]) for row in rows])
        for i in range(len(result.columns))
    ]
    return pa.Table.from_arrays(arrays, names=result.columns)


def _entities(value: Any) -> Iterator[Any]:
    """Every node, relationship and path in a value, lists and maps
    included."""
    if isinstance(value, (Node, Relationship, Path)):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _entities(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _entities(v)


def to_networkx(result: Result) -> Any:
    """A MultiDiGraph of every node, relationship and path in the rows.

    Nodes are keyed by id, with their properties as attributes plus
    `labels`; edges go from start to end node, keyed by relationship id,
    with their properties plus `type`. (`labels` and `type` replace a
    property of the same name.) A relationship's end nodes are in the graph
    even when the result does not hold them, without attributes.
    """
    nx = _require("networkx", "networkx")
    graph = nx.MultiDiGraph()
    nodes: Dict[int, Node] = {}
    rels: Dict[int, Relationship] = {}
    for row in result:
        for value in row:
            for e in _entities(value):
                if isinstance(e, Node):
                    nodes[e.id] = e
                elif isinstance(e, Relationship):
                    rels[e.id] = e
                else:
                    for n in e.nodes:
                        nodes[n.id] = n
                    for r in e.relationships:
                        rels[r.id] = r
    if not nodes and not rels:
        raise ValueError(
            "the result holds no nodes, relationships or paths to make a graph of "
            f"(columns: {', '.join(result.columns)}); return the entities, e.g. RETURN n"
        )
    for n in nodes.values():
        attrs: Dict[str, Any] = {**n.properties, "labels": n.labels}
        # Not add_node(id, **attrs): a property could be named like one of
        # its parameters.
        graph.add_node(n.id)
        graph.nodes[n.id].update(attrs)
    for r in rels.values():
        attrs = {**r.properties, "type": r.type}
        graph.add_edge(r.start, r.end, key=r.id)
        graph.edges[r.start, r.end, r.id].update(attrs)
    return graph


__all__: List[str] = ["to_arrow", "to_networkx", "to_pandas"]
