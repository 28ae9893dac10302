#!/usr/bin/env bash
# The storage layer at real sizes, relgraph and Kuzu 0.11.3 in the same run.
#
# usage: benches/scale/run.sh [SCALE] [WORKDIR]      (SCALE 45 = 10.5M relationships)
#
# Generates the demo graph at SCALE with `relgraph generate` (once, kept in
# WORKDIR), imports the same CSV files into relgraph and into Kuzu, and prints
# a markdown table: import wall time and peak RSS (/usr/bin/time), size on
# disk, the first answer of a one-shot `relgraph query 'RETURN 1'` (open
# included, median of 5), resident memory after open and after running the
# cookbook queries (RssAnon / RssFile from /proc/PID/status), per
# relationship, and the cookbook queries' latencies (`relgraph bench`), then
# the cookbook on Kuzu: full results compared (check.py) and medians side by
# side (kuzu_queries.py; cbNN.kuzu.cypher where Kuzu needs another text).
# Run by hand (not in CI): scale 45 needs ~1.5 GB of disk, scale 450 ~12 GB.
# Environment: RELGRAPH_BIN (default target/release/relgraph), SKIP_KUZU=1.
set -euo pipefail
scale="${1:-45}"
work="${2:-/tmp/relgraph-scale}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${RELGRAPH_BIN:-$root/target/release/relgraph}"
if [ ! -x "$bin" ]; then
    (cd "$root" && cargo build --release -p relgraph-cli)
fi
mkdir -p "$work"
csv="$work/csv$scale"
if [ ! -f "$csv/import-flags.txt" ]; then
    "$bin" generate --out "$csv" --scale "$scale" --quiet
fi
flags=$(tr '\n' ' ' < "$csv/import-flags.txt")

# relgraph import
db="$work/relgraph$scale"
rm -rf "$db"
(cd "$csv" && /usr/bin/time -f "%e %M" -o "$work/rg_import.time" \
    "$bin" import --db "$db" --no-progress $flags > "$work/rg_import.out")
read -r rg_secs rg_kb < "$work/rg_import.time"
rels=$("$bin" query --db "$db" --format csv 'MATCH ()-[r]->() RETURN count(r) AS n' | tail -1)
rg_bytes=$(du -sb "$db" | cut -f1)

# Kuzu import
if [ "${SKIP_KUZU:-0}" != 1 ]; then
    python="$("$root/benches/compare/setup.sh" | tail -1)"
    /usr/bin/time -f "%e %M" -o "$work/kz_import.time" \
        "$python" "$here/kuzu_demo.py" "$csv" "$work/kuzu$scale" > "$work/kz_import.json"
    read -r _ kz_kb < "$work/kz_import.time"
    kz_secs=$("$python" -c "import json,sys; print(json.load(open(sys.argv[1]))['seconds'])" "$work/kz_import.json")
    kz_bytes=$("$python" -c "import json,sys; print(json.load(open(sys.argv[1]))['bytes'])" "$work/kz_import.json")
else
    kz_secs="-"; kz_kb="-"; kz_bytes="-"
fi

# One-shot open + RETURN 1, median of 5.
opens=()
for _ in 1 2 3 4 5; do
    s=$(date +%s.%N)
    "$bin" query --db "$db" 'RETURN 1' > /dev/null
    e=$(date +%s.%N)
    opens+=("$(echo "$e - $s" | bc)")
done
open_median=$(printf '%s\n' "${opens[@]}" | sort -n | sed -n 3p)

# Resident memory after open and after the cookbook queries, in one shell.
fifo="$work/shell.fifo"
rm -f "$fifo"; mkfifo "$fifo"
"$bin" --db "$db" < "$fifo" > "$work/shell.out" 2>&1 &
pid=$!
exec 3> "$fifo"
echo 'RETURN 1;' >&3
sleep 2
rss() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$pid/status"; }
open_anon=$(rss RssAnon); open_file=$(rss RssFile)
for q in "$here"/cookbook/*.cypher; do
    case "$q" in *.kuzu.cypher) continue ;; esac  # Kuzu's texts of the same questions
    printf '%s;\n' "$(cat "$q")" >&3
done
echo 'RETURN "cookbook-done";' >&3
for _ in $(seq 1 1200); do grep -q cookbook-done "$work/shell.out" && break; sleep 0.5; done
after_anon=$(rss RssAnon); after_file=$(rss RssFile)
exec 3>&-
wait "$pid" || true

per_rel() { echo "scale=1; $1 * 1024 / $rels" | bc; }
echo
echo "## Scale $scale: $rels relationships ($(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB)"
echo
echo "| what | relgraph | Kuzu 0.11.3 |"
echo "|---|---|---|"
echo "| import wall time | ${rg_secs} s | ${kz_secs} s |"
echo "| import peak RSS | $((rg_kb / 1024)) MB | $([ "$kz_kb" = - ] && echo - || echo "$((kz_kb / 1024)) MB") |"
echo "| size on disk | $((rg_bytes / 1048576)) MB | $([ "$kz_bytes" = - ] && echo - || echo "$((kz_bytes / 1048576)) MB") |"
echo "| \`relgraph query 'RETURN 1'\` (open + answer, median of 5) | ${open_median} s | - |"
echo "| RssAnon after open | $((open_anon / 1024)) MB = $(per_rel "$open_anon") B/rel | - |"
echo "| RssFile after open | $((open_file / 1024)) MB = $(per_rel "$open_file") B/rel | - |"
echo "| RSS after the cookbook queries (anon + file) | $(((after_anon + after_file) / 1024)) MB = $(per_rel $((after_anon + after_file))) B/rel | - |"
echo
echo "Cookbook query latencies (relgraph bench --runs 3):"
echo
"$bin" bench --db "$db" "$here/cookbook" --runs 3
if [ "${SKIP_KUZU:-0}" != 1 ] && [ -e "$work/kuzu$scale" ]; then
    # The same questions on Kuzu (cbNN.kuzu.cypher where its dialect or
    # schema needs another text): full results compared, then medians.
    echo
    echo "Cookbook against Kuzu 0.11.3 (same data, same run):"
    compare="$here/../compare"
    "$python" "$compare/check.py" --db "$db" --kuzu-db "$work/kuzu$scale" --bin "$bin" \
        --queries "$here/cookbook" || true
    "$bin" bench --db "$db" "$here/cookbook" --runs 5 --format json > "$work/cookbook-rg.json"
    "$python" "$compare/kuzu_queries.py" --db "$work/kuzu$scale" --queries "$here/cookbook" \
        --runs 5 --relgraph "$work/cookbook-rg.json" || true
fi
