#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

parse, execute: every query of crates/cypher/tests/cases/*.cypher (split on
`----` lines), tests/cases/*.cypher, every query of the openCypher TCK
(../shared/tck, if present) after "When executing query:", and 500 queries
of the differential tester's grammar (benches/compare/fuzz_compare.py, seed
1; it samples constants from ../shared/data/ldbc-sf0.1, if present).
import: the CSV fixtures of tests/fixtures/import, a node file and a
relationship file joined by a 0 byte as the target expects.
open: one edit of each kind per file index, and random sequences of 2, 4
and 16 edits.
"""
import hashlib
import itertools
import pathlib
import random
import re
import struct
import sys

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
TCK = ROOT.parent / "shared" / "tck" / "features"


def put(target, data):
    d = FUZZ / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def queries():
    for f in sorted(ROOT.glob("crates/cypher/tests/cases/*.cypher")) + sorted(
        ROOT.glob("tests/cases/*.cypher")
    ):
        for q in re.split(r"^----.*$", f.read_text(), flags=re.M):
            q = "\n".join(l for l in q.splitlines() if not l.startswith("//")).strip()
            if q:
                yield q
    if TCK.is_dir():
        for f in sorted(TCK.rglob("*.feature")):
            text = f.read_text()
            for m in re.finditer(r'executing (?:control )?query:\s*\n\s*"""\n(.*?)"""', text, re.S):
                yield "\n".join(l.strip() for l in m.group(1).splitlines())


def generated(count=500):
    data = ROOT.parent / "shared" / "data" / "ldbc-sf0.1"
    if not data.is_dir():
        return
    sys.path.insert(0, str(ROOT / "benches" / "compare"))
    import fuzz_compare

    rng = random.Random(1)
    gen = fuzz_compare.Gen(rng, fuzz_compare.sample_values(str(data), rng))
    for _ in range(count):
        yield gen.query()[0]


n = 0
for q in itertools.chain(queries(), generated()):
    put("parse", q.encode())
    put("execute", q.encode())
    n += 1
print(f"{n} queries")

fx = ROOT / "tests" / "fixtures" / "import"
for nodes in sorted(fx.glob("*.csv")):
    for rels in [None, fx / "knows.csv", fx / "works.csv"]:
        data = nodes.read_bytes()
        if rels is not None:
            data += b"\0" + rels.read_bytes()
        put("import", data)
put("import", b"id:ID,name\n1,\"Ann\n2,Bob\n")
put("import", b"\x01id:ID,age:int\n1,3\n2,4\0:START_ID,:END_ID\n1,2\n2,9\n")

for f in range(16):
    for op, off in [(0, 40), (0, 4000), (1, 100), (2, 0), (3, 64), (4, 0)]:
        put("open", struct.pack("<BBIBB", f, op, off, 0x55, 7))
# Several edits at once, up to the 16 the target applies (128 bytes).
rng = random.Random(2)
for n in (2, 4, 16):
    for _ in range(8):
        put("open", b"".join(
            struct.pack("<BBIBB", rng.randrange(16), rng.randrange(5),
                        rng.randrange(1 << 20), rng.randrange(256), rng.randrange(256))
            for _ in range(n)))
print("corpora in", FUZZ / "corpus")
