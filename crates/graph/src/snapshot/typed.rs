//! petgraph's graph traits over a snapshot, per relationship type.
//!
//! [`TypedGraph`] is a `Copy` view (a reference to the snapshot, a type
//! filter and a rank structure); nothing is copied out of the snapshot.
//! Node identifiers are the graph's [`NodeId`]s and edge identifiers its
//! [`RelId`]s.
//!
//! Indexing is *compact*: [`NodeIndexable::to_index`] is the rank of a live
//! node among live nodes, so `node_bound() == node_count()` even after
//! deletions, and the view can implement [`NodeCompactIndexable`] honestly
//! (algorithms such as `connected_components` and `page_rank` iterate
//! `0..node_count()` and would otherwise count deleted ids as nodes).
//! The rank is a prefix count per 64-bit word of the liveness bitsets,
//! built once per snapshot on first use (`O(ids / 64)`); `to_index` is a
//! lookup plus a popcount, `from_index` a binary search plus a select.

use petgraph::visit::{
    Data, EdgeCount, EdgeRef, GraphBase, GraphProp, GraphRef, IntoEdgeReferences, IntoEdges,
    IntoEdgesDirected, IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers,
    NodeCompactIndexable, NodeCount, NodeIndexable, VisitMap, Visitable,
};

use crate::access::AccessRules;
use crate::ids::{NodeId, RelId, RelTypeId};

use super::chunk::{node_pos, AdjKey, AdjList, Bits, NODE_CHUNK};
use super::{AdjIter, Inner, Snapshot};

/// Live-node rank structure: live nodes before each 64-id word.
#[derive(Debug)]
pub(crate) struct LiveRank {
    prefix: Vec<u64>,
}

fn alive_word(inner: &Inner, w: usize) -> u64 {
    let per_chunk = (NODE_CHUNK / 64) as usize;
    inner
        .nodes
        .get(w / per_chunk)
        .and_then(|c| c.meta.alive.words().get(w % per_chunk).copied())
        .unwrap_or(0)
}

impl LiveRank {
    fn build(inner: &Inner) -> LiveRank {
        let words = (inner.next_node as usize).div_ceil(64);
        LiveRank::of_words(words, |w| alive_word(inner, w))
    }

    /// The rank of the set bits of `words` words given by `word`.
    fn of_words(words: usize, word: impl Fn(usize) -> u64) -> LiveRank {
        let mut prefix = Vec::with_capacity(words + 1);
        let mut acc = 0u64;
        prefix.push(0);
        for w in 0..words {
            acc += u64::from(word(w).count_ones());
            prefix.push(acc);
        }
        LiveRank { prefix }
    }

    /// How many nodes are ranked.
    fn count(&self) -> u64 {
        self.prefix.last().copied().unwrap_or(0)
    }
}

/// The nodes a role's view sees, as a bitset over node ids with its rank:
/// what the live-node rank is to an unrestricted snapshot.
pub(crate) struct VisibleNodes {
    bits: Bits,
    rank: LiveRank,
}

impl VisibleNodes {
    /// Decides the visibility of every live node of `snap` (a role's view).
    fn build(snap: &Snapshot, a: &crate::access::Restriction) -> VisibleNodes {
        let mut words = vec![0u64; (snap.inner.next_node as usize).div_ceil(64)];
        for n in live_nodes(&snap.inner) {
            if snap.seen(a, n) {
                words[(n.0 / 64) as usize] |= 1u64 << (n.0 % 64);
            }
        }
        let rank = LiveRank::of_words(words.len(), |w| words[w]);
        VisibleNodes {
            bits: Bits::from_words(words.into()),
            rank,
        }
    }

    #[inline]
    fn contains(&self, n: NodeId) -> bool {
        self.bits.get(n.0 as usize)
    }

    fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.bits
            .ones(0, self.bits.words().len() * 64)
            .map(|i| NodeId(i as u64))
    }
}

/// What a role's view of a [`TypedGraph`] keeps: the nodes it sees and
/// the rules that say which relationship types it sees.
type View<'a> = Option<(&'a VisibleNodes, &'a AccessRules)>;

/// A petgraph view of one relationship type of a [`Snapshot`] (or of all
/// types, from [`Snapshot::all_types`]). Directed: `neighbors` follows
/// outgoing relationships. Edge weights are the relationship types; read
/// properties through the snapshot in the cost closure. Over a role's
/// view ([`Snapshot::restrict`]) it has only the nodes and relationships
/// the role sees, compactly indexed among those (the first use of such a
/// view decides the visibility of every node; counting its edges walks
/// them).
///
/// ```
/// use petgraph::algo::dijkstra;
/// use petgraph::visit::EdgeRef;
/// use relgraph_graph::record::{NodeRecord, RelRecord};
/// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot};
///
/// let mut c = Catalog::default();
/// let road = c.intern_rel_type("ROAD");
/// let n = |i| NodeRecord { id: NodeId(i), labels: vec![], props: vec![] };
/// let r = |i, s, d| RelRecord { id: RelId(i), rel_type: road, src: NodeId(s), dst: NodeId(d), props: vec![] };
/// let s = Snapshot::from_records(c, 1, NodeId(3), RelId(2), vec![n(0), n(1), n(2)], vec![r(0, 0, 1), r(1, 1, 2)]).unwrap();
/// let dist = dijkstra(s.typed(road), NodeId(0), None, |_e| 1u32);
/// assert_eq!(dist[&NodeId(2)], 2);
/// ```
#[derive(Clone, Copy)]
pub struct TypedGraph<'a> {
    inner: &'a Inner,
    rel_type: Option<RelTypeId>,
    rank: &'a LiveRank,
    view: View<'a>,
}

impl<'a> TypedGraph<'a> {
    pub(super) fn new(snap: &'a Snapshot, rel_type: Option<RelTypeId>) -> TypedGraph<'a> {
        let inner = &*snap.inner;
        match &snap.access {
            None => TypedGraph {
                inner,
                rel_type,
                rank: inner.rank.get_or_init(|| LiveRank::build(inner)),
                view: None,
            },
            Some(a) => {
                let seen = a.typed.get_or_init(|| VisibleNodes::build(snap, a));
                TypedGraph {
                    inner,
                    rel_type,
                    rank: &seen.rank,
                    view: Some((seen, &*a.rules)),
                }
            }
        }
    }

    /// Word `w` of the bitset of the nodes in this view.
    fn word(&self, w: usize) -> u64 {
        match self.view {
            None => alive_word(self.inner, w),
            Some((seen, _)) => seen.bits.words().get(w).copied().unwrap_or(0),
        }
    }

    /// The nodes in this view, ascending.
    fn nodes(self) -> Box<dyn Iterator<Item = NodeId> + 'a> {
        match self.view {
            None => Box::new(live_nodes(self.inner)),
            Some((seen, _)) => Box::new(seen.nodes()),
        }
    }

    fn lists(&self, n: NodeId) -> (&'a [(AdjKey, std::sync::Arc<AdjList>)], usize) {
        let (c, l) = node_pos(n.0);
        match self.inner.nodes.get(c) {
            Some(c) => (&c.adj, l),
            None => (&[], 0),
        }
    }

    fn edges_dir(&self, n: NodeId, dir: u8) -> TypedEdges<'a> {
        let (lists, local) = match self.view {
            Some((seen, _)) if !seen.contains(n) => (&[][..], 0),
            _ => self.lists(n),
        };
        TypedEdges {
            view: self.view,
            lists,
            next_list: 0,
            cur: AdjIter::default(),
            rel_type: self.rel_type,
            dir,
            node: n,
            local,
        }
    }
}

/// A relationship as petgraph sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TypedEdge {
    /// The relationship.
    pub id: RelId,
    /// Its type (the edge weight).
    pub rel_type: RelTypeId,
    /// Its start node.
    pub source: NodeId,
    /// Its end node.
    pub target: NodeId,
}

impl EdgeRef for TypedEdge {
    type NodeId = NodeId;
    type EdgeId = RelId;
    type Weight = RelTypeId;

    fn source(&self) -> NodeId {
        self.source
    }
    fn target(&self) -> NodeId {
        self.target
    }
    fn weight(&self) -> &RelTypeId {
        &self.rel_type
    }
    fn id(&self) -> RelId {
        self.id
    }
}

/// Edges of one node in one direction, over the matching adjacency lists.
pub struct TypedEdges<'a> {
    view: View<'a>,
    lists: &'a [(AdjKey, std::sync::Arc<AdjList>)],
    next_list: usize,
    cur: AdjIter<'a>,
    rel_type: Option<RelTypeId>,
    dir: u8,
    node: NodeId,
    local: usize,
}

impl Iterator for TypedEdges<'_> {
    type Item = TypedEdge;

    fn next(&mut self) -> Option<TypedEdge> {
        loop {
            if let Some(a) = self.cur.next() {
                if self.view.is_some_and(|(seen, _)| !seen.contains(a.node)) {
                    continue;
                }
                let t = self.lists[self.next_list - 1].0 .0;
                let (source, target) = if self.dir == 0 {
                    (self.node, a.node)
                } else {
                    (a.node, self.node)
                };
                return Some(TypedEdge {
                    id: a.rel,
                    rel_type: t,
                    source,
                    target,
                });
            }
            let ((t, d), list) = self.lists.get(self.next_list)?;
            self.next_list += 1;
            if *d == self.dir
                && self.rel_type.is_none_or(|x| x == *t)
                && self
                    .view
                    .is_none_or(|(_, rules)| rules.rel_type_visible(*t))
            {
                self.cur = list.get(self.local).into_iter();
            }
        }
    }
}

/// Neighbour ids of one node in one direction.
pub struct TypedNeighbors<'a>(TypedEdges<'a>);

impl Iterator for TypedNeighbors<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        let e = self.0.next()?;
        Some(if self.0.dir == 0 { e.target } else { e.source })
    }
}

/// A visited-set over node ids for petgraph traversals.
#[derive(Clone, Debug, Default)]
pub struct NodeVisitMap {
    words: Vec<u64>,
}

impl NodeVisitMap {
    fn with_len(n: u64) -> NodeVisitMap {
        NodeVisitMap {
            words: vec![0; (n as usize).div_ceil(64)],
        }
    }
}

impl VisitMap<NodeId> for NodeVisitMap {
    fn visit(&mut self, a: NodeId) -> bool {
        let w = (a.0 / 64) as usize;
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        let bit = 1u64 << (a.0 % 64);
        let first = self.words[w] & bit == 0;
        self.words[w] |= bit;
        first
    }

    fn is_visited(&self, a: &NodeId) -> bool {
        self.words
            .get((a.0 / 64) as usize)
            .is_some_and(|w| w & (1u64 << (a.0 % 64)) != 0)
    }

    fn unvisit(&mut self, a: NodeId) -> bool {
        let was = self.is_visited(&a);
        if let Some(w) = self.words.get_mut((a.0 / 64) as usize) {
            *w &= !(1u64 << (a.0 % 64));
        }
        was
    }
}

impl GraphBase for TypedGraph<'_> {
    type NodeId = NodeId;
    type EdgeId = RelId;
}

impl GraphRef for TypedGraph<'_> {}

impl Data for TypedGraph<'_> {
    type NodeWeight = ();
    type EdgeWeight = RelTypeId;
}

impl GraphProp for TypedGraph<'_> {
    type EdgeType = petgraph::Directed;
}

impl<'a> IntoNeighbors for TypedGraph<'a> {
    type Neighbors = TypedNeighbors<'a>;

    fn neighbors(self, a: NodeId) -> TypedNeighbors<'a> {
        TypedNeighbors(self.edges_dir(a, 0))
    }
}

impl<'a> IntoNeighborsDirected for TypedGraph<'a> {
    type NeighborsDirected = TypedNeighbors<'a>;

    fn neighbors_directed(self, n: NodeId, d: petgraph::Direction) -> TypedNeighbors<'a> {
        TypedNeighbors(self.edges_dir(
            n,
            if d == petgraph::Direction::Outgoing {
                0
            } else {
                1
            },
        ))
    }
}

impl<'a> IntoEdgeReferences for TypedGraph<'a> {
    type EdgeRef = TypedEdge;
    type EdgeReferences = Box<dyn Iterator<Item = TypedEdge> + 'a>;

    fn edge_references(self) -> Self::EdgeReferences {
        let g = self;
        Box::new(self.nodes().flat_map(move |n| g.edges_dir(n, 0)))
    }
}

impl<'a> IntoEdges for TypedGraph<'a> {
    type Edges = TypedEdges<'a>;

    fn edges(self, a: NodeId) -> TypedEdges<'a> {
        self.edges_dir(a, 0)
    }
}

impl<'a> IntoEdgesDirected for TypedGraph<'a> {
    type EdgesDirected = TypedEdges<'a>;

    fn edges_directed(self, a: NodeId, dir: petgraph::Direction) -> TypedEdges<'a> {
        self.edges_dir(
            a,
            if dir == petgraph::Direction::Outgoing {
                0
            } else {
                1
            },
        )
    }
}

fn live_nodes(inner: &Inner) -> impl Iterator<Item = NodeId> + '_ {
    inner.nodes.iter().enumerate().flat_map(|(ci, c)| {
        let base = ci as u64 * NODE_CHUNK;
        c.meta
            .alive
            .ones(0, NODE_CHUNK as usize)
            .map(move |l| NodeId(base + l as u64))
    })
}

impl<'a> IntoNodeIdentifiers for TypedGraph<'a> {
    type NodeIdentifiers = Box<dyn Iterator<Item = NodeId> + 'a>;

    fn node_identifiers(self) -> Self::NodeIdentifiers {
        self.nodes()
    }
}

impl NodeCount for TypedGraph<'_> {
    fn node_count(&self) -> usize {
        match self.view {
            None => self.inner.node_count as usize,
            Some(_) => self.rank.count() as usize,
        }
    }
}

impl EdgeCount for TypedGraph<'_> {
    fn edge_count(&self) -> usize {
        if self.view.is_some() {
            let g = *self;
            return g.nodes().map(|n| g.edges_dir(n, 0).count()).sum();
        }
        match self.rel_type {
            Some(t) => self
                .inner
                .rel_type_counts
                .get(t.index())
                .copied()
                .unwrap_or(0) as usize,
            None => self.inner.rel_count as usize,
        }
    }
}

impl NodeIndexable for TypedGraph<'_> {
    /// The number of live nodes in the view (indexing is compact).
    fn node_bound(&self) -> usize {
        self.node_count()
    }

    /// The rank of `a` among the view's nodes (meaningless for others).
    fn to_index(&self, a: NodeId) -> usize {
        let w = (a.0 / 64) as usize;
        match self.rank.prefix.get(w) {
            Some(p) => {
                let below = self.word(w) & ((1u64 << (a.0 % 64)) - 1);
                (*p + u64::from(below.count_ones())) as usize
            }
            None => self.node_count(),
        }
    }

    /// The node of rank `i`; `next_node_id` for an out-of-range rank.
    fn from_index(&self, i: usize) -> NodeId {
        let i = i as u64;
        let p = &self.rank.prefix;
        if p.last().is_none_or(|last| i >= *last) {
            return NodeId(self.inner.next_node);
        }
        let w = p.partition_point(|x| *x <= i) - 1;
        let mut word = self.word(w);
        for _ in 0..(i - p[w]) {
            word &= word - 1;
        }
        NodeId(w as u64 * 64 + u64::from(word.trailing_zeros()))
    }
}

impl NodeCompactIndexable for TypedGraph<'_> {}

impl Visitable for TypedGraph<'_> {
    type Map = NodeVisitMap;

    fn visit_map(&self) -> NodeVisitMap {
        NodeVisitMap::with_len(self.inner.next_node)
    }

    fn reset_map(&self, map: &mut NodeVisitMap) {
        map.words.clear();
        map.words
            .resize((self.inner.next_node as usize).div_ceil(64), 0);
    }
}
