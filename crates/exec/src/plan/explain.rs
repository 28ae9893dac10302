//! EXPLAIN / PROFILE rendering: one line per operator, the root (the
//! result) first, nested plans (OPTIONAL MATCH) indented.

use std::fmt::Write;

use super::OpProfile;
use super::{Dir, NameRef, Op, Plan, Seek};
use relgraph_graph::PropKeyId;

fn types_text(types: &[super::NameRef<relgraph_graph::RelTypeId>]) -> String {
    if types.is_empty() {
        String::new()
    } else {
        format!(
            ":{}",
            types.iter().map(|t| &*t.name).collect::<Vec<_>>().join("|")
        )
    }
}

/// ` est=N`: the planner's estimate of the rows after an operator.
fn est(e: Option<f64>) -> String {
    match e {
        Some(e) if e < 10.0 => format!(" est={e:.1}"),
        Some(e) => format!(" est={}", e.round()),
        None => String::new(),
    }
}

/// ` reading n.a, n.b`: the properties a scan or an expansion reads where
/// it finds its node (empty for none).
fn reading(var: &str, reads: &[(NameRef<PropKeyId>, usize)]) -> String {
    if reads.is_empty() {
        return String::new();
    }
    let keys: Vec<String> = reads
        .iter()
        .map(|(k, _)| format!("{var}.{}", k.name))
        .collect();
    format!(" reading {}", keys.join(", "))
}

/// A one-line description of an operator.
pub(crate) fn describe(op: &Op) -> String {
    match op {
        Op::NodeScan(s) => {
            let extra: String = s.labels.iter().map(|l| format!(":{}", l.name)).collect();
            let scan = match &s.seek {
                Seek::All => format!("AllNodesScan({}{extra})", s.var),
                Seek::NodeId(_) => format!("NodeByIdSeek({}{extra})", s.var),
                Seek::NodeIds(_) => format!("NodeByIdListSeek({}{extra})", s.var),
                Seek::Label(l) => format!("NodeByLabelScan({}:{}{extra})", s.var, l.name),
                Seek::IndexEq { label, key, .. } => {
                    format!(
                        "NodeIndexSeek({}:{}({}) =){extra}",
                        s.var, label.name, key.name
                    )
                }
                Seek::IndexRange { label, key, .. } => {
                    format!(
                        "NodeIndexSeekByRange({}:{}({})){extra}",
                        s.var, label.name, key.name
                    )
                }
            };
            scan + &reading(&s.var, &s.reads) + &est(Some(s.estimate))
        }
        Op::Expand(e) => {
            let (l, r) = match e.dir {
                Dir::Out => ("-", "->"),
                Dir::In => ("<-", "-"),
                Dir::Both => ("-", "-"),
            };
            let len = match e.var_length {
                Some((a, u32::MAX)) => format!("*{a}.."),
                Some((a, b)) => format!("*{a}..{b}"),
                None => String::new(),
            };
            let name = match (e.var_length.is_some(), e.to_bound) {
                (true, _) if e.distinct_endpoints => "VarLengthExpandPruning",
                (true, _) => "VarLengthExpand",
                (false, true) => "ExpandInto",
                (false, false) => "Expand",
            };
            let labels: String = e.to_labels.iter().map(|l| format!(":{}", l.name)).collect();
            let name = if e.count_into.is_some() {
                format!("{name}Count")
            } else {
                name.to_string()
            };
            // The fused closing expansion; the estimate is the pair's, after it.
            let then = match &e.closing {
                Some(inner) => {
                    let mut inner = (**inner).clone();
                    inner.estimate = None;
                    format!(" -> {}", describe(&Op::Expand(inner)))
                }
                None => String::new(),
            };
            // Relationships looked up by id where the list is the shorter.
            let mut listed = if e.rel_ids.is_some() {
                " by id list".to_string()
            } else {
                String::new()
            };
            // Properties of the target read where it is found.
            listed.push_str(&reading(&e.to_var, &e.target_reads));
            format!(
                "{name}(({}){l}[{}{}{len}]{r}({}{labels})){listed}{then}{}",
                e.from_var,
                e.rel_var,
                types_text(&e.types),
                e.to_var,
                est(e.estimate)
            )
        }
        Op::ShortestPath(s) => format!(
            "{}(hops {}..{}{})",
            if s.all {
                "AllShortestPaths"
            } else {
                "ShortestPath"
            },
            s.min,
            if s.max == u32::MAX {
                String::new()
            } else {
                s.max.to_string()
            },
            types_text(&s.types)
        ),
        Op::Filter(_, e) => format!("Filter{}", est(*e)),
        Op::BuildPath(_) => "BuildPath".to_string(),
        Op::Optional { memo: None, .. } => "Optional".to_string(),
        Op::Optional { memo: Some(m), .. } => format!(
            "Optional(matched once, joined on {} key{})",
            m.keys.len(),
            if m.keys.len() == 1 { "" } else { "s" }
        ),
        Op::HashJoin(j) => {
            let mut reads = match j.probe_reads.len() {
                0 => String::new(),
                1 => "; 1 property read before".to_string(),
                n => format!("; {n} properties read before"),
            };
            match j.params.len() {
                0 => {}
                1 => reads.push_str("; build reads 1 variable of the row"),
                n => reads.push_str(&format!("; build reads {n} variables of the row")),
            }
            if j.build_keys.is_empty() {
                format!("CartesianProduct(build once{reads})")
            } else {
                format!("HashJoin({} keys{reads})", j.build_keys.len())
            }
        }
        Op::Unwind { var, .. } => format!("Unwind({var})"),
        Op::Project { names, .. } => format!("Projection({})", names.join(", ")),
        Op::Aggregate { names, aggs, .. } => {
            let a: Vec<&str> = aggs.iter().map(|a| &*a.name).collect();
            if names.is_empty() {
                format!("Aggregation({})", a.join(", "))
            } else {
                format!(
                    "EagerAggregation(keys: {}; {})",
                    names.join(", "),
                    a.join(", ")
                )
            }
        }
        Op::Distinct { .. } => "Distinct".to_string(),
        Op::Sort {
            limit: Some(k),
            names,
            ..
        } => format!("Top({k}; {})", names.len()),
        Op::Sort { names, .. } => format!("Sort({} keys)", names.len()),
        Op::Skip(n) => format!("Skip({n})"),
        Op::Limit(n) => format!("Limit({n})"),
        Op::Create(c) => format!(
            "Create({} nodes, {} relationships)",
            c.nodes.iter().filter(|n| !n.bound).count(),
            c.rels.len()
        ),
        Op::Merge(_) => "Merge".to_string(),
        Op::Set(items) => format!("SetOrRemove({} items)", items.len()),
        Op::Delete { detach, .. } => if *detach { "DetachDelete" } else { "Delete" }.to_string(),
        Op::Produce { .. } => "ProduceResults".to_string(),
        Op::Procedure(c) => format!("ProcedureCall({})", c.name),
    }
}

/// True for the operators that read the graph: where a role's policy
/// filters what they see.
fn reads_graph(op: &Op) -> bool {
    matches!(
        op,
        Op::NodeScan(_) | Op::Expand(_) | Op::ShortestPath(_) | Op::Procedure(_)
    )
}

/// `text` without its ` est=N` parts.
fn without_estimates(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" est=") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + " est=".len()..];
        rest = &tail[tail.find(' ').unwrap_or(tail.len())..];
    }
    out.push_str(rest);
    out
}

fn render_ops(
    ops: &[Op],
    depth: usize,
    profile: Option<&[OpProfile]>,
    policy: Option<&str>,
    out: &mut String,
) {
    for (i, op) in ops.iter().enumerate().rev() {
        let pad = "  ".repeat(depth);
        let text = match policy {
            // Estimates come from whole-graph statistics: under a role they
            // would tell rough counts of what it may not see.
            Some(_) => without_estimates(&describe(op)),
            None => describe(op),
        };
        let _ = write!(out, "{pad}+ {text}");
        if let Some(role) = policy.filter(|_| reads_graph(op)) {
            let _ = write!(out, " policy({role})");
        }
        if let Some(p) = profile.and_then(|p| p.get(i)) {
            let _ = write!(
                out,
                "  rows={} time={:.3}ms",
                p.rows,
                p.time.as_secs_f64() * 1000.0
            );
        }
        out.push('\n');
        match op {
            // A decorrelated pattern shows the operators that match it once.
            Op::Optional { memo: Some(m), .. } => render_ops(&m.ops, depth + 1, None, policy, out),
            Op::Optional { ops, .. } => render_ops(ops, depth + 1, None, policy, out),
            Op::HashJoin(j) => render_ops(&j.build, depth + 1, None, policy, out),
            _ => {}
        }
    }
}

/// The plan as text; with per-operator rows and time when profiled.
///
/// Under a role's policy, every operator that reads the graph (scans,
/// seeks, expansions, shortest paths, procedures) is marked
/// `policy(role)`: the policy filters what it reads, and a last line
/// states the policy's row conditions.
pub(crate) fn render(
    plan: &Plan,
    profile: Option<&[Vec<OpProfile>]>,
    rules: Option<&relgraph_graph::access::AccessRules>,
) -> String {
    let mut out = String::new();
    let policy = rules.map(|r| r.role());
    match plan {
        Plan::Schema(cmd) => {
            let _ = writeln!(out, "+ SchemaCommand({cmd:?})");
        }
        Plan::Query {
            parts,
            union_distinct,
            ..
        } => {
            if parts.len() > 1 {
                let _ = writeln!(
                    out,
                    "+ {}",
                    if *union_distinct { "Union" } else { "UnionAll" }
                );
            }
            for (i, p) in parts.iter().enumerate() {
                let depth = usize::from(parts.len() > 1);
                render_ops(
                    &p.ops,
                    depth,
                    profile.and_then(|ps| ps.get(i)).map(|v| v.as_slice()),
                    policy,
                    &mut out,
                );
            }
        }
    }
    if let Some(r) = rules {
        let conds: Vec<String> = r
            .conditions()
            .iter()
            .map(|c| format!("{}: {}", c.variable, c.text))
            .collect();
        let _ = writeln!(
            out,
            "Policy: role `{}`: scans, seeks and expansions see only what it may traverse; properties it may not read are null{}",
            r.role(),
            if conds.is_empty() {
                String::new()
            } else {
                format!("; row conditions: {}", conds.join(", "))
            }
        );
    }
    out
}
