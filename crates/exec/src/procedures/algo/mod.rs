//! Graph algorithms as procedures: `CALL algo.NAME(labels, types, config)`.
//!
//! Every algorithm but WCC projects the snapshot (`projection.rs`) and runs
//! over the CSR with `u32` node indices (WCC runs over the snapshot's
//! lists, `wcc.rs`); the hot loops of PageRank, WCC, betweenness,
//! closeness, triangle counting and similarity run in parallel with rayon
//! over fixed blocks of nodes, and floating-point sums are reduced in block
//! order, so scores do not depend on the thread count. Per-node results
//! are a [`Table`] in ascending node id order, which the executor may read
//! in parallel morsels.
//!
//! Written over the CSR rather than through petgraph's traits on
//! `TypedGraph`: a projection spans several relationship types and a label
//! filter, and petgraph's implementations are single-threaded and use
//! hash maps keyed by node id where a `u32`-indexed array does.

mod centrality;
mod community;
mod paths;
mod similarity;
mod wcc;

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use relgraph_graph::{NodeId, Value};

use super::bind::ArgProblem;
use super::projection::{resolve, Combine, Orientation, Projection, Spec};
use super::{col, ArgDefault, Body, ProcArg, ProcColumn, ProcMode, ProcType, Procedure, Table};
use crate::error::Result;
use crate::eval::Ctx;
use crate::exec::Hold;
use crate::options::Guard;

pub(crate) use centrality::{betweenness, closeness, page_rank};
pub(crate) use community::{core_numbers, label_propagation, scc, triangles};
pub(crate) use similarity::{node_similarity, Metric};
pub(crate) use wcc::wcc;

/// Fewest nodes per rayon split of a per-node parallel loop: keeps the
/// per-split buffers of `map_init` (a distance or counter array of `n`
/// entries each) few.
const MIN_SPLIT: usize = 256;

/// Checks the guard every 4096 units of work of one loop.
pub(crate) struct Ticker<'g> {
    guard: &'g Guard,
    n: u32,
}

impl<'g> Ticker<'g> {
    pub fn new(guard: &'g Guard) -> Self {
        Ticker { guard, n: 0 }
    }

    #[inline]
    pub fn tick(&mut self) -> Result<()> {
        self.n = self.n.wrapping_add(1);
        if self.n.is_multiple_of(4096) {
            self.guard.check()?;
        }
        Ok(())
    }
}

/// The configuration map of an algorithm call, with defaults.
#[derive(Clone, Debug)]
pub(crate) struct AlgoConfig {
    pub orientation: Orientation,
    pub weight: Option<Arc<str>>,
    pub damping: f64,
    pub max_iterations: u32,
    pub tolerance: f64,
    pub sampling_size: Option<usize>,
    pub sampling_seed: u64,
    pub top_k: usize,
    pub cutoff: f64,
    pub metric: Metric,
    pub source: Option<Value>,
    pub target: Option<Value>,
    pub k: usize,
    /// A* coordinates: node properties holding latitude and longitude in
    /// degrees.
    pub latitude: Option<Arc<str>>,
    pub longitude: Option<Arc<str>>,
}

fn bad(key: &str, msg: &str) -> ArgProblem {
    (
        "InvalidArgumentValue",
        format!("configuration key `{key}` {msg}"),
    )
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

impl AlgoConfig {
    /// Reads a configuration map whose keys and types were checked against
    /// the procedure; checks the ranges of values.
    pub fn parse(map: &BTreeMap<Arc<str>, Value>) -> std::result::Result<AlgoConfig, ArgProblem> {
        let mut c = AlgoConfig {
            orientation: Orientation::Natural,
            weight: None,
            damping: 0.85,
            max_iterations: 20,
            tolerance: 1e-7,
            sampling_size: None,
            sampling_seed: 0,
            top_k: 10,
            cutoff: 0.0,
            metric: Metric::Jaccard,
            source: None,
            target: None,
            k: 1,
            latitude: None,
            longitude: None,
        };
        for (k, v) in map {
            if v.is_null() {
                continue;
            }
            let f = number(v);
            let i = match v {
                Value::Int(i) => Some(*i),
                _ => None,
            };
            let s = match v {
                Value::String(s) => Some(s.to_uppercase()),
                _ => None,
            };
            match &**k {
                "orientation" => {
                    c.orientation = match s.as_deref() {
                        Some("NATURAL") => Orientation::Natural,
                        Some("REVERSE") => Orientation::Reverse,
                        Some("UNDIRECTED") => Orientation::Undirected,
                        _ => return Err(bad(k, "must be 'NATURAL', 'REVERSE' or 'UNDIRECTED'")),
                    }
                }
                "weightProperty" => {
                    if let Value::String(w) = v {
                        c.weight = Some(w.clone());
                    }
                }
                "dampingFactor" => match f {
                    Some(d) if (0.0..1.0).contains(&d) => c.damping = d,
                    _ => return Err(bad(k, "must be a number in [0, 1)")),
                },
                "maxIterations" => match i {
                    Some(n) if (1..=1_000_000).contains(&n) => c.max_iterations = n as u32,
                    _ => return Err(bad(k, "must be an integer from 1 to 1000000")),
                },
                "tolerance" => match f {
                    Some(t) if t >= 0.0 && t.is_finite() => c.tolerance = t,
                    _ => return Err(bad(k, "must be a non-negative number")),
                },
                "samplingSize" => match i {
                    Some(n) if n >= 1 => {
                        c.sampling_size = Some(usize::try_from(n).unwrap_or(usize::MAX))
                    }
                    _ => return Err(bad(k, "must be a positive integer")),
                },
                "samplingSeed" => match i {
                    Some(n) => c.sampling_seed = n as u64,
                    None => return Err(bad(k, "must be an integer")),
                },
                "topK" => match i {
                    Some(n) if n >= 1 => c.top_k = usize::try_from(n).unwrap_or(usize::MAX),
                    _ => return Err(bad(k, "must be a positive integer")),
                },
                "similarityCutoff" => match f {
                    Some(x) if (0.0..=1.0).contains(&x) => c.cutoff = x,
                    _ => return Err(bad(k, "must be a number in [0, 1]")),
                },
                "similarityMetric" => {
                    c.metric = match s.as_deref() {
                        Some("JACCARD") => Metric::Jaccard,
                        Some("OVERLAP") => Metric::Overlap,
                        _ => return Err(bad(k, "must be 'JACCARD' or 'OVERLAP'")),
                    }
                }
                "k" => match i {
                    Some(n) if (1..=100_000).contains(&n) => c.k = n as usize,
                    _ => return Err(bad(k, "must be an integer from 1 to 100000")),
                },
                "latitudeProperty" | "longitudeProperty" => {
                    if let Value::String(p) = v {
                        if &**k == "latitudeProperty" {
                            c.latitude = Some(p.clone());
                        } else {
                            c.longitude = Some(p.clone());
                        }
                    }
                }
                "sourceNode" => c.source = Some(v.clone()),
                "targetNode" => c.target = Some(v.clone()),
                _ => {}
            }
        }
        Ok(c)
    }
}

/// The arguments every algorithm takes.
const ARGS: &[ProcArg] = &[
    ProcArg {
        name: "labels",
        ty: ProcType::Names,
        default: ArgDefault::EmptyList,
    },
    ProcArg {
        name: "types",
        ty: ProcType::Names,
        default: ArgDefault::EmptyList,
    },
    ProcArg {
        name: "config",
        ty: ProcType::Map,
        default: ArgDefault::EmptyMap,
    },
];

const ORIENTATION: ProcColumn = col("orientation", ProcType::String);
const WEIGHT: ProcColumn = col("weightProperty", ProcType::String);
const NODE: ProcColumn = col("node", ProcType::Node);
const SOURCE_NODE: ProcColumn = col("sourceNode", ProcType::NodeOrId);
const TARGET_NODE: ProcColumn = col("targetNode", ProcType::NodeOrId);
const SCORE: ProcColumn = col("score", ProcType::Float);

/// The projection and configuration of a call.
struct Call<'g> {
    proj: Projection<'g>,
    config: AlgoConfig,
}

/// Reads the config and projects the graph (`combine` for parallel
/// relationships; `keep_rels` for paths; `orientation`: forced, or the
/// config's).
fn project<'g>(
    ctx: &Ctx<'g>,
    args: &[Value],
    combine: Combine,
    keep_rels: bool,
    orientation: Option<Orientation>,
) -> Result<Call<'g>> {
    let empty = BTreeMap::new();
    let map = match &args[2] {
        Value::Map(m) => m,
        _ => &empty,
    };
    let config =
        AlgoConfig::parse(map).map_err(|(d, m)| crate::error::ExecError::argument(d, m))?;
    let spec = Spec {
        labels: &args[0],
        types: &args[1],
        orientation: orientation.unwrap_or(config.orientation),
        weight: config.weight.as_deref(),
        combine,
        keep_rels,
    };
    let proj = Projection::build(ctx.snapshot, &spec, ctx.guard)?;
    Ok(Call { proj, config })
}

/// One row per projected node, in node order: the node, then the columns
/// that `value` makes of the node's result (`value(result, column)` for
/// columns from 1).
struct PerNode<'g, T, F> {
    nodes: Vec<NodeId>,
    values: Vec<T>,
    value: F,
    _held: Hold<'g>,
}

impl<T, F> Table for PerNode<'_, T, F>
where
    T: Send + Sync,
    F: Fn(&T, usize) -> Value + Send + Sync,
{
    fn len(&self) -> usize {
        self.nodes.len()
    }

    #[inline]
    fn get(&self, row: usize, col: usize) -> Value {
        match col {
            0 => Value::Node(self.nodes[row]),
            c => (self.value)(&self.values[row], c),
        }
    }
}

/// The table of `values` (one per projected node of `proj`); the CSR is
/// dropped, the node list kept (and held against the memory budget).
fn per_node<'g, T, F>(proj: Projection<'g>, values: Vec<T>, value: F) -> Result<Box<dyn Table + 'g>>
where
    T: Send + Sync + 'g,
    F: Fn(&T, usize) -> Value + Send + Sync + 'g,
{
    let (nodes, held) = proj.into_nodes()?;
    debug_assert_eq!(nodes.len(), values.len());
    Ok(Box::new(PerNode {
        nodes,
        values,
        value,
        _held: held,
    }))
}

/// Component or community representatives (projected indices) as the
/// smallest node id in each, as integers.
fn representatives(proj: &Projection<'_>, labels: Vec<u32>) -> Vec<i64> {
    labels
        .into_par_iter()
        .map(|r| proj.nodes[r as usize].0 as i64)
        .collect()
}

/// A table of one float per node.
fn floats<'g>(proj: Projection<'g>, values: Vec<f64>) -> Result<Box<dyn Table + 'g>> {
    per_node(proj, values, |v, _| Value::Float(*v))
}

/// A table of one integer per node.
fn ints<'g>(proj: Projection<'g>, values: Vec<i64>) -> Result<Box<dyn Table + 'g>> {
    per_node(proj, values, |v, _| Value::Int(*v))
}

pub(crate) const PAGE_RANK: Procedure = Procedure {
    name: "algo.pageRank",
    args: ARGS,
    outputs: &[NODE, SCORE],
    config: &[
        ORIENTATION,
        WEIGHT,
        col("dampingFactor", ProcType::Float),
        col("maxIterations", ProcType::Int),
        col("tolerance", ProcType::Float),
    ],
    mode: ProcMode::Read,
    description: "PageRank as networkx.pagerank defines it (dangling nodes' rank spread uniformly); defaults dampingFactor 0.85, maxIterations 20, tolerance 1e-7.",
    body: Body::Table(|ctx, args| {
        let c = project(ctx, args, Combine::Sum, false, None)?;
        let cfg = &c.config;
        let scores = page_rank(
            &c.proj.out,
            cfg.damping,
            cfg.max_iterations,
            cfg.tolerance,
            ctx.guard,
        )?;
        floats(c.proj, scores)
    }),
};

pub(crate) const WCC: Procedure = Procedure {
    name: "algo.wcc",
    args: ARGS,
    outputs: &[NODE, col("component", ProcType::Int)],
    config: &[],
    mode: ProcMode::Read,
    description: "Weakly connected components; component is the smallest node id in it.",
    body: Body::Table(|ctx, args| {
        let (labels, types, span) = resolve(ctx.snapshot, &args[0], &args[1])?;
        let (nodes, comps) = wcc(ctx.snapshot, &labels, &types, span, ctx.guard)?;
        let mut held = Hold::new(ctx.guard);
        held.add(nodes.len() as u64 * 16)?;
        Ok(Box::new(PerNode {
            nodes,
            values: comps,
            value: |c: &i64, _| Value::Int(*c),
            _held: held,
        }))
    }),
};

pub(crate) const SCC: Procedure = Procedure {
    name: "algo.scc",
    args: ARGS,
    outputs: &[NODE, col("component", ProcType::Int)],
    config: &[ORIENTATION],
    mode: ProcMode::Read,
    description: "Strongly connected components (Tarjan); component is the smallest node id in it.",
    body: Body::Table(|ctx, args| {
        let c = project(ctx, args, Combine::Sum, false, None)?;
        let comp = scc(&c.proj.out, ctx.guard)?;
        let comp = representatives(&c.proj, comp);
        ints(c.proj, comp)
    }),
};

pub(crate) const LABEL_PROPAGATION: Procedure = Procedure {
    name: "algo.labelPropagation",
    args: ARGS,
    outputs: &[NODE, col("community", ProcType::Int)],
    config: &[ORIENTATION, WEIGHT, col("maxIterations", ProcType::Int)],
    mode: ProcMode::Read,
    description: "Communities by label propagation (each node takes its neighbours' heaviest label; order and ties from a fixed seed); default orientation UNDIRECTED, maxIterations 10.",
    body: Body::Table(|ctx, args| {
        let mut args = args.to_vec();
        if let Value::Map(m) = &mut args[2] {
            // This algorithm's own defaults (a null value means the default).
            for (k, v) in [
                ("orientation", Value::String(Arc::from("UNDIRECTED"))),
                ("maxIterations", Value::Int(10)),
            ] {
                if m.get(k).is_none_or(Value::is_null) {
                    m.insert(Arc::from(k), v);
                }
            }
        }
        let c = project(ctx, &args, Combine::Sum, false, None)?;
        let comm = label_propagation(&c.proj.out, c.config.max_iterations, ctx.guard)?;
        let comm = representatives(&c.proj, comm);
        ints(c.proj, comm)
    }),
};

pub(crate) const BETWEENNESS: Procedure = Procedure {
    name: "algo.betweenness",
    args: ARGS,
    outputs: &[NODE, SCORE],
    config: &[
        ORIENTATION,
        col("samplingSize", ProcType::Int),
        col("samplingSeed", ProcType::Int),
    ],
    mode: ProcMode::Read,
    description: "Betweenness centrality (Brandes, unnormalized as networkx with normalized=False); samplingSize k estimates it from k seeded random sources, scaled by n/k.",
    body: Body::Table(|ctx, args| {
        let c = project(ctx, args, Combine::Sum, false, None)?;
        let undirected = c.config.orientation == Orientation::Undirected;
        let scores = betweenness(
            &c.proj.out,
            undirected,
            c.config.sampling_size,
            c.config.sampling_seed,
            ctx.guard,
        )?;
        floats(c.proj, scores)
    }),
};

pub(crate) const CLOSENESS: Procedure = Procedure {
    name: "algo.closeness",
    args: ARGS,
    outputs: &[NODE, SCORE],
    config: &[ORIENTATION],
    mode: ProcMode::Read,
    description: "Closeness centrality as networkx.closeness_centrality (distances to the node, Wasserman-Faust scaling for unreachable nodes).",
    body: Body::Table(|ctx, args| {
        let c = project(ctx, args, Combine::Sum, false, None)?;
        let scores = closeness(&c.proj.out, ctx.guard)?;
        floats(c.proj, scores)
    }),
};

pub(crate) const TRIANGLE_COUNT: Procedure = Procedure {
    name: "algo.triangleCount",
    args: ARGS,
    outputs: &[
        NODE,
        col("triangles", ProcType::Int),
        col("coefficient", ProcType::Float),
    ],
    config: &[],
    mode: ProcMode::Read,
    description: "Triangles through each node and its local clustering coefficient, on the undirected graph without self-loops.",
    body: Body::Table(|ctx, args| {
        let c = project(ctx, args, Combine::Sum, false, Some(Orientation::Undirected))?;
        let t = triangles(&c.proj.out, ctx.guard)?;
        let both: Vec<(u64, f64)> = t.triangles.into_iter().zip(t.coefficient).collect();
        per_node(c.proj, both, |&(t, c), col| match col {
            1 => Value::Int(t as i64),
            _ => Value::Float(c),
        })
    }),
};

pub(crate) const K_CORE: Procedure = Procedure {
    name: "algo.kCore",
    args: ARGS,
    outputs: &[NODE, col("core", ProcType::Int)],
    config: &[],
    mode: ProcMode::Read,
    description: "Core number of each node (networkx.core_number), on the undirected graph without self-loops.",
    body: Body::Table(|ctx, args| {
        let c = project(ctx, args, Combine::Sum, false, Some(Orientation::Undirected))?;
        let cores = core_numbers(&c.proj.out, ctx.guard)?;
        ints(c.proj, cores.into_iter().map(|k| k as i64).collect())
    }),
};

pub(crate) const DIJKSTRA: Procedure = Procedure {
    name: "algo.dijkstra",
    args: ARGS,
    outputs: PATH_OUTPUTS,
    config: &[
        ORIENTATION,
        WEIGHT,
        SOURCE_NODE,
        TARGET_NODE,
    ],
    mode: ProcMode::Read,
    description: "Weighted shortest path from sourceNode to targetNode (to every reachable node without targetNode, by cost); weights must be non-negative, missing ones count 1.",
    body: Body::Rows(paths::run_dijkstra),
};

/// The output columns of path algorithms.
const PATH_OUTPUTS: &[ProcColumn] = &[
    col("index", ProcType::Int),
    col("sourceNode", ProcType::Node),
    col("targetNode", ProcType::Node),
    col("cost", ProcType::Float),
    col("path", ProcType::Path),
];

pub(crate) const ASTAR: Procedure = Procedure {
    name: "algo.astar",
    args: ARGS,
    outputs: PATH_OUTPUTS,
    config: &[
        ORIENTATION,
        WEIGHT,
        SOURCE_NODE,
        TARGET_NODE,
        col("latitudeProperty", ProcType::String),
        col("longitudeProperty", ProcType::String),
    ],
    mode: ProcMode::Read,
    description: "Weighted shortest path from sourceNode to targetNode guided by the great-circle distance (km) between the nodes' latitudeProperty/longitudeProperty (degrees); weights as for algo.dijkstra and at least that distance, or the path may not be the cheapest.",
    body: Body::Rows(paths::run_astar),
};

pub(crate) const YEN_K_SHORTEST: Procedure = Procedure {
    name: "algo.yenKShortest",
    args: ARGS,
    outputs: PATH_OUTPUTS,
    config: &[
        ORIENTATION,
        WEIGHT,
        SOURCE_NODE,
        TARGET_NODE,
        col("k", ProcType::Int),
    ],
    mode: ProcMode::Read,
    description: "The k (default 1) cheapest loopless paths from sourceNode to targetNode (Yen's algorithm), by cost; weights as for algo.dijkstra.",
    body: Body::Rows(paths::run_yen),
};

pub(crate) const NODE_SIMILARITY: Procedure = Procedure {
    name: "algo.nodeSimilarity",
    args: ARGS,
    outputs: &[
        col("node1", ProcType::Node),
        col("node2", ProcType::Node),
        col("similarity", ProcType::Float),
    ],
    config: &[
        ORIENTATION,
        col("topK", ProcType::Int),
        col("similarityCutoff", ProcType::Float),
        col("similarityMetric", ProcType::String),
    ],
    mode: ProcMode::Read,
    description: "Jaccard (or overlap) similarity of neighbour sets, the topK most similar per node (default 10) above similarityCutoff.",
    body: Body::Rows(|ctx, args, emit| {
        let c = project(ctx, args, Combine::Sum, false, None)?;
        let cfg = &c.config;
        let pairs = node_similarity(&c.proj.out, cfg.metric, cfg.top_k, cfg.cutoff, ctx.guard)?;
        for (a, b, s) in pairs {
            let row = vec![
                Value::Node(c.proj.nodes[a as usize]),
                Value::Node(c.proj.nodes[b as usize]),
                Value::Float(s),
            ];
            if !emit(row)? {
                break;
            }
        }
        Ok(())
    }),
};
