#!/usr/bin/env bash
# Installs the peer engine for the comparison: kuzu 0.11.3 for Python.
# Idempotent: uses an existing system-wide kuzu 0.11.3 if there is one,
# otherwise a virtual environment in benches/compare/.venv (git-ignored).
# Prints the python interpreter to use on its last line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
want="0.11.3"
have() { "$1" -c "import kuzu, sys; sys.exit(0 if kuzu.__version__ == '$want' else 1)" 2>/dev/null; }
if have python3; then
    echo "kuzu $want already installed for $(command -v python3)" >&2
    echo python3
    exit 0
fi
if [ ! -x "$here/.venv/bin/python" ]; then
    python3 -m venv "$here/.venv"
fi
if ! have "$here/.venv/bin/python"; then
    "$here/.venv/bin/pip" install --quiet "kuzu==$want"
fi
echo "$here/.venv/bin/python"
