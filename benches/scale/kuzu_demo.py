#!/usr/bin/env python3
"""Imports the demo graph's neo4j-admin CSV files (`relgraph generate --out DIR`)
into Kuzu with COPY FROM, timing schema + copies + close (which checkpoints).

usage: kuzu_demo.py CSV_DIR DB_PATH
Prints one JSON object: seconds, nodes, relationships, bytes on disk.

Schema: one node table per id space (`id:ID(Person)` -> table Person, the
union of the columns of that space's files, primary key `id`), one
relationship table per relationship file (the type, or TYPE_FILE when a type
has several files), FROM the start space TO the end space.
"""

import json
import os
import shutil
import sys
import time

TYPES = {"date": "DATE", "double": "DOUBLE", "float": "DOUBLE", "long": "INT64",
         "int": "INT64", "boolean": "BOOLEAN", "string": "STRING", "": "STRING"}


def parse_header(path):
    with open(path) as f:
        fields = f.readline().rstrip("\n").split(",")
    cols = []
    for field in fields:
        name, _, ty = field.partition(":")
        cols.append((name, ty))
    return cols


def space_of(ty):
    # "ID(Person)" / "START_ID(Person)" -> Person
    return ty[ty.index("(") + 1:ty.index(")")]


def main():
    csv_dir, db_path = sys.argv[1], sys.argv[2]
    flags = [l.strip() for l in open(os.path.join(csv_dir, "import-flags.txt")) if l.strip()]
    node_files, rel_files = [], []
    for fl in flags:
        if fl.startswith("--nodes="):
            node_files.append(fl.split("=", 2)[2])
        elif fl.startswith("--relationships="):
            _, t, f = fl.split("=", 2)
            rel_files.append((t, f))
    spaces = {}  # space -> ordered {column: type}
    node_copies = []
    for f in node_files:
        cols = parse_header(os.path.join(csv_dir, f))
        space = next(space_of(ty) for _, ty in cols if ty.startswith("ID("))
        table = spaces.setdefault(space, {})
        names = []
        for name, ty in cols:
            kuzu_ty = "INT64" if ty.startswith("ID(") else TYPES[ty.lower()]
            table.setdefault(name, kuzu_ty)
            names.append(name)
        node_copies.append((space, names, f))
    per_type = {}
    for t, _ in rel_files:
        per_type[t] = per_type.get(t, 0) + 1
    rel_tables = []
    for t, f in rel_files:
        cols = parse_header(os.path.join(csv_dir, f))
        start = space_of(cols[0][1])
        end = space_of(cols[1][1])
        name = t if per_type[t] == 1 else f"{t}_{os.path.splitext(f)[0].upper()}"
        props = [(n, TYPES[ty.lower()]) for n, ty in cols[2:]]
        rel_tables.append((name, start, end, props, f))

    for p in (db_path, db_path + ".wal"):
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.remove(p)
    import kuzu
    started = time.perf_counter()
    db = kuzu.Database(db_path)
    conn = kuzu.Connection(db)
    for space, cols in spaces.items():
        body = ", ".join(f"{n} {t}" for n, t in cols.items())
        conn.execute(f"CREATE NODE TABLE {space}({body}, PRIMARY KEY(id))")
    for name, start, end, props, _ in rel_tables:
        body = "".join(f", {n} {t}" for n, t in props)
        conn.execute(f"CREATE REL TABLE {name}(FROM {start} TO {end}{body})")
    for space, names, f in node_copies:
        path = os.path.join(os.path.abspath(csv_dir), f)
        conn.execute(f"COPY {space}({', '.join(names)}) FROM '{path}' (HEADER=true)")
    for name, _, _, _, f in rel_tables:
        path = os.path.join(os.path.abspath(csv_dir), f)
        conn.execute(f"COPY {name} FROM '{path}' (HEADER=true)")
    conn.close()
    db.close()
    seconds = time.perf_counter() - started
    db = kuzu.Database(db_path, read_only=True)
    conn = kuzu.Connection(db)
    nodes = conn.execute("MATCH (n) RETURN count(*)").get_next()[0]
    rels = conn.execute("MATCH ()-[r]->() RETURN count(*)").get_next()[0]
    conn.close()
    db.close()
    size = 0
    for p in (db_path, db_path + ".wal"):
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                size += sum(os.path.getsize(os.path.join(root, x)) for x in files)
        elif os.path.exists(p):
            size += os.path.getsize(p)
    print(json.dumps({"seconds": round(seconds, 2), "nodes": nodes,
                      "relationships": rels, "bytes": size}))


if __name__ == "__main__":
    main()
