//! The modules of relgraph-exec form layers (docs/architecture.md,
//! "Layers of relgraph-exec"): a module uses modules of its own layer or
//! of the layers below it, never one above. The binder and the optimizer
//! sit below the runtime's operators, so planning (constant folding,
//! filters measured on samples) can never call into a running statement;
//! the plan's data types sit below the evaluator that reads them. This
//! test reads the crate's sources and fails on a `crate::` path that goes
//! up, and on a module that is in no layer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Lowest first.
const LAYERS: &[(&str, &[&str])] = &[
    ("errors and results", &["error", "result"]),
    (
        "value semantics and statement services",
        &[
            "value_ops",
            "functions",
            "options",
            "params",
            "tables",
            "hosts",
            "materialize",
        ],
    ),
    ("plans (logical and physical)", &["plan"]),
    ("expression evaluation", &["eval"]),
    ("binder and optimizer", &["compile", "optimize"]),
    (
        "runtime: operators, procedures, policies, schema, standing queries",
        &["exec", "procedures", "access", "schema", "standing"],
    ),
    ("entry points", &["engine"]),
];

/// Pairs within one layer that must not depend on each other either:
/// the optimizer works from the logical plan alone, never the binder's
/// scopes.
const FORBIDDEN: &[(&str, &str)] = &[("optimize", "compile")];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The source files of each top-level module, tests left out (they may
/// use anything).
fn modules() -> BTreeMap<String, Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("the source directory is readable")
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "tests") {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "rs")
                && p.file_name().is_some_and(|n| n != "tests.rs")
            {
                out.push(p);
            }
        }
    }
    let mut mods: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut files = Vec::new();
    walk(&src(), &mut files);
    for f in files {
        let rel = f.strip_prefix(src()).expect("under src");
        let first = rel
            .components()
            .next()
            .expect("a path has a first component");
        let name = first.as_os_str().to_string_lossy();
        let name = name.trim_end_matches(".rs").to_string();
        if name != "lib" {
            mods.entry(name).or_default().push(f);
        }
    }
    mods
}

/// The modules `text` names as `crate::module`, outside comments and
/// `#[cfg(test)]` blocks at the end of a file.
fn uses(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push((i + 1, name));
        }
    }
    out
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

#[test]
fn modules_use_only_their_layer_and_those_below() {
    let mods = modules();
    assert!(
        mods.len() > 10,
        "found only {:?} under {}",
        mods.keys(),
        src().display()
    );
    let mut problems = Vec::new();
    for name in mods.keys() {
        if layer_of(name).is_none() {
            problems.push(format!(
                "module `{name}` is in no layer: add it to LAYERS here and to docs/architecture.md"
            ));
        }
    }
    for (name, files) in &mods {
        let Some(from) = layer_of(name) else { continue };
        for f in files {
            let text = std::fs::read_to_string(f).expect("a source file is readable");
            for (line, used) in uses(&text) {
                if used == *name || !mods.contains_key(&used) {
                    continue;
                }
                let Some(to) = layer_of(&used) else { continue };
                let at = format!("{}:{line}", f.display());
                if to > from {
                    problems.push(format!(
                        "{at}: `{name}` ({}) uses `{used}` ({}), a layer above",
                        LAYERS[from].0, LAYERS[to].0
                    ));
                }
                if FORBIDDEN.contains(&(name.as_str(), used.as_str())) {
                    problems.push(format!("{at}: `{name}` must not use `{used}`"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_scan_finds_uses_and_skips_comments_and_tests() {
    let text = "use crate::plan::Op;\n// crate::engine in a comment\nlet x = crate::eval::eval(e); // crate::exec\n#[cfg(test)]\nmod tests { use crate::engine; }\n";
    assert_eq!(
        uses(text),
        vec![(1, "plan".to_string()), (3, "eval".to_string())]
    );
}
