//! The generator's laws: determinism, skew, scaling, referential integrity
//! of the CSV output, and enough data for every cookbook question.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use relgraph_datagen::schema::{IdSpace, NodeFile, RelFile};
use relgraph_datagen::{generate, write_csv, Config, Counter, Prop, Sink, TODAY};

/// A relationship row: start id, end id, properties.
type RelRow = (u64, u64, Vec<Prop>);

/// Collects every row, by file name.
#[derive(Default)]
struct Rows {
    nodes: BTreeMap<&'static str, Vec<(u64, Vec<Prop>)>>,
    rels: BTreeMap<&'static str, Vec<RelRow>>,
    node_file: Option<&'static NodeFile>,
    rel_file: Option<&'static RelFile>,
    spaces: HashMap<IdSpace, HashSet<u64>>,
}

impl Sink for Rows {
    fn begin_nodes(&mut self, file: &'static NodeFile) -> relgraph_datagen::Result<()> {
        self.node_file = Some(file);
        self.nodes.entry(file.file).or_default();
        Ok(())
    }
    fn node(&mut self, id: u64, props: &[Prop]) -> relgraph_datagen::Result<()> {
        let f = self.node_file.expect("node() after begin_nodes()");
        assert_eq!(props.len(), f.columns.len(), "{}", f.file);
        assert!(
            self.spaces.entry(f.space).or_default().insert(id),
            "duplicate id {id} in {:?}",
            f.space
        );
        self.nodes
            .get_mut(f.file)
            .expect("file started")
            .push((id, props.to_vec()));
        Ok(())
    }
    fn begin_rels(&mut self, file: &'static RelFile) -> relgraph_datagen::Result<()> {
        self.rel_file = Some(file);
        self.rels.entry(file.file).or_default();
        Ok(())
    }
    fn rel(&mut self, start: u64, end: u64, props: &[Prop]) -> relgraph_datagen::Result<()> {
        let f = self.rel_file.expect("rel() after begin_rels()");
        assert_eq!(props.len(), f.columns.len(), "{}", f.file);
        assert!(
            self.spaces[&f.start].contains(&start),
            "{}: unknown start {start}",
            f.file
        );
        assert!(
            self.spaces[&f.end].contains(&end),
            "{}: unknown end {end}",
            f.file
        );
        self.rels
            .get_mut(f.file)
            .expect("file started")
            .push((start, end, props.to_vec()));
        Ok(())
    }
}

fn rows(scale: f64, seed: u64) -> Rows {
    let mut r = Rows::default();
    generate(&Config::new(scale, seed).unwrap(), &mut r).unwrap();
    r
}

fn file_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn same_seed_same_files_other_seed_other_files() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let config = Config::new(0.02, 7).unwrap();
    write_csv(&config, a.path()).unwrap();
    write_csv(&config, b.path()).unwrap();
    write_csv(&Config::new(0.02, 8).unwrap(), c.path()).unwrap();
    let (fa, fb, fc) = (
        file_bytes(a.path()),
        file_bytes(b.path()),
        file_bytes(c.path()),
    );
    assert!(fa.len() > 20, "{:?}", fa.keys());
    assert_eq!(fa, fb);
    assert_ne!(fa["knows.csv"], fc["knows.csv"]);
}

#[test]
fn csv_headers_and_row_counts_match_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = write_csv(&Config::new(0.02, 1).unwrap(), dir.path()).unwrap();
    let person = std::fs::read_to_string(dir.path().join("person.csv")).unwrap();
    assert_eq!(
        person.lines().next(),
        Some("id:ID(Person),name,title,city,joined:date")
    );
    let knows = std::fs::read_to_string(dir.path().join("knows.csv")).unwrap();
    assert_eq!(
        knows.lines().next(),
        Some(":START_ID(Person),:END_ID(Person),since:date,strength:double")
    );
    let mut rel_rows = 0;
    for f in relgraph_datagen::schema::REL_FILES {
        let mut reader = csv::Reader::from_path(dir.path().join(f.file)).unwrap();
        let width = reader.headers().unwrap().len();
        for rec in reader.records() {
            assert_eq!(rec.unwrap().len(), width, "{}", f.file);
            rel_rows += 1;
        }
    }
    assert_eq!(rel_rows, summary.relationships);
    let flags = std::fs::read_to_string(dir.path().join("import-flags.txt")).unwrap();
    assert!(
        flags.contains("--relationships=WORKS_AT=works_at_past.csv"),
        "{flags}"
    );
    assert!(
        flags.contains("--nodes=Event=event_job_change.csv"),
        "{flags}"
    );
}

#[test]
fn records_agree_with_the_rows() {
    let config = Config::new(0.02, 3).unwrap();
    let g = relgraph_datagen::records(&config).unwrap();
    let mut counter = Counter::default();
    generate(&config, &mut counter).unwrap();
    assert_eq!(g.summary, counter.summary());
    assert_eq!(g.nodes.len() as u64, g.summary.nodes);
    assert_eq!(g.rels.len() as u64, g.summary.relationships);
    for (i, n) in g.nodes.iter().enumerate() {
        assert_eq!(n.id.0, i as u64);
        assert!(
            n.props.windows(2).all(|w| w[0].0 < w[1].0),
            "props sorted by key"
        );
    }
    let knows = g.catalog.rel_type_id("KNOWS").unwrap();
    assert_eq!(
        g.rels.iter().filter(|r| r.rel_type == knows).count() as u64,
        g.summary.relationships_by_type["KNOWS"]
    );
}

#[test]
fn knows_degrees_are_skewed() {
    let r = rows(0.2, 42);
    let mut degree: HashMap<u64, u64> = HashMap::new();
    let mut pairs = HashSet::new();
    for (a, b, _) in &r.rels["knows.csv"] {
        assert_ne!(a, b, "no self loops");
        assert!(pairs.insert((*a.min(b), *a.max(b))), "pair {a}-{b} twice");
        *degree.entry(*a).or_default() += 1;
        *degree.entry(*b).or_default() += 1;
    }
    let people = Config::new(0.2, 42).unwrap().people();
    let mut d: Vec<u64> = (0..people)
        .map(|p| degree.get(&p).copied().unwrap_or(0))
        .collect();
    d.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = d.iter().sum();
    let mean = total as f64 / people as f64;
    let top1: u64 = d[..(people as usize / 100)].iter().sum();
    assert!(
        d[0] as f64 > 20.0 * mean,
        "max degree {} vs mean {mean}",
        d[0]
    );
    assert!(
        top1 as f64 > 0.10 * total as f64,
        "top 1% hold {top1} of {total} endpoints"
    );
    let median = d[d.len() / 2];
    assert!((median as f64) < mean, "median {median} below mean {mean}");
    assert_eq!(
        degree[&relgraph_datagen::ME],
        relgraph_datagen::MY_CONNECTIONS
    );
}

#[test]
fn counts_scale_with_the_factor() {
    let count = |s: f64| {
        let mut c = Counter::default();
        generate(&Config::new(s, 1).unwrap(), &mut c).unwrap();
        c.summary()
    };
    let (small, big) = (count(0.1), count(0.4));
    assert_eq!(
        big.nodes_by_label["Person"],
        4 * small.nodes_by_label["Person"]
    );
    let ratio = big.relationships as f64 / small.relationships as f64;
    assert!(
        (3.4..4.6).contains(&ratio),
        "relationships grew {ratio}x for 4x the scale"
    );
    for t in ["KNOWS", "READ", "WORKS_AT", "CUSTOMER_OF", "BOUGHT"] {
        assert!(
            big.relationships_by_type[t] > 2 * small.relationships_by_type[t],
            "{t}"
        );
    }
}

#[test]
fn invalid_scales_are_errors() {
    for s in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e9] {
        assert!(Config::new(s, 1).is_err(), "{s}");
    }
}

fn str_of(p: &Prop) -> &str {
    match p {
        Prop::Str(s) => s,
        other => panic!("expected a string, got {other:?}"),
    }
}

fn date_of(p: &Prop) -> i32 {
    match p {
        Prop::Date(d) => *d,
        other => panic!("expected a date, got {other:?}"),
    }
}

/// Every cookbook question has a non-empty answer on the demo scale
/// (computed here directly from the generated rows).
#[test]
fn the_demo_graph_answers_the_cookbook_questions() {
    let r = rows(0.1, 42);
    let me = relgraph_datagen::ME;
    let friends: HashSet<u64> = r.rels["knows.csv"]
        .iter()
        .filter_map(|(a, b, _)| {
            if *a == me {
                Some(*b)
            } else if *b == me {
                Some(*a)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(friends.len() as u64, relgraph_datagen::MY_CONNECTIONS);

    let content: HashMap<u64, &Vec<Prop>> = r.nodes["content.csv"]
        .iter()
        .map(|(id, p)| (*id, p))
        .collect();
    let about: HashSet<(u64, u64)> = r.rels["about.csv"]
        .iter()
        .map(|(c, t, _)| (*c, *t))
        .collect();
    let crm_papers: HashSet<u64> = content
        .iter()
        .filter(|(id, p)| {
            str_of(&p[0]) == "white paper" && about.contains(&(**id, relgraph_datagen::TOPIC_CRM))
        })
        .map(|(id, _)| *id)
        .collect();
    // 1. connections who read CRM white papers
    let readers: HashSet<u64> = r.rels["read.csv"]
        .iter()
        .filter(|(p, c, _)| friends.contains(p) && crm_papers.contains(c))
        .map(|(p, _, _)| *p)
        .collect();
    assert!(readers.len() >= 3, "Q1: {} readers", readers.len());
    // 2. ... who also mentioned churn in the last 90 days
    let churners: HashSet<u64> = r.rels["mentioned.csv"]
        .iter()
        .filter(|(p, t, props)| {
            *t == relgraph_datagen::TOPIC_CHURN
                && date_of(&props[1]) >= TODAY - 90
                && readers.contains(p)
        })
        .map(|(p, _, _)| *p)
        .collect();
    assert!(!churners.is_empty(), "Q2");
    // 3. friends near me who like movies released in the last 180 days
    let people: HashMap<u64, &Vec<Prop>> = r.nodes["person.csv"]
        .iter()
        .map(|(id, p)| (*id, p))
        .collect();
    let near: HashSet<u64> = friends
        .iter()
        .copied()
        .filter(|f| str_of(&people[f][2]) == "Stockholm")
        .collect();
    let new_movies: HashSet<u64> = content
        .iter()
        .filter(|(_, p)| str_of(&p[0]) == "movie" && date_of(&p[2]) >= TODAY - 180)
        .map(|(id, _)| *id)
        .collect();
    let q3 = r.rels["likes.csv"]
        .iter()
        .filter(|(p, m, _)| near.contains(p) && new_movies.contains(m))
        .count();
    assert!(q3 > 0, "Q3: {} friends near me", near.len());
    // 4. Series B in the last 60 days
    let series_b: Vec<u64> = r.nodes["event_funding_round.csv"]
        .iter()
        .filter(|(_, p)| str_of(&p[1]) == "Series B" && date_of(&p[3]) >= TODAY - 60)
        .map(|(id, _)| *id)
        .collect();
    assert!(!series_b.is_empty(), "Q4");
    // 5. recent CMO job changes at companies in my market (Software)
    let companies: HashMap<u64, &Vec<Prop>> = r.nodes["company.csv"]
        .iter()
        .map(|(id, p)| (*id, p))
        .collect();
    let at: HashMap<u64, u64> = r.rels["at.csv"].iter().map(|(e, c, _)| (*e, *c)).collect();
    let cmo = r.nodes["event_job_change.csv"]
        .iter()
        .filter(|(id, p)| {
            str_of(&p[1]) == "CMO"
                && date_of(&p[2]) >= TODAY - 180
                && str_of(&companies[&at[id]][1]) == "Software"
        })
        .count();
    assert!(cmo > 0, "Q5");
    // 6-8. customers, tickets, referrals
    let customers: HashMap<u64, i64> = r.rels["customer_of.csv"]
        .iter()
        .map(|(c, _, p)| {
            (
                *c,
                if let Prop::Int(v) = p[0] {
                    v
                } else {
                    panic!("revenue")
                },
            )
        })
        .collect();
    assert!(customers.len() >= 20, "Q6: {} customers", customers.len());
    let tickets: HashMap<u64, &Vec<Prop>> = r.nodes["ticket.csv"]
        .iter()
        .map(|(id, p)| (*id, p))
        .collect();
    let mut cost: HashMap<u64, i64> = HashMap::new();
    for (c, t, _) in &r.rels["opened_ticket.csv"] {
        if let Prop::Int(v) = tickets[t][4] {
            *cost.entry(*c).or_default() += v;
        }
    }
    assert!(
        customers
            .iter()
            .any(|(c, rev)| cost.get(c).copied().unwrap_or(0) > *rev),
        "Q7"
    );
    assert!(
        r.rels["referred.csv"]
            .iter()
            .any(|(_, t, _)| customers.contains_key(t)),
        "Q8"
    );
    // 10. co-purchases
    let mut bought: HashMap<u64, Vec<u64>> = HashMap::new();
    for (c, p, _) in &r.rels["bought.csv"] {
        bought.entry(*c).or_default().push(*p);
    }
    assert!(bought.values().filter(|v| v.len() >= 2).count() >= 5, "Q10");
    // 11. topics co-occurring with churn in friends' posts
    let friend_posts: HashSet<u64> = r.rels["wrote.csv"]
        .iter()
        .filter(|(p, _, _)| friends.contains(p))
        .map(|(_, c, _)| *c)
        .collect();
    let co = about
        .iter()
        .filter(|(c, t)| {
            friend_posts.contains(c)
                && *t != relgraph_datagen::TOPIC_CHURN
                && about.contains(&(*c, relgraph_datagen::TOPIC_CHURN))
        })
        .count();
    assert!(co > 0, "Q11");
}

/// Every node and relationship of `a` and `b`, with their labels,
/// properties, ends and adjacency, by name, not id number.
fn assert_same_graph(a: &relgraph_graph::Snapshot, b: &relgraph_graph::Snapshot) {
    use relgraph_graph::Direction;
    let names = |s: &relgraph_graph::Snapshot| {
        let c = s.catalog();
        (
            c.labels().names().to_vec(),
            c.rel_types().names().to_vec(),
            c.prop_keys().names().to_vec(),
        )
    };
    assert_eq!(names(a), names(b));
    assert_eq!(a.counts(), b.counts());
    assert_eq!(a.node_records(0..u64::MAX), b.node_records(0..u64::MAX));
    assert_eq!(a.rel_records(0..u64::MAX), b.rel_records(0..u64::MAX));
    let types = a.catalog().rel_types().len() as u32;
    for n in a.nodes() {
        for t in (0..types).map(relgraph_graph::RelTypeId) {
            for dir in [Direction::Outgoing, Direction::Incoming] {
                assert_eq!(a.neighbors(n, t, dir), b.neighbors(n, t, dir), "{n} {t}");
            }
        }
    }
}

#[test]
fn the_streamed_database_is_the_graph_built_in_memory() {
    use relgraph_graph::store::OpenOptions;
    use relgraph_graph::{Graph, NodeId, RelId};
    let config = Config::new(0.05, 42).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = OpenOptions::default();
    let (streamed, summary) =
        relgraph_datagen::create_database(&config, &dir.path().join("streamed"), &options).unwrap();
    let g = relgraph_datagen::records(&config).unwrap();
    assert_eq!(summary, g.summary);
    let mut counter = Counter::default();
    generate(&config, &mut counter).unwrap();
    assert_eq!(summary, counter.summary());

    // As create_database wrote it before: the whole snapshot, then create_bulk.
    let (next_node, next_rel) = (NodeId(g.nodes.len() as u64), RelId(g.rels.len() as u64));
    let (nodes, rels) = (g.nodes.clone(), g.rels.clone());
    let built =
        relgraph_graph::Snapshot::from_records(g.catalog, 0, next_node, next_rel, nodes, rels)
            .unwrap();
    let bulk = Graph::create_bulk(&dir.path().join("bulk"), &built, &options).unwrap();

    let s = streamed.snapshot();
    assert_eq!(s.node_count(), summary.nodes);
    assert_eq!(s.rel_count(), summary.relationships);
    assert_eq!(s.node_records(0..u64::MAX), g.nodes);
    assert_eq!(s.rel_records(0..u64::MAX), g.rels);
    assert_same_graph(&s, &built);
    assert_same_graph(&s, &bulk.snapshot());

    // A few questions, on the reopened database.
    drop(streamed);
    let reopened = Graph::open(&dir.path().join("streamed"))
        .unwrap()
        .snapshot();
    assert_same_graph(&reopened, &built);
    let c = reopened.catalog();
    for (label, n) in &summary.nodes_by_label {
        let l = c.label_id(label).unwrap();
        assert_eq!(reopened.label_count(l), *n, "{label}");
        assert_eq!(reopened.nodes_with_label(l).count() as u64, *n, "{label}");
    }
    for (t, n) in &summary.relationships_by_type {
        let id = c.rel_type_id(t).unwrap();
        assert_eq!(reopened.rel_type_count(id), *n, "{t}");
    }
    // Me, and the people I know.
    let (person, me_key) = (c.label_id("Person").unwrap(), c.prop_key_id("me").unwrap());
    let me: Vec<NodeId> = reopened
        .nodes_with_label(person)
        .filter(|n| reopened.node_value(*n, me_key) == relgraph_graph::Value::Bool(true))
        .collect();
    assert_eq!(me.len(), 1);
    let knows = c.rel_type_id("KNOWS").unwrap();
    let out = reopened.neighbors(me[0], knows, relgraph_graph::Direction::Outgoing);
    assert!(!out.is_empty());
    assert_eq!(
        out,
        built.neighbors(me[0], knows, relgraph_graph::Direction::Outgoing)
    );
}

#[test]
fn a_database_is_not_created_over_existing_files() {
    let config = Config::new(0.01, 1).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("other"), "x").unwrap();
    let err = relgraph_datagen::create_database(
        &config,
        dir.path(),
        &relgraph_graph::store::OpenOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, relgraph_datagen::DatagenError::Graph(_)),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// A generated database indexes the `id` of every label of its node files,
/// as `relgraph import` does for the same files' `id:ID(...)` columns,
/// and keeps the indexes when reopened.
#[test]
fn generated_databases_index_every_id_column() {
    use relgraph_datagen::schema::NODE_FILES;
    let config = Config::new(0.02, 7).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (graph, _) =
        relgraph_datagen::create_database(&config, &path, &Default::default()).unwrap();
    drop(graph);
    let snap = relgraph_graph::Graph::open(&path).unwrap().snapshot();
    let c = snap.catalog();
    let id = c.prop_key_id("id").unwrap();
    let labels: HashSet<&str> = NODE_FILES
        .iter()
        .flat_map(|f| f.labels.iter().copied())
        .collect();
    for l in &labels {
        let label = c.label_id(l).unwrap();
        assert!(c.has_index(label, id), "{l}");
    }
    let mut names: Vec<&str> = c.indexes.iter().map(|i| i.name.as_str()).collect();
    names.sort_unstable();
    let mut want: Vec<String> = labels.iter().map(|l| format!("index_{l}_id")).collect();
    want.sort_unstable();
    assert_eq!(names, want);
}
