//! Pictures of results (`relgraph query --format svg|html|dot`, the shell's
//! `:graph`): what is drawn is exactly the result's distinct nodes and
//! relationships, no text from the data can break out of its place, and
//! the HTML page renders in a real browser (headless Chromium) without a
//! script error.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

mod common;
use common::{json_of, ok, run, run_stdin, text};

/// The demo graph of the cookbook (scale 0.1, seed 42) in `dir`.
fn demo_db(dir: &Path) -> String {
    let db = dir.join("demo");
    let db = db.to_str().unwrap().to_string();
    ok(&run(&[
        "generate", "--out", &db, "--format", "db", "--scale", "0.1", "--seed", "42", "--quiet",
    ]));
    db
}

/// Every 1- and 2-hop path from Me, over every relationship type.
const TWO_HOPS: &str = "MATCH path = (me:Person {me: true})-[*1..2]-(x) RETURN path";

/// The cookbook's question 5 drawn: the introduction paths from Me to the
/// new CMO, the job change and its company (docs/cookbook.md shows it).
const INTRODUCTIONS: &str = include_str!("../../../docs/pictures/cookbook-5-introductions.cypher");

/// The committed picture of [`INTRODUCTIONS`].
fn cookbook_picture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/pictures/cookbook-5-introductions.svg")
}

/// Ids of the nodes and relationships anywhere in a JSON result (nodes
/// have `labels`, relationships `type`).
fn entity_ids(v: &Json, nodes: &mut BTreeSet<u64>, rels: &mut BTreeSet<u64>) {
    match v {
        Json::Object(o) if o.contains_key("labels") => {
            nodes.insert(o["id"].as_u64().unwrap());
        }
        Json::Object(o) if o.contains_key("type") && o.contains_key("start") => {
            rels.insert(o["id"].as_u64().unwrap());
        }
        Json::Object(o) => o.values().for_each(|v| entity_ids(v, nodes, rels)),
        Json::Array(a) => a.iter().for_each(|v| entity_ids(v, nodes, rels)),
        _ => {}
    }
}

fn query(db: &str, format: &str, q: &str) -> String {
    ok(&run(&["query", "--db", db, "--format", format, q]))
}

/// Draws `q` in `format` into the file `out`; what was printed.
fn draw_to(db: &str, format: &str, q: &str, out: &Path) -> String {
    let out = out.to_str().unwrap();
    ok(&run(&[
        "query", "--db", db, "--format", format, "--output", out, q,
    ]))
}

fn json_query(db: &str, q: &str) -> Json {
    json_of(&run(&["query", "--db", db, "--format", "json", q]))
}

/// Ids of the distinct nodes and relationships in the result of `q`.
fn entities(db: &str, q: &str) -> (BTreeSet<u64>, BTreeSet<u64>) {
    let (mut nodes, mut rels) = (BTreeSet::new(), BTreeSet::new());
    entity_ids(&json_query(db, q)["rows"], &mut nodes, &mut rels);
    (nodes, rels)
}

/// The elements of `doc` whose class list holds `class`.
fn with_class<'a>(
    doc: &'a roxmltree::Document<'a>,
    class: &'a str,
) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|c| c == class))
        })
        .collect()
}

#[test]
fn svg_of_a_two_hop_neighbourhood_draws_one_shape_per_distinct_node() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let (nodes, rels) = entities(&db, TWO_HOPS);
    assert!(nodes.len() > 100, "{} nodes", nodes.len());

    let out = dir.path().join("two-hops.svg");
    let printed = draw_to(&db, "svg", TWO_HOPS, &out);
    assert_eq!(printed, "", "--output writes nothing to stdout");
    let svg = std::fs::read_to_string(&out).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    let drawn = with_class(&doc, "node");
    let circles = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    assert_eq!(drawn.len(), nodes.len());
    assert_eq!(circles, nodes.len(), "one circle per node, and no other");
    let drawn_ids: BTreeSet<u64> = drawn
        .iter()
        .map(|n| n.attribute("data-id").unwrap().parse().unwrap())
        .collect();
    assert_eq!(drawn_ids, nodes);
    // Paths carry their relationships, so every end is in the result.
    assert!(with_class(&doc, "placeholder").is_empty());
    let drawn_rels: BTreeSet<u64> = with_class(&doc, "rel")
        .iter()
        .map(|n| n.attribute("data-id").unwrap().parse().unwrap())
        .collect();
    assert_eq!(drawn_rels, rels);

    // The layout is deterministic: the same query draws the same file.
    let again = query(&db, "svg", TWO_HOPS);
    assert!(again == svg, "two runs drew different SVGs");
}

#[test]
fn the_cookbook_picture_is_what_the_command_draws() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let svg = query(&db, "svg", INTRODUCTIONS);
    let (nodes, rels) = entities(&db, INTRODUCTIONS);
    assert_eq!((nodes.len(), rels.len()), (6, 6));
    assert_eq!(svg.matches("<circle").count(), nodes.len());
    let committed = cookbook_picture();
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&committed, &svg).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        have == svg,
        "{} is not what `relgraph query --format svg` draws now; \
         refresh it with UPDATE_EXPECT=1 cargo test -p relgraph-cli --test picture",
        committed.display()
    );
}

#[test]
fn nodes_in_lists_and_maps_and_relationship_ends_are_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    // Only relationships: their ends are read from the database.
    let q = "MATCH (me:Person {me: true})-[r:KNOWS]-() RETURN r";
    let result = json_query(&db, q);
    let ends: BTreeSet<u64> = result["rows"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| {
            [
                row[0]["start"].as_u64().unwrap(),
                row[0]["end"].as_u64().unwrap(),
            ]
        })
        .collect();
    let svg = query(&db, "svg", q);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let drawn: BTreeSet<u64> = with_class(&doc, "node")
        .iter()
        .map(|n| n.attribute("data-id").unwrap().parse().unwrap())
        .collect();
    assert_eq!(drawn, ends);
    assert!(with_class(&doc, "placeholder").is_empty());
    assert!(svg.contains(">Me<"), "ends are captioned by their names");

    // Nodes inside a list and a map count once each.
    let q = "MATCH (me:Person {me: true})-[:KNOWS]-(f) \
             RETURN [me, f] AS pair, {friend: f, me: me} AS m";
    let svg = query(&db, "svg", q);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(with_class(&doc, "node").len(), ends.len());
    assert!(with_class(&doc, "rel").is_empty());
}

#[test]
fn a_picture_shows_only_what_the_role_may_see() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roles");
    let db = db.to_str().unwrap();
    for statement in [
        "CREATE (ada:Person {name: 'Ada'}), (bob:Person {name: 'Bob'}), \
         (dee:Person:Secret {name: 'Dee'}), (ada)-[:KNOWS]->(bob), (ada)-[:KNOWS]->(dee)",
        "CREATE ROLE viewer",
        "GRANT MATCH {*} ON GRAPH * NODES Person TO viewer",
        "GRANT MATCH {*} ON GRAPH * RELATIONSHIPS KNOWS TO viewer",
        "DENY TRAVERSE ON GRAPH * NODES Secret TO viewer",
    ] {
        ok(&run(&["query", "--db", db, statement]));
    }
    // Relationships only: the ends are read as the same role.
    let q = "MATCH ()-[r:KNOWS]->() RETURN r";
    let admin = query(db, "svg", q);
    assert_eq!(admin.matches("class=\"node\"").count(), 3);
    let viewer = ok(&run(&[
        "query", "--db", db, "--role", "viewer", "--format", "svg", q,
    ]));
    assert_eq!(viewer.matches("class=\"node\"").count(), 2, "{viewer}");
    assert_eq!(viewer.matches("class=\"rel\"").count(), 1);
    assert!(
        viewer.contains(">Bob<") && !viewer.contains("Dee"),
        "{viewer}"
    );
}

#[test]
fn dot_has_a_node_per_distinct_node_and_an_edge_per_relationship() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let (nodes, rels) = entities(&db, INTRODUCTIONS);
    let dot = query(&db, "dot", INTRODUCTIONS);
    assert!(dot.starts_with("digraph relgraph {\n") && dot.ends_with("}\n"));
    let node_lines: BTreeSet<u64> = dot
        .lines()
        .filter_map(|l| l.trim().strip_prefix('n'))
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()) && !l.contains("->"))
        .map(|l| l.split(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(node_lines, nodes);
    assert_eq!(dot.matches(" -> ").count(), rels.len());
    assert!(dot.contains("[label=\"Alan Garcia\""), "{dot}");
    assert!(dot.contains("[label=\"KNOWS\""), "{dot}");
}

/// Names that would break out of an XML text, an attribute, a script, an
/// HTML comment or a DOT string if written raw.
const HOSTILE: &str = "</title></text><script>document.title='pwned'</script>\
<img src=x onerror=\"document.title='pwned'\"><!-- ]]> \"' & \\\" \\N \u{1}\nline two";

/// A database whose names, labels, types and keys are all hostile.
fn hostile_db(dir: &Path) -> String {
    let db = dir.join("hostile");
    let db = db.to_str().unwrap().to_string();
    ok(&run(&[
        "query",
        "--db",
        &db,
        "--param",
        &format!("s={}", cypher_string(HOSTILE)),
        "CREATE (a:`<b>\"Label'&`:Person {name: $s, `<k>\"`: $s})\
         -[:`</text>\"TYPE'&` {note: $s}]->(b {title: $s})",
    ]));
    db
}

/// `s` as a Cypher string literal.
fn cypher_string(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\u{1}' => out.push_str("\\u0001"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

const HOSTILE_QUERY: &str = "MATCH p = (a)-[r]->(b) RETURN p";

#[test]
fn text_from_the_data_is_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    // The name went in whole.
    let stored = json_query(&db, "MATCH (a:Person) RETURN a.name");
    assert_eq!(stored["rows"][0][0], Json::String(HOSTILE.into()));

    // SVG: well-formed, no element but ours, the name is text.
    let svg = query(&db, "svg", HOSTILE_QUERY);
    let doc = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    let tags: BTreeSet<&str> = doc
        .descendants()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    let ours: BTreeSet<&str> = [
        "svg", "style", "defs", "marker", "path", "rect", "g", "text", "title", "circle",
    ]
    .into_iter()
    .collect();
    assert_eq!(tags, ours);
    let captions: Vec<&str> = with_class(&doc, "node")
        .iter()
        .flat_map(|n| n.children().filter(|c| c.has_tag_name("text")))
        .filter_map(|t| t.text())
        .collect();
    assert_eq!(captions.len(), 2);
    assert!(
        captions
            .iter()
            .all(|c| c.starts_with("</title></text><script>")),
        "{captions:?}"
    );
    let tooltip = with_class(&doc, "rel")[0]
        .children()
        .find(|c| c.has_tag_name("title"))
        .and_then(|t| t.text())
        .unwrap();
    assert!(tooltip.contains("</text>\"TYPE'&"), "{tooltip}");
    assert!(!svg.contains('\u{1}'), "a control character XML forbids");

    // HTML: only the page's own two scripts, no hostile tag anywhere.
    let html = query(&db, "html", HOSTILE_QUERY);
    assert_eq!(html.matches("<script").count(), 2, "{html}");
    assert_eq!(html.matches("</script>").count(), 2);
    assert!(!html.contains("<img") && !html.contains("<!--") && !html.contains("<b>"));

    // DOT: one line per node, edge and setting (no line break got
    // through), and every quote inside a string is escaped.
    let dot = query(&db, "dot", HOSTILE_QUERY);
    assert_eq!(dot.lines().count(), 5 + 2 + 1, "{dot}");
    for line in dot.lines().filter(|l| l.contains("label=")) {
        assert_balanced_dot_strings(line);
    }
}

/// Panics unless every `"` in `line` opens or closes a string, with only
/// `\"` and `\\` escapes inside (a DOT reader's view of it).
fn assert_balanced_dot_strings(line: &str) {
    let mut in_string = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (in_string, c) {
            (true, '\\') => {
                let next = chars.next();
                assert!(
                    matches!(next, Some('"' | '\\' | 'n')),
                    "escape \\{next:?} in {line}"
                );
            }
            (_, '"') => in_string = !in_string,
            (false, c) => assert!(
                c.is_ascii_alphanumeric() || " []=,;->#._".contains(c),
                "{c:?} outside a string in {line}"
            ),
            _ => {}
        }
    }
    assert!(!in_string, "unclosed string in {line}");
}

#[test]
fn past_the_cap_a_picture_is_an_error_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("many");
    let db = db.to_str().unwrap();
    ok(&run(&[
        "query",
        "--db",
        db,
        "UNWIND range(1, 10001) AS i CREATE (:N {i: i})",
    ]));
    let out = dir.path().join("many.svg");
    let r = run(&[
        "query",
        "--db",
        db,
        "--format",
        "svg",
        "-o",
        out.to_str().unwrap(),
        "MATCH (n:N) RETURN n",
    ]);
    assert!(!r.status.success());
    let err = text(&r.stderr);
    assert!(err.contains("more than 10000 nodes"), "{err}");
    assert!(!out.exists(), "no file is left behind");
    // Under the cap, every node is drawn.
    let svg = query(db, "svg", "MATCH (n:N) WHERE n.i <= 10000 RETURN n");
    assert_eq!(svg.matches("<circle").count(), 10_000);
    // EXPLAIN has no graph.
    let r = run(&[
        "query",
        "--db",
        db,
        "--format",
        "html",
        "EXPLAIN MATCH (n) RETURN n",
    ]);
    assert!(text(&r.stderr).contains("EXPLAIN returns a plan"));
}

#[test]
fn shell_graph_draws_the_last_result() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let svg = dir.path().join("last.svg");
    let dot = dir.path().join("last.dot");
    let script = format!(
        ":graph {svg}\n\
         MATCH (me:Person {{me: true}})-[r:WORKS_AT]->() RETURN r;\n\
         :graph {svg}\n\
         RETURN 1 AS one;\n\
         :graph {dot}\n\
         :graph {bad}\n\
         :graph\n",
        svg = svg.display(),
        dot = dot.display(),
        bad = dir.path().join("x.png").display(),
    );
    let out = run_stdin(&["--db", &db], &[], &script);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no result to draw yet"), "{stderr}");
    assert!(
        stderr.contains("name a .svg, .html or .dot file"),
        "{stderr}"
    );
    assert!(
        stdout.contains(&format!(
            "wrote {} (2 nodes, 1 relationship)",
            svg.display()
        )),
        "{stdout}"
    );
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert_eq!(drawn.matches("class=\"node\"").count(), 2);
    assert!(
        drawn.contains(">Me<") && drawn.contains(">Lumen CRM<"),
        "{drawn}"
    );
    // `RETURN 1` is the last result then: a graph of nothing.
    assert!(std::fs::read_to_string(&dot)
        .unwrap()
        .starts_with("digraph"));
    let page: PathBuf = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("wrote "))
        .filter_map(|l| l.split(" (").next())
        .map(PathBuf::from)
        .find(|p| p.extension().is_some_and(|e| e == "html"))
        .expect("`:graph` without FILE writes an HTML page");
    assert!(std::fs::read_to_string(&page)
        .unwrap()
        .contains("<!DOCTYPE html>"));
    let _ = std::fs::remove_file(page);
}

/// The Chromium to test with: `$RELGRAPH_CHROMIUM`, else `chromium` or
/// `chromium-browser` on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RELGRAPH_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| [d.join("chromium"), d.join("chromium-browser")])
        .find(|p| p.is_file())
}

/// Runs headless Chromium on `page` with `args`; its stdout.
fn headless(browser: &Path, page: &Path, profile: &Path, args: &[&str]) -> String {
    let out = Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1000,700",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed ({:?}): {}",
        out.status,
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The DOM of `page` once its scripts have run (five seconds of virtual time).
fn dump_dom(browser: &Path, page: &Path, profile: &Path) -> String {
    headless(
        browser,
        page,
        profile,
        &["--virtual-time-budget=5000", "--dump-dom"],
    )
}

/// The page's status as its script wrote it into `<body data-status>`.
fn page_status(browser: &Path, page: &Path, profile: &Path) -> String {
    let dom = dump_dom(browser, page, profile);
    let body = dom
        .split("<body")
        .nth(1)
        .unwrap_or_else(|| panic!("no <body> in the dumped DOM:\n{dom}"));
    let status = body
        .split("data-status=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no data-status on <body>:\n{dom}"));
    status.to_string()
}

#[test]
fn html_of_a_cookbook_answer_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        // CI installs Chromium and says so: there a missing browser fails.
        assert!(
            std::env::var_os("RELGRAPH_REQUIRE_CHROMIUM").is_none(),
            "RELGRAPH_REQUIRE_CHROMIUM is set but no chromium is on the PATH"
        );
        eprintln!(
            "skipped: no chromium on the PATH (apt-get install chromium, or set \
             RELGRAPH_CHROMIUM); the HTML picture was not tested in a browser"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let page = dir.path().join("q5.html");
    draw_to(&db, "html", INTRODUCTIONS, &page);

    // The script ran to the end and nothing threw.
    let status = page_status(&browser, &page, &dir.path().join("profile-1"));
    assert_eq!(status, "ready");

    // The screenshot is not blank: many colours, and the nodes' fill (the
    // colour of :Person) covers a good number of pixels.
    let shot = dir.path().join("q5.png");
    headless(
        &browser,
        &page,
        &dir.path().join("profile-2"),
        &[&format!("--screenshot={}", shot.display())],
    );
    let (width, height, pixels) = decode_rgb(&shot);
    assert_eq!((width, height), (1000, 700));
    let colours: BTreeSet<[u8; 3]> = pixels.iter().copied().collect();
    assert!(colours.len() > 50, "{} colours: blank?", colours.len());
    let person = [0xb0, 0x7a, 0xa1];
    let near = |p: &[u8; 3]| (0..3).all(|i| p[i].abs_diff(person[i]) <= 6);
    let person_pixels = pixels.iter().filter(|p| near(p)).count();
    assert!(
        person_pixels > 4 * 500,
        "{person_pixels} pixels of the :Person colour; four people are drawn"
    );
    if let Ok(keep) = std::env::var("RELGRAPH_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }

    // Drag, hover, zoom and pan, driven by events a script dispatches.
    let html = std::fs::read_to_string(&page).unwrap();
    let driven = html.replacen(
        "</body>",
        &format!("<script>{INTERACTIONS}</script>\n</body>"),
        1,
    );
    let driven_page = dir.path().join("driven.html");
    std::fs::write(&driven_page, driven).unwrap();
    let dom = dump_dom(&browser, &driven_page, &dir.path().join("profile-5"));
    assert!(dom.contains("data-status=\"ready\""), "{dom}");
    assert!(
        dom.contains("data-interactions=\"drag edge hover zoom pan\""),
        "{}",
        dom.split("<body")
            .nth(1)
            .unwrap_or(&dom)
            .lines()
            .next()
            .unwrap_or("")
    );

    // The check can fail: a page whose data is broken reports an error.
    let html = std::fs::read_to_string(&page).unwrap();
    let broken = html.replacen(
        "<script type=\"application/json\" id=\"picture-data\">{",
        "<script type=\"application/json\" id=\"picture-data\">{{",
        1,
    );
    assert_ne!(broken, html);
    let broken_page = dir.path().join("broken.html");
    std::fs::write(&broken_page, broken).unwrap();
    let status = page_status(&browser, &broken_page, &dir.path().join("profile-3"));
    assert!(status.starts_with("error: "), "{status}");

    // Hostile names render as text: the page is ready and nothing they
    // hold ran (they would set the title to "pwned").
    let hostile = hostile_db(dir.path());
    let hostile_page = dir.path().join("hostile.html");
    draw_to(&hostile, "html", HOSTILE_QUERY, &hostile_page);
    let dom = dump_dom(&browser, &hostile_page, &dir.path().join("profile-4"));
    assert!(dom.contains("data-status=\"ready\""), "{dom}");
    assert!(dom.contains("<title>relgraph: 2 nodes, 1 relationship</title>"));
    assert!(!dom.contains("pwned</title>"));
}

/// A script that plays a user on the page: drags the first node (it and
/// its relationships must move), points at it (the tooltip must show its
/// name), scrolls (the view must zoom in) and drags the background (the view
/// must move). It writes what worked into `<body data-interactions>`.
const INTERACTIONS: &str = r#"
(function () {
  var done = [];
  try {
    var svg = document.getElementById("picture");
    var vp = svg.getElementById("viewport");
    var node = vp.querySelector("g.node");
    var circle = node.querySelector("circle");
    var id = node.getAttribute("data-id");
    var rel = vp.querySelector('g.rel[data-from="' + id + '"], g.rel[data-to="' + id + '"]');
    function pointer(target, type, x, y) {
      target.dispatchEvent(new PointerEvent(type, {clientX: x, clientY: y, pointerId: 7,
        isPrimary: true, bubbles: true, cancelable: true}));
    }
    function centre() {
      var r = circle.getBoundingClientRect();
      return [r.left + r.width / 2, r.top + r.height / 2];
    }
    var at = centre(), moved = node.getAttribute("transform");
    var path = rel.querySelector("path").getAttribute("d");
    pointer(circle, "pointerdown", at[0], at[1]);
    pointer(svg, "pointermove", at[0] + 40, at[1] + 30);
    pointer(svg, "pointerup", at[0] + 40, at[1] + 30);
    if (node.getAttribute("transform") !== moved) done.push("drag");
    if (rel.querySelector("path").getAttribute("d") !== path) done.push("edge");
    at = centre();
    pointer(circle, "pointermove", at[0], at[1]);
    var tip = document.getElementById("tip");
    if (tip.style.display === "block" && tip.textContent.indexOf("name: ") >= 0) done.push("hover");
    var before = vp.getAttribute("transform") || "";
    svg.dispatchEvent(new WheelEvent("wheel", {clientX: 300, clientY: 300, deltaY: -200,
      bubbles: true, cancelable: true}));
    var zoomed = vp.getAttribute("transform") || "";
    if (zoomed !== before && /scale\(1\.[0-9]/.test(zoomed)) done.push("zoom");
    var bg = svg.querySelector("rect.background");
    pointer(bg, "pointerdown", 5, 300);
    pointer(svg, "pointermove", 60, 330);
    pointer(svg, "pointerup", 60, 330);
    if ((vp.getAttribute("transform") || "") !== zoomed) done.push("pan");
  } catch (e) {
    done.push("threw: " + e.message);
  }
  document.body.setAttribute("data-interactions", done.join(" "));
})();
"#;

/// A PNG's size and pixels as RGB.
fn decode_rgb(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let mut decoder =
        png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| match channels {
            1 | 2 => [p[0]; 3],
            _ => [p[0], p[1], p[2]],
        })
        .collect();
    (info.width, info.height, pixels)
}
