//! The hand-written floor: five everyday questions about one person, each
//! answered by the engine (a Cypher query) and by a plain Rust loop over
//! the same snapshot's adjacency arrays. The loop is what the engine's
//! answer costs without parsing, planning, rows or operators; the bench
//! (`cargo bench --bench floor`) times both, and `tests/floor.rs` checks
//! that they agree.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use relgraph::{Params, ResultValue, Snapshot, Value};
use relgraph_graph::{Direction, LabelId, NodeId, RelTypeId};

/// The schema ids the loops need (resolved once, as a plan would).
pub struct Ids {
    pub person: LabelId,
    pub topic: LabelId,
    pub content: LabelId,
    pub knows: RelTypeId,
    pub read: RelTypeId,
    pub about: RelTypeId,
    pub name: relgraph_graph::PropKeyId,
}

impl Ids {
    /// The ids in `snap`'s catalog (`None` when the demo schema is absent).
    pub fn of(snap: &Snapshot) -> Option<Ids> {
        let c = snap.catalog();
        Some(Ids {
            person: c.label_id("Person")?,
            topic: c.label_id("Topic")?,
            content: c.label_id("Content")?,
            knows: c.rel_type_id("KNOWS")?,
            read: c.rel_type_id("READ")?,
            about: c.rel_type_id("ABOUT")?,
            name: c.prop_key_id("name")?,
        })
    }
}

/// One question: its query (parameters `$me` and `$b`, node ids; its
/// rows come in a defined order) and the loop that answers it, in the
/// query's row format.
pub struct Question {
    pub name: &'static str,
    pub query: &'static str,
    pub answer: fn(&Snapshot, &Ids, NodeId, NodeId) -> Vec<Vec<ResultValue>>,
}

/// Every adjacency entry of `n` over `t` in both directions, one per
/// relationship (a relationship from `n` to itself appears twice).
fn both<'a>(snap: &'a Snapshot, n: NodeId, t: RelTypeId) -> impl Iterator<Item = NodeId> + 'a {
    let out = snap.adjacency(n, t, Direction::Outgoing);
    let inc = snap.adjacency(n, t, Direction::Incoming);
    let split = out.len();
    (0..split + inc.len()).map(move |i| {
        if i < split {
            out.at(i).node
        } else {
            inc.at(i - split).node
        }
    })
}

/// The distinct neighbours of `n` over `t` in either direction, sorted.
fn neighbour_set(snap: &Snapshot, n: NodeId, t: RelTypeId) -> Vec<NodeId> {
    let out = snap.adjacency(n, t, Direction::Outgoing);
    let inc = snap.adjacency(n, t, Direction::Incoming);
    // Both lists are sorted by node: merge them.
    let mut v = Vec::with_capacity(out.len() + inc.len());
    let (mut i, mut j) = (0, 0);
    while i < out.len() || j < inc.len() {
        let next = match (out.get(i), inc.get(j)) {
            (Some(a), Some(b)) if a.node <= b.node => {
                i += 1;
                a.node
            }
            (Some(_), Some(b)) | (None, Some(b)) => {
                j += 1;
                b.node
            }
            (Some(a), None) => {
                i += 1;
                a.node
            }
            (None, None) => break,
        };
        if v.last() != Some(&next) {
            v.push(next);
        }
    }
    v
}

fn int(n: NodeId) -> ResultValue {
    ResultValue::Int(n.0 as i64)
}

/// Mutual connections of two people.
fn mutual(snap: &Snapshot, ids: &Ids, a: NodeId, b: NodeId) -> Vec<Vec<ResultValue>> {
    let (na, nb) = (
        neighbour_set(snap, a, ids.knows),
        neighbour_set(snap, b, ids.knows),
    );
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < na.len() && j < nb.len() {
        match na[i].cmp(&nb[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                if snap.has_label(na[i], ids.person) {
                    n += 1;
                }
                i += 1;
                j += 1;
            }
        }
    }
    vec![vec![ResultValue::Int(n)]]
}

/// Friends of friends I do not know yet, by the number of mutual friends.
fn people_you_may_know(snap: &Snapshot, ids: &Ids, me: NodeId, _: NodeId) -> Vec<Vec<ResultValue>> {
    let friends = neighbour_set(snap, me, ids.knows);
    let mut mutual: HashMap<NodeId, i64> = HashMap::new();
    for &f in &friends {
        if !snap.has_label(f, ids.person) {
            continue;
        }
        for g in neighbour_set(snap, f, ids.knows) {
            if g != me && friends.binary_search(&g).is_err() && snap.has_label(g, ids.person) {
                *mutual.entry(g).or_default() += 1;
            }
        }
    }
    let mut top: Vec<(i64, NodeId)> = mutual.into_iter().map(|(g, n)| (n, g)).collect();
    top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    top.into_iter()
        .take(10)
        .map(|(n, g)| vec![int(g), ResultValue::Int(n)])
        .collect()
}

/// What my friends read about: topics by the number of (friend, content)
/// paths.
fn friends_topics(snap: &Snapshot, ids: &Ids, me: NodeId, _: NodeId) -> Vec<Vec<ResultValue>> {
    let mut per_topic: HashMap<NodeId, i64> = HashMap::new();
    for f in both(snap, me, ids.knows) {
        if !snap.has_label(f, ids.person) {
            continue;
        }
        for c in snap.adjacency(f, ids.read, Direction::Outgoing).iter() {
            if !snap.has_label(c.node, ids.content) {
                continue;
            }
            for t in snap
                .adjacency(c.node, ids.about, Direction::Outgoing)
                .iter()
            {
                if snap.has_label(t.node, ids.topic) {
                    *per_topic.entry(t.node).or_default() += 1;
                }
            }
        }
    }
    let mut by_name: BTreeMap<String, i64> = BTreeMap::new();
    for (t, n) in per_topic {
        if let Some(v) = snap.node_property(t, ids.name) {
            if let Value::String(s) = &*v {
                *by_name.entry(s.to_string()).or_default() += n;
            }
        }
    }
    let mut top: Vec<(String, i64)> = by_name.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top.into_iter()
        .take(5)
        .map(|(t, n)| vec![ResultValue::String(t), ResultValue::Int(n)])
        .collect()
}

/// How many people are within three KNOWS hops.
fn reach_3(snap: &Snapshot, ids: &Ids, me: NodeId, _: NodeId) -> Vec<Vec<ResultValue>> {
    let mut seen: HashSet<NodeId> = HashSet::from([me]);
    let mut queue = VecDeque::from([(me, 0)]);
    let mut n = 0;
    while let Some((x, d)) = queue.pop_front() {
        if d == 3 {
            continue;
        }
        for y in both(snap, x, ids.knows) {
            if seen.insert(y) {
                if snap.has_label(y, ids.person) {
                    n += 1;
                }
                queue.push_back((y, d + 1));
            }
        }
    }
    vec![vec![ResultValue::Int(n)]]
}

/// Triangles through me: pairs of my contacts who know each other, one
/// row per combination of relationships.
fn triangles(snap: &Snapshot, ids: &Ids, me: NodeId, _: NodeId) -> Vec<Vec<ResultValue>> {
    let mut to_me: HashMap<NodeId, i64> = HashMap::new();
    for x in both(snap, me, ids.knows) {
        if x != me && snap.has_label(x, ids.person) {
            *to_me.entry(x).or_default() += 1;
        }
    }
    let mut n = 0;
    for (&x, &mx) in &to_me {
        for y in both(snap, x, ids.knows) {
            if y > x {
                if let Some(my) = to_me.get(&y) {
                    n += mx * my;
                }
            }
        }
    }
    vec![vec![ResultValue::Int(n)]]
}

/// The five questions.
pub const QUESTIONS: [Question; 5] = [
    Question {
        name: "mutual_connections",
        query: "MATCH (a)-[:KNOWS]-(m:Person)-[:KNOWS]-(b) WHERE id(a) = $me AND id(b) = $b \
                RETURN count(DISTINCT m)",
        answer: mutual,
    },
    Question {
        name: "people_you_may_know",
        query: "MATCH (me)-[:KNOWS]-(f:Person)-[:KNOWS]-(fof:Person) \
                WHERE id(me) = $me AND fof <> me AND NOT (me)-[:KNOWS]-(fof) \
                RETURN id(fof) AS fof, count(DISTINCT f) AS mutual ORDER BY mutual DESC, fof LIMIT 10",
        answer: people_you_may_know,
    },
    Question {
        name: "friends_topics",
        query: "MATCH (me)-[:KNOWS]-(f:Person)-[:READ]->(c:Content)-[:ABOUT]->(t:Topic) \
                WHERE id(me) = $me RETURN t.name AS topic, count(*) AS n ORDER BY n DESC, topic LIMIT 5",
        answer: friends_topics,
    },
    Question {
        name: "reach_3_hops",
        query: "MATCH (me)-[:KNOWS*1..3]-(p:Person) WHERE id(me) = $me AND p <> me \
                RETURN count(DISTINCT p)",
        answer: reach_3,
    },
    Question {
        name: "triangles_around_me",
        query: "MATCH (me)-[:KNOWS]-(x:Person)-[:KNOWS]-(y:Person)-[:KNOWS]-(me) \
                WHERE id(me) = $me AND id(x) < id(y) RETURN count(*)",
        answer: triangles,
    },
];

/// `me` (the person with `me: true`, else the person with the most KNOWS
/// entries among the first thousand) and `b`, the friend of a friend of
/// `me` with the most mutual connections.
pub fn people(snap: &Snapshot, ids: &Ids) -> (NodeId, NodeId) {
    let me_key = snap.catalog().prop_key_id("me");
    let persons: Vec<NodeId> = snap.nodes_with_label(ids.person).collect();
    let me = persons
        .iter()
        .copied()
        .find(|&p| {
            me_key.is_some_and(|k| {
                snap.node_property(p, k)
                    .is_some_and(|v| matches!(&*v, Value::Bool(true)))
            })
        })
        .or_else(|| {
            persons
                .iter()
                .take(1000)
                .copied()
                .max_by_key(|&p| both(snap, p, ids.knows).count())
        })
        .unwrap_or(NodeId(0));
    let friends = neighbour_set(snap, me, ids.knows);
    let mut best = (0usize, me);
    for &f in &friends {
        for g in neighbour_set(snap, f, ids.knows) {
            if g != me && friends.binary_search(&g).is_err() {
                let m = match mutual(snap, ids, me, g)[0][0] {
                    ResultValue::Int(m) => m as usize,
                    _ => 0,
                };
                if m > best.0 || (m == best.0 && g < best.1) {
                    best = (m, g);
                }
            }
        }
    }
    (me, best.1)
}

/// The parameters of every question.
pub fn params(me: NodeId, b: NodeId) -> Params {
    let mut p = Params::new();
    p.insert("me".into(), Value::Int(me.0 as i64));
    p.insert("b".into(), Value::Int(b.0 as i64));
    p
}
