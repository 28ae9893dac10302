//! The cookbook (docs/cookbook.md) is executable: every query in it runs on
//! the seeded demo graph, and its answer must equal an answer computed here
//! independently, in plain Rust over the generator's output (captured through
//! its `Sink` API, never by running Cypher). The test also checks that the
//! markdown holds exactly these queries and that its answer tables are what
//! the engine returns (`UPDATE_EXPECT=1 cargo test --test cookbook`
//! rewrites the tables).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use relgraph::{Database, Params, ResultValue, Value};
use relgraph_datagen::schema::{self, NodeFile, RelFile};
use relgraph_datagen::{Config, Prop, Sink, ME, TODAY, TOPIC_CHURN, TOPIC_CRM, VENDOR};
use relgraph_graph::change::CatalogSnapshot;
use relgraph_graph::{Change, ChangeSet, Graph};

/// The demo database's scale and seed (as `crates/cli/src/demo.rs`:
/// `DEMO_SCALE`, `DEMO_SEED`), so the cookbook shows what the shell shows.
const SCALE: f64 = 0.1;
const SEED: u64 = 42;
/// Rows of each answer shown in the markdown.
const SHOWN_ROWS: usize = 10;
/// The product question 10 asks about (`$product`).
const PRODUCT: &str = "Lumen Core";

const Q1: &str = "\
MATCH (me:Person {me: true})-[:KNOWS]-(p:Person)-[:READ]->(:Content {kind: 'white paper'})-[:ABOUT]->(:Topic {name: 'CRM'}),
      (p)-[w:WORKS_AT]->(c:Company)
WHERE w.until IS NULL
RETURN c.name AS company, count(DISTINCT p) AS connections
ORDER BY connections DESC, company";

const Q2: &str = "\
MATCH (m:Meta), (me:Person {me: true})-[:KNOWS]-(p:Person)-[x:MENTIONED]->(:Topic {name: 'churn'})
WHERE x.at >= m.today - duration('P90D')
  AND EXISTS { (p)-[:READ]->(:Content {kind: 'white paper'})-[:ABOUT]->(:Topic {name: 'CRM'}) }
RETURN p.id AS id, p.name AS person, max(x.at) AS last_churn_mention
ORDER BY last_churn_mention DESC, id";

const Q3: &str = "\
MATCH (m:Meta), (me:Person {me: true})-[:KNOWS]-(f:Person)-[:LIKES]->(movie:Content {kind: 'movie'})
WHERE f.city = me.city AND movie.published >= m.today - duration('P180D')
RETURN f.id AS id, f.name AS friend, f.city AS city, count(movie) AS new_movies_liked
ORDER BY new_movies_liked DESC, id";

const Q4: &str = "\
MATCH (m:Meta), (me:Person {me: true}), (c:Company)-[:RAISED]->(e:Event {series: 'Series B'})
WHERE e.date >= m.today - duration('P60D')
OPTIONAL MATCH (me)-[:KNOWS*1..2]-(p:Person)-[w:WORKS_AT]->(c)
WHERE w.until IS NULL AND p <> me
RETURN c.name AS company, e.amount AS amount, e.date AS raised_on, count(DISTINCT p) AS people_in_my_network
ORDER BY raised_on DESC, company";

const Q5: &str = "\
MATCH (m:Meta), (me:Person {me: true})-[:WORKS_AT]->(mine:Company),
      (p:Person)-[:CHANGED_JOB]->(e:Event {title: 'CMO'})-[:AT]->(c:Company)
WHERE e.date >= m.today - duration('P365D') AND c.industry = mine.industry
  AND p <> me AND NOT (me)-[:KNOWS]-(p)
MATCH path = shortestPath((me)-[:KNOWS*..2]-(p))
RETURN p.id AS id, p.name AS person, c.name AS company, e.date AS started,
       length(path) AS hops, nodes(path)[1].name AS introducer,
       size([(me)-[:KNOWS]-(f:Person)-[:KNOWS]-(p) | f]) AS possible_introducers
ORDER BY started DESC, id";

const Q6: &str = "\
MATCH (c:Company)-[co:CUSTOMER_OF]->(:Company {name: 'Lumen CRM'})
WITH c, co.revenue AS revenue,
     size([(c)-[:REFERRED]->(x:Company) | x]) AS referrals,
     size([(c)-[:OPENED_TICKET]->(t:Ticket {kind: 'bug'}) | t]) AS bugs,
     size([(c)-[:GAVE_REFERENCE]->(x:Company) | x]) AS reference_calls,
     CASE WHEN co.exclusive THEN 1 ELSE 0 END AS exclusive
RETURN c.name AS customer, revenue, referrals, bugs, reference_calls, exclusive,
       revenue + 5000 * referrals + 1000 * bugs + 3000 * reference_calls + 10000 * exclusive AS value
ORDER BY value DESC, customer
LIMIT 10";

const Q7: &str = "\
MATCH (c:Company)-[co:CUSTOMER_OF]->(:Company {name: 'Lumen CRM'}),
      (c)-[:OPENED_TICKET]->(t:Ticket)
WITH c, co.revenue AS revenue, count(t) AS tickets,
     sum(CASE WHEN t.escalated THEN 1 ELSE 0 END) AS escalations,
     sum(t.cost) AS support_cost
WHERE support_cost > revenue
RETURN c.name AS customer, revenue, tickets, escalations, support_cost, support_cost - revenue AS loss
ORDER BY loss DESC, customer";

const Q8: &str = "\
MATCH (a:Company)-[:CUSTOMER_OF]->(v:Company {name: 'Lumen CRM'}),
      (a)-[r:REFERRED]->(b:Company)-[bc:CUSTOMER_OF]->(v)
WHERE bc.since >= r.at
RETURN a.name AS advocate, count(b) AS referrals_won, sum(bc.revenue) AS revenue_won
ORDER BY referrals_won DESC, revenue_won DESC, advocate";

const Q9: &str = "\
MATCH (b:Company)-[bc:CUSTOMER_OF]->(v:Company {name: 'Lumen CRM'})
WITH v, b, bc.revenue AS revenue
ORDER BY revenue DESC, b.name
LIMIT 10
MATCH (p:Company)
WHERE p <> v AND NOT (p)-[:CUSTOMER_OF]->(v)
WITH p, b,
     CASE WHEN p.industry = b.industry THEN 1 ELSE 0 END AS same_industry,
     CASE WHEN p.size >= b.size / 2 AND p.size <= b.size * 2 THEN 1 ELSE 0 END AS similar_size,
     size([(p)-[:INTERESTED_IN]->(t:Topic)<-[:INTERESTED_IN]-(b) | t]) AS shared_interests
WITH p, sum(same_industry) AS industry_matches, sum(similar_size) AS size_matches,
     sum(shared_interests) AS interest_matches
RETURN p.name AS prospect, p.industry AS industry, p.size AS size,
       industry_matches, size_matches, interest_matches,
       industry_matches + size_matches + interest_matches AS similarity
ORDER BY similarity DESC, prospect
LIMIT 10";

const Q10: &str = "\
MATCH (x:Product {name: $product})<-[:BOUGHT]-(c:Company)-[:BOUGHT]->(y:Product)
WHERE y <> x
RETURN y.name AS also_bought, count(DISTINCT c) AS customers
ORDER BY customers DESC, also_bought";

const Q11: &str = "\
MATCH (me:Person {me: true})-[:KNOWS]-(:Person)-[:WROTE]->(post:Content)-[:ABOUT]->(:Topic {name: 'churn'}),
      (post)-[:ABOUT]->(t:Topic)
WHERE t.name <> 'churn'
RETURN t.name AS topic, count(DISTINCT post) AS posts
ORDER BY posts DESC, topic";

const Q12: &str = "\
MATCH (me:Person {me: true})-[:KNOWS]-(f:Person)
WITH collect(f) AS mine
CALL algo.pageRank('Person', 'KNOWS', {orientation: 'UNDIRECTED'})
YIELD node, score
WHERE node IN mine
RETURN node.name AS connection, round(score * 1000000) / 1000000 AS influence,
       size([(node)-[:KNOWS]-(:Person) | 1]) AS their_connections
ORDER BY influence DESC, connection
LIMIT 10";

const Q13: &str = "\
MATCH (c:Company)-[:CUSTOMER_OF]->(:Company {name: 'Lumen CRM'})
WITH collect(c) AS customers
CALL algo.nodeSimilarity(['Company', 'Topic'], 'INTERESTED_IN', {topK: 1000000, similarityCutoff: 0.5})
YIELD node1, node2, similarity
WHERE node1 IN customers AND NOT node2 IN customers AND node2.name <> 'Lumen CRM'
RETURN node2.name AS prospect, count(*) AS customers_alike,
       round(max(similarity) * 1000) / 1000 AS closest
ORDER BY customers_alike DESC, closest DESC, prospect
LIMIT 10";

const Q14: &str = "\
MATCH (c:Company)-[:CUSTOMER_OF]->(:Company {name: 'Lumen CRM'})
WITH collect(c) AS customers
CALL algo.wcc('Company', 'REFERRED') YIELD node, component
WITH component, collect(node) AS members, customers
WITH [m IN members WHERE NOT m IN customers AND m.name <> 'Lumen CRM'] AS prospects,
     size([m IN members WHERE m IN customers]) AS my_customers
WHERE my_customers > 0 AND size(prospects) > 0
UNWIND prospects AS p
RETURN p.name AS prospect, my_customers AS customers_in_network, size(prospects) AS prospects_in_network
ORDER BY customers_in_network DESC, prospect
LIMIT 10";

/// The queries in the order the cookbook shows them.
const QUERIES: [&str; 14] = [Q1, Q2, Q3, Q4, Q5, Q6, Q7, Q8, Q9, Q10, Q11, Q12, Q13, Q14];

// ---------------------------------------------------------------------------
// The generator's output, captured row by row.

type Rows = Vec<Vec<String>>;

/// One generated relationship row: start id, end id, properties.
type RelRow = (u64, u64, Vec<Prop>);

#[derive(Default)]
struct Capture {
    nodes: HashMap<&'static str, Vec<(u64, Vec<Prop>)>>,
    rels: HashMap<&'static str, Vec<RelRow>>,
    node_file: Option<&'static str>,
    rel_file: Option<&'static str>,
}

impl Sink for Capture {
    fn begin_nodes(&mut self, file: &'static NodeFile) -> relgraph_datagen::Result<()> {
        self.node_file = Some(file.file);
        self.nodes.entry(file.file).or_default();
        Ok(())
    }
    fn node(&mut self, id: u64, props: &[Prop]) -> relgraph_datagen::Result<()> {
        let file = self
            .node_file
            .expect("the generator begins a node file first");
        self.nodes
            .entry(file)
            .or_default()
            .push((id, props.to_vec()));
        Ok(())
    }
    fn begin_rels(&mut self, file: &'static RelFile) -> relgraph_datagen::Result<()> {
        self.rel_file = Some(file.file);
        self.rels.entry(file.file).or_default();
        Ok(())
    }
    fn rel(&mut self, start: u64, end: u64, props: &[Prop]) -> relgraph_datagen::Result<()> {
        let file = self
            .rel_file
            .expect("the generator begins a rel file first");
        self.rels
            .entry(file)
            .or_default()
            .push((start, end, props.to_vec()));
        Ok(())
    }
}

fn col(columns: &[(&str, schema::ColumnType)], name: &str) -> usize {
    columns
        .iter()
        .position(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("the generator has no column {name}"))
}

fn s(p: &Prop) -> String {
    match p {
        Prop::Str(s) => s.clone(),
        other => panic!("expected a string, got {other:?}"),
    }
}
fn i(p: &Prop) -> i64 {
    match p {
        Prop::Int(i) => *i,
        other => panic!("expected an int, got {other:?}"),
    }
}
fn d(p: &Prop) -> i32 {
    match p {
        Prop::Date(d) => *d,
        other => panic!("expected a date, got {other:?}"),
    }
}
fn b(p: &Prop) -> bool {
    match p {
        Prop::Bool(b) => *b,
        other => panic!("expected a bool, got {other:?}"),
    }
}

struct Person {
    name: String,
    city: String,
}
struct Company {
    name: String,
    industry: String,
    size: i64,
}
struct Customer {
    revenue: i64,
    since: i32,
    exclusive: bool,
}
struct Ticket {
    kind: String,
    escalated: bool,
    cost: i64,
}

/// The generated graph as plain Rust maps.
struct Data {
    people: HashMap<u64, Person>,
    companies: HashMap<u64, Company>,
    /// Content id -> (kind, published).
    content: HashMap<u64, (String, i32)>,
    /// Funding round id -> (series, amount, date).
    rounds: HashMap<u64, (String, i64, i32)>,
    /// Job change id -> (title, date).
    job_changes: HashMap<u64, (String, i32)>,
    products: HashMap<u64, String>,
    topics: HashMap<u64, String>,
    tickets: HashMap<u64, Ticket>,
    /// Undirected KNOWS adjacency.
    knows: HashMap<u64, BTreeSet<u64>>,
    /// Person -> current employer.
    employer: HashMap<u64, u64>,
    read: Vec<(u64, u64)>,
    /// (person, topic, at).
    mentioned: Vec<(u64, u64, i32)>,
    wrote: Vec<(u64, u64)>,
    likes: Vec<(u64, u64)>,
    about: HashMap<u64, BTreeSet<u64>>,
    raised: Vec<(u64, u64)>,
    changed_job: Vec<(u64, u64)>,
    job_change_at: HashMap<u64, u64>,
    customers: HashMap<u64, Customer>,
    /// (from, to, at).
    referred: Vec<(u64, u64, i32)>,
    gave_reference: Vec<(u64, u64)>,
    bought: Vec<(u64, u64)>,
    opened_ticket: Vec<(u64, u64)>,
    interested_in: HashMap<u64, BTreeSet<u64>>,
}

impl Data {
    fn from_capture(cap: &Capture) -> Data {
        let nodes = |f: &NodeFile| cap.nodes.get(f.file).map(Vec::as_slice).unwrap_or(&[]);
        let rels = |f: &RelFile| cap.rels.get(f.file).map(Vec::as_slice).unwrap_or(&[]);
        let pairs =
            |f: &RelFile| -> Vec<(u64, u64)> { rels(f).iter().map(|r| (r.0, r.1)).collect() };

        let mut people = HashMap::new();
        for file in [&schema::PERSON_ME, &schema::PERSON] {
            let (n, c) = (col(file.columns, "name"), col(file.columns, "city"));
            for (id, p) in nodes(file) {
                people.insert(
                    *id,
                    Person {
                        name: s(&p[n]),
                        city: s(&p[c]),
                    },
                );
            }
        }
        let cols = schema::COMPANY.columns;
        let (cn, ci, cs) = (col(cols, "name"), col(cols, "industry"), col(cols, "size"));
        let companies = nodes(&schema::COMPANY)
            .iter()
            .map(|(id, p)| {
                (
                    *id,
                    Company {
                        name: s(&p[cn]),
                        industry: s(&p[ci]),
                        size: i(&p[cs]),
                    },
                )
            })
            .collect();
        let cols = schema::CONTENT.columns;
        let (k, pbl) = (col(cols, "kind"), col(cols, "published"));
        let content = nodes(&schema::CONTENT)
            .iter()
            .map(|(id, p)| (*id, (s(&p[k]), d(&p[pbl]))))
            .collect();
        let cols = schema::FUNDING_ROUND.columns;
        let (se, am, da) = (col(cols, "series"), col(cols, "amount"), col(cols, "date"));
        let rounds = nodes(&schema::FUNDING_ROUND)
            .iter()
            .map(|(id, p)| (*id, (s(&p[se]), i(&p[am]), d(&p[da]))))
            .collect();
        let cols = schema::JOB_CHANGE.columns;
        let (ti, da) = (col(cols, "title"), col(cols, "date"));
        let job_changes = nodes(&schema::JOB_CHANGE)
            .iter()
            .map(|(id, p)| (*id, (s(&p[ti]), d(&p[da]))))
            .collect();
        let pn = col(schema::PRODUCT.columns, "name");
        let products = nodes(&schema::PRODUCT)
            .iter()
            .map(|(id, p)| (*id, s(&p[pn])))
            .collect();
        let tn = col(schema::TOPIC.columns, "name");
        let topics = nodes(&schema::TOPIC)
            .iter()
            .map(|(id, p)| (*id, s(&p[tn])))
            .collect();
        let cols = schema::TICKET.columns;
        let (tk, te, tc) = (col(cols, "kind"), col(cols, "escalated"), col(cols, "cost"));
        let tickets = nodes(&schema::TICKET)
            .iter()
            .map(|(id, p)| {
                (
                    *id,
                    Ticket {
                        kind: s(&p[tk]),
                        escalated: b(&p[te]),
                        cost: i(&p[tc]),
                    },
                )
            })
            .collect();

        let mut knows: HashMap<u64, BTreeSet<u64>> = HashMap::new();
        for (a, b) in pairs(&schema::KNOWS) {
            knows.entry(a).or_default().insert(b);
            knows.entry(b).or_default().insert(a);
        }
        // Only the current-employment file has no `until`.
        let employer = pairs(&schema::WORKS_AT).into_iter().collect();
        let cols = schema::MENTIONED.columns;
        let at = col(cols, "at");
        let mentioned = rels(&schema::MENTIONED)
            .iter()
            .map(|(p, t, props)| (*p, *t, d(&props[at])))
            .collect();
        let mut about: HashMap<u64, BTreeSet<u64>> = HashMap::new();
        for (c, t) in pairs(&schema::ABOUT) {
            about.entry(c).or_default().insert(t);
        }
        let mut interested_in: HashMap<u64, BTreeSet<u64>> = HashMap::new();
        for (c, t) in pairs(&schema::INTERESTED_IN) {
            interested_in.entry(c).or_default().insert(t);
        }
        let cols = schema::CUSTOMER_OF.columns;
        let (rv, si, ex) = (
            col(cols, "revenue"),
            col(cols, "since"),
            col(cols, "exclusive"),
        );
        let mut customers = HashMap::new();
        for (c, v, p) in rels(&schema::CUSTOMER_OF) {
            assert_eq!(*v, VENDOR, "customers are customers of the vendor");
            customers.insert(
                *c,
                Customer {
                    revenue: i(&p[rv]),
                    since: d(&p[si]),
                    exclusive: b(&p[ex]),
                },
            );
        }
        let at = col(schema::REFERRED.columns, "at");
        let referred = rels(&schema::REFERRED)
            .iter()
            .map(|(a, b, p)| (*a, *b, d(&p[at])))
            .collect();
        Data {
            people,
            companies,
            content,
            rounds,
            job_changes,
            products,
            topics,
            tickets,
            knows,
            employer,
            read: pairs(&schema::READ),
            mentioned,
            wrote: pairs(&schema::WROTE),
            likes: pairs(&schema::LIKES),
            about,
            raised: pairs(&schema::RAISED),
            changed_job: pairs(&schema::CHANGED_JOB),
            job_change_at: pairs(&schema::AT).into_iter().collect(),
            customers,
            referred,
            gave_reference: pairs(&schema::GAVE_REFERENCE),
            bought: pairs(&schema::BOUGHT),
            opened_ticket: pairs(&schema::OPENED_TICKET),
            interested_in,
        }
    }

    fn friends(&self, p: u64) -> BTreeSet<u64> {
        self.knows.get(&p).cloned().unwrap_or_default()
    }

    /// People who read a white paper about CRM.
    fn crm_white_paper_readers(&self) -> HashSet<u64> {
        self.read
            .iter()
            .filter(|(_, c)| {
                self.content[c].0 == "white paper"
                    && self.about.get(c).is_some_and(|t| t.contains(&TOPIC_CRM))
            })
            .map(|(p, _)| *p)
            .collect()
    }
}

fn date(days: i32) -> String {
    relgraph_datagen::dates::iso_date(days)
}

fn row(cells: &[&dyn ToString]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

// ---------------------------------------------------------------------------
// The independent answers, one function per question.

fn a1(g: &Data) -> Rows {
    let readers = g.crm_white_paper_readers();
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    for p in g.friends(ME) {
        if readers.contains(&p) {
            *per.entry(&g.companies[&g.employer[&p]].name).or_default() += 1;
        }
    }
    let mut out: Vec<(&str, usize)> = per.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    out.iter().map(|(c, n)| row(&[c, n])).collect()
}

fn a2(g: &Data) -> Rows {
    let readers = g.crm_white_paper_readers();
    let friends = g.friends(ME);
    let mut last: BTreeMap<u64, i32> = BTreeMap::new();
    for (p, t, at) in &g.mentioned {
        if *t == TOPIC_CHURN && *at >= TODAY - 90 && friends.contains(p) && readers.contains(p) {
            let e = last.entry(*p).or_insert(*at);
            *e = (*e).max(*at);
        }
    }
    let mut out: Vec<(u64, i32)> = last.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out.iter()
        .map(|(p, at)| row(&[p, &g.people[p].name, &date(*at)]))
        .collect()
}

fn a3(g: &Data) -> Rows {
    let friends = g.friends(ME);
    let city = &g.people[&ME].city;
    let mut per: BTreeMap<u64, usize> = BTreeMap::new();
    for (p, m) in &g.likes {
        let (kind, published) = &g.content[m];
        if friends.contains(p)
            && &g.people[p].city == city
            && kind == "movie"
            && *published >= TODAY - 180
        {
            *per.entry(*p).or_default() += 1;
        }
    }
    let mut out: Vec<(u64, usize)> = per.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out.iter()
        .map(|(p, n)| row(&[p, &g.people[p].name, &g.people[p].city, n]))
        .collect()
}

fn a4(g: &Data) -> Rows {
    let first = g.friends(ME);
    let mut network: HashSet<u64> = first.iter().copied().collect();
    for f in &first {
        network.extend(g.friends(*f));
    }
    network.remove(&ME);
    let mut out: Vec<(String, i64, i32, usize)> = Vec::new();
    for (c, ev) in &g.raised {
        let (series, amount, at) = &g.rounds[ev];
        if series == "Series B" && *at >= TODAY - 60 {
            let n = network.iter().filter(|p| g.employer[p] == *c).count();
            out.push((g.companies[c].name.clone(), *amount, *at, n));
        }
    }
    out.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    out.iter()
        .map(|(c, a, at, n)| row(&[c, a, &date(*at), n]))
        .collect()
}

/// Question 5's rows, and for each the set of valid introducers (any
/// first-degree connection who knows the person is a shortest path).
fn a5(g: &Data) -> Vec<(Vec<String>, BTreeSet<String>)> {
    let first = g.friends(ME);
    let market = &g.companies[&g.employer[&ME]].industry;
    let mut out: Vec<(i32, u64, Vec<String>, BTreeSet<String>)> = Vec::new();
    for (p, ev) in &g.changed_job {
        let (title, at) = &g.job_changes[ev];
        let c = &g.companies[&g.job_change_at[ev]];
        if title != "CMO" || *at < TODAY - 365 || &c.industry != market {
            continue;
        }
        if *p == ME || first.contains(p) {
            continue;
        }
        let introducers: Vec<u64> = g.friends(*p).intersection(&first).copied().collect();
        if introducers.is_empty() {
            continue; // not a second-degree connection
        }
        let names: BTreeSet<String> = introducers
            .iter()
            .map(|f| g.people[f].name.clone())
            .collect();
        let cells = row(&[
            p,
            &g.people[p].name,
            &c.name,
            &date(*at),
            &2,
            &"<introducer>",
            &introducers.len(),
        ]);
        out.push((*at, *p, cells, names));
    }
    out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    out.into_iter().map(|(_, _, r, n)| (r, n)).collect()
}

fn a6(g: &Data) -> Rows {
    let mut out: Vec<(String, [i64; 6])> = Vec::new();
    for (c, cust) in &g.customers {
        let referrals = g.referred.iter().filter(|r| r.0 == *c).count() as i64;
        let bugs = g
            .opened_ticket
            .iter()
            .filter(|(o, t)| o == c && g.tickets[t].kind == "bug")
            .count() as i64;
        let refs = g.gave_reference.iter().filter(|r| r.0 == *c).count() as i64;
        let excl = i64::from(cust.exclusive);
        let value = cust.revenue + 5000 * referrals + 1000 * bugs + 3000 * refs + 10000 * excl;
        out.push((
            g.companies[c].name.clone(),
            [cust.revenue, referrals, bugs, refs, excl, value],
        ));
    }
    out.sort_by(|a, b| b.1[5].cmp(&a.1[5]).then(a.0.cmp(&b.0)));
    out.truncate(10);
    out.iter()
        .map(|(n, v)| {
            let mut r = vec![n.clone()];
            r.extend(v.iter().map(i64::to_string));
            r
        })
        .collect()
}

fn a7(g: &Data) -> Rows {
    let mut per: HashMap<u64, (i64, i64, i64)> = HashMap::new();
    for (c, t) in &g.opened_ticket {
        if !g.customers.contains_key(c) {
            continue;
        }
        let t = &g.tickets[t];
        let e = per.entry(*c).or_default();
        e.0 += 1;
        e.1 += i64::from(t.escalated);
        e.2 += t.cost;
    }
    let mut out: Vec<(String, [i64; 5])> = Vec::new();
    for (c, (n, esc, cost)) in per {
        let revenue = g.customers[&c].revenue;
        if cost > revenue {
            out.push((
                g.companies[&c].name.clone(),
                [revenue, n, esc, cost, cost - revenue],
            ));
        }
    }
    out.sort_by(|a, b| b.1[4].cmp(&a.1[4]).then(a.0.cmp(&b.0)));
    out.iter()
        .map(|(n, v)| {
            let mut r = vec![n.clone()];
            r.extend(v.iter().map(i64::to_string));
            r
        })
        .collect()
}

fn a8(g: &Data) -> Rows {
    let mut per: HashMap<u64, (i64, i64)> = HashMap::new();
    for (a, b, at) in &g.referred {
        if let (Some(_), Some(bc)) = (g.customers.get(a), g.customers.get(b)) {
            if bc.since >= *at {
                let e = per.entry(*a).or_default();
                e.0 += 1;
                e.1 += bc.revenue;
            }
        }
    }
    let mut out: Vec<(String, i64, i64)> = per
        .into_iter()
        .map(|(a, (n, r))| (g.companies[&a].name.clone(), n, r))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    out.iter().map(|(a, n, r)| row(&[a, n, r])).collect()
}

fn a9(g: &Data) -> Rows {
    let mut best: Vec<(i64, &str, u64)> = g
        .customers
        .iter()
        .map(|(c, cu)| (cu.revenue, g.companies[c].name.as_str(), *c))
        .collect();
    best.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    best.truncate(10);
    let empty = BTreeSet::new();
    let mut out: Vec<(String, String, i64, [i64; 4])> = Vec::new();
    for (p, pc) in &g.companies {
        if *p == VENDOR || g.customers.contains_key(p) {
            continue;
        }
        let mut m = [0i64; 4];
        let pi = g.interested_in.get(p).unwrap_or(&empty);
        for (_, _, bid) in &best {
            let bc = &g.companies[bid];
            m[0] += i64::from(pc.industry == bc.industry);
            m[1] += i64::from(pc.size >= bc.size / 2 && pc.size <= bc.size * 2);
            let bi = g.interested_in.get(bid).unwrap_or(&empty);
            m[2] += pi.intersection(bi).count() as i64;
        }
        m[3] = m[0] + m[1] + m[2];
        out.push((pc.name.clone(), pc.industry.clone(), pc.size, m));
    }
    out.sort_by(|a, b| b.3[3].cmp(&a.3[3]).then(a.0.cmp(&b.0)));
    out.truncate(10);
    out.iter()
        .map(|(n, ind, size, m)| {
            let mut r = vec![n.clone(), ind.clone(), size.to_string()];
            r.extend(m.iter().map(i64::to_string));
            r
        })
        .collect()
}

fn a10(g: &Data) -> Rows {
    let x = g
        .products
        .iter()
        .find(|(_, n)| n.as_str() == PRODUCT)
        .map(|(id, _)| *id)
        .expect("the product of question 10 exists");
    let buyers: HashSet<u64> = g
        .bought
        .iter()
        .filter(|(_, p)| *p == x)
        .map(|(c, _)| *c)
        .collect();
    let mut per: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    for (c, y) in &g.bought {
        if *y != x && buyers.contains(c) {
            per.entry(&g.products[y]).or_default().insert(*c);
        }
    }
    let mut out: Vec<(&str, usize)> = per.into_iter().map(|(y, c)| (y, c.len())).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    out.iter().map(|(y, n)| row(&[y, n])).collect()
}

fn a11(g: &Data) -> Rows {
    let friends = g.friends(ME);
    let empty = BTreeSet::new();
    let mut per: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
    for (p, post) in &g.wrote {
        let topics = g.about.get(post).unwrap_or(&empty);
        if friends.contains(p) && topics.contains(&TOPIC_CHURN) {
            for t in topics {
                if *t != TOPIC_CHURN {
                    per.entry(*t).or_default().insert(*post);
                }
            }
        }
    }
    let mut out: Vec<(&str, usize)> = per
        .iter()
        .map(|(t, posts)| (g.topics[t].as_str(), posts.len()))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    out.iter().map(|(t, n)| row(&[t, n])).collect()
}

// ---------------------------------------------------------------------------
// Fixture: the generated data (captured) and the database built from it.

/// The generated data (captured through the generator's `Sink`) and an
/// in-memory database holding the same graph.
struct Fixture {
    data: Data,
    db: Database,
}

/// PageRank as networkx defines it (damping 0.85, at most 20 iterations,
/// tolerance 1e-7: the procedure's defaults) over undirected KNOWS between
/// all people; my connections ranked by it.
fn a12(g: &Data) -> Rows {
    let mut ids: Vec<u64> = g.people.keys().copied().collect();
    ids.sort_unstable();
    let index: HashMap<u64, usize> = ids.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let adj: Vec<Vec<usize>> = ids
        .iter()
        .map(|p| {
            g.friends(*p)
                .iter()
                .filter_map(|q| index.get(q).copied())
                .collect()
        })
        .collect();
    let n = ids.len() as f64;
    let mut x = vec![1.0 / n; ids.len()];
    for _ in 0..20 {
        let dangling: f64 = (0..ids.len())
            .filter(|u| adj[*u].is_empty())
            .map(|u| x[u])
            .sum();
        let mut next = vec![0.15 / n + 0.85 * dangling / n; ids.len()];
        for (u, out) in adj.iter().enumerate() {
            for &v in out {
                next[v] += 0.85 * x[u] / out.len() as f64;
            }
        }
        let err: f64 = next.iter().zip(&x).map(|(a, b)| (a - b).abs()).sum();
        x = next;
        if err < n * 1e-7 {
            break;
        }
    }
    let mut out: Vec<(&str, f64, usize)> = g
        .friends(ME)
        .iter()
        .map(|p| {
            let score = x[index[p]];
            (
                g.people[p].name.as_str(),
                (score * 1e6).round() / 1e6,
                g.friends(*p).len(),
            )
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    out.truncate(10);
    out.iter().map(|(c, s, k)| row(&[c, s, k])).collect()
}

/// Prospects whose interests match at least half of a customer's (Jaccard
/// similarity of their topic sets at least 0.5), by how many customers.
fn a13(g: &Data) -> Rows {
    let empty = BTreeSet::new();
    let topics = |c: &u64| g.interested_in.get(c).unwrap_or(&empty);
    let mut per: BTreeMap<&str, (i64, f64)> = BTreeMap::new();
    for c in g.customers.keys() {
        let a = topics(c);
        for (p, pc) in &g.companies {
            if p == c || *p == VENDOR || g.customers.contains_key(p) {
                continue;
            }
            let b = topics(p);
            let shared = a.intersection(b).count();
            if shared == 0 {
                continue;
            }
            let jaccard = shared as f64 / (a.len() + b.len() - shared) as f64;
            if jaccard >= 0.5 {
                let e = per.entry(pc.name.as_str()).or_insert((0, 0.0));
                e.0 += 1;
                e.1 = e.1.max(jaccard);
            }
        }
    }
    let mut out: Vec<(&str, i64, f64)> = per
        .into_iter()
        .map(|(n, (k, best))| (n, k, (best * 1000.0).round() / 1000.0))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(b.0)));
    out.truncate(10);
    out.iter().map(|(n, k, best)| row(&[n, k, best])).collect()
}

/// Prospects in a referral network (a connected component of REFERRED,
/// either direction) that holds customers, with the network's counts.
fn a14(g: &Data) -> Rows {
    let mut parent: HashMap<u64, u64> = g.companies.keys().map(|c| (*c, *c)).collect();
    fn root(parent: &mut HashMap<u64, u64>, mut x: u64) -> u64 {
        while parent[&x] != x {
            let up = parent[&parent[&x]];
            parent.insert(x, up);
            x = up;
        }
        x
    }
    for (a, b, _) in &g.referred {
        let (ra, rb) = (root(&mut parent, *a), root(&mut parent, *b));
        parent.insert(ra.max(rb), ra.min(rb));
    }
    let mut networks: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for c in g.companies.keys() {
        let r = root(&mut parent, *c);
        networks.entry(r).or_default().push(*c);
    }
    let mut out: Vec<(&str, usize, usize)> = Vec::new();
    for members in networks.values() {
        let mine = members
            .iter()
            .filter(|m| g.customers.contains_key(m))
            .count();
        let prospects: Vec<&u64> = members
            .iter()
            .filter(|m| !g.customers.contains_key(m) && **m != VENDOR)
            .collect();
        if mine > 0 {
            for p in &prospects {
                out.push((g.companies[p].name.as_str(), mine, prospects.len()));
            }
        }
    }
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    out.truncate(10);
    out.iter().map(|(n, k, p)| row(&[n, k, p])).collect()
}

fn build(config: &Config) -> Fixture {
    let mut cap = Capture::default();
    relgraph_datagen::generate(config, &mut cap).expect("the generator runs");
    let data = Data::from_capture(&cap);
    drop(cap);
    // The database: the generator's records applied as one change set.
    let g = relgraph_datagen::records(config).expect("the generator builds records");
    let graph = Graph::in_memory();
    let mut txn = graph.begin_write().expect("a fresh database has no writer");
    let mut changes: Vec<Change> = Vec::with_capacity(g.nodes.len() + g.rels.len());
    changes.extend(g.nodes.into_iter().map(|n| Change::CreateNode {
        id: n.id,
        labels: n.labels,
        props: n.props,
    }));
    changes.extend(g.rels.into_iter().map(|r| Change::CreateRel {
        id: r.id,
        rel_type: r.rel_type,
        src: r.src,
        dst: r.dst,
        props: r.props,
    }));
    txn.apply(ChangeSet {
        catalog: Some(CatalogSnapshot(g.catalog)),
        changes,
    })
    .expect("the generated graph applies");
    txn.commit().expect("the in-memory commit succeeds");
    Fixture {
        data,
        db: Database::from_graph(graph),
    }
}

fn demo_config() -> Config {
    Config::new(SCALE, SEED).expect("the demo scale is valid")
}

/// The demo graph, built once for all tests.
fn demo() -> &'static Fixture {
    static DEMO: OnceLock<Fixture> = OnceLock::new();
    DEMO.get_or_init(|| build(&demo_config()))
}

fn params(n: usize) -> Params {
    let mut p = Params::new();
    if n == 10 {
        p.insert("product".into(), Value::from(PRODUCT));
    }
    p
}

fn cell(v: &ResultValue) -> String {
    match v {
        ResultValue::Null => "null".into(),
        ResultValue::Bool(b) => b.to_string(),
        ResultValue::Int(i) => i.to_string(),
        ResultValue::Float(f) => f.to_string(),
        ResultValue::String(s) => s.clone(),
        ResultValue::Date(d) => date(d.days),
        ResultValue::List(l) => format!("[{}]", l.iter().map(cell).collect::<Vec<_>>().join(", ")),
        other => format!("{other:?}"),
    }
}

/// Runs question `n` (1-based): its column names and rows as text.
fn run(fx: &Fixture, n: usize) -> (Vec<String>, Rows) {
    let q = QUERIES[n - 1];
    let res = fx
        .db
        .query(q, &params(n))
        .unwrap_or_else(|e| panic!("cookbook question {n} fails:\n{e}"));
    let rows = res
        .rows
        .iter()
        .map(|r| r.iter().map(cell).collect())
        .collect();
    (res.columns.to_vec(), rows)
}

/// Question `n`'s answer computed in plain Rust; `got` (the engine's rows)
/// is only used to read which of the valid introducers question 5 chose.
fn expected(g: &Data, n: usize, got: &Rows) -> Rows {
    match n {
        1 => a1(g),
        2 => a2(g),
        3 => a3(g),
        4 => a4(g),
        5 => {
            let want = a5(g);
            assert_eq!(got.len(), want.len(), "question 5: row count");
            want.into_iter()
                .zip(got)
                .map(|((mut r, names), got_row)| {
                    let intro = &got_row[5];
                    assert!(
                        names.contains(intro),
                        "question 5: {intro} is no introducer of {} (valid: {names:?})",
                        r[1]
                    );
                    r[5] = intro.clone();
                    r
                })
                .collect()
        }
        6 => a6(g),
        7 => a7(g),
        8 => a8(g),
        9 => a9(g),
        10 => a10(g),
        11 => a11(g),
        12 => a12(g),
        13 => a13(g),
        14 => a14(g),
        _ => unreachable!("there are fourteen questions"),
    }
}

const EXPECTED_COLUMNS: [&[&str]; 14] = [
    &["company", "connections"],
    &["id", "person", "last_churn_mention"],
    &["id", "friend", "city", "new_movies_liked"],
    &["company", "amount", "raised_on", "people_in_my_network"],
    &[
        "id",
        "person",
        "company",
        "started",
        "hops",
        "introducer",
        "possible_introducers",
    ],
    &[
        "customer",
        "revenue",
        "referrals",
        "bugs",
        "reference_calls",
        "exclusive",
        "value",
    ],
    &[
        "customer",
        "revenue",
        "tickets",
        "escalations",
        "support_cost",
        "loss",
    ],
    &["advocate", "referrals_won", "revenue_won"],
    &[
        "prospect",
        "industry",
        "size",
        "industry_matches",
        "size_matches",
        "interest_matches",
        "similarity",
    ],
    &["also_bought", "customers"],
    &["topic", "posts"],
    &["connection", "influence", "their_connections"],
    &["prospect", "customers_alike", "closest"],
    &["prospect", "customers_in_network", "prospects_in_network"],
];

// ---------------------------------------------------------------------------
// The markdown.

fn cookbook_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/cookbook.md")
}

fn read_cookbook() -> String {
    std::fs::read_to_string(cookbook_path()).expect("docs/cookbook.md exists")
}

/// The bodies of the ```cypher blocks, in order.
fn cypher_blocks(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<Vec<&str>> = None;
    for line in md.lines() {
        match &mut cur {
            None if line.trim_end() == "```cypher" => cur = Some(Vec::new()),
            None => {}
            Some(body) if line.trim_end() == "```" => {
                out.push(body.join("\n"));
                cur = None;
            }
            Some(body) => body.push(line),
        }
    }
    assert!(cur.is_none(), "an unterminated ```cypher block");
    out
}

fn answer_markers(n: usize) -> (String, String) {
    (
        format!("<!-- answer {n} -->\n"),
        format!("<!-- end answer {n} -->"),
    )
}

/// The markdown table of an answer, as the cookbook shows it.
fn table(columns: &[String], rows: &Rows) -> String {
    let esc = |s: &str| s.replace('|', "\\|");
    let mut t = format!("| {} |\n", columns.join(" | "));
    t.push_str(&format!("|{}\n", "---|".repeat(columns.len())));
    for r in rows.iter().take(SHOWN_ROWS) {
        let cells: Vec<String> = r.iter().map(|c| esc(c)).collect();
        t.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    if rows.is_empty() {
        t.push_str("\n(no rows)\n");
    } else if rows.len() > SHOWN_ROWS {
        t.push_str(&format!(
            "\n({} rows in all; the first {SHOWN_ROWS} are shown.)\n",
            rows.len()
        ));
    } else {
        t.push_str(&format!(
            "\n({} row{}.)\n",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        ));
    }
    t
}

/// The text between answer `n`'s markers, and its byte range.
fn answer_in(md: &str, n: usize) -> Option<(std::ops::Range<usize>, &str)> {
    let (open, close) = answer_markers(n);
    let start = md.find(&open)? + open.len();
    let end = start + md[start..].find(&close)?;
    Some((start..end, &md[start..end]))
}

// ---------------------------------------------------------------------------
// Tests.

#[test]
fn cookbook_queries_are_the_tested_queries() {
    let md = read_cookbook();
    let blocks = cypher_blocks(&md);
    assert_eq!(
        blocks.len(),
        QUERIES.len(),
        "docs/cookbook.md must have exactly one ```cypher block per question"
    );
    for (n, (block, q)) in blocks.iter().zip(QUERIES).enumerate() {
        assert_eq!(
            block.trim(),
            q.trim(),
            "docs/cookbook.md question {} differs from tests/cookbook.rs",
            n + 1
        );
    }
}

/// Runs every question on `fx` and compares with the plain-Rust answers;
/// returns the number of rows seen per question.
fn check_all(fx: &Fixture, what: &str) -> Vec<usize> {
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for n in 1..=QUERIES.len() {
        let (columns, got) = run(fx, n);
        assert_eq!(
            columns,
            EXPECTED_COLUMNS[n - 1],
            "{what}, question {n}: columns"
        );
        let want = expected(&fx.data, n, &got);
        if got != want {
            failures.push(format!(
                "{what}, question {n}:\n  engine:     {got:?}\n  plain Rust: {want:?}"
            ));
        }
        counts.push(got.len());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    counts
}

#[test]
fn every_answer_matches_the_independent_computation() {
    let counts = check_all(demo(), "demo graph");
    for (n, c) in counts.iter().enumerate() {
        assert!(*c > 0, "question {} has no answer on the demo graph", n + 1);
    }
}

#[test]
fn answers_match_on_another_graph() {
    // A larger graph with another seed: the queries are not tuned to one data set.
    let fx = build(&Config::new(0.25, 7).expect("valid scale"));
    let counts = check_all(&fx, "scale 0.25, seed 7");
    assert!(counts.iter().filter(|c| **c > 0).count() >= 9, "{counts:?}");
}

#[test]
fn cookbook_tables_show_the_engine_answers() {
    let mut md = read_cookbook();
    let update = std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for n in 1..=QUERIES.len() {
        let (columns, rows) = run(demo(), n);
        let want = table(&columns, &rows);
        let Some((range, have)) = answer_in(&md, n) else {
            panic!("docs/cookbook.md lacks the markers of answer {n}");
        };
        if have != want {
            if update {
                md.replace_range(range, &want);
            } else {
                stale.push(format!(
                    "answer {n}:\n--- cookbook\n{have}--- engine\n{want}"
                ));
            }
        }
    }
    if update {
        std::fs::write(cookbook_path(), &md).expect("docs/cookbook.md is writable");
    }
    assert!(
        stale.is_empty(),
        "docs/cookbook.md is stale (run UPDATE_EXPECT=1 cargo test --test cookbook):\n{}",
        stale.join("\n")
    );
}

#[test]
fn independent_answers_are_not_trivial() {
    // Guards the plain-Rust side: the demo graph has data for every question.
    let g = &demo().data;
    assert!(g.friends(ME).len() >= 50, "me has connections");
    assert!(!g.customers.is_empty() && !g.rounds.is_empty());
    assert_eq!(g.people.len() as u64, demo_config().people());
    for (n, rows) in [
        (1, a1(g)),
        (4, a4(g)),
        (6, a6(g)),
        (9, a9(g)),
        (10, a10(g)),
        (11, a11(g)),
        (12, a12(g)),
    ] {
        assert!(!rows.is_empty(), "plain-Rust answer {n} is empty");
    }
}

// ---------------------------------------------------------------------------
// The standing question: notifications as funding rounds are committed.

/// The standing query between its markers in docs/cookbook.md.
fn standing_query_in(md: &str) -> String {
    let start = md
        .find("<!-- standing query -->\n")
        .expect("the cookbook marks its standing query");
    let end = md[start..]
        .find("<!-- end standing query -->")
        .expect("the standing query's end marker")
        + start;
    md[start..end]
        .lines()
        .filter_map(|l| l.strip_prefix("    "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Series B rounds of company `c` in the generated data, as the query's rows.
fn series_b_rows(g: &Data, c: u64) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = g
        .raised
        .iter()
        .filter(|(co, _)| *co == c)
        .map(|(_, ev)| &g.rounds[ev])
        .filter(|(series, _, _)| series == "Series B")
        .map(|(_, amount, at)| row(&[&g.companies[&c].name, amount, &date(*at)]))
        .collect();
    rows.sort();
    rows
}

fn text_rows(rows: &[Vec<ResultValue>]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(cell).collect()).collect();
    out.sort();
    out
}

#[test]
fn standing_question_series_b_in_my_market() {
    let query = standing_query_in(&read_cookbook());
    // A graph of its own: the shared demo fixture must not change.
    let fx = build(&demo_config());
    let (g, db) = (&fx.data, &fx.db);
    let mine = g.employer[&ME];
    let market = g.companies[&mine].industry.clone();
    let mut in_market: Vec<u64> = g
        .companies
        .iter()
        .filter(|(id, c)| c.industry == market && **id != mine)
        .map(|(id, _)| *id)
        .collect();
    in_market.sort();
    let outside = g
        .companies
        .iter()
        .filter(|(_, c)| c.industry != market)
        .map(|(id, _)| *id)
        .min()
        .expect("the demo graph has companies in other markets");
    assert!(in_market.len() >= 2, "two companies in my market");
    let initial: usize = in_market.iter().map(|c| series_b_rows(g, *c).len()).sum();

    let sub = db
        .standing()
        .register("series-b-in-my-market", &query, &Params::new())
        .unwrap();
    assert_eq!(db.standing().list()[0].rows as usize, initial);

    let round = |company: u64, series: &str, amount: i64, on: &str| {
        format!(
            "MATCH (c:Company {{id: {company}}}) CREATE (c)-[:RAISED]->(:Event \
             {{kind: 'FundingRound', series: '{series}', amount: {amount}, date: date('{on}')}})"
        )
    };
    let wait = std::time::Duration::from_secs(30);
    let quiet = |what: &str| {
        assert!(db.standing().sync(wait));
        assert_eq!(sub.try_recv(), Err(relgraph::RecvError::Empty), "{what}");
    };

    // A Series B in my market: one notification, one row.
    let c1 = in_market[0];
    db.query(
        &round(c1, "Series B", 42_000_000, "2024-07-01"),
        &Params::new(),
    )
    .unwrap();
    let n = sub.recv_timeout(wait).unwrap();
    assert_eq!(n.version, db.snapshot().version());
    let name1 = g.companies[&c1].name.clone();
    assert_eq!(
        text_rows(&n.added),
        vec![row(&[&name1, &42_000_000, &"2024-07-01"])]
    );
    let first_version = n.version;

    // A Series A in my market, a Series B elsewhere: nothing new.
    db.query(
        &round(c1, "Series A", 5_000_000, "2024-07-02"),
        &Params::new(),
    )
    .unwrap();
    quiet("a Series A is no answer");
    db.query(
        &round(outside, "Series B", 77_000_000, "2024-07-03"),
        &Params::new(),
    )
    .unwrap();
    quiet("a Series B outside my market is no answer");

    // Two rounds in one transaction: one notification for the commit.
    let c2 = in_market[1];
    let mut tx = db.begin_write().unwrap();
    tx.query(
        &round(c2, "Series B", 18_000_000, "2024-07-04"),
        &Params::new(),
    )
    .unwrap();
    tx.query(
        &round(c2, "Series C", 90_000_000, "2024-07-05"),
        &Params::new(),
    )
    .unwrap();
    tx.commit().unwrap();
    let n = sub.recv_timeout(wait).unwrap();
    assert!(n.version > first_version);
    assert_eq!(
        text_rows(&n.added),
        vec![row(&[&g.companies[&c2].name, &18_000_000, &"2024-07-04"])]
    );
    quiet("exactly one notification per commit");

    // A company moves into my market: all its Series B rounds are new answers.
    db.query(
        &format!("MATCH (c:Company {{id: {outside}}}) SET c.industry = '{market}'"),
        &Params::new(),
    )
    .unwrap();
    let n = sub.recv_timeout(wait).unwrap();
    let mut want = series_b_rows(g, outside);
    want.push(row(&[
        &g.companies[&outside].name,
        &77_000_000,
        &"2024-07-03",
    ]));
    want.sort();
    assert_eq!(text_rows(&n.added), want);
    quiet("nothing more");
    assert_eq!(
        db.standing().list()[0].rows as usize,
        initial + 2 + want.len()
    );
}
