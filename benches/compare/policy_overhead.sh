#!/usr/bin/env bash
# What an access policy costs (issue 14): the LDBC comparison queries run as
# the administrator and as a role with a row condition on Person, in
# alternation in the same run, on one imported database. The role sees
# everything (its condition holds for every Person: `n.id >= 0`), so both
# answer the same rows and the difference is the policy's work: a
# visibility check on every node a scan, seek or expansion reads, the
# condition evaluated once per Person, property checks on every read.
#
# usage: benches/compare/policy_overhead.sh [RUNS] [ROUNDS]
# env:   RELGRAPH_BIN, LDBC_DATA, COMPARE_WORK (as run.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
runs="${1:-5}"
rounds="${2:-2}"
db="$work/relgraph-ldbc-policy.db"
relgraph_import "$db" > /dev/null
q() { "$RELGRAPH_BIN" query --db "$db" "$1" > /dev/null; }
q "CREATE ROLE reader"
q "GRANT MATCH {*} ON GRAPH * TO reader"
q "DENY TRAVERSE ON GRAPH * NODES Person WHERE n.id < 0 TO reader"
for i in $(seq 1 "$rounds"); do
    "$RELGRAPH_BIN" bench --db "$db" "$here/queries" --runs "$runs" --format json > "$work/policy-admin-$i.json"
    "$RELGRAPH_BIN" bench --db "$db" "$here/queries" --runs "$runs" --format json --role reader \
        > "$work/policy-role-$i.json"
done
"$python" - "$work" "$rounds" <<'PY'
import json, math, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def load(kind):
    runs = [json.load(open(f"{work}/policy-{kind}-{i}.json")) for i in range(1, rounds + 1)]
    return {q: min(r[q]["median_ms"] for r in runs) for q in runs[0]}
admin, role = load("admin"), load("role")
ratios = []
print(f"{'query':32} {'admin ms':>10} {'role ms':>10} {'ratio':>7}")
for q in sorted(admin):
    r = role[q] / admin[q]
    ratios.append(r)
    print(f"{q:32} {admin[q]:10.3f} {role[q]:10.3f} {r:7.2f}")
g = math.exp(sum(map(math.log, ratios)) / len(ratios))
print(f"geometric mean ratio (role / administrator): {g:.2f}; worst {max(ratios):.2f}")
PY
