//! The entry point: compile a statement against a snapshot, run it, and
//! materialize the result.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use relgraph_cypher::ast::{QueryMode, Statement};
use relgraph_graph::store::WriteTxn;
use relgraph_graph::{ChangeSet, Snapshot, Value};

use crate::compile::Compiler;
use crate::error::{ErrorKind, Result};
use crate::exec::{run_pipeline, State};
use crate::options::{Guard, QueryOptions, VALUE_BYTES};
use crate::params::LateParams;
use crate::plan::{explain, Op, Plan};
use crate::result::{QueryResult, QueryStats, RowSink};
use crate::tables::{RunTables, TableCounts};
use crate::value_ops::GroupKey;
use crate::{materialize, schema};

/// What running a statement produced: its result, and the changes it made
/// (empty for a read-only statement), for the caller to apply to its
/// write transaction.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Columns, rows, counters and (for EXPLAIN / PROFILE) the plan.
    pub result: QueryResult,
    /// The statement's effects, in order; apply them atomically.
    pub changes: ChangeSet,
}

/// Compiles and runs one statement against `snapshot`.
///
/// Reads see `snapshot` plus the statement's own earlier writes; the
/// returned [`Outcome::changes`] hold every write, for the caller to apply.
///
/// ```no_run
/// use relgraph_exec::{execute, QueryOptions};
/// use relgraph_graph::Snapshot;
/// let stmt = relgraph_cypher::parse("UNWIND [1, 2] AS x RETURN x * 10 AS y").unwrap();
/// let out = execute(&stmt, &Default::default(), &Snapshot::empty(), &QueryOptions::default()).unwrap();
/// assert_eq!(out.result.rows.len(), 2);
/// ```
pub fn execute(
    stmt: &Statement,
    params: &BTreeMap<String, Value>,
    snapshot: &Snapshot,
    options: &QueryOptions,
) -> Result<Outcome> {
    run(stmt, params, snapshot, options, None, None)
}

/// Like [`execute`], but hands the result rows to `sink` one at a time as
/// they are materialized, instead of collecting them in
/// [`Outcome::result`] (whose `rows` stay empty). The rows the pipeline
/// produced are still held, under the memory budget, until the statement
/// ends; what is no longer built is the second, larger copy with every
/// entity's labels and properties. Timeout and cancellation are checked
/// while the rows stream. See [`RowSink`] for an example.
pub fn execute_streaming(
    stmt: &Statement,
    params: &BTreeMap<String, Value>,
    snapshot: &Snapshot,
    options: &QueryOptions,
    sink: &mut dyn RowSink,
) -> Result<Outcome> {
    run(stmt, params, snapshot, options, None, Some(sink))
}

/// Compiles and runs one statement inside `txn`, applying each clause's
/// writes to the transaction as it goes (no second application of the
/// whole change set). On error the transaction may hold part of the
/// statement's writes: use this only when a failed statement discards the
/// transaction (autocommit); [`execute`] keeps an explicit transaction
/// usable after a failed statement.
///
/// ```
/// use relgraph_exec::{execute_in, QueryOptions};
/// let graph = relgraph_graph::Graph::in_memory();
/// let mut txn = graph.begin_write().unwrap();
/// let stmt = relgraph_cypher::parse("CREATE (:N {v: 1})").unwrap();
/// let res = execute_in(&stmt, &Default::default(), &mut txn, &QueryOptions::default()).unwrap();
/// assert_eq!(res.stats.nodes_created, 1);
/// txn.commit().unwrap();
/// assert_eq!(graph.snapshot().node_count(), 1);
/// ```
pub fn execute_in(
    stmt: &Statement,
    params: &BTreeMap<String, Value>,
    txn: &mut WriteTxn,
    options: &QueryOptions,
) -> Result<QueryResult> {
    let snapshot = txn.snapshot().clone();
    Ok(run(stmt, params, &snapshot, options, Some(txn), None)?.result)
}

/// A statement compiled once, to run many times on successive snapshots:
/// what a standing query evaluates at every commit. Parameters are folded
/// into the plan as constants when it is prepared, except the *late*
/// parameters named to [`prepare`], which each run reads from the values
/// it is given. The plan holds no run-time state: each run has its own
/// hash join tables, clock and limits.
///
/// A plan is tied to the catalog it was compiled against (names resolved
/// to ids, indexes chosen): [`Prepared::fits`] says whether a snapshot
/// still has that catalog; prepare again when it does not. Statistics that
/// changed since do not make a plan wrong, only possibly slower.
///
/// ```
/// use relgraph_exec::{prepare, LateParams, QueryOptions};
/// use relgraph_graph::{Graph, Value};
/// let graph = Graph::in_memory();
/// let opts = QueryOptions::default();
/// let create = relgraph_cypher::parse("CREATE (:N {v: 1}), (:N {v: 2}), (:N {v: 3})").unwrap();
/// let mut txn = graph.begin_write().unwrap();
/// relgraph_exec::execute_in(&create, &Default::default(), &mut txn, &opts).unwrap();
/// txn.commit().unwrap();
///
/// let stmt = relgraph_cypher::parse("MATCH (n:N) WHERE n.v >= $min AND n.v IN $pick RETURN n.v AS v").unwrap();
/// let mut params = std::collections::BTreeMap::new();
/// params.insert("min".to_string(), Value::Int(2));
/// params.insert("pick".to_string(), Value::List(vec![]));
/// let snap = graph.snapshot();
/// let prepared = prepare(&stmt, &params, &snap, &opts, &["pick".to_string()]).unwrap();
/// assert!(prepared.fits(&snap));
/// let late = LateParams::new([("pick".to_string(), Value::List(vec![Value::Int(1), Value::Int(3)]))].into());
/// let out = prepared.execute(&params, &late, &snap, &opts).unwrap();
/// assert_eq!(out.result.rows.len(), 1); // v = 3: `min` was folded in as 2
/// ```
#[derive(Debug)]
pub struct Prepared {
    plan: Plan,
    mode: QueryMode,
    catalog: Arc<relgraph_graph::catalog::Catalog>,
}

/// Compiles `stmt` against `snapshot` for repeated runs ([`Prepared`]).
/// `params` must hold every parameter the statement reads, the late ones
/// included (their values here only serve planning estimates).
pub fn prepare(
    stmt: &Statement,
    params: &BTreeMap<String, Value>,
    snapshot: &Snapshot,
    options: &QueryOptions,
    late_params: &[String],
) -> Result<Prepared> {
    let restricted = crate::access::restrict(snapshot, options.role.as_deref())?;
    Ok(Prepared {
        plan: compile(stmt, params, &restricted, options, late_params)?,
        mode: stmt.mode,
        catalog: snapshot.shared_catalog(),
    })
}

impl Prepared {
    /// True if `snapshot` has the catalog the plan was compiled against
    /// (no label, type, key, index or policy was added or changed since).
    pub fn fits(&self, snapshot: &Snapshot) -> bool {
        Arc::ptr_eq(&self.catalog, &snapshot.shared_catalog())
    }

    /// The plan as EXPLAIN shows it, under the role of `options` (whose
    /// view of `snapshot` it reads for the policy line).
    pub fn explain(&self, snapshot: &Snapshot, options: &QueryOptions) -> Result<String> {
        let restricted = crate::access::restrict(snapshot, options.role.as_deref())?;
        Ok(explain::render(
            &self.plan,
            None,
            restricted.access_rules().map(|r| &**r),
        ))
    }

    /// Runs the plan on `snapshot` like [`execute`], with `late`'s values
    /// of the late parameters. `params` are the statement's parameters
    /// (what `UNWIND $list` reads when it runs); the others keep the
    /// values they had when the plan was prepared.
    pub fn execute(
        &self,
        params: &BTreeMap<String, Value>,
        late: &LateParams,
        snapshot: &Snapshot,
        options: &QueryOptions,
    ) -> Result<Outcome> {
        let mark = snapshot.damage_mark();
        let restricted = crate::access::restrict(snapshot, options.role.as_deref())?;
        let compiled = Compiled {
            plan: &self.plan,
            mode: self.mode,
            late,
        };
        undamaged(
            snapshot,
            mark,
            run_plan(compiled, params, &restricted, None, None, options),
        )
    }
}

fn run(
    stmt: &Statement,
    params: &BTreeMap<String, Value>,
    snapshot: &Snapshot,
    options: &QueryOptions,
    txn: Option<&mut WriteTxn>,
    sink: Option<&mut dyn RowSink>,
) -> Result<Outcome> {
    let mark = snapshot.damage_mark();
    let run = || {
        let restricted = crate::access::restrict(snapshot, options.role.as_deref())?;
        let plan = compile(stmt, params, &restricted, options, &[])?;
        let compiled = Compiled {
            plan: &plan,
            mode: stmt.mode,
            late: &crate::eval::NO_LATE,
        };
        run_plan(compiled, params, &restricted, txn, sink, options)
    };
    undamaged(snapshot, mark, run())
}

/// `result`, unless the statement read a damaged segment array since
/// `mark`: such an array reads as empty, so the answer could be wrong, and
/// the statement fails with the damage (`GraphError::CorruptSegment`,
/// naming the file, the chunk and the array) instead.
fn undamaged<T>(
    snapshot: &Snapshot,
    mark: relgraph_graph::DamageMark,
    result: Result<T>,
) -> Result<T> {
    snapshot.check_damage(mark)?;
    result
}

/// A compiled plan as it is run: its statement's mode (EXPLAIN, PROFILE
/// or a plain run) and the late parameters' values it reads when it runs.
#[derive(Clone, Copy)]
struct Compiled<'p> {
    plan: &'p Plan,
    mode: QueryMode,
    late: &'p LateParams,
}

/// Refuses what a role may not run, then compiles `stmt` against
/// `snapshot` (already restricted to the role's view).
fn compile(
    stmt: &Statement,
    params: &BTreeMap<String, Value>,
    snapshot: &Snapshot,
    options: &QueryOptions,
    late_params: &[String],
) -> Result<Plan> {
    if let (Some(role), relgraph_cypher::ast::StatementKind::Schema(cmd)) =
        (&options.role, &stmt.kind)
    {
        return Err(ErrorKind::PermissionDenied(format!(
            "role `{role}` may not run `{}`: role, privilege and schema commands need the administrator (no role)",
            cmd.to_string().split_whitespace().take(2).collect::<Vec<_>>().join(" ")
        )).into());
    }
    let mut compiler = Compiler::new(snapshot, params, options.max_var_length);
    compiler.late_params = late_params;
    compiler.compile(stmt)
}

fn plan_columns(plan: &Plan) -> Vec<String> {
    match plan {
        Plan::Query { parts, .. } => parts[0].columns.clone(),
        Plan::Schema(cmd) => schema::columns(cmd),
    }
}

/// Runs a compiled plan on `snapshot` (already restricted to the role's
/// view) and materializes its rows.
fn run_plan(
    compiled: Compiled<'_>,
    params: &BTreeMap<String, Value>,
    snapshot: &Snapshot,
    txn: Option<&mut WriteTxn>,
    sink: Option<&mut dyn RowSink>,
    options: &QueryOptions,
) -> Result<Outcome> {
    let Compiled { plan, mode, late } = compiled;
    let columns = plan_columns(plan);
    if mode == QueryMode::Explain {
        if let Some(sink) = sink {
            sink.columns(&columns);
        }
        return Ok(Outcome {
            result: QueryResult {
                columns: Arc::from(columns),
                rows: Vec::new(),
                stats: QueryStats::default(),
                plan: Some(explain::render(
                    plan,
                    None,
                    snapshot.access_rules().map(|r| &**r),
                )),
            },
            changes: ChangeSet::default(),
        });
    }
    let profiling = mode == QueryMode::Profile;
    let guard = Guard::new(options).watching(snapshot);
    let tables = match plan {
        Plan::Query { tables, .. } => *tables,
        Plan::Schema(_) => TableCounts::default(),
    };
    let mut st = State {
        snapshot: snapshot.clone(),
        params,
        txn,
        guard: &guard,
        now: crate::functions::temporal::statement_now(),
        changes: ChangeSet::default(),
        stats: QueryStats::default(),
        profile: profiling.then(Vec::new),
        tables: RunTables::new(tables),
        late,
    };
    let mut rows: Vec<Vec<Value>> = Vec::new();
    // The one part's rows with the slots it returns, when they go
    // straight into the result (no sink, no union to deduplicate).
    let mut single: Option<(Vec<Vec<Value>>, &[usize])> = None;
    let mut profiles = Vec::new();
    match plan {
        Plan::Schema(cmd) => rows = schema::run(cmd, &mut st)?,
        Plan::Query {
            parts,
            union_distinct,
            ..
        } => {
            for part in parts {
                let out = run_pipeline(&part.ops, part.width, &mut st)?;
                if let Some(Op::Produce { slots }) = part.ops.last() {
                    if parts.len() == 1 && sink.is_none() {
                        single = Some((out, slots));
                        if profiling {
                            profiles.push(st.profile.replace(Vec::new()).unwrap_or_default());
                        }
                        continue;
                    }
                    rows.reserve(out.len());
                    // Values are moved out of the rows, which go after
                    // this (a copy of a string is an atomic count on
                    // memory the row no longer has in cache); a column
                    // returned twice is copied.
                    let distinct = slots
                        .iter()
                        .enumerate()
                        .all(|(i, s)| !slots[..i].contains(s));
                    for mut r in out {
                        rows.push(
                            slots
                                .iter()
                                .map(|s| match r.get_mut(*s) {
                                    Some(v) if distinct => std::mem::replace(v, Value::Null),
                                    Some(v) => v.clone(),
                                    None => Value::Null,
                                })
                                .collect(),
                        );
                    }
                }
                if profiling {
                    profiles.push(st.profile.replace(Vec::new()).unwrap_or_default());
                }
            }
            if *union_distinct {
                let mut seen = HashSet::new();
                rows.retain(|r| seen.insert(r.iter().cloned().map(GroupKey).collect::<Vec<_>>()));
            }
        }
    }
    guard.check_result_rows(single.as_ref().map_or(rows.len(), |(out, _)| out.len()))?;
    let snap = &st.snapshot;
    let rows = match (sink, single) {
        (None, Some((out, slots))) => {
            guard.charge((out.len() * columns.len().max(1)) as u64 * VALUE_BYTES)?;
            materialize::returned(out, slots, snap)
        }
        (None, None) => {
            guard.charge((rows.len() * columns.len().max(1)) as u64 * VALUE_BYTES)?;
            let one = |r: &Vec<Value>| r.iter().map(|v| materialize::value(v, snap)).collect();
            // A few rows are materialized where they are: handing them to
            // the pool wakes a thread and waits for it, which cost a
            // 0.1 ms query a third of its time.
            if rows.len() < crate::exec::PAR_MIN_ROWS {
                rows.iter().map(one).collect()
            } else {
                rows.par_iter().map(one).collect()
            }
        }
        // Only a statement without a sink keeps its rows in `single`.
        (Some(sink), _) => {
            sink.columns(&columns);
            for (i, r) in rows.iter().enumerate() {
                if i % 1024 == 0 {
                    guard.check()?;
                }
                let row = r.iter().map(|v| materialize::value(v, snap)).collect();
                if sink.row(row).is_break() {
                    break;
                }
            }
            Vec::new()
        }
    };
    Ok(Outcome {
        result: QueryResult {
            columns: Arc::from(columns),
            rows,
            stats: st.stats,
            plan: profiling.then(|| {
                explain::render(plan, Some(&profiles), snapshot.access_rules().map(|r| &**r))
            }),
        },
        changes: st.changes,
    })
}
