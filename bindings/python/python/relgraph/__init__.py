"""relgraph: an embeddable property-graph database with a Cypher subset.

>>> import relgraph
>>> with relgraph.Database.in_memory() as db:
...     _ = db.execute("CREATE (:Person {name: 'Ada'})-[:KNOWS]->(:Person {name: 'Alan'})")
...     db.execute("MATCH (a)-[:KNOWS]->(b) RETURN a.name, b.name").fetchall()
[('Ada', 'Alan')]

See docs/python.md in the repository for a walk-through.
"""

from relgraph._relgraph import (
    CancelledError,
    ClosedError,
    Database,
    DatabaseError,
    Duration,
    Error,
    LimitError,
    LockedError,
    Node,
    Path,
    QueryError,
    Relationship,
    Result,
    Transaction,
    __version__,
)

__all__ = [
    "CancelledError",
    "ClosedError",
    "Database",
    "DatabaseError",
    "Duration",
    "Error",
    "LimitError",
    "LockedError",
    "Node",
    "Path",
    "QueryError",
    "Relationship",
    "Result",
    "Transaction",
    "__version__",
]
