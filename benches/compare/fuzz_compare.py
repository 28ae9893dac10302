#!/usr/bin/env python3
"""Differential random queries: relgraph vs Kuzu on the LDBC SF0.1 subset.

Generates read queries from a small grammar over the data set's schema:
1-3 hop patterns, a second comma pattern, OPTIONAL MATCH, pattern
predicates, variable length (distinct endpoints of KNOWS*, path counts up
the place and tag-class trees), an aggregating WITH stage with a filter,
WHERE with constants sampled from the CSV files, scalar expressions,
grouping with count/count(DISTINCT)/min/max/sum/avg, DISTINCT and
ORDER BY/SKIP/LIMIT. Both engines get the same text, plus what Kuzu needs
to compute the openCypher answer: pairwise distinct relationships of one
type (Kuzu has no relationship uniqueness), count(DISTINCT ...) as the last
aggregate (Kuzu returns 0 for a count after it), coalesce(sum, 0) (Kuzu's
sum over no rows is null), EXISTS { } for pattern predicates. relgraph runs
all queries in one `relgraph shell` (check.relgraph_batch). Results are
compared sorted (ORDER BY always covers every column); where only Kuzu's
top-k differs, Kuzu's unlimited result is sorted here and sliced instead.
Prints each disagreement with both texts; exit status 1 if any.

usage: fuzz_compare.py --db RELGRAPH_DB --kuzu-db KUZU_DB --bin RELGRAPH
                       [--data LDBC_DIR] [--count N] [--seed S] [--dump FILE]
"""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check  # noqa: E402
import kuzu_queries  # noqa: E402

# label -> {property: "int" | "str"}
NODES = {
    "Person": {"id": "int", "firstName": "str", "lastName": "str", "gender": "str",
               "birthday": "int", "creationDate": "int", "browserUsed": "str"},
    "Organisation": {"id": "int", "type": "str", "name": "str"},
    "Place": {"id": "int", "name": "str", "type": "str"},
    "Tag": {"id": "int", "name": "str"},
    "TagClass": {"id": "int", "name": "str"},
    "Forum": {"id": "int", "title": "str", "creationDate": "int"},
    "Post": {"id": "int"},
    "Comment": {"id": "int"},
}
# (source label, type, target label, relationship properties)
RELS = [
    ("Person", "KNOWS", "Person", {"creationDate": "int"}),
    ("Person", "WORK_AT", "Organisation", {"workFrom": "int"}),
    ("Person", "STUDY_AT", "Organisation", {"classYear": "int"}),
    ("Person", "HAS_INTEREST", "Tag", {}),
    ("Person", "IS_LOCATED_IN", "Place", {}),
    ("Organisation", "IS_LOCATED_IN", "Place", {}),
    ("Place", "IS_PART_OF", "Place", {}),
    ("Tag", "HAS_TYPE", "TagClass", {}),
    ("TagClass", "IS_SUBCLASS_OF", "TagClass", {}),
    ("Forum", "HAS_MODERATOR", "Person", {}),
    ("Forum", "HAS_TAG", "Tag", {}),
    ("Forum", "CONTAINER_OF", "Post", {}),
    ("Post", "HAS_CREATOR", "Person", {}),
    ("Post", "HAS_TAG", "Tag", {}),
    ("Person", "LIKES", "Post", {"creationDate": "int"}),
]
# Labels small enough to start a pattern from without an anchor.
SMALL = {"Person", "Organisation", "Place", "TagClass"}


def sample_values(data_dir, rng, per_prop=40):
    """{(label, prop): [values]} sampled from the node CSV files."""
    out = {}
    for label, props in NODES.items():
        path = os.path.join(data_dir, label + ".csv")
        with open(path, encoding="utf-8") as f:
            header = [h.rpartition(":")[0] if ":" in h else h for h in f.readline().rstrip("\n").split("|")]
            rows = [line.rstrip("\n").split("|") for line in f]
        picks = rng.sample(rows, min(len(rows), 400))
        for prop, kind in props.items():
            i = header.index(prop)
            vals = [r[i] for r in picks if r[i] != ""]
            vals = [int(v) for v in vals] if kind == "int" else vals
            out[(label, prop)] = sorted(set(vals))[:: max(1, len(set(vals)) // per_prop)]
    return out


def lit(v):
    if isinstance(v, str):
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return str(v)


class Gen:
    def __init__(self, rng, values):
        self.rng, self.values, self.n = rng, values, 0

    def var(self, prefix):
        self.n += 1
        return f"{prefix}{self.n}"

    def path(self, start_label, start_var, hops):
        """A chain from start_var; returns (text, [(var, label)], [(rvar, type, props)])."""
        rng = self.rng
        text, nodes, rels, cur, label = "", [], [], start_var, start_label
        for _ in range(hops):
            options = [(r, True) for r in RELS if r[0] == label] + [(r, False) for r in RELS if r[2] == label]
            if not options:
                break
            (src, typ, dst, props), forward = rng.choice(options)
            other = dst if forward else src
            rv, nv = self.var("r"), self.var("n")
            undirected = src == dst and rng.random() < 0.4
            arrow = ("-[{}:{}]-" if undirected else ("-[{}:{}]->" if forward else "<-[{}:{}]-")).format(rv, typ)
            text += f"{arrow}({nv}:{other})"
            nodes.append((nv, other))
            rels.append((rv, typ, props))
            cur, label = nv, other
        return text, nodes, rels

    def predicate(self, var, label):
        rng = self.rng
        props = NODES[label]
        prop = rng.choice(list(props))
        vals = self.values.get((label, prop)) or [0]
        v = rng.choice(vals)
        kind = props[prop]
        r = rng.random()
        if kind == "str":
            if r < 0.3:
                return f"{var}.{prop} = {lit(v)}"
            if r < 0.5:
                return f"{var}.{prop} STARTS WITH {lit(v[:2])}"
            if r < 0.65:
                return f"{var}.{prop} CONTAINS {lit(v[1:3])}"
            if r < 0.8:
                return f"{var}.{prop} IN [{lit(v)}, {lit(rng.choice(vals))}]"
            return f"{var}.{prop} {rng.choice(['<', '>=', '<>'])} {lit(v)}"
        if r < 0.2:
            return f"{var}.{prop} = {v}"
        if r < 0.4:
            return f"{var}.{prop} IN [{v}, {rng.choice(vals)}]"
        return f"{var}.{prop} {rng.choice(['<', '<=', '>', '>=', '<>'])} {v}"

    def scalar(self, e, kind, vals):
        """A projected expression over property `e` (same text in both dialects)."""
        rng = self.rng
        if rng.random() < 0.6:
            return e
        v = rng.choice(vals)
        if kind == "str":
            return rng.choice([
                f"toUpper({e})",
                f"toLower({e})",
                f"size({e})",
                f"left({e}, 3)",
                f"{e} STARTS WITH {lit(v[:1])}",
                f"coalesce({e}, 'none')",
                f"{e} IS NULL",
                f"CASE WHEN {e} < {lit(v)} THEN 'low' ELSE 'high' END",
                f"{e} + '!'",
            ])
        return rng.choice([
            f"{e} % 7",
            f"{e} / 1000",
            f"{e} * 2 - 1",
            f"abs({e} - {v})",
            f"CASE WHEN {e} >= {v} THEN 1 WHEN {e} < {v} THEN -1 END",
            f"{e} = {v}",
            f"coalesce({e}, -1)",
            f"{e} IN [{v}, {rng.choice(vals)}]",
        ])

    def where(self, nodes, max_preds=2):
        preds = [self.predicate(v, l) for v, l in self.rng.sample(nodes, min(len(nodes), self.rng.randint(1, max_preds)))]
        if len(preds) == 2 and self.rng.random() < 0.3:
            return f"({preds[0]} OR {preds[1]})"
        if preds and self.rng.random() < 0.15:
            preds[0] = f"NOT ({preds[0]})"
        return " AND ".join(preds)

    def query(self):
        """Returns (relgraph_text, kuzu_text)."""
        r = self.rng.random()
        if r < 0.15:
            return self.var_length_query()
        if r < 0.22:
            return self.tree_query()
        if r < 0.35:
            return self.with_query()
        return self.plain_query()

    def var_length_query(self):
        """Distinct endpoints of a variable-length pattern, then one more hop.

        Only distinct results: Kuzu's walks differ from openCypher's paths in
        number, and for *1..2 undirected over a simple graph only add the
        start node itself, which the Kuzu text excludes.
        """
        rng = self.rng
        self.n = 0
        pid = rng.choice(self.values[("Person", "id")])
        lo, hi = rng.choice([(1, 2), (2, 2), (1, 1)])
        x = self.var("x")
        undirected = rng.random() < 0.7
        arrow = f"-[:KNOWS*{lo}..{hi}]-" if undirected else f"-[:KNOWS*{lo}..{hi}]->"
        match = f"MATCH (a:Person {{id: {pid}}}){arrow}({x}:Person)"
        text, nodes, rels = self.path("Person", x, rng.randint(0, 1))
        if any(t == "KNOWS" for _, t, _ in rels):
            # openCypher keeps this KNOWS distinct from the variable-length
            # ones; Kuzu cannot say so: leave the hop out.
            text, nodes = "", []
        match += text
        nodes = [(x, "Person")] + nodes
        where = [self.where(nodes, 1)] if rng.random() < 0.5 else []
        kuzu_where = where + ([f"{x}.id <> {pid}"] if undirected and hi >= 2 else [])
        v, l = rng.choice(nodes)
        r = rng.random()
        if not undirected and hi <= 2 and not text and r < 0.4:
            # Directed walks of length <= 2 never repeat a relationship, so
            # path counts agree too.
            match = match.replace("-[:KNOWS*", "-[e:KNOWS*").replace("MATCH (a", "MATCH path = (a")
            ret = f"RETURN length(path) AS c0, count(*) AS c1, count(DISTINCT {x}) AS c2"
        elif r < 0.7:
            ret = f"RETURN count(DISTINCT {v}) AS c0"
        else:
            ret = f"RETURN DISTINCT {v}.{rng.choice(list(NODES[l]))} AS c0"

        def build(w):
            return match + (" WHERE " + " AND ".join(w) if w else "") + " " + ret

        return build(where), build(kuzu_where)

    def tree_query(self):
        """Variable length up a directed tree (places, tag classes): walks
        and paths coincide, so path counts and lengths compare directly."""
        rng = self.rng
        self.n = 0
        label, typ, up = rng.choice([("Place", "IS_PART_OF", 2), ("TagClass", "IS_SUBCLASS_OF", 4)])
        lo = rng.choice([1, 1, 2])
        hi = rng.randint(lo, up)
        s, t = self.var("a"), self.var("b")
        q = f"MATCH path = ({s}:{label})-[:{typ}*{lo}..{hi}]->({t}:{label})"
        w = [self.where([(s, label), (t, label)], 1)] if rng.random() < 0.6 else []
        q += (" WHERE " + " AND ".join(w) if w else "")
        p = rng.choice(list(NODES[label]))
        ret = rng.choice([
            f" RETURN {t}.{p} AS c0, length(path) AS c1, count(*) AS c2",
            f" RETURN count(*) AS c0, count(DISTINCT {s}) AS c1, max(length(path)) AS c2",
            f" RETURN DISTINCT {s}.{p} AS c0, {t}.{p} AS c1",
        ])
        return q + ret, q + ret

    def with_query(self):
        """An aggregating WITH stage with a filter, then another MATCH."""
        rng = self.rng
        self.n = 0
        start = rng.choice(["Person", "Organisation", "Place", "TagClass"])
        s = self.var("a")
        text, nodes, rels = self.path(start, s, 1)
        if not text:
            return self.plain_query()
        nodes = [(s, start)] + nodes
        keyv, keyl = rng.choice(nodes)
        where = (" WHERE " + self.where(nodes, 1)) if rng.random() < 0.5 else ""
        threshold = rng.choice([0, 1, 2, 5, 10, 50])
        agg = rng.choice(["count(*)", f"count(DISTINCT {nodes[-1][0]})"])
        q = f"MATCH ({s}:{start}){text}{where} WITH {keyv}, {agg} AS cnt WHERE cnt > {threshold}"
        t2, n2, _ = self.path(keyl, keyv, 1)
        if t2 and rng.random() < 0.7:
            opt = "OPTIONAL " if rng.random() < 0.3 else ""
            q += f" {opt}MATCH ({keyv}){t2}"
            yv, yl = n2[-1]
            p = rng.choice(list(NODES[yl]))
            ret = f" RETURN {yv}.{p} AS c0, count(*) AS c1, max(cnt) AS c2"
            order = " ORDER BY c1 DESC, c0, c2 LIMIT 10" if rng.random() < 0.5 else ""
        else:
            p = rng.choice(list(NODES[keyl]))
            ret = f" RETURN {keyv}.{p} AS c0, cnt AS c1"
            order = " ORDER BY c1 DESC, c0 LIMIT 10" if rng.random() < 0.5 else ""
        return q + ret + order, q + ret + order

    def plain_query(self):
        rng = self.rng
        self.n = 0
        start = rng.choice(sorted(SMALL))
        s = self.var("a")
        anchor = ""
        if start == "Person" and rng.random() < 0.6:
            anchor = " {id: %d}" % rng.choice(self.values[("Person", "id")])
        # Unanchored patterns stay short: 3 hops from every node of a label
        # can reach hundreds of millions of rows on this data.
        hops = rng.randint(1, 3) if anchor else rng.randint(1, 2)
        text, nodes, rels = self.path(start, s, hops)
        nodes = [(s, start)] + nodes
        match = f"MATCH ({s}:{start}{anchor}){text}"
        clauses = [match]
        where = []
        if rng.random() < 0.7:
            where.append(self.where(nodes))
        # A second comma pattern sharing a variable.
        if rng.random() < (0.25 if anchor or hops == 1 else 0.0):
            shared, label = rng.choice(nodes)
            t2, n2, r2 = self.path(label, shared, 1)
            if t2:
                clauses[0] += f", ({shared}){t2}"
                nodes += n2
                rels += r2
        rg_where, kuzu_where = [], []
        if rng.random() < 0.2:
            # A pattern predicate on a bound node (Kuzu: EXISTS subquery).
            pv, pl = rng.choice(nodes)
            options = [r for r in RELS if r[0] == pl]
            if options:
                src, typ, dst, _ = rng.choice(options)
                neg = "NOT " if rng.random() < 0.5 else ""
                rg_where.append(f"{neg}({pv})-[:{typ}]->(:{dst})")
                kuzu_where.append(f"{neg}EXISTS {{ MATCH ({pv})-[:{typ}]->(:{dst}) }}")
        kuzu_extra = []
        by_type = {}
        for rv, typ, _ in rels:
            by_type.setdefault(typ, []).append(rv)
        for same in by_type.values():
            for i in range(len(same)):
                for j in range(i + 1, len(same)):
                    kuzu_extra.append(f"id({same[i]}) <> id({same[j]})")
        optional = kuzu_optional = ""
        if rng.random() < (0.3 if anchor else 0.0):
            ov, ol = rng.choice(nodes)
            t3, n3, r3 = self.path(ol, ov, rng.randint(1, 2) if anchor else 1)
            if t3:
                optional = f"OPTIONAL MATCH ({ov}){t3}"
                ow = [self.where(n3, 1)] if rng.random() < 0.4 else []
                # Uniqueness holds within the OPTIONAL MATCH's own pattern.
                ko = ow + [f"id({a}) <> id({b})" for (a, ta, _), (b, tb, _) in zip(r3, r3[1:]) if ta == tb]
                kuzu_optional = optional + (" WHERE " + " AND ".join(ko) if ko else "")
                optional += " WHERE " + " AND ".join(ow) if ow else ""
                nodes += n3
        # Projection.
        cols = []
        for v, l in rng.sample(nodes, min(len(nodes), rng.randint(0, 2))):
            p = rng.choice(list(NODES[l]))
            cols.append(self.scalar(f"{v}.{p}", NODES[l][p], self.values.get((l, p)) or [0]))
        rel_props = [(rv, p) for rv, _, props in rels for p in props]
        aggs, k_aggs, distinct_aggs = [], [], []
        if rng.random() < 0.6 or not cols:
            for _ in range(rng.randint(1, 3)):
                r = rng.random()
                v, l = rng.choice(nodes)
                p = rng.choice(list(NODES[l]))
                if rel_props and rng.random() < 0.3:
                    v, p = rng.choice(rel_props)
                if r < 0.3:
                    aggs.append(("count(*)", "count(*)"))
                elif r < 0.45:
                    distinct_aggs.append(f"count(DISTINCT {v})")
                elif r < 0.55:
                    aggs.append((f"count({v}.{p})", f"count({v}.{p})"))
                elif r < 0.7:
                    aggs.append((f"min({v}.{p})", f"min({v}.{p})"))
                elif r < 0.8:
                    aggs.append((f"max({v}.{p})", f"max({v}.{p})"))
                elif NODES.get(l, {}).get(p) == "int" or (v, p) in rel_props:
                    if r < 0.9:
                        aggs.append((f"sum({v}.{p})", f"coalesce(sum({v}.{p}), 0)"))
                    else:
                        aggs.append((f"avg({v}.{p})", f"avg({v}.{p})"))
        if not cols and not aggs and not distinct_aggs:
            aggs.append(("count(*)", "count(*)"))
        items_rg = cols + [a for a, _ in aggs] + distinct_aggs
        items_kz = cols + [k for _, k in aggs] + distinct_aggs
        names = [f"c{i}" for i in range(len(items_rg))]
        distinct = "DISTINCT " if not aggs and not distinct_aggs and rng.random() < 0.5 else ""
        ret_rg = "RETURN " + distinct + ", ".join(f"{e} AS {n}" for e, n in zip(items_rg, names))
        ret_kz = "RETURN " + distinct + ", ".join(f"{e} AS {n}" for e, n in zip(items_kz, names))
        tail = ""
        if rng.random() < 0.4:
            keys = names[:]
            rng.shuffle(keys)
            tail = " ORDER BY " + ", ".join(k + rng.choice(["", " DESC"]) for k in keys)
            if rng.random() < 0.5:
                tail += f" SKIP {rng.randint(0, 5)}"
            tail += f" LIMIT {rng.randint(1, 20)}"

        def build(extra, opt, ret):
            w = where + extra
            q = clauses[0] + (" WHERE " + " AND ".join(w) if w else "")
            if opt:
                q += " " + opt
            return q + " " + ret + tail

        return build(rg_where, optional, ret_rg), build(kuzu_where + kuzu_extra, kuzu_optional, ret_kz)


def order_rows(rows, text):
    """Sorts rows as the text's `ORDER BY cN [DESC], ...` would (openCypher:
    nulls last ascending, first descending). Columns are named c0, c1, ..."""
    import functools

    spec = text.split(" ORDER BY ")[1].split(" SKIP ")[0].split(" LIMIT ")[0]
    keys = []
    for item in spec.split(","):
        parts = item.split()
        keys.append((int(parts[0][1:]), len(parts) > 1 and parts[1].upper() == "DESC"))

    def cmp(a, b):
        for i, desc in keys:
            x, y = a[i], b[i]
            if x == y:
                continue
            if x is None or y is None:  # null is the largest value
                c = 1 if x is None else -1
            else:
                c = -1 if x < y else 1
            return -c if desc else c
        return 0

    return sorted(rows, key=functools.cmp_to_key(cmp))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--kuzu-db", required=True)
    ap.add_argument("--bin", default="relgraph")
    ap.add_argument("--data", default=os.path.join(kuzu_queries.HERE, "../../../shared/data/ldbc-sf0.1"))
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dump", help="write the generated queries (relgraph, Kuzu) here")
    ap.add_argument("--kuzu-timeout-ms", type=int, default=10000)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    gen = Gen(rng, sample_values(args.data, rng))
    pairs = [gen.query() for _ in range(args.count)]
    if args.dump:
        with open(args.dump, "w") as f:
            f.write("".join(f"{r}\n{k}\n\n" for r, k in pairs))
    rg_all, stderr = check.relgraph_batch(args.bin, args.db, [r for r, _ in pairs])
    import kuzu

    # A bounded buffer pool and a per-query timeout: a random query can be
    # far more expensive on Kuzu than on relgraph.
    db = kuzu.Database(args.kuzu_db, read_only=True, buffer_pool_size=2 << 30)
    conn = kuzu.Connection(db)
    conn.set_query_timeout(args.kuzu_timeout_ms)
    bad = 0
    for (rq, kq), rg in zip(pairs, rg_all):
        try:
            kz = [check.norm(list(r)) for r in kuzu_queries.run_kuzu(conn, kq)]
        except Exception as e:  # Kuzu cannot run this text: not a relgraph finding
            print(f"kuzu error (skipped): {e}\n  {kq}")
            continue
        if rg is None:
            bad += 1
            print(f"RELGRAPH ERROR\n  relgraph: {rq}")
            continue
        rg = [check.norm(r) for r in rg]
        if sorted(map(check.key, rg)) != sorted(map(check.key, kz)) and " LIMIT " in kq:
            # Kuzu 0.11.3's ORDER BY ... LIMIT sometimes skips rows (seen
            # with string keys): accept relgraph's rows when they are the
            # right number of rows from Kuzu's full (unlimited) result.
            full_q = kq[: kq.index(" SKIP ")] if " SKIP " in kq else kq[: kq.index(" LIMIT ")]
            skip = int(kq.split(" SKIP ")[1].split()[0]) if " SKIP " in kq else 0
            limit = int(kq.split(" LIMIT ")[1].split()[0])
            try:
                full = [check.norm(list(r)) for r in kuzu_queries.run_kuzu(conn, full_q)]
            except Exception:
                full = None
            if full is not None:
                expected = order_rows(full, kq)[skip : skip + limit]
                if sorted(map(check.key, rg)) == sorted(map(check.key, expected)):
                    print(f"kuzu top-k differs, relgraph's rows are the right ones: {rq}")
                    continue
        if sorted(map(check.key, rg)) != sorted(map(check.key, kz)):
            bad += 1
            print(f"DIFFERENT ({len(rg)} vs {len(kz)} rows)\n  relgraph: {rq}\n  kuzu:     {kq}")
            print(f"  relgraph rows: {rg[:5]}\n  kuzu rows:     {kz[:5]}")
    print(f"{len(pairs)} queries, {bad} disagreements")
    if stderr.strip():
        print("relgraph stderr (tail):", stderr[-3000:])
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
