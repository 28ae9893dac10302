#!/usr/bin/env python3
"""Correctness check: runs every comparison query on Kuzu and on relgraph
(all in one `relgraph shell --db DIR` with `:format json`) and compares the
full result rows, sorted; for queries with ORDER BY the row sequence must
match too, so their ORDER BY keys should order every row (ties between rows
that differ elsewhere would be false alarms). When only the order differs,
Kuzu runs the query three more times: its order of the same rows was seen
to change between runs (x50, ORDER BY id, company: id 150 before 102), and
the answers agree when one of those runs gives relgraph's order.

Values are normalized before comparing: Kuzu's Decimal (from sum) becomes
an int when integral, floats are compared to 9 significant digits.

usage: check.py --db RELGRAPH_DB --kuzu-db KUZU_DB [--bin RELGRAPH] [--queries DIR]...
                [--only SUBSTRING]
--queries may be given several times (default: the `queries` folder beside
this script). Exit status 1 when any query differs or fails on either engine.
"""

import argparse
import decimal
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuzu_queries  # noqa: E402


def norm(v):
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return float(f"{v:.9g}")
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {k: norm(x) for k, x in sorted(v.items())}
    return str(v)


def key(row):
    return json.dumps(row, sort_keys=True, default=str)


def relgraph_batch(binary, db, queries, memory_cap=8 << 30):
    """Runs the queries in one `relgraph shell` (the database opens once).

    Returns (answers, stderr): one answer per query, its rows, or None when
    it failed (the shell prints the error to stderr and goes on). A marker
    statement after each query delimits the answers. The shell's address
    space is capped so that a runaway query cannot exhaust the machine.
    """
    marker = "__check_marker__"
    script = [":format json"]
    for q in queries:
        script.append(q + ";")
        script.append(f"RETURN '{marker}' AS m;")

    def cap_memory():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))

    p = subprocess.run(
        [binary, "shell", "--db", db],
        input="\n".join(script) + "\n",
        capture_output=True,
        text=True,
        preexec_fn=cap_memory,
    )
    out, cur = [], None
    for line in p.stdout.splitlines():
        if not line.startswith("{"):
            continue
        doc = json.loads(line)
        if doc.get("rows") == [[marker]]:
            out.append(cur)
            cur = None
        else:
            cur = doc["rows"]
    stderr = p.stderr
    if p.returncode not in (0, 1):
        stderr = f"relgraph shell ended with status {p.returncode}\n{stderr}"
    out += [None] * (len(queries) - len(out))
    return out, stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="relgraph database")
    ap.add_argument("--kuzu-db", required=True, help="Kuzu database")
    ap.add_argument("--bin", default="relgraph", help="relgraph binary")
    ap.add_argument(
        "--queries",
        action="append",
        help="folder of NAME.cypher files; repeat for several (default: queries/)",
    )
    ap.add_argument("--only", help="run only the queries whose name contains this")
    args = ap.parse_args()
    folders = args.queries or [os.path.join(kuzu_queries.HERE, "queries")]
    _db, conn = kuzu_queries.open_kuzu(args.kuzu_db)
    failures = 0
    files = [q for folder in folders for q in kuzu_queries.query_files(folder)]
    files = [f for f in files if not args.only or args.only in f[0]]
    rg_answers, rg_stderr = relgraph_batch(args.bin, args.db, [kuzu_queries.read_query(f[1]) for f in files])
    for (name, rg_path, kz_path), rg_rows in zip(files, rg_answers):
        try:
            kz = [norm(list(r)) for r in kuzu_queries.run_kuzu(conn, kuzu_queries.read_query(kz_path))]
        except Exception as e:  # a Kuzu error is a broken comparison, not a crash of the check
            print(f"{name}: kuzu FAILED: {e}")
            failures += 1
            continue
        if rg_rows is None:
            print(f"{name}: relgraph FAILED (its error is in the stderr below)")
            failures += 1
            continue
        rg = [norm(r) for r in rg_rows]
        ordered = "ORDER BY" in kuzu_queries.read_query(rg_path).upper()
        same = sorted(map(key, rg)) == sorted(map(key, kz))
        varied = False
        if same and ordered and rg != kz:
            # Kuzu 0.11.3 was seen to order the same rows differently from
            # one run to the next (x50: id 150 before 102 in some runs):
            # run it again before calling the orders different.
            reruns = [
                [norm(list(r)) for r in kuzu_queries.run_kuzu(conn, kuzu_queries.read_query(kz_path))]
                for _ in range(3)
            ]
            varied = any(r != kz for r in reruns)
            same = varied and any(r == rg for r in reruns)
        if same:
            note = " (Kuzu's row order varied between its runs)" if varied else ""
            print(f"{name}: same {len(rg)} rows{note}")
        else:
            failures += 1
            print(f"{name}: DIFFERENT (relgraph {len(rg)} rows, kuzu {len(kz)} rows)")
            print(f"  relgraph: {rg[:5]}")
            print(f"  kuzu:     {kz[:5]}")
    if failures:
        if rg_stderr.strip():
            print("relgraph stderr:\n" + rg_stderr.strip())
        print(f"{failures} queries differ or failed")
        sys.exit(1)
    print("all queries agree")


if __name__ == "__main__":
    main()
