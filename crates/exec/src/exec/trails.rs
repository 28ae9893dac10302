//! Trails of at most two hops between two bound nodes
//! (`(p)-[:KNOWS*1..2]-(me)`), met in the middle, and the run's index of
//! the trails into a far end that many rows share ([`TrailCache`]); the
//! run's index of one hop's matches at an end that many rows share
//! ([`HopCache`]).

use relgraph_graph::{Direction, NodeId, RelId, RelTypeId, Value};

use super::stream::{dirs, rel_unique, Steps};
use crate::error::{ExecError, Result};
use crate::eval::{tick, Ctx};
use crate::options::VALUE_BYTES;
use crate::plan::{Dir, Expand, Row};
use crate::tables::{HopCache, HopIndex, Trail, TrailCache, TrailIndex};

/// Receives a trail's end node and relationships; false stops the search.
pub(super) type TrailSink<'a> = dyn FnMut(NodeId, &[RelId], &mut Row) -> Result<bool> + 'a;

/// The direction of a step read from its far end.
fn reverse(d: Dir) -> Dir {
    match d {
        Dir::Out => Dir::In,
        Dir::In => Dir::Out,
        Dir::Both => Dir::Both,
    }
}

/// The trails of `min..=max` (at most 2) hops from `a` to `b`, each emitted
/// with its relationships in path order (only the first when `once`).
/// Two-hop trails meet in the middle: the steps that end at `b` are read
/// once from `b`'s side, so the work is the two nodes' degrees, not the
/// product of `a`'s degree and its neighbours'. When rows share `b`, the
/// run's [`TrailIndex`] of `b` answers instead (the same trails in the same
/// order).
#[allow(clippy::too_many_arguments)]
pub(super) fn trails_between(
    e: &Expand,
    types: &[RelTypeId],
    a: NodeId,
    b: NodeId,
    min: u32,
    max: u32,
    row: &mut Row,
    ctx: &Ctx<'_>,
    once: bool,
    emit: &mut TrailSink<'_>,
) -> Result<bool> {
    let mut emitted = false;
    let mut give = |rels: &[RelId], row: &mut Row| -> Result<bool> {
        if once && emitted {
            return Ok(true);
        }
        emitted = true;
        emit(b, rels, row)
    };
    if min == 0 && a == b && !give(&[], row)? {
        return Ok(false);
    }
    if let Some(index) = shared_index(e, types, b, max, ctx)? {
        tick(ctx)?;
        for t in index.from(a) {
            let hops = if t.second.is_some() { 2 } else { 1 };
            if hops < min
                || hops > max
                || !rel_unique(t.first, row, &e.unique_with)
                || t.second
                    .is_some_and(|r| !rel_unique(r, row, &e.unique_with))
            {
                continue;
            }
            let more = match t.second {
                Some(second) => give(&[t.first, second], row)?,
                None => give(&[t.first], row)?,
            };
            if !more {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    let snap = ctx.snapshot;
    // The last step of a two-hop trail, by its middle node: the steps from
    // `b` against the pattern's direction.
    let mut into_b: Vec<(NodeId, RelId)> = Vec::new();
    if max >= 2 {
        let mut steps = Steps::new(b);
        while let Some((rel, m)) = steps.next(snap, types, reverse(e.dir)) {
            tick(ctx)?;
            if rel_unique(rel, row, &e.unique_with) {
                into_b.push((m, rel));
            }
        }
        into_b.sort_unstable();
    }
    let mut steps = Steps::new(a);
    while let Some((r1, m)) = steps.next(snap, types, e.dir) {
        tick(ctx)?;
        if !rel_unique(r1, row, &e.unique_with) {
            continue;
        }
        if min <= 1 && m == b && !give(&[r1], row)? {
            return Ok(false);
        }
        if max < 2 {
            continue;
        }
        let first = into_b.partition_point(|(x, _)| *x < m);
        for &(_, r2) in into_b[first..].iter().take_while(|(x, _)| *x == m) {
            if r2 != r1 && !give(&[r1, r2], row)? {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// The run's index of the trails into `b` for this expansion, when it has
/// one for `b`: built the second time a row asks with the same `b` as the
/// first row did (so an expansion whose far end changes with every row
/// builds nothing), unless `b` has more trails than an index holds.
fn shared_index<'c>(
    e: &Expand,
    types: &[RelTypeId],
    b: NodeId,
    max: u32,
    ctx: &Ctx<'c>,
) -> Result<Option<&'c TrailIndex>> {
    let Some(i) = e.trails.map(|i| i as usize) else {
        return Ok(None);
    };
    let cache: &TrailCache = ctx.tables.trails.get(i).ok_or_else(|| {
        ExecError::internal(format!(
            "trail index {i} of a plan with {}",
            ctx.tables.trails.len()
        ))
    })?;
    let fits =
        |index: &TrailIndex| index.end == b && index.types == types && index.dirs == dirs(e.dir);
    if let Some(built) = cache.index.get() {
        return Ok(built.as_ref().filter(|index| fits(index)));
    }
    if cache.first_end.set(b).is_ok() || cache.first_end.get() != Some(&b) {
        return Ok(None);
    }
    let built = build_index(e.dir, types, b, max, ctx)?;
    // Another task may have built it meanwhile: either copy is the same.
    let _ = cache.index.set(built);
    Ok(cache
        .index
        .get()
        .and_then(Option::as_ref)
        .filter(|index| fits(index)))
}

/// Every trail of one hop, and of two when `max` allows, that ends at `b`
/// following `dir`, walked from `b` against it; `None` past
/// [`TrailIndex::MAX_TRAILS`].
fn build_index(
    dir: Dir,
    types: &[RelTypeId],
    b: NodeId,
    max: u32,
    ctx: &Ctx<'_>,
) -> Result<Option<TrailIndex>> {
    let snap = ctx.snapshot;
    let (back, start_dirs) = (reverse(dir), dirs(dir));
    // The list a step read from `at` (against `dir`) comes from at the
    // step's other end `start`: the same type, the opposite direction; an
    // undirected self-loop is read from its outgoing list only.
    let list_at_start = |steps: &Steps<'_>, at: NodeId, start: NodeId| -> u32 {
        let (t, d) = steps.list();
        let seen = dirs(back)[d];
        let from_start = if dir == Dir::Both && start == at {
            Direction::Outgoing
        } else {
            match seen {
                Direction::Outgoing => Direction::Incoming,
                Direction::Incoming => Direction::Outgoing,
            }
        };
        let d = start_dirs
            .iter()
            .position(|x| *x == from_start)
            .unwrap_or(0);
        (t * 2 + d) as u32
    };
    let mut trails = Vec::new();
    let mut last = Steps::new(b);
    while let Some((second, middle)) = last.next(snap, types, back) {
        tick(ctx)?;
        trails.push(Trail {
            start: middle,
            list: list_at_start(&last, b, middle),
            middle: b,
            first: second,
            second: None,
        });
        if max < 2 {
            continue;
        }
        let mut steps = Steps::new(middle);
        while let Some((first, start)) = steps.next(snap, types, back) {
            tick(ctx)?;
            if first == second {
                continue;
            }
            if trails.len() >= TrailIndex::MAX_TRAILS {
                return Ok(None);
            }
            trails.push(Trail {
                start,
                list: list_at_start(&steps, middle, start),
                middle,
                first,
                second: Some(second),
            });
        }
    }
    ctx.guard
        .check_alloc((trails.len() * std::mem::size_of::<Trail>()) as u64 + VALUE_BYTES)?;
    trails.sort_unstable();
    Ok(Some(TrailIndex {
        end: b,
        types: types.to_vec(),
        dirs: start_dirs,
        trails,
    }))
}

/// How many relationships one hop `e` between the bound nodes of `row`
/// matches, from the run's index of an end that rows share
/// ([`HopCache`]): built the second time a row asks, from the end it
/// shares with the first row that asked. `None` when there is no index
/// for this row's ends (the caller reads the lists then).
pub(super) fn shared_hop_count(
    e: &Expand,
    types: &[RelTypeId],
    row: &[Value],
    ctx: &Ctx<'_>,
) -> Result<Option<i64>> {
    let Some(i) = e
        .hops
        .filter(|_| e.one_hop_between_bound())
        .map(|i| i as usize)
    else {
        return Ok(None);
    };
    let (Value::Node(from), Value::Node(to)) = (&row[e.from], &row[e.to]) else {
        return Ok(None);
    };
    let (from, to) = (*from, *to);
    let cache: &HopCache = ctx.tables.hops.get(i).ok_or_else(|| {
        ExecError::internal(format!(
            "hop index {i} of a plan with {}",
            ctx.tables.hops.len()
        ))
    })?;
    let index = match cache.index.get() {
        Some(built) => built.as_ref(),
        None => {
            if cache.first.set((from, to)).is_ok() {
                return Ok(None);
            }
            let (first_from, first_to) = *cache.first.get().expect("set above or before");
            let (node, is_source) = if first_from == from {
                (from, true)
            } else if first_to == to {
                (to, false)
            } else {
                return Ok(None);
            };
            let built = build_hop_index(e.dir, types, node, is_source, ctx)?;
            // Another task may have built it meanwhile: either is the same
            // list, or of the other end, which later rows then miss.
            let _ = cache.index.set(built);
            cache.index.get().and_then(Option::as_ref)
        }
    };
    tick(ctx)?;
    Ok(index.and_then(|ix| ix.count(from, to)).map(|n| n as i64))
}

/// The other ends of the relationships of `node` that one hop in `dir`
/// matches with `node` as its source (`is_source`) or target, read as
/// `stream::each_match` reads them (an undirected self-loop once); `None`
/// past [`HopIndex::MAX_ENTRIES`].
fn build_hop_index(
    dir: Dir,
    types: &[RelTypeId],
    node: NodeId,
    is_source: bool,
    ctx: &Ctx<'_>,
) -> Result<Option<HopIndex>> {
    let read = if is_source { dir } else { reverse(dir) };
    let mut others: rustc_hash::FxHashMap<NodeId, u32> = Default::default();
    let mut entries = 0usize;
    for &t in types {
        for &d in dirs(read) {
            for a in ctx.snapshot.adjacency(node, t, d).iter() {
                tick(ctx)?;
                if read == Dir::Both && d == Direction::Incoming && a.node == node {
                    continue;
                }
                entries += 1;
                if entries > HopIndex::MAX_ENTRIES {
                    return Ok(None);
                }
                *others.entry(a.node).or_default() += 1;
            }
        }
    }
    // A table entry: the node, the count and a control byte, with slack.
    ctx.guard
        .check_alloc(others.len() as u64 * 24 + VALUE_BYTES)?;
    Ok(Some(HopIndex::new(node, is_source, others)))
}

#[cfg(test)]
mod tests {

    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use relgraph_graph::record::{NodeRecord, RelRecord};
    use relgraph_graph::{Catalog, NodeId, RelId, Snapshot, Value};

    use super::build_hop_index;
    use crate::exec::stream::{hop_matches, resolve_types};
    use crate::options::QueryOptions;
    use crate::plan::{Dir, Expand, NameRef};

    /// A random graph of up to 6 nodes over types T and U, with self-loops
    /// and parallel relationships.
    fn random_snapshot(rng: &mut StdRng) -> (Snapshot, u64) {
        let mut c = Catalog::default();
        let types = [c.intern_rel_type("T"), c.intern_rel_type("U")];
        let nodes = rng.random_range(1..=6u64);
        let records = (0..nodes)
            .map(|i| NodeRecord {
                id: NodeId(i),
                labels: vec![],
                props: vec![],
            })
            .collect();
        let rels: Vec<RelRecord> = (0..rng.random_range(0..=14u64))
            .map(|i| {
                let src = rng.random_range(0..nodes);
                let dst = if rng.random_bool(0.2) {
                    src
                } else {
                    rng.random_range(0..nodes)
                };
                RelRecord {
                    id: RelId(i),
                    rel_type: types[rng.random_range(0..2)],
                    src: NodeId(src),
                    dst: NodeId(dst),
                    props: vec![],
                }
            })
            .collect();
        let next_rel = RelId(rels.len() as u64);
        let snap = Snapshot::from_records(c, 1, NodeId(nodes), next_rel, records, rels)
            .expect("valid records");
        (snap, nodes)
    }

    fn hop(types: &[&str], dir: Dir, catalog: &Catalog) -> Expand {
        Expand {
            types: types
                .iter()
                .map(|t| NameRef::rel_type(t, catalog))
                .collect(),
            dir,
            to_bound: true,
            ..Expand::plain(0, 1, 2)
        }
    }

    /// An index of either end counts, for every pair of nodes, direction
    /// and set of types, what reading the lists counts (self-loops once
    /// when undirected, parallel relationships each).
    #[test]
    fn hop_index_counts_what_the_lists_give() {
        let mut rng = StdRng::seed_from_u64(7);
        let owned = crate::exec::TestCtx::new(&QueryOptions::default());
        let mut compared = 0;
        for _ in 0..200 {
            let (snap, nodes) = random_snapshot(&mut rng);
            let ctx = owned.ctx(&snap);
            for types in [&["T"][..], &["T", "U"], &[]] {
                for dir in [Dir::Out, Dir::In, Dir::Both] {
                    let e = hop(types, dir, snap.catalog());
                    assert!(e.one_hop_between_bound());
                    let resolved = resolve_types(&e.types, &snap);
                    for a in 0..nodes {
                        let from = build_hop_index(dir, &resolved, NodeId(a), true, &ctx)
                            .unwrap()
                            .unwrap();
                        let into = build_hop_index(dir, &resolved, NodeId(a), false, &ctx)
                            .unwrap()
                            .unwrap();
                        for b in 0..nodes {
                            let (x, y) = (NodeId(a), NodeId(b));
                            let row = [Value::Node(x), Value::Null, Value::Node(y)];
                            let listed = hop_matches(&e, &[], &row, false, &ctx).unwrap() as usize;
                            assert_eq!(
                                from.count(x, y),
                                Some(listed),
                                "{a}->{b} {dir:?} {types:?}"
                            );
                            let row = [Value::Node(y), Value::Null, Value::Node(x)];
                            let listed = hop_matches(&e, &[], &row, false, &ctx).unwrap() as usize;
                            assert_eq!(
                                into.count(y, x),
                                Some(listed),
                                "{b}->{a} {dir:?} {types:?}"
                            );
                            compared += 1;
                        }
                        assert_eq!(from.count(NodeId(nodes), NodeId(a)), None);
                    }
                }
            }
        }
        assert!(compared > 5000, "{compared} pairs compared");
    }
}
