# Shared by import.sh and run.sh: locations, the python with kuzu, and the
# relgraph release binary (built unless RELGRAPH_BIN points at one).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${LDBC_DATA:-$root/../shared/data/ldbc-sf0.1}"
work="${COMPARE_WORK:-/tmp/relgraph-compare}"
if [ ! -f "$data/Person.csv" ]; then
    echo "LDBC data not found at $data (set LDBC_DATA)" >&2
    exit 2
fi
mkdir -p "$work"
python="$("$here/setup.sh" | tail -n 1)"
if [ -z "${RELGRAPH_BIN:-}" ]; then
    (cd "$root" && cargo build --release -p relgraph-cli >&2)
    target="${CARGO_TARGET_DIR:-$root/target}"
    RELGRAPH_BIN="$target/release/relgraph"
fi
mapfile -t relgraph_flags < <("$python" "$here/ldbc_schema.py" "$data" --relgraph-flags)

# relgraph_import DIR: a fresh durable import of the LDBC files into DIR.
relgraph_import() {
    rm -rf "$1"
    "$RELGRAPH_BIN" import --db "$1" --no-progress "${relgraph_flags[@]}"
}
