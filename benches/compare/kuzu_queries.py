#!/usr/bin/env python3
"""Runs the comparison queries on Kuzu, warm, and compares with relgraph.

For every `NAME.cypher` in the queries folder (using `NAME.kuzu.cypher`
instead where Kuzu needs another text), runs one warm-up and then RUNS timed
runs on one open Kuzu connection, and records min/median/max milliseconds
and the row count, in the JSON shape `relgraph bench --format json` prints:
{"NAME": {"min_ms": .., "median_ms": .., "max_ms": .., "rows": ..}}.

With --relgraph FILE (the output of `relgraph bench --db DIR QUERIES --runs N
--format json`), prints a table of medians, the ratio relgraph/Kuzu per query,
the geometric mean of the ratios, and whether the row counts agree; the
exit status is 1 when row counts differ.

usage: kuzu_queries.py --db KUZU_DB [--queries DIR] [--runs N] [--out FILE] [--relgraph FILE]
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def query_files(folder):
    """[(name, relgraph_text_path, kuzu_text_path)] sorted by name."""
    out = []
    for f in sorted(os.listdir(folder)):
        if not f.endswith(".cypher") or f.endswith(".kuzu.cypher"):
            continue
        name = f[: -len(".cypher")]
        kuzu = os.path.join(folder, name + ".kuzu.cypher")
        out.append((name, os.path.join(folder, f), kuzu if os.path.exists(kuzu) else os.path.join(folder, f)))
    return out


def read_query(path):
    """The query text without `//` comment lines."""
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f if not l.lstrip().startswith("//")]
    return "".join(lines).strip().rstrip(";")


def run_kuzu(conn, text):
    """Runs a query, returns all rows as lists."""
    result = conn.execute(text)
    rows = []
    while result.has_next():
        rows.append(result.get_next())
    return rows


def open_kuzu(db_path):
    import kuzu

    db = kuzu.Database(db_path, read_only=True)
    return db, kuzu.Connection(db)


def bench(conn, queries, runs):
    out = {}
    for name, _, kuzu_path in queries:
        text = read_query(kuzu_path)
        try:
            rows = run_kuzu(conn, text)  # warm-up
        except Exception as e:  # Kuzu cannot answer it: recorded, not timed
            out[name] = {"error": str(e)}
            print(f"kuzu {name}: FAILED: {e}", file=sys.stderr)
            continue
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            rows = run_kuzu(conn, text)
            times.append((time.perf_counter() - start) * 1000.0)
        out[name] = {
            "min_ms": min(times),
            "median_ms": statistics.median(times),
            "max_ms": max(times),
            "rows": len(rows),
        }
        print(f"kuzu {name}: {out[name]['median_ms']:.3f} ms, {len(rows)} rows", file=sys.stderr)
    return out


def compare(kuzu, relgraph):
    """Prints the comparison table; returns True when all row counts agree."""
    print(f"{'query':<28} {'relgraph ms':>12} {'kuzu ms':>10} {'ratio':>7} {'rows rg/kz':>12}  agree")
    ratios, all_agree = [], True
    for name in sorted(kuzu):
        k = kuzu[name]
        r = relgraph.get(name)
        if "error" in k:
            rg = "missing" if r is None else f"{r['median_ms']:.3f}"
            print(f"{name:<28} {rg:>12} {'failed':>10}  (Kuzu: {k['error'][:80]})")
            continue
        if r is None:
            print(f"{name:<28} {'missing':>12} {k['median_ms']:>10.3f}")
            all_agree = False
            continue
        ratio = r["median_ms"] / k["median_ms"] if k["median_ms"] > 0 else float("inf")
        ratios.append(ratio)
        agree = r["rows"] == k["rows"]
        all_agree &= agree
        print(
            f"{name:<28} {r['median_ms']:>12.3f} {k['median_ms']:>10.3f} {ratio:>7.3f} "
            f"{str(r['rows']) + '/' + str(k['rows']):>12}  {'yes' if agree else 'NO'}"
        )
    if ratios:
        geo = math.exp(sum(math.log(max(x, 1e-12)) for x in ratios) / len(ratios))
        faster = sum(1 for x in ratios if x < 1.0)
        print(f"geometric mean of ratios (relgraph/kuzu): {geo:.3f}; relgraph faster on {faster}/{len(ratios)}")
        print("bar (every query faster, geomean <= 0.2):", "PASS" if faster == len(ratios) and geo <= 0.2 else "FAIL")
    return all_agree


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="Kuzu database (made by kuzu_import.py)")
    ap.add_argument("--queries", default=os.path.join(HERE, "queries"))
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--out", help="write Kuzu's timings here as JSON")
    ap.add_argument("--relgraph", help="relgraph bench JSON to compare with")
    args = ap.parse_args()
    queries = query_files(args.queries)
    _db, conn = open_kuzu(args.db)
    kuzu = bench(conn, queries, args.runs)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(kuzu, f, indent=1)
    if args.relgraph:
        with open(args.relgraph) as f:
            relgraph = json.load(f)
        if not compare(kuzu, relgraph):
            sys.exit(1)
    elif not args.out:
        json.dump(kuzu, sys.stdout, indent=1)
        print()


if __name__ == "__main__":
    main()
