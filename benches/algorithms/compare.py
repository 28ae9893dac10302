#!/usr/bin/env python3
"""relgraph's `CALL algo.*` procedures against networkx (and python-igraph).

Correctness, on the LDBC SF0.1 KNOWS graph (../shared/data/ldbc-sf0.1):
PageRank within 1e-6 of networkx.pagerank (same damping and tolerance),
WCC and SCC partitions identical, triangle counts and clustering
coefficients identical, core numbers identical, exact betweenness and
closeness within 1e-9, Dijkstra distances identical on random pairs, the
costs of Yen's k shortest paths equal to networkx.shortest_simple_paths',
Jaccard similarities identical.

Speed (with --scale-db and --scale-csv, e.g. the demo graph at scale 45):
PageRank (20 iterations) and WCC on the KNOWS relationships, relgraph with
1 and 2 threads against networkx and igraph, same run, same machine.

Skips cleanly (exit status 0, with the reason printed) when the LDBC data
or the Python packages of requirements.txt are missing.

usage: python3 benches/algorithms/compare.py [--bin target/release/relgraph]
           [--scale-db DIR --scale-csv DIR] [--runs 3]
"""

import argparse
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.environ.get("LDBC_DATA", os.path.join(ROOT, "..", "shared", "data", "ldbc-sf0.1"))


def skip(reason):
    print(f"skipped: {reason}")
    sys.exit(0)


def relgraph_json(binary, db, query, threads=None):
    """Runs one query with the CLI; returns (rows as dicts, seconds)."""
    env = dict(os.environ)
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
    start = time.perf_counter()
    out = subprocess.run(
        [binary, "query", "--db", db, "--format", "json", query],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.perf_counter() - start
    doc = json.loads(out.stdout)
    return [dict(zip(doc["columns"], r)) for r in doc["rows"]], seconds


def check(name, ok, detail):
    print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}")
    return ok


def partition(pairs):
    groups = {}
    for node, comp in pairs:
        groups.setdefault(comp, set()).add(node)
    return sorted(sorted(g) for g in groups.values())


def correctness(binary, nx):
    work = tempfile.mkdtemp(prefix="relgraph-algo-")
    db = os.path.join(work, "ldbc.db")
    person = os.path.join(DATA, "Person.csv")
    knows = os.path.join(DATA, "Person_knows_Person.csv")
    subprocess.run(
        [binary, "import", "--db", db, "--no-progress", "--delimiter", "|", "--id-type", "integer",
         "--nodes", f"Person={person}", "--relationships", f"KNOWS={knows}"],
        check=True, capture_output=True,
    )
    directed = nx.DiGraph()
    with open(person) as f:
        next(f)
        directed.add_nodes_from(int(line.split("|", 1)[0]) for line in f)
    with open(knows) as f:
        next(f)
        directed.add_edges_from(tuple(int(x) for x in line.split("|")[:2]) for line in f)
    undirected = directed.to_undirected()
    print(f"LDBC SF0.1 KNOWS: {directed.number_of_nodes()} nodes, {directed.number_of_edges()} relationships")
    ok = True

    def call(q):
        return relgraph_json(binary, db, q)[0]

    rows = call("CALL algo.pageRank('Person', 'KNOWS', {dampingFactor: 0.85, maxIterations: 100, tolerance: 1e-10}) "
                "YIELD node, score RETURN node.id AS id, score")
    want = nx.pagerank(directed, alpha=0.85, max_iter=100, tol=1e-10)
    diff = max(abs(r["score"] - want[r["id"]]) for r in rows)
    ok &= check("pageRank (NATURAL)", len(rows) == len(want) and diff <= 1e-6, f"max |diff| {diff:.2e}")
    rows = call("CALL algo.pageRank('Person', 'KNOWS', {orientation: 'UNDIRECTED', tolerance: 1e-10, maxIterations: 100}) "
                "YIELD node, score RETURN node.id AS id, score")
    want = nx.pagerank(undirected, alpha=0.85, max_iter=100, tol=1e-10)
    diff = max(abs(r["score"] - want[r["id"]]) for r in rows)
    ok &= check("pageRank (UNDIRECTED)", diff <= 1e-6, f"max |diff| {diff:.2e}")

    rows = call("CALL algo.wcc('Person', 'KNOWS') YIELD node, component RETURN node.id AS id, component")
    got = partition((r["id"], r["component"]) for r in rows)
    want = sorted(sorted(c) for c in nx.weakly_connected_components(directed))
    ok &= check("wcc", got == want, f"{len(got)} components")
    rows = call("CALL algo.scc('Person', 'KNOWS') YIELD node, component RETURN node.id AS id, component")
    got = partition((r["id"], r["component"]) for r in rows)
    want = sorted(sorted(c) for c in nx.strongly_connected_components(directed))
    ok &= check("scc", got == want, f"{len(got)} components")

    rows = call("CALL algo.triangleCount('Person', 'KNOWS') YIELD node, triangles, coefficient "
                "RETURN node.id AS id, triangles, coefficient")
    tri, clus = nx.triangles(undirected), nx.clustering(undirected)
    bad_t = sum(1 for r in rows if r["triangles"] != tri[r["id"]])
    diff = max(abs(r["coefficient"] - clus[r["id"]]) for r in rows)
    ok &= check("triangleCount", bad_t == 0, f"{sum(tri.values()) // 3} triangles, {bad_t} nodes differ")
    ok &= check("clustering coefficient", diff <= 1e-12, f"max |diff| {diff:.2e}")

    rows = call("CALL algo.kCore('Person', 'KNOWS') YIELD node, core RETURN node.id AS id, core")
    core = nx.core_number(undirected)
    ok &= check("kCore", all(r["core"] == core[r["id"]] for r in rows), f"max core {max(core.values())}")

    rows = call("CALL algo.betweenness('Person', 'KNOWS', {orientation: 'UNDIRECTED'}) YIELD node, score "
                "RETURN node.id AS id, score")
    want = nx.betweenness_centrality(undirected, normalized=False)
    diff = max(abs(r["score"] - want[r["id"]]) for r in rows)
    ok &= check("betweenness (exact, all nodes)", diff <= 1e-9 * max(1.0, max(want.values())),
                f"max |diff| {diff:.2e} (largest score {max(want.values()):.1f})")

    rows = call("CALL algo.closeness('Person', 'KNOWS', {orientation: 'UNDIRECTED'}) YIELD node, score "
                "RETURN node.id AS id, score")
    want = nx.closeness_centrality(undirected)
    diff = max(abs(r["score"] - want[r["id"]]) for r in rows)
    ok &= check("closeness", diff <= 1e-9, f"max |diff| {diff:.2e}")

    rng = random.Random(7)
    nodes = sorted(undirected.nodes)
    pairs = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(50)]
    bad = 0
    for s, t in pairs:
        rows = call(f"MATCH (s:Person {{id: {s}}}), (t:Person {{id: {t}}}) "
                    "CALL algo.dijkstra('Person', 'KNOWS', {orientation: 'UNDIRECTED', sourceNode: s, targetNode: t}) "
                    "YIELD cost RETURN cost")
        try:
            want = nx.dijkstra_path_length(undirected, s, t)
        except nx.NetworkXNoPath:
            want = None
        got = rows[0]["cost"] if rows else None
        bad += got != want
    ok &= check("dijkstra", bad == 0, f"{len(pairs)} random pairs, {bad} differ")

    bad = 0
    for s, t in pairs[:10]:
        if s == t:
            continue
        rows = call(f"MATCH (s:Person {{id: {s}}}), (t:Person {{id: {t}}}) "
                    "CALL algo.yenKShortest('Person', 'KNOWS', {orientation: 'UNDIRECTED', sourceNode: s, "
                    "targetNode: t, k: 5}) YIELD cost RETURN cost")
        try:
            want = [len(p) - 1 for p in itertools.islice(nx.shortest_simple_paths(undirected, s, t), 5)]
        except nx.NetworkXNoPath:
            want = []
        bad += [r["cost"] for r in rows] != want
    ok &= check("yenKShortest (k 5)", bad == 0, f"10 random pairs, {bad} differ")

    rows = call("CALL algo.nodeSimilarity('Person', 'KNOWS', {orientation: 'UNDIRECTED', topK: 100000}) "
                "YIELD node1, node2, similarity RETURN node1.id AS a, node2.id AS b, similarity")
    got = {(r["a"], r["b"]): r["similarity"] for r in rows}
    want = {(u, v): p for u, v, p in nx.jaccard_coefficient(undirected, list(got))}
    diff = max((abs(got[k] - want[k]) for k in got), default=0.0)
    # Every pair with a common neighbour, both ways.
    expected = sum(
        1 for u in undirected for v in {w for x in undirected[u] for w in undirected[x]} if v != u
    )
    ok &= check("nodeSimilarity (Jaccard)", diff <= 1e-12 and len(got) == expected,
                f"{len(got)} pairs (expected {expected}), max |diff| {diff:.2e}")
    shutil.rmtree(work, ignore_errors=True)
    return ok


def speed(binary, nx, ig, db, csv, runs):
    """Times PageRank and WCC over KNOWS: networkx and igraph on graphs
    already built in memory, relgraph warm in one process."""
    knows = os.path.join(csv, "knows.csv")
    t0 = time.perf_counter()
    edges = []
    with open(knows) as f:
        next(f)
        for line in f:
            a, b, _ = line.split(",", 2)
            edges.append((int(a), int(b)))
    g = nx.DiGraph()
    g.add_edges_from(edges)
    h = ig.Graph(n=max(max(e) for e in edges) + 1, edges=edges, directed=True)
    print(f"speed graph: {len(edges)} KNOWS relationships (loaded in {time.perf_counter() - t0:.1f} s)")

    def best(f):
        times = []
        for _ in range(runs):
            s = time.perf_counter()
            f()
            times.append(time.perf_counter() - s)
        return statistics.median(times)

    def nx_pagerank():
        try:
            nx.pagerank(g, alpha=0.85, max_iter=20, tol=0.0)
        except nx.PowerIterationFailedConvergence:
            pass  # 20 iterations done

    results = {}
    results["networkx pageRank (20 iterations)"] = best(nx_pagerank)
    results["networkx wcc"] = best(lambda: list(nx.weakly_connected_components(g)))
    results["igraph pageRank (PRPACK, exact)"] = best(lambda: h.pagerank(damping=0.85))
    results["igraph wcc"] = best(lambda: h.connected_components(mode="weak"))
    # relgraph: warm runs inside one process (`relgraph bench`: one warm-up,
    # then the median), projection from the snapshot and row streaming
    # included.
    qdir = tempfile.mkdtemp(prefix="relgraph-algo-bench-")
    queries = {
        "pageRank": "CALL algo.pageRank('Person', 'KNOWS', {maxIterations: 20, tolerance: 0}) YIELD node RETURN count(*)",
        "wcc": "CALL algo.wcc('Person', 'KNOWS') YIELD component RETURN count(DISTINCT component)",
    }
    for name, q in queries.items():
        with open(os.path.join(qdir, f"{name}.cypher"), "w") as f:
            f.write(q + "\n")
    for threads in (1, 2):
        out = subprocess.run(
            [binary, "bench", "--db", db, qdir, "--runs", str(max(runs, 5)), "--threads", str(threads),
             "--format", "json"],
            check=True, capture_output=True, text=True,
        )
        for name, r in json.loads(out.stdout).items():
            results[f"relgraph {name}, {threads} thread(s)"] = r["median_ms"] / 1000.0
    shutil.rmtree(qdir, ignore_errors=True)
    for k, v in results.items():
        print(f"{k:55s} {v:8.3f} s")
    for name in queries:
        one, two = results[f"relgraph {name}, 1 thread(s)"], results[f"relgraph {name}, 2 thread(s)"]
        nxt = results["networkx pageRank (20 iterations)" if name == "pageRank" else "networkx wcc"]
        igt = results["igraph pageRank (PRPACK, exact)" if name == "pageRank" else "igraph wcc"]
        print(f"{name}: {nxt / two:.1f}x faster than networkx, {igt / two:.2f}x igraph's speed, "
              f"2 threads {one / two:.2f}x faster than 1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")),
                                                  "release", "relgraph"))
    ap.add_argument("--scale-db", help="a relgraph database of the demo graph (relgraph generate --format db)")
    ap.add_argument("--scale-csv", help="the same graph's CSV files (relgraph generate --format csv)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not os.path.exists(os.path.join(DATA, "Person_knows_Person.csv")):
        skip(f"LDBC SF0.1 data not found at {os.path.normpath(DATA)} (set LDBC_DATA)")
    try:
        import networkx as nx  # noqa: PLC0415
        import scipy  # noqa: F401, PLC0415  (networkx.pagerank needs it)
    except ImportError as e:
        skip(f"{e.name} is not installed (pip install -r {os.path.join(HERE, 'requirements.txt')})")
    if not os.path.exists(args.bin):
        skip(f"no relgraph binary at {args.bin} (cargo build --release -p relgraph-cli, or --bin)")
    ok = correctness(args.bin, nx)
    if args.scale_db and args.scale_csv:
        try:
            import igraph as ig  # noqa: PLC0415
        except ImportError:
            skip("python-igraph is not installed: speed comparison skipped")
        speed(args.bin, nx, ig, args.scale_db, args.scale_csv, args.runs)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
