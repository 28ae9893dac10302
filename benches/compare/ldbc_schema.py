"""The LDBC SF0.1 subset's schema, derived from the neo4j-admin CSV headers.

Shared by kuzu_import.py and import.sh (which asks it for relgraph's flags),
so both engines load exactly the same files. File names follow
`Source_verb_Target.csv`; the verb maps to the relationship type as in the
data set's README (`isLocatedIn` -> `IS_LOCATED_IN`).
"""

import os
import re

# neo4j-admin header types -> Kuzu column types.
KUZU_TYPES = {
    "string": "STRING",
    "long": "INT64",
    "int": "INT32",
    "short": "INT16",
    "byte": "INT8",
    "double": "DOUBLE",
    "float": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "localdatetime": "TIMESTAMP",
}


def rel_type(verb):
    """`isLocatedIn` -> `IS_LOCATED_IN`."""
    return re.sub(r"([A-Z])", r"_\1", verb).upper()


def header(path, delim="|"):
    with open(path, encoding="utf-8") as f:
        return f.readline().rstrip("\n").split(delim)


def parse_field(field):
    """Returns (name, kind, space_or_type) for one header field."""
    name, _, spec = field.rpartition(":")
    if not _:
        return field, "prop", "string"
    m = re.fullmatch(r"(ID|START_ID|END_ID)\((.*)\)", spec)
    if m:
        return name, m.group(1), m.group(2)
    return name, "prop", spec.lower()


def load(data_dir):
    """Node tables and relationship groups of the data set in `data_dir`.

    Returns (nodes, rels): nodes = [(label, path, [(col, kuzu_type)], pk)],
    rels = {TYPE: [(src_label, dst_label, path, [(col, kuzu_type)])]}.
    """
    nodes, rels = [], {}
    for fname in sorted(os.listdir(data_dir)):
        if not fname.endswith(".csv"):
            continue
        path = os.path.join(data_dir, fname)
        parts = fname[:-4].split("_")
        fields = [parse_field(f) for f in header(path)]
        if len(parts) == 1:
            cols, pk = [], None
            for name, kind, spec in fields:
                if kind == "ID":
                    pk = name or "id"
                    cols.append((pk, "INT64"))
                else:
                    cols.append((name, KUZU_TYPES[spec]))
            nodes.append((parts[0], path, cols, pk))
        elif len(parts) == 3:
            src, verb, dst = parts
            props = [(n, KUZU_TYPES[s]) for n, k, s in fields if k == "prop"]
            rels.setdefault(rel_type(verb), []).append((src, dst, path, props))
        else:
            raise SystemExit(f"unexpected file name {fname}")
    return nodes, rels


def ddl(nodes, rels):
    """Kuzu DDL: one node table per label, one rel table (group) per type."""
    out = []
    for label, _, cols, pk in nodes:
        body = ", ".join(f"{c} {t}" for c, t in cols)
        out.append(f"CREATE NODE TABLE {label}({body}, PRIMARY KEY({pk}))")
    for t, files in rels.items():
        pairs = ", ".join(f"FROM {s} TO {d}" for s, d, _, _ in files)
        props = files[0][3]
        extra = "".join(f", {c} {ty}" for c, ty in props)
        out.append(f"CREATE REL TABLE {t}({pairs}{extra})")
    return out


def relgraph_flags(data_dir):
    """The README's relgraph/neo4j-admin flags for the same files."""
    nodes, rels = load(data_dir)
    flags = ["--delimiter", "|", "--id-type", "integer"]
    for label, path, _, _ in nodes:
        flags += ["--nodes", f"{label}={path}"]
    for t, files in rels.items():
        for _, _, path, _ in files:
            flags += ["--relationships", f"{t}={path}"]
    return flags


if __name__ == "__main__":
    import sys

    data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/ldbc-sf0.1"
    if len(sys.argv) > 2 and sys.argv[2] == "--relgraph-flags":
        # One flag per line, so that shell scripts can read them into an array.
        print("\n".join(relgraph_flags(data)))
    else:
        print(";\n".join(ddl(*load(data))) + ";")
