#!/usr/bin/env bash
# Query speed, relgraph vs Kuzu (issue 3 "Speed"): same LDBC files, same
# machine, same run, warm, median of RUNS runs after one warm-up.
# Imports both databases fresh, runs `relgraph bench` and kuzu_queries.py,
# prints the comparison table (the 14 queries in queries/), then checks full
# results with check.py on queries/ and on the correctness-only queries in
# queries-extra/ (not timed).
#
# usage: benches/compare/run.sh [RUNS]
# env:   RELGRAPH_BIN (skip the cargo build), LDBC_DATA, COMPARE_WORK,
#        SKIP_CHECK=1 (skip the full-result comparison)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
runs="${1:-10}"
relgraph_import "$work/relgraph-ldbc.db" > /dev/null
"$python" "$here/kuzu_import.py" --data "$data" --db "$work/kuzu-ldbc.kz"
"$RELGRAPH_BIN" bench --db "$work/relgraph-ldbc.db" "$here/queries" --runs "$runs" --format json \
    > "$work/relgraph-bench.json"
status=0
"$python" "$here/kuzu_queries.py" --db "$work/kuzu-ldbc.kz" --queries "$here/queries" --runs "$runs" \
    --out "$work/kuzu-bench.json" --relgraph "$work/relgraph-bench.json" || status=$?
if [ -z "${SKIP_CHECK:-}" ]; then
    "$python" "$here/check.py" --db "$work/relgraph-ldbc.db" --kuzu-db "$work/kuzu-ldbc.kz" \
        --bin "$RELGRAPH_BIN" --queries "$here/queries" --queries "$here/queries-extra" || status=$?
fi
exit $status
