#!/usr/bin/env python3
"""Estimation quality of the planner: q-errors of every estimated operator.

usage: benches/planner/qerror.py DB QUERY_DIR [QUERY_DIR ...] [--db DB QUERY_DIR ...]
env:   RELGRAPH_BIN (default target/release/relgraph)

`--db DB` switches the database for the folders after it, so one run can
cover both datasets and print the bar over all their operators:
  qerror.py LDBC_DB benches/compare/queries benches/compare/queries-extra \
            --db DEMO45_DB benches/scale/cookbook

Runs `PROFILE <query>` for every .cypher file (files named *.kuzu.cypher are
skipped) with `relgraph query --db DB`, reads each operator line that
carries both the planner's estimate (`est=E`) and the actual rows (`rows=A`),
and prints the q-error max(E/A, A/E) per query (its worst operator) and the
median and 95th percentile over all operators. Estimates are per input row
of their MATCH (a MATCH planned right after another counts all rows), so
only operators of a query's first MATCHes (those whose input is the single
empty row, up to the first operator without an estimate) are counted; a
join built once (`CartesianProduct`, `HashJoin`) is stepped over, since
the pattern's estimates after it include its rows (its build side prints
no actual rows). Estimates and actuals under 1 count as 1 (a q-error over
"no rows" is not defined).

Datasets: LDBC SF0.1 (benches/compare/queries, benches/compare/queries-extra)
and the scale-45 demo graph (`relgraph generate --scale 45`,
benches/scale/cookbook).

Issue 11's bar: median at most 2, 95th percentile at most 10.
"""
import os
import re
import subprocess
import sys

JOIN = re.compile(r"^\+ (CartesianProduct|HashJoin)\b")
LINE = re.compile(r"^(?P<pad>\s*)\+ (?P<op>.*?) est=(?P<est>[0-9.e+]+)\s+rows=(?P<rows>\d+)")


def profile(binary, db, text):
    out = subprocess.run(
        [binary, "query", "--db", db, "--timeout", "120s", "PROFILE " + text],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        return None, out.stderr.strip().splitlines()[-1:] or ["failed"]
    return out.stdout, None


def first_match_operators(plan):
    """(operator, estimate, actual) for the operators of the first MATCH:
    the plan is printed root first, so they are the last lines up to the
    first operator that is not a scan, expansion, filter or join."""
    lines = [l for l in plan.splitlines() if l.lstrip().startswith("+ ")]
    ops = []
    for line in reversed(lines):
        if line.startswith(" "):
            continue  # nested (join build side, optional): no actual rows
        m = LINE.match(line)
        if m is None:
            if JOIN.match(line):
                continue
            if ops:
                break
            continue
        ops.append((m.group("op"), float(m.group("est")), int(m.group("rows"))))
    return ops


def qerror(est, actual):
    e, a = max(est, 1.0), max(float(actual), 1.0)
    return max(e / a, a / e)


def percentile(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, int(round(p * (len(s) - 1)))))
    return s[k]


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    binary = os.environ.get("RELGRAPH_BIN", os.path.join(root, "target/release/relgraph"))
    db = sys.argv[1]
    all_q = []
    print(f"{'query':<44} {'ops':>4} {'worst q-error':>14}  worst operator")
    args = iter(sys.argv[2:])
    for folder in args:
        if folder == "--db":
            db = next(args)
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".cypher") or name.endswith(".kuzu.cypher"):
                continue
            text = open(os.path.join(folder, name)).read().strip().rstrip(";")
            plan, err = profile(binary, db, text)
            if plan is None:
                print(f"{name:<44} error: {err[0]}")
                continue
            ops = first_match_operators(plan)
            if not ops:
                continue
            errs = [(qerror(e, a), op, e, a) for op, e, a in ops]
            all_q.extend(q for q, _, _, _ in errs)
            worst = max(errs)
            print(
                f"{name:<44} {len(ops):>4} {worst[0]:>14.2f}  {worst[1]} (est {worst[2]:.1f}, actual {worst[3]})"
            )
    med, p95 = percentile(all_q, 0.5), percentile(all_q, 0.95)
    print(f"\n{len(all_q)} operators: median q-error {med:.2f}, 95th percentile {p95:.2f}")
    ok = med <= 2 and p95 <= 10
    print(f"bar (median <= 2, 95th percentile <= 10): {'PASS' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
