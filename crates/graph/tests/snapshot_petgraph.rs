//! petgraph algorithms run on a snapshot's per-type view.

use std::collections::HashMap;

use petgraph::algo::{connected_components, dijkstra, page_rank};
use petgraph::visit::{
    EdgeRef, IntoEdgeReferences, IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers,
    NodeCount, NodeIndexable,
};
use relgraph_graph::record::{NodeRecord, RelRecord};
use relgraph_graph::{
    Catalog, Change, ChangeSet, NodeId, PropKeyId, RelId, RelTypeId, Snapshot, Value,
};

/// Nodes 0..=6 with 3 deleted; ROAD edges with a `km` weight:
/// 0->1 (4), 1->2 (1), 0->2 (7), 2->4 (2), 5->6 (3); one FERRY edge 4->5.
fn roads() -> (Snapshot, RelTypeId, RelTypeId, PropKeyId) {
    let mut c = Catalog::default();
    let road = c.intern_rel_type("ROAD");
    let ferry = c.intern_rel_type("FERRY");
    let km = c.intern_prop_key("km");
    let nodes = (0..7)
        .map(|i| NodeRecord {
            id: NodeId(i),
            labels: vec![],
            props: vec![],
        })
        .collect();
    let edges = [(0, 1, 4), (1, 2, 1), (0, 2, 7), (2, 4, 2), (5, 6, 3)];
    let mut rels: Vec<RelRecord> = edges
        .iter()
        .enumerate()
        .map(|(i, (s, d, w))| RelRecord {
            id: RelId(i as u64),
            rel_type: road,
            src: NodeId(*s),
            dst: NodeId(*d),
            props: vec![(km, Value::Int(*w))],
        })
        .collect();
    rels.push(RelRecord {
        id: RelId(5),
        rel_type: ferry,
        src: NodeId(4),
        dst: NodeId(5),
        props: vec![],
    });
    let s = Snapshot::from_records(c, 1, NodeId(7), RelId(6), nodes, rels).unwrap();
    let s = s
        .apply(&ChangeSet {
            catalog: None,
            changes: vec![Change::DeleteNode { id: NodeId(3) }],
        })
        .unwrap();
    (s, road, ferry, km)
}

#[test]
fn dijkstra_uses_relationship_properties_as_costs() {
    let (s, road, _, km) = roads();
    let g = s.typed(road);
    let dist = dijkstra(g, NodeId(0), None, |e| {
        match s.rel_property(e.id(), km).as_deref() {
            Some(Value::Int(w)) => *w,
            _ => i64::MAX / 4,
        }
    });
    let want: HashMap<NodeId, i64> = [(0, 0), (1, 4), (2, 5), (4, 7)]
        .into_iter()
        .map(|(n, d)| (NodeId(n), d))
        .collect();
    let dist: HashMap<NodeId, i64> = dist.into_iter().collect();
    assert_eq!(dist, want);
    // Over all types, the ferry makes 5 and 6 reachable: 0-2-4-5-6.
    let all = dijkstra(s.all_types(), NodeId(0), None, |_| 1u32);
    assert_eq!(all.get(&NodeId(6)), Some(&4));
}

#[test]
fn connected_components_ignore_deleted_ids_and_other_types() {
    let (s, road, ferry, _) = roads();
    // {0,1,2,4} and {5,6}; deleted node 3 is not a component.
    assert_eq!(connected_components(s.typed(road)), 2);
    // Only 4-5 is joined by FERRY: {4,5} plus four singletons.
    assert_eq!(connected_components(s.typed(ferry)), 5);
    assert_eq!(connected_components(s.all_types()), 1);
}

#[test]
fn compact_indexing_round_trips() {
    let (s, road, _, _) = roads();
    let g = s.typed(road);
    assert_eq!(g.node_count(), 6);
    assert_eq!(g.node_bound(), 6);
    let ids: Vec<NodeId> = g.node_identifiers().collect();
    assert_eq!(ids, [0, 1, 2, 4, 5, 6].map(NodeId).to_vec());
    for (i, n) in ids.iter().enumerate() {
        assert_eq!(g.to_index(*n), i);
        assert_eq!(g.from_index(i), *n);
    }
    assert_eq!(
        g.neighbors(NodeId(0)).collect::<Vec<_>>(),
        vec![NodeId(1), NodeId(2)]
    );
    assert_eq!(
        g.neighbors_directed(NodeId(2), petgraph::Direction::Incoming)
            .collect::<Vec<_>>(),
        vec![NodeId(0), NodeId(1)]
    );
    let edges: Vec<(NodeId, NodeId)> = g
        .edge_references()
        .map(|e| (e.source(), e.target()))
        .collect();
    assert_eq!(edges.len(), 5);
    assert!(edges.contains(&(NodeId(5), NodeId(6))));
}

#[test]
fn page_rank_on_a_cycle_is_uniform() {
    // A directed 3-cycle among live nodes 0, 2, 5 (1, 3, 4 deleted or
    // untouched by the type): every node has rank 1/3 by symmetry.
    let mut c = Catalog::default();
    let t = c.intern_rel_type("LINKS");
    let nodes = [0u64, 2, 5]
        .iter()
        .map(|i| NodeRecord {
            id: NodeId(*i),
            labels: vec![],
            props: vec![],
        })
        .collect();
    let rel = |id: u64, s: u64, d: u64| RelRecord {
        id: RelId(id),
        rel_type: t,
        src: NodeId(s),
        dst: NodeId(d),
        props: vec![],
    };
    let s = Snapshot::from_records(
        c,
        1,
        NodeId(6),
        RelId(3),
        nodes,
        vec![rel(0, 0, 2), rel(1, 2, 5), rel(2, 5, 0)],
    )
    .unwrap();
    let ranks = page_rank(s.typed(t), 0.85_f64, 20);
    assert_eq!(ranks.len(), 3);
    for r in ranks {
        assert!((r - 1.0 / 3.0).abs() < 1e-9, "{r}");
    }
}

#[test]
fn page_rank_matches_petgraph_graph() {
    // Same graph as a petgraph::Graph (indices = ranks of live nodes).
    let (s, road, _, _) = roads();
    let g = s.typed(road);
    let mut pg = petgraph::Graph::<(), ()>::new();
    let idx: Vec<_> = (0..g.node_count()).map(|_| pg.add_node(())).collect();
    for e in g.edge_references() {
        pg.add_edge(idx[g.to_index(e.source())], idx[g.to_index(e.target())], ());
    }
    let want = page_rank(&pg, 0.85_f64, 30);
    let got = page_rank(g, 0.85_f64, 30);
    assert_eq!(got.len(), want.len());
    for (a, b) in got.iter().zip(&want) {
        assert!((a - b).abs() < 1e-12, "{got:?} vs {want:?}");
    }
    // Node 4 (rank index 3) collects the most: every ROAD path ends there.
    let best = got
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| g.from_index(i));
    assert_eq!(best, Some(NodeId(4)));
}
