"""Issue 16's bar for the Python package, as one scenario: open a database
made by `relgraph import`, answer the cookbook's first question with a
parameter, convert the answer to pandas, run two queries from two threads
at once, and see a malformed query raise QueryError with line and column."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

import relgraph

from conftest import REPO, run_together

# Cookbook question 1 with its topic as a parameter.
QUESTION_1 = """
MATCH (me:Person {me: true})-[:KNOWS]-(p:Person)-[:READ]->(:Content {kind: 'white paper'})-[:ABOUT]->(:Topic {name: $topic}),
      (p)-[w:WORKS_AT]->(c:Company)
WHERE w.until IS NULL
RETURN c.name AS company, count(DISTINCT p) AS connections
ORDER BY connections DESC, company
"""


def cookbook_answer(n: int) -> list:
    """The first rows of answer `n` as docs/cookbook.md shows them (which
    tests/cookbook.rs keeps equal to the engine's answer)."""
    text = (REPO / "docs" / "cookbook.md").read_text()
    block = text.split(f"<!-- answer {n} -->")[1].split(f"<!-- end answer {n} -->")[0]
    rows = [line.strip("|").split("|") for line in block.strip().splitlines() if line.startswith("|")]
    return [tuple(c.strip() for c in r) for r in rows[2:]]


def test_the_bar(crm_path: Path) -> None:
    with relgraph.Database(crm_path) as db:
        answer = db.execute(QUESTION_1, {"topic": "CRM"})
        assert answer.columns == ["company", "connections"]
        expected = cookbook_answer(1)
        assert len(expected) == 10
        assert [(c, str(n)) for c, n in answer.fetchall()[:10]] == expected
        assert len(answer) == 13

        df = answer.to_pandas()
        assert isinstance(df, pd.DataFrame)
        assert df.shape == (13, 2)
        assert df.iloc[0].tolist() == ["Northwind Systems", 3]
        assert df["connections"].sum() == sum(n for _, n in answer)

        # Two queries from two threads at once.
        answers = run_together(
            db,
            {
                "q1": (QUESTION_1, {"topic": "CRM"}),
                "people": ("MATCH (p:Person) WHERE p.city = $city RETURN count(p) AS n", {"city": "Stockholm"}),
            },
        )
        assert answers["q1"] == answer.fetchall()
        assert answers["people"][0][0] > 0

        # A malformed query.
        try:
            db.execute("MATCH (p:Person)\nWHERE p.name = 'Ada'\nRETURN p.name AS name,")
        except relgraph.QueryError as e:
            assert (e.line, e.column) == (3, 23), str(e)
            assert e.caret is not None and e.caret.endswith("^")
            assert re.search(r"at line 3, column 23", str(e))
        else:
            raise AssertionError("a malformed query raised nothing")
