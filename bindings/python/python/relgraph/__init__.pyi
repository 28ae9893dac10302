"""relgraph: an embeddable property-graph database with a Cypher subset."""

import datetime
import os
import pathlib
from types import TracebackType
from typing import Any, final, Dict, Iterator, List, Mapping, Optional, Tuple, Type, Union

import networkx  # type: ignore[import-untyped]
import pandas  # type: ignore[import-untyped]
import pyarrow  # type: ignore[import-untyped]

__version__: str
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

#: A value that can be passed as a query parameter.
_Parameter = Union[
    None,
    bool,
    int,
    float,
    str,
    List["_Parameter"],
    Tuple["_Parameter", ...],
    Dict[str, "_Parameter"],
    datetime.date,
    datetime.time,
    datetime.datetime,
    datetime.timedelta,
    "Duration",
    "Node",
    "Relationship",
]

#: A value in a result row: None, bool, int, float, str, list, dict,
#: datetime.date/time/datetime/timedelta, Duration, Node, Relationship or
#: Path. Typed Any, as sqlite3 types its rows, so that code reading a
#: column it knows the type of needs no casts.
_Value = Any

#: Seconds, or a timedelta.
_Seconds = Union[int, float, datetime.timedelta]

class Error(Exception):
    """Base class of every error relgraph raises."""

    kind: str
    """The openCypher error type: SyntaxError, SemanticError, TypeError, ArgumentError, ..."""
    detail: Optional[str]
    """The openCypher detail code (e.g. UndefinedVariable), when one applies."""

class QueryError(Error):
    """The statement itself is wrong: syntax, meaning, types, arguments, or a
    constraint its writes would break."""

    line: Optional[int]
    """1-based line the error points at, or None."""
    column: Optional[int]
    """1-based column (in characters) the error points at, or None."""
    caret: Optional[str]
    """The query line and carets under the place, or None."""

class LimitError(Error):
    """The statement hit a limit (timeout, max_rows, memory, ...)."""

class LockedError(Error):
    """The database is held by another open Database, or another write
    transaction kept the write lock longer than write_lock_timeout."""

class CancelledError(Error):
    """The statement was cancelled."""

class DatabaseError(Error):
    """The database itself failed (I/O, damaged files), or relgraph had an
    internal error."""

class ClosedError(Error):
    """The Database or Transaction was already closed or ended."""

@final
class Duration:
    """A duration with months, which datetime.timedelta cannot hold."""

    def __new__(cls, months: int = 0, days: int = 0, seconds: int = 0, nanoseconds: int = 0) -> "Duration": ...
    @property
    def months(self) -> int: ...
    @property
    def days(self) -> int: ...
    @property
    def seconds(self) -> int: ...
    @property
    def nanoseconds(self) -> int:
        """0 <= nanoseconds < 10**9."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Node:
    """A node of a result. Equal to another when it is the same node (id)."""

    @property
    def id(self) -> int: ...
    @property
    def labels(self) -> List[str]: ...
    @property
    def properties(self) -> Dict[str, _Value]:
        """A new dict of the node's properties."""
    def __getitem__(self, key: str, /) -> _Value: ...
    def get(self, key: str, default: Any = None) -> Any: ...
    def __contains__(self, key: str, /) -> bool: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Relationship:
    """A relationship of a result. Equal to another when it is the same
    relationship (id)."""

    @property
    def id(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def start(self) -> int:
        """The id of the node it starts at."""
    @property
    def end(self) -> int:
        """The id of the node it ends at."""
    @property
    def properties(self) -> Dict[str, _Value]:
        """A new dict of the relationship's properties."""
    def __getitem__(self, key: str, /) -> _Value: ...
    def get(self, key: str, default: Any = None) -> Any: ...
    def __contains__(self, key: str, /) -> bool: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Path:
    """A path: nodes in order and the relationships between them."""

    @property
    def nodes(self) -> List[Node]: ...
    @property
    def relationships(self) -> List[Relationship]: ...
    @property
    def start(self) -> Optional[Node]: ...
    @property
    def end(self) -> Optional[Node]: ...
    def __len__(self) -> int:
        """The number of relationships."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Result:
    """The result of one statement: iterate it for rows as tuples."""

    @property
    def columns(self) -> List[str]: ...
    @property
    def stats(self) -> Dict[str, int]:
        """What a writing statement changed (nodes_created, properties_set, ...)."""
    @property
    def plan(self) -> Optional[str]:
        """The plan of an EXPLAIN or PROFILE statement."""
    def __len__(self) -> int: ...
    def __getitem__(self, index: int, /) -> Tuple[_Value, ...]: ...
    def __iter__(self) -> Iterator[Tuple[_Value, ...]]: ...
    def fetchall(self) -> List[Tuple[_Value, ...]]: ...
    def to_dicts(self) -> List[Dict[str, _Value]]: ...
    def to_pandas(self) -> pandas.DataFrame:
        """A DataFrame with the result's columns (needs pandas)."""
    def to_arrow(self) -> pyarrow.Table:
        """A pyarrow Table; nodes, relationships and paths become structs
        (needs pyarrow)."""
    def to_networkx(self) -> networkx.MultiDiGraph:
        """The nodes, relationships and paths in the rows as a graph (needs
        networkx); ValueError when there are none."""

@final
class Transaction:
    """A write transaction; as a context manager it commits when the block
    ends normally and rolls back when it raises."""

    def execute(
        self,
        query: str,
        parameters: Optional[Mapping[str, _Parameter]] = None,
        timeout: Optional[_Seconds] = None,
        max_rows: Optional[int] = None,
        memory: Optional[int] = None,
    ) -> Result: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> "Transaction": ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> bool: ...

@final
class Database:
    """An open relgraph database: a directory on disk, or in memory."""

    def __new__(
        cls,
        path: Union[str, "os.PathLike[str]"],
        *,
        create: bool = True,
        write_lock_timeout: Optional[_Seconds] = None,
    ) -> "Database": ...
    @staticmethod
    def in_memory() -> "Database": ...
    def execute(
        self,
        query: str,
        parameters: Optional[Mapping[str, _Parameter]] = None,
        timeout: Optional[_Seconds] = None,
        max_rows: Optional[int] = None,
        memory: Optional[int] = None,
        role: Optional[str] = None,
    ) -> Result:
        """Runs one statement in its own transaction. `timeout` (seconds),
        `max_rows` and `memory` (bytes) limit it (LimitError); Ctrl-C
        cancels it (KeyboardInterrupt). `role` runs it as that role
        (docs/access.md); None is the administrator."""
    def transaction(self, role: Optional[str] = None) -> Transaction: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def path(self) -> Optional[pathlib.Path]:
        """The directory, or None for an in-memory database."""
    def __enter__(self) -> "Database": ...
    def __exit__(self, *exc: object) -> bool: ...
