//! Shortest paths: `shortestPath(...)` and `allShortestPaths(...)` between
//! two bound endpoints.

use std::collections::HashMap;

use relgraph_graph::{Direction, NodeId, Path, RelId, Value};

use super::stream::{dirs, rel_props_match, resolve_types};
use super::Ctx;
use crate::error::Result;
use crate::plan::{Dir, Row, ShortestPath};

/// All shortest paths (or the first one) from the row's `from` to its `to`.
pub(crate) fn shortest(
    s: &ShortestPath,
    row: &Row,
    ctx: &Ctx<'_>,
    out: &mut Vec<Row>,
) -> Result<()> {
    let snap = ctx.snapshot;
    let (Value::Node(from), Value::Node(to)) = (&row[s.from], &row[s.to]) else {
        return Ok(());
    };
    let (from, to) = (*from, *to);
    let types = resolve_types(&s.types, snap);
    let push = |nodes: Vec<NodeId>, rels: Vec<RelId>, out: &mut Vec<Row>| {
        let mut r = row.clone();
        if let Some(rs) = s.rel_slot {
            r[rs] = Value::List(rels.iter().map(|x| Value::Relationship(*x)).collect());
        }
        r[s.path_slot] = Value::Path(Path { nodes, rels });
        out.push(r);
    };
    if from == to {
        if s.min == 0 {
            push(vec![from], Vec::new(), out);
        }
        return Ok(());
    }
    // Level-synchronous BFS keeping every parent on a shortest path.
    let mut depth_of: HashMap<NodeId, u32> = HashMap::new();
    let mut parents: HashMap<NodeId, Vec<(NodeId, RelId)>> = HashMap::new();
    depth_of.insert(from, 0);
    let mut frontier = vec![from];
    let mut depth = 0u32;
    let mut found = false;
    while !frontier.is_empty() && depth < s.max && !found {
        ctx.guard.check()?;
        depth += 1;
        let mut next = Vec::new();
        for &u in &frontier {
            for &t in &types {
                for &d in dirs(s.dir) {
                    for a in snap.neighbors(u, t, d) {
                        if s.dir == Dir::Both && d == Direction::Incoming && a.node == u {
                            continue;
                        }
                        if !rel_props_match(&s.rel_props, a.rel, row, ctx)? {
                            continue;
                        }
                        match depth_of.get(&a.node) {
                            None => {
                                depth_of.insert(a.node, depth);
                                parents.insert(a.node, vec![(u, a.rel)]);
                                next.push(a.node);
                            }
                            Some(&dd) if dd == depth && s.all => {
                                parents.entry(a.node).or_default().push((u, a.rel));
                            }
                            _ => {}
                        }
                        if a.node == to {
                            found = true;
                        }
                    }
                }
            }
        }
        frontier = next;
    }
    if !found || depth < s.min {
        return Ok(());
    }
    // Walk parents back from `to`.
    let mut stack: Vec<(NodeId, Vec<NodeId>, Vec<RelId>)> = vec![(to, vec![to], Vec::new())];
    while let Some((n, nodes, rels)) = stack.pop() {
        if n == from {
            let mut nodes = nodes;
            let mut rels = rels;
            nodes.reverse();
            rels.reverse();
            push(nodes, rels, out);
            if !s.all {
                break;
            }
            continue;
        }
        if let Some(ps) = parents.get(&n) {
            let take = if s.all { ps.len() } else { 1 };
            for (p, r) in ps.iter().take(take).rev() {
                let mut nn = nodes.clone();
                nn.push(*p);
                let mut rr = rels.clone();
                rr.push(*r);
                stack.push((*p, nn, rr));
            }
        }
    }
    Ok(())
}
