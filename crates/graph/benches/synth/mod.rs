//! A deterministic synthetic graph shaped like LDBC SNB SF0.1 (about 330k
//! nodes, 1.4M relationships): ids allocated per label in contiguous
//! ranges as import does, a few properties per node, a date on some
//! relationship types. Shared by the snapshot bench and the scale test.

#![allow(dead_code)]

use relgraph_graph::record::{NodeRecord, RelRecord};
use relgraph_graph::{Catalog, LabelId, NodeId, RelId, RelTypeId, Value};

/// splitmix64: a tiny deterministic generator (no dependency needed).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub struct Synth {
    pub catalog: Catalog,
    pub nodes: Vec<NodeRecord>,
    pub rels: Vec<RelRecord>,
    pub next_node: NodeId,
    pub next_rel: RelId,
    pub person: LabelId,
    pub knows: RelTypeId,
    pub has_creator: RelTypeId,
    /// Id range of persons.
    pub persons: std::ops::Range<u64>,
}

/// `scale` 1.0 gives ~330k nodes and ~1.4M relationships.
pub fn ldbc_like(scale: f64) -> Synth {
    let mut c = Catalog::default();
    let person = c.intern_label("Person");
    let post = c.intern_label("Post");
    let comment = c.intern_label("Comment");
    let tag = c.intern_label("Tag");
    let knows = c.intern_rel_type("KNOWS");
    let has_creator = c.intern_rel_type("HAS_CREATOR");
    let reply_of = c.intern_rel_type("REPLY_OF");
    let likes = c.intern_rel_type("LIKES");
    let has_tag = c.intern_rel_type("HAS_TAG");
    let id = c.intern_prop_key("id");
    let name = c.intern_prop_key("firstName");
    let content = c.intern_prop_key("content");
    let date = c.intern_prop_key("creationDate");
    let n = |x: f64| ((x * scale) as u64).max(1);
    let (np, npost, ncomment, ntag) = (n(1_500.0), n(135_000.0), n(180_000.0), n(16_000.0));
    let mut rng = Rng::new(42);
    let mut nodes = Vec::new();
    let mut next = 0u64;
    let mut range = |count: u64| {
        let r = next..next + count;
        next += count;
        r
    };
    let persons = range(np);
    let posts = range(npost);
    let comments = range(ncomment);
    let tags = range(ntag);
    for i in persons.clone() {
        nodes.push(NodeRecord {
            id: NodeId(i),
            labels: vec![person],
            props: vec![
                (id, Value::Int(i as i64)),
                (name, Value::from(format!("name{}", rng.below(500)))),
                (
                    date,
                    Value::Int(1_262_304_000 + rng.below(100_000_000) as i64),
                ),
            ],
        });
    }
    for (range, label) in [(posts.clone(), post), (comments.clone(), comment)] {
        for i in range {
            nodes.push(NodeRecord {
                id: NodeId(i),
                labels: vec![label],
                props: vec![
                    (id, Value::Int(i as i64)),
                    (
                        content,
                        Value::from(format!("about tag {}", rng.below(1000))),
                    ),
                    (
                        date,
                        Value::Int(1_262_304_000 + rng.below(100_000_000) as i64),
                    ),
                ],
            });
        }
    }
    for i in tags.clone() {
        nodes.push(NodeRecord {
            id: NodeId(i),
            labels: vec![tag],
            props: vec![(name, Value::from(format!("tag{i}")))],
        });
    }
    let mut rels = Vec::new();
    let push = |rels: &mut Vec<RelRecord>, t: RelTypeId, s: u64, d: u64, props: Vec<_>| {
        let r = RelRecord {
            id: RelId(rels.len() as u64),
            rel_type: t,
            src: NodeId(s),
            dst: NodeId(d),
            props,
        };
        rels.push(r);
    };
    let pick = |rng: &mut Rng, r: &std::ops::Range<u64>| r.start + rng.below(r.end - r.start);
    for _ in 0..n(17_000.0) {
        let (a, b) = (pick(&mut rng, &persons), pick(&mut rng, &persons));
        let d = Value::Int(1_262_304_000 + rng.below(100_000_000) as i64);
        push(&mut rels, knows, a, b, vec![(date, d)]);
    }
    for msg in posts.clone().chain(comments.clone()) {
        let p = pick(&mut rng, &persons);
        push(&mut rels, has_creator, msg, p, vec![]);
    }
    for c in comments.clone() {
        let p = pick(&mut rng, &posts);
        push(&mut rels, reply_of, c, p, vec![]);
    }
    for _ in 0..n(330_000.0) {
        let (p, m) = (pick(&mut rng, &persons), pick(&mut rng, &posts));
        let d = Value::Int(1_262_304_000 + rng.below(100_000_000) as i64);
        push(&mut rels, likes, p, m, vec![(date, d)]);
    }
    for _ in 0..n(555_000.0) {
        let (m, t) = (pick(&mut rng, &posts), pick(&mut rng, &tags));
        push(&mut rels, has_tag, m, t, vec![]);
    }
    Synth {
        catalog: c,
        next_node: NodeId(next),
        next_rel: RelId(rels.len() as u64),
        nodes,
        rels,
        person,
        knows,
        has_creator,
        persons,
    }
}

/// Resident set size in bytes, from /proc/self/statm (Linux); `None` elsewhere.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * page as u64)
}

/// CPU time used by this process so far (user + system, all threads).
/// On a shared machine it is a steadier measure than wall time.
pub fn cpu_time() -> std::time::Duration {
    // SAFETY: getrusage writes into the struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| std::time::Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// Returns freed heap memory to the OS so RSS reflects live data (glibc).
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory held by the allocator.
    unsafe {
        libc::malloc_trim(0);
    }
}
