//! Writing a whole base image as one segment from a stream of records,
//! without building the snapshot in memory (bulk import).
//!
//! Records arrive in id order, nodes first. Each node chunk's liveness,
//! labels and property columns are written as soon as its 4096 ids are
//! complete, each relationship chunk likewise; what stays in memory until
//! the end is one pending chunk of each kind and the adjacency entries,
//! bucketed by the node chunk they belong to (two 24-byte entries per
//! relationship). `finish` then builds each node chunk's CSR lists from its
//! bucket, appends them, and writes the footer.

use std::io::Write;

use rayon::prelude::*;

use crate::error::{GraphError, Result};
use crate::ids::{NodeId, RelId, RelTypeId};
use crate::record::{NodeRecord, RecordSink, RelRecord};

use super::chunk::{
    build_adj_lists, node_pos, rebuild_node_chunk, rebuild_rel_chunk, rel_pos, NodeView, RelView,
    NODE_CHUNK,
};
use super::segment::{NodeChunkDir, SegmentSummary, SegmentWriter};
use super::{Adj, SnapshotCounts};

/// One adjacency entry waiting for its node chunk: list key and local
/// offset packed (type << 13 | direction << 12 | local), neighbour, relationship.
#[derive(Clone, Copy)]
struct Pending {
    key_local: u64,
    node: u64,
    rel: u64,
}

/// What [`ImageWriter::finish`] returns: the output, the segment's summary
/// and the image's counts.
pub(crate) type Finished<W> = (W, SegmentSummary, SnapshotCounts);

/// Node chunks whose adjacency is built at once in `finish` (in parallel).
const ADJ_BATCH: usize = 8;

/// Streams records into a segment (as a [`RecordSink`]). See the module
/// documentation.
pub(crate) struct ImageWriter<W: Write> {
    w: SegmentWriter<W>,
    nodes: Vec<NodeRecord>,
    node_dirs: Vec<Option<NodeChunkDir>>,
    rels: Vec<RelRecord>,
    buckets: Vec<Vec<Pending>>,
    nodes_done: bool,
    counts: SnapshotCounts,
}

impl<W: Write> ImageWriter<W> {
    pub(crate) fn new(out: W) -> Self {
        ImageWriter {
            w: SegmentWriter::new(out),
            nodes: Vec::new(),
            node_dirs: Vec::new(),
            rels: Vec::new(),
            buckets: Vec::new(),
            nodes_done: false,
            counts: SnapshotCounts::default(),
        }
    }

    /// Adds a node: ids ascending, labels sorted and distinct, properties
    /// sorted by key without nulls, all before any relationship.
    fn add_node(&mut self, n: NodeRecord) -> Result<()> {
        if self.nodes_done || (self.counts.node_count > 0 && n.id.0 < self.counts.next_node_id) {
            return Err(GraphError::Invalid(format!(
                "node {} out of order in a streamed image",
                n.id
            )));
        }
        if let Some(first) = self.nodes.first() {
            if node_pos(first.id.0).0 != node_pos(n.id.0).0 {
                self.flush_nodes()?;
            }
        }
        for l in &n.labels {
            let c = &mut self.counts.label_counts;
            if c.len() <= l.index() {
                c.resize(l.index() + 1, 0);
            }
            c[l.index()] += 1;
        }
        self.counts.next_node_id = n.id.0 + 1;
        self.counts.node_count += 1;
        self.nodes.push(n);
        Ok(())
    }

    fn flush_nodes(&mut self) -> Result<()> {
        let Some(first) = self.nodes.first() else {
            return Ok(());
        };
        let ci = node_pos(first.id.0).0;
        let edits: Vec<_> = self
            .nodes
            .iter()
            .map(|n| {
                (
                    node_pos(n.id.0).1 as u32,
                    Some(NodeView {
                        labels: &n.labels,
                        props: &n.props,
                    }),
                )
            })
            .collect();
        let chunk = rebuild_node_chunk(None, &edits, &[]);
        let dir = self.w.node_parts(&chunk)?;
        if self.node_dirs.len() <= ci {
            self.node_dirs.resize(ci + 1, None);
        }
        self.node_dirs[ci] = Some(dir);
        self.nodes.clear();
        Ok(())
    }

    /// Adds a relationship: ids ascending, endpoints among the nodes added.
    fn add_rel(&mut self, r: RelRecord) -> Result<()> {
        if !self.nodes_done {
            self.flush_nodes()?;
            self.buckets = vec![Vec::new(); self.counts.next_node_id.div_ceil(NODE_CHUNK) as usize];
            self.nodes_done = true;
        }
        if self.counts.rel_count > 0 && r.id.0 < self.counts.next_rel_id {
            return Err(GraphError::Invalid(format!(
                "relationship {} out of order in a streamed image",
                r.id
            )));
        }
        for n in [r.src, r.dst] {
            if n.0 >= self.counts.next_node_id {
                return Err(GraphError::NodeNotFound(n));
            }
        }
        if r.rel_type.0 >= 1 << 19 {
            return Err(GraphError::Invalid(format!(
                "relationship type id {} is too large",
                r.rel_type
            )));
        }
        if let Some(first) = self.rels.first() {
            if rel_pos(first.id.0).0 != rel_pos(r.id.0).0 {
                self.flush_rels()?;
            }
        }
        for (at, dir, other) in [(r.src, 0u64, r.dst), (r.dst, 1, r.src)] {
            let (ci, local) = node_pos(at.0);
            self.buckets[ci].push(Pending {
                key_local: (u64::from(r.rel_type.0) << 13) | (dir << 12) | local as u64,
                node: other.0,
                rel: r.id.0,
            });
        }
        let c = &mut self.counts.rel_type_counts;
        if c.len() <= r.rel_type.index() {
            c.resize(r.rel_type.index() + 1, 0);
        }
        c[r.rel_type.index()] += 1;
        self.counts.next_rel_id = r.id.0 + 1;
        self.counts.rel_count += 1;
        self.rels.push(r);
        Ok(())
    }

    fn flush_rels(&mut self) -> Result<()> {
        let Some(first) = self.rels.first() else {
            return Ok(());
        };
        let ci = rel_pos(first.id.0).0;
        let edits: Vec<_> = self
            .rels
            .iter()
            .map(|r| {
                (
                    rel_pos(r.id.0).1 as u32,
                    Some(RelView {
                        rel_type: r.rel_type,
                        src: r.src,
                        dst: r.dst,
                        props: &r.props,
                    }),
                )
            })
            .collect();
        let chunk = rebuild_rel_chunk(None, &edits);
        self.w.rel_chunk(ci as u64, &chunk)?;
        self.rels.clear();
        Ok(())
    }

    /// Builds and writes the adjacency, then the footer. Returns the
    /// output, the segment's summary and the image's counts (version 0).
    pub(crate) fn finish(mut self) -> Result<Finished<W>> {
        self.flush_nodes()?;
        self.flush_rels()?;
        let mut buckets = std::mem::take(&mut self.buckets);
        buckets.resize(self.node_dirs.len(), Vec::new());
        let mut dirs = std::mem::take(&mut self.node_dirs);
        let mut start = 0;
        while start < dirs.len() {
            let end = (start + ADJ_BATCH).min(dirs.len());
            let lists: Vec<_> = buckets[start..end]
                .par_iter_mut()
                .map(|b| {
                    let entries: Vec<_> = std::mem::take(b)
                        .into_iter()
                        .map(|p| {
                            let key = (
                                RelTypeId((p.key_local >> 13) as u32),
                                ((p.key_local >> 12) & 1) as u8,
                            );
                            let adj = Adj {
                                node: NodeId(p.node),
                                rel: RelId(p.rel),
                            };
                            (key, (p.key_local & (NODE_CHUNK - 1)) as u32, adj)
                        })
                        .collect();
                    build_adj_lists(&entries)
                })
                .collect();
            for (i, lists) in (start..end).zip(lists) {
                if let Some(mut dir) = dirs[i].take() {
                    dir.adj = self.w.adj_lists(&lists)?;
                    self.w.add_node_dir(i as u64, dir);
                }
            }
            start = end;
        }
        let (out, summary) = self.w.finish()?;
        Ok((out, summary, self.counts))
    }
}

impl<W: Write> RecordSink for ImageWriter<W> {
    fn push_node(&mut self, node: NodeRecord) -> Result<()> {
        self.add_node(node)
    }
    fn push_rel(&mut self, rel: RelRecord) -> Result<()> {
        self.add_rel(rel)
    }
}
