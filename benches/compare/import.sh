#!/usr/bin/env bash
# Import speed, relgraph vs Kuzu, same files, same machine, same run.
# Alternates the two imports RUNS times (default 3) and prints each time,
# the medians and the ratio relgraph/Kuzu (below 1 means relgraph is faster).
# Both are durable: relgraph's default import fsyncs before publishing the
# database; Kuzu's time includes closing the database (a checkpoint).
#
# usage: benches/compare/import.sh [RUNS]
# env:   RELGRAPH_BIN (skip the cargo build), LDBC_DATA, COMPARE_WORK
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
runs="${1:-3}"
rg_times=()
kz_times=()
for i in $(seq 1 "$runs"); do
    start=$(date +%s.%N)
    relgraph_import "$work/relgraph-ldbc.db" > "$work/relgraph-import.log"
    end=$(date +%s.%N)
    rg=$(awk "BEGIN { print $end - $start }")
    rg_times+=("$rg")
    kz=$("$python" "$here/kuzu_import.py" --data "$data" --db "$work/kuzu-ldbc.kz" --json |
        "$python" -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
    kz_times+=("$kz")
    printf 'run %d: relgraph %.3f s, kuzu %.3f s\n' "$i" "$rg" "$kz"
done
tail -n 2 "$work/relgraph-import.log"
"$python" - "${rg_times[*]}" "${kz_times[*]}" <<'PY'
import statistics, sys
rg = [float(x) for x in sys.argv[1].split()]
kz = [float(x) for x in sys.argv[2].split()]
m_rg, m_kz = statistics.median(rg), statistics.median(kz)
print(f"median: relgraph {m_rg:.3f} s, kuzu {m_kz:.3f} s, ratio relgraph/kuzu {m_rg / m_kz:.2f}")
print("bar (relgraph durable import no slower than Kuzu):", "PASS" if m_rg <= m_kz else "FAIL")
PY
