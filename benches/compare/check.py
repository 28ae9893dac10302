#!/usr/bin/env python3
"""Correctness check: runs every comparison query on Kuzu and on relgraph
(`relgraph query --db DIR --format json -f FILE`) and compares the full
result rows, sorted (so ORDER BY ties cannot cause false alarms; the row
order of ORDER BY queries is compared too, on the ordering columns' values).

Values are normalized before comparing: Kuzu's Decimal (from sum) becomes
an int when integral, floats are compared to 9 significant digits.

usage: check.py --db RELGRAPH_DB --kuzu-db KUZU_DB [--bin RELGRAPH] [--queries DIR]
Exit status 1 when any query differs or fails.
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


def relgraph_rows(binary, db, path):
    p = subprocess.run(
        [binary, "query", "--db", db, "--format", "json", "-f", path],
        capture_output=True,
        text=True,
    )
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip() or f"exit status {p.returncode}")
    return json.loads(p.stdout)["rows"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="relgraph database")
    ap.add_argument("--kuzu-db", required=True, help="Kuzu database")
    ap.add_argument("--bin", default="relgraph", help="relgraph binary")
    ap.add_argument("--queries", default=os.path.join(kuzu_queries.HERE, "queries"))
    args = ap.parse_args()
    _db, conn = kuzu_queries.open_kuzu(args.kuzu_db)
    failures = 0
    for name, rg_path, kz_path in kuzu_queries.query_files(args.queries):
        kz = [norm(list(r)) for r in kuzu_queries.run_kuzu(conn, kuzu_queries.read_query(kz_path))]
        try:
            rg = [norm(r) for r in relgraph_rows(args.bin, args.db, rg_path)]
        except Exception as e:  # report and go on with the other queries
            print(f"{name}: relgraph FAILED: {e}")
            failures += 1
            continue
        ordered = "ORDER BY" in kuzu_queries.read_query(rg_path).upper()
        same = sorted(map(key, rg)) == sorted(map(key, kz))
        if same and ordered and rg != kz:
            same = False
        if same:
            print(f"{name}: same {len(rg)} rows")
        else:
            failures += 1
            print(f"{name}: DIFFERENT (relgraph {len(rg)} rows, kuzu {len(kz)} rows)")
            print(f"  relgraph: {rg[:5]}")
            print(f"  kuzu:     {kz[:5]}")
    if failures:
        print(f"{failures} queries differ or failed")
        sys.exit(1)
    print("all queries agree")


if __name__ == "__main__":
    main()
