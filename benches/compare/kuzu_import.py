#!/usr/bin/env python3
"""Creates a Kuzu database from the LDBC SF0.1 neo4j-admin CSV files with
COPY FROM, and times it (schema + every COPY + closing the database, which
checkpoints it to disk).

usage: kuzu_import.py [--data DIR] [--db DIR] [--json]
Prints `kuzu_import_seconds=<s>` (or a JSON object with --json).
"""

import argparse
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ldbc_schema  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.normpath(os.path.join(HERE, "../../../shared/data/ldbc-sf0.1"))


def import_kuzu(data_dir, db_path):
    import kuzu

    for p in (db_path, db_path + ".wal", db_path + ".shadow"):
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.remove(p)
    nodes, rels = ldbc_schema.load(data_dir)
    start = time.perf_counter()
    db = kuzu.Database(db_path)
    conn = kuzu.Connection(db)
    for stmt in ldbc_schema.ddl(nodes, rels):
        conn.execute(stmt)
    for label, path, _, _ in nodes:
        conn.execute(f"COPY {label} FROM '{path}' (DELIM='|', HEADER=true)")
    for t, files in rels.items():
        for src, dst, path, _ in files:
            if len(files) > 1:
                conn.execute(f"COPY {t} FROM '{path}' (from='{src}', to='{dst}', DELIM='|', HEADER=true)")
            else:
                conn.execute(f"COPY {t} FROM '{path}' (DELIM='|', HEADER=true)")
    conn.close()
    db.close()
    elapsed = time.perf_counter() - start
    # Count outside the timed part, on a fresh open (also proves it persisted).
    db = kuzu.Database(db_path, read_only=True)
    conn = kuzu.Connection(db)
    n = conn.execute("MATCH (n) RETURN count(*)").get_next()[0]
    r = conn.execute("MATCH ()-[r]->() RETURN count(*)").get_next()[0]
    conn.close()
    db.close()
    counts = {"nodes": n, "relationships": r}
    return elapsed, counts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--db", default="/tmp/relgraph-compare/kuzu-ldbc.kz")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.data, "Person.csv")):
        sys.exit(f"LDBC data not found at {args.data}")
    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)
    elapsed, counts = import_kuzu(args.data, args.db)
    if args.json:
        print(json.dumps({"seconds": elapsed, **counts}))
    else:
        print(f"kuzu_import_seconds={elapsed:.3f} nodes={counts['nodes']} relationships={counts['relationships']}")


if __name__ == "__main__":
    main()
