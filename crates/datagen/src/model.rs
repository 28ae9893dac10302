//! The generator: who exists, who knows whom, who did what and when.
//!
//! Every entity draws from its own random stream, seeded from
//! `(seed, stream, entity id)`, so any file can be produced on its own,
//! row by row, without holding the graph in memory, and the same seed always
//! gives the same graph whatever the output format.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::dates::days_from_civil;
use crate::schema::{self, NodeFile, RelFile};
use crate::words::*;
use crate::{Config, Result};

/// A property value as the generator emits it (the column's type says how
/// it is written).
///
/// ```
/// use relgraph_datagen::Prop;
/// assert_ne!(Prop::Int(1), Prop::Float(1.0));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Prop {
    /// Integer.
    Int(i64),
    /// Float.
    Float(f64),
    /// String.
    Str(String),
    /// Boolean.
    Bool(bool),
    /// Date as days since 1970-01-01.
    Date(i32),
}

/// Where generated rows go: CSV files, records, or anything else.
///
/// The generator calls `begin_nodes` once per node file, then `node` per
/// row; after all node files, `begin_rels` and `rel` likewise. `props`
/// follow the file's `columns` in order.
///
/// ```
/// use relgraph_datagen::schema::{NodeFile, RelFile};
/// use relgraph_datagen::{generate, Config, Prop, Result, Sink};
///
/// /// Counts people.
/// struct People(u64);
/// impl Sink for People {
///     fn begin_nodes(&mut self, _: &'static NodeFile) -> Result<()> { Ok(()) }
///     fn node(&mut self, _: u64, props: &[Prop]) -> Result<()> {
///         self.0 += u64::from(props.len() >= 4 && matches!(&props[0], Prop::Str(_)));
///         Ok(())
///     }
///     fn begin_rels(&mut self, _: &'static RelFile) -> Result<()> { Ok(()) }
///     fn rel(&mut self, _: u64, _: u64, _: &[Prop]) -> Result<()> { Ok(()) }
/// }
/// let mut p = People(0);
/// generate(&Config::new(0.01, 1).unwrap(), &mut p).unwrap();
/// assert!(p.0 >= 50);
/// ```
pub trait Sink {
    /// A node file starts.
    fn begin_nodes(&mut self, file: &'static NodeFile) -> Result<()>;
    /// One node of the current node file.
    fn node(&mut self, id: u64, props: &[Prop]) -> Result<()>;
    /// A relationship file starts.
    fn begin_rels(&mut self, file: &'static RelFile) -> Result<()>;
    /// One relationship of the current file, by ids in its start/end spaces.
    fn rel(&mut self, start: u64, end: u64, props: &[Prop]) -> Result<()>;
    /// Everything has been emitted.
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

/// The fixed "today" of the demo data: 2024-06-30. Every recency question
/// ("in the last 90 days") is relative to this date, which the data also
/// stores as `(:Meta {today})`, so answers never depend on the clock.
pub const TODAY: i32 = 19_904;

/// The index of "CRM" in the topic list (its Topic id).
pub const TOPIC_CRM: u64 = 0;
/// The index of "churn" in the topic list (its Topic id).
pub const TOPIC_CHURN: u64 = 1;
/// Person id of "me".
pub const ME: u64 = 0;
/// Company id of my employer, the vendor whose customers the data describes.
pub const VENDOR: u64 = 0;
/// How many people "me" knows directly, at every scale.
pub const MY_CONNECTIONS: u64 = 60;

/// Tickets per company are numbered `company * TICKET_STRIDE + k`.
const TICKET_STRIDE: u64 = 64;
/// Funding rounds are numbered `company * ROUND_STRIDE + k`.
const ROUND_STRIDE: u64 = 4;

// Stream numbers: one per kind of decision, never reused.
const S_PERSON: u64 = 1;
const S_COMPANY: u64 = 2;
const S_CONTENT: u64 = 3;
const S_KNOWS: u64 = 4;
const S_JOB: u64 = 5;
const S_PAST: u64 = 6;
const S_READ: u64 = 7;
const S_MENTION: u64 = 8;
const S_POST: u64 = 9;
const S_LIKES: u64 = 10;
const S_ABOUT: u64 = 11;
const S_ROUNDS: u64 = 12;
const S_CUSTOMER: u64 = 13;
const S_REFER: u64 = 14;
const S_BOUGHT: u64 = 15;
const S_TICKET: u64 = 16;
const S_INTEREST: u64 = 17;
const S_REFERENCE: u64 = 18;

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn rng(seed: u64, stream: u64, entity: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(splitmix(
        seed ^ splitmix(stream.wrapping_mul(0x1000_0001) ^ splitmix(entity)),
    ))
}

/// An index in `0..n`, small indexes much more likely (`exp` > 1 skews).
fn skewed(rng: &mut ChaCha8Rng, n: u64, exp: f64) -> u64 {
    let u: f64 = rng.random();
    ((n as f64 * u.powf(exp)) as u64).min(n.saturating_sub(1))
}

fn weighted<'a>(rng: &mut ChaCha8Rng, items: &'a [(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (item, w) in items {
        if pick < *w {
            return item;
        }
        pick -= w;
    }
    items[items.len() - 1].0
}

/// A date `0..max_ago` days before [`TODAY`], with 40% of draws in the last
/// 120 days so there is always recent activity.
fn recent_date(rng: &mut ChaCha8Rng, max_ago: i32) -> i32 {
    if rng.random_bool(0.4) {
        TODAY - rng.random_range(0..120)
    } else {
        TODAY - rng.random_range(0..max_ago)
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &'a [&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// Derived facts about a person.
struct Person {
    name: String,
    title: &'static str,
    city: &'static str,
    joined: i32,
}

/// A person's current job.
struct Job {
    company: u64,
    title: &'static str,
    since: i32,
}

/// Derived facts about the library content.
struct Content {
    kind: &'static str,
    title: String,
    published: i32,
}

/// The whole model at one configuration.
pub(crate) struct Model {
    seed: u64,
    people: u64,
    companies: u64,
    library: u64,
    posts: u64,
    /// Ids of the library content that are movies (for LIKES).
    movies: Vec<u64>,
    /// Publication date of each library content id.
    published: Vec<i32>,
}

impl Model {
    pub(crate) fn new(config: &Config) -> Model {
        let mut m = Model {
            seed: config.seed,
            people: config.people(),
            companies: config.companies(),
            library: config.library_content(),
            posts: config.posts(),
            movies: Vec::new(),
            published: Vec::new(),
        };
        for l in 0..m.library {
            let c = m.content(l);
            if c.kind == "movie" {
                m.movies.push(l);
            }
            m.published.push(c.published);
        }
        m
    }

    fn person(&self, p: u64) -> Person {
        if p == ME {
            return Person {
                name: "Me".into(),
                title: "VP Sales",
                city: "Stockholm",
                joined: days_from_civil(2016, 3, 1),
            };
        }
        let mut r = rng(self.seed, S_PERSON, p);
        let first = pick(&mut r, FIRST_NAMES);
        let last = pick(&mut r, LAST_NAMES);
        let title = weighted(&mut r, TITLES);
        let city = CITIES[skewed(&mut r, CITIES.len() as u64, 1.6) as usize];
        let joined = TODAY - r.random_range(30..3650);
        Person {
            name: format!("{first} {last}"),
            title,
            city,
            joined,
        }
    }

    fn job(&self, p: u64) -> Job {
        if p == ME {
            return Job {
                company: VENDOR,
                title: "VP Sales",
                since: days_from_civil(2019, 9, 1),
            };
        }
        let mut r = rng(self.seed, S_JOB, p);
        let company = 1 + skewed(&mut r, self.companies - 1, 2.0);
        let since = if r.random_bool(0.25) {
            TODAY - r.random_range(0..365)
        } else {
            TODAY - r.random_range(365..3650)
        };
        Job {
            company,
            title: self.person(p).title,
            since,
        }
    }

    /// A job change event exists for people who started their current job
    /// in the last year.
    fn has_job_change(&self, p: u64) -> bool {
        p != ME && self.job(p).since > TODAY - 365
    }

    fn company_name(&self, c: u64) -> String {
        if c == VENDOR {
            return "Lumen CRM".into();
        }
        let a = COMPANY_WORDS_A.len() as u64;
        let b = COMPANY_WORDS_B.len() as u64;
        let i = c - 1;
        let base = format!(
            "{} {}",
            COMPANY_WORDS_A[(i % a) as usize],
            COMPANY_WORDS_B[((i / a) % b) as usize]
        );
        if i < a * b {
            base
        } else {
            format!("{base} {}", i / (a * b) + 1)
        }
    }

    fn company_props(&self, c: u64) -> [Prop; 4] {
        let mut r = rng(self.seed, S_COMPANY, c);
        let industry = if c == VENDOR {
            "Software"
        } else {
            INDUSTRIES[skewed(&mut r, INDUSTRIES.len() as u64, 1.5) as usize]
        };
        let size = (5.0 * (10_000.0f64).powf(r.random::<f64>().powi(2))).round() as i64;
        let city = if c == VENDOR {
            "Stockholm"
        } else {
            CITIES[skewed(&mut r, CITIES.len() as u64, 1.4) as usize]
        };
        [
            Prop::Str(self.company_name(c)),
            Prop::Str(industry.into()),
            Prop::Int(size),
            Prop::Str(city.into()),
        ]
    }

    fn is_customer(&self, c: u64) -> bool {
        c != VENDOR && rng(self.seed, S_CUSTOMER, c).random_bool(0.3)
    }

    fn content(&self, l: u64) -> Content {
        let mut r = rng(self.seed, S_CONTENT, l);
        let kind = weighted(&mut r, CONTENT_KINDS);
        let topic = TOPICS[self.content_topics(l)[0] as usize];
        let (title, published) = if kind == "movie" {
            let t = format!(
                "{} {}",
                pick(&mut r, MOVIE_WORDS_A),
                pick(&mut r, MOVIE_WORDS_B)
            );
            let published = if r.random_bool(0.3) {
                TODAY - r.random_range(0..180)
            } else {
                TODAY - r.random_range(180..3000)
            };
            (format!("{t} ({l})"), published)
        } else {
            (
                format!("{} {kind} no. {l}", capitalize(topic)),
                TODAY - r.random_range(0..2000),
            )
        };
        Content {
            kind,
            title,
            published,
        }
    }

    /// Topics of a content id (library or post), first one the main topic.
    fn content_topics(&self, content: u64) -> Vec<u64> {
        let mut r = rng(self.seed, S_ABOUT, content);
        let n = TOPICS.len() as u64;
        let is_post = content >= self.library;
        let first = if is_post && r.random_bool(0.25) {
            TOPIC_CHURN
        } else if !is_post && r.random_bool(0.35) {
            TOPIC_CRM
        } else {
            skewed(&mut r, n, 1.3)
        };
        let mut topics = vec![first];
        for _ in 0..r.random_range(0..3) {
            let t = skewed(&mut r, n, 1.3);
            if !topics.contains(&t) {
                topics.push(t);
            }
        }
        topics
    }

    fn post_author(&self, q: u64) -> u64 {
        skewed(&mut rng(self.seed, S_POST, q), self.people, 1.8)
    }

    fn funding_rounds(&self, c: u64) -> Vec<(u64, [Prop; 4])> {
        if c == VENDOR {
            return Vec::new();
        }
        let mut r = rng(self.seed, S_ROUNDS, c);
        let rounds = [0, 1, 1, 2, 2, 3, 3, 4][r.random_range(0..8)];
        let mut date = if r.random_bool(0.25) {
            TODAY - r.random_range(0..60)
        } else {
            TODAY - r.random_range(60..900)
        };
        let mut out = Vec::with_capacity(rounds);
        for k in (0..rounds).rev() {
            let (lo, hi) = [(1, 3), (5, 15), (20, 60), (50, 150)][k];
            let amount = r.random_range(lo..=hi) * 1_000_000;
            out.push((
                c * ROUND_STRIDE + k as u64,
                [
                    Prop::Str("FundingRound".into()),
                    Prop::Str(SERIES[k].into()),
                    Prop::Int(amount),
                    Prop::Date(date),
                ],
            ));
            date -= r.random_range(200..700);
        }
        out.reverse();
        out
    }

    fn ticket_count(&self, c: u64) -> u64 {
        if !self.is_customer(c) {
            return 0;
        }
        let mut r = rng(self.seed, S_TICKET, c * TICKET_STRIDE + TICKET_STRIDE - 1);
        skewed(&mut r, TICKET_STRIDE - 1, 2.5)
    }

    fn ticket(&self, c: u64, k: u64) -> [Prop; 5] {
        let mut r = rng(self.seed, S_TICKET, c * TICKET_STRIDE + k);
        let kind = pick(&mut r, TICKET_KINDS);
        let sev = SEVERITIES[skewed(&mut r, SEVERITIES.len() as u64, 1.5) as usize];
        let escalated = r.random_bool(if sev == "critical" { 0.6 } else { 0.1 });
        let cost = r.random_range(100..2_000) + if escalated { 4_000 } else { 0 };
        [
            Prop::Str(kind.into()),
            Prop::Str(sev.into()),
            Prop::Date(recent_date(&mut r, 1500)),
            Prop::Bool(escalated),
            Prop::Int(cost),
        ]
    }

    /// Runs the whole generation into `sink`.
    pub(crate) fn generate(&self, sink: &mut dyn Sink) -> Result<()> {
        self.nodes(sink)?;
        self.rels(sink)?;
        sink.finish()
    }

    fn nodes(&self, sink: &mut dyn Sink) -> Result<()> {
        sink.begin_nodes(&schema::META)?;
        sink.node(0, &[Prop::Date(TODAY)])?;

        for (file, range) in [
            (&schema::PERSON_ME, 0..1),
            (&schema::PERSON, 1..self.people),
        ] {
            sink.begin_nodes(file)?;
            for p in range {
                let person = self.person(p);
                let mut props = vec![
                    Prop::Str(person.name),
                    Prop::Str(person.title.into()),
                    Prop::Str(person.city.into()),
                    Prop::Date(person.joined),
                ];
                if p == ME {
                    props.push(Prop::Bool(true));
                }
                sink.node(p, &props)?;
            }
        }

        sink.begin_nodes(&schema::COMPANY)?;
        for c in 0..self.companies {
            sink.node(c, &self.company_props(c))?;
        }

        sink.begin_nodes(&schema::TOPIC)?;
        for (t, name) in TOPICS.iter().enumerate() {
            sink.node(t as u64, &[Prop::Str((*name).into())])?;
        }

        sink.begin_nodes(&schema::CONTENT)?;
        for l in 0..self.library {
            let c = self.content(l);
            sink.node(
                l,
                &[
                    Prop::Str(c.kind.into()),
                    Prop::Str(c.title),
                    Prop::Date(c.published),
                ],
            )?;
        }
        for q in 0..self.posts {
            let mut r = rng(self.seed, S_POST, q + (1 << 40));
            let id = self.library + q;
            sink.node(
                id,
                &[
                    Prop::Str("post".into()),
                    Prop::Str(format!("Post no. {id}")),
                    Prop::Date(recent_date(&mut r, 1500)),
                ],
            )?;
        }

        sink.begin_nodes(&schema::FUNDING_ROUND)?;
        for c in 0..self.companies {
            for (id, props) in self.funding_rounds(c) {
                sink.node(id, &props)?;
            }
        }

        sink.begin_nodes(&schema::JOB_CHANGE)?;
        for p in 1..self.people {
            if self.has_job_change(p) {
                let job = self.job(p);
                sink.node(
                    p,
                    &[
                        Prop::Str("JobChange".into()),
                        Prop::Str(job.title.into()),
                        Prop::Date(job.since),
                    ],
                )?;
            }
        }

        sink.begin_nodes(&schema::PRODUCT)?;
        for (i, (name, price)) in PRODUCTS.iter().enumerate() {
            sink.node(i as u64, &[Prop::Str((*name).into()), Prop::Int(*price)])?;
        }

        sink.begin_nodes(&schema::TICKET)?;
        for c in 0..self.companies {
            for k in 0..self.ticket_count(c) {
                sink.node(c * TICKET_STRIDE + k, &self.ticket(c, k))?;
            }
        }
        Ok(())
    }

    fn rels(&self, sink: &mut dyn Sink) -> Result<()> {
        self.knows(sink)?;
        self.employment(sink)?;
        self.activity(sink)?;
        self.content_rels(sink)?;
        self.events(sink)?;
        self.customers(sink)
    }

    fn knows(&self, sink: &mut dyn Sink) -> Result<()> {
        sink.begin_rels(&schema::KNOWS)?;
        let mut targets: Vec<u64> = Vec::new();
        for p in 0..self.people {
            let mut r = rng(self.seed, S_KNOWS, p);
            targets.clear();
            if p == ME {
                // "Me" knows a fixed number of people spread over the whole graph.
                let want = MY_CONNECTIONS.min(self.people - 1);
                while (targets.len() as u64) < want {
                    let t = r.random_range(1..self.people);
                    if !targets.contains(&t) {
                        targets.push(t);
                    }
                }
            } else if p >= 2 {
                // Edges point to lower ids chosen with a skew, so early people
                // accumulate many connections (a power-law-like degree tail).
                let m = 1 + (r.random::<f64>().powi(2) * 24.0) as u64;
                for _ in 0..m {
                    let t = 1 + skewed(&mut r, p - 1, 2.5);
                    if !targets.contains(&t) {
                        targets.push(t);
                    }
                }
            }
            for &t in &targets {
                let since = TODAY - r.random_range(0..3000);
                sink.rel(p, t, &[Prop::Date(since), Prop::Float(round2(r.random()))])?;
            }
        }
        Ok(())
    }

    fn employment(&self, sink: &mut dyn Sink) -> Result<()> {
        sink.begin_rels(&schema::WORKS_AT)?;
        for p in 0..self.people {
            let job = self.job(p);
            sink.rel(
                p,
                job.company,
                &[Prop::Str(job.title.into()), Prop::Date(job.since)],
            )?;
        }
        sink.begin_rels(&schema::WORKS_AT_PAST)?;
        for p in 1..self.people {
            let job = self.job(p);
            let mut r = rng(self.seed, S_PAST, p);
            let mut until = job.since - r.random_range(0..120);
            for _ in 0..r.random_range(0..3) {
                let since = until - r.random_range(200..1500);
                let company = 1 + skewed(&mut r, self.companies - 1, 1.5);
                let title = weighted(&mut r, TITLES);
                sink.rel(
                    p,
                    company,
                    &[
                        Prop::Str(title.into()),
                        Prop::Date(since),
                        Prop::Date(until),
                    ],
                )?;
                until = since - r.random_range(0..120);
            }
        }
        Ok(())
    }

    fn activity(&self, sink: &mut dyn Sink) -> Result<()> {
        let mut seen: Vec<u64> = Vec::new();
        sink.begin_rels(&schema::READ)?;
        for p in 0..self.people {
            let mut r = rng(self.seed, S_READ, p);
            let n = if p == ME {
                10
            } else {
                (r.random::<f64>().powi(2) * 14.0) as u64
            };
            seen.clear();
            for _ in 0..n {
                let l = skewed(&mut r, self.library, 1.6);
                if seen.contains(&l) {
                    continue;
                }
                seen.push(l);
                let published = self.published[l as usize];
                let at = published.max(recent_date(&mut r, 1500));
                sink.rel(p, l, &[Prop::Date(at)])?;
            }
        }

        sink.begin_rels(&schema::MENTIONED)?;
        for p in 0..self.people {
            let mut r = rng(self.seed, S_MENTION, p);
            for _ in 0..r.random_range(0..6) {
                let t = if r.random_bool(0.2) {
                    TOPIC_CHURN
                } else {
                    skewed(&mut r, TOPICS.len() as u64, 1.3)
                };
                let at = recent_date(&mut r, 1000);
                let sentiment = round2(r.random_range(-1.0..1.0));
                sink.rel(
                    p,
                    t,
                    &[
                        Prop::Str(TOPICS[t as usize].into()),
                        Prop::Date(at),
                        Prop::Float(sentiment),
                    ],
                )?;
            }
        }

        sink.begin_rels(&schema::WROTE)?;
        for q in 0..self.posts {
            sink.rel(self.post_author(q), self.library + q, &[])?;
        }

        sink.begin_rels(&schema::LIKES)?;
        if !self.movies.is_empty() {
            for p in 0..self.people {
                let mut r = rng(self.seed, S_LIKES, p);
                seen.clear();
                for _ in 0..r.random_range(0..7) {
                    let m = self.movies[skewed(&mut r, self.movies.len() as u64, 1.4) as usize];
                    if seen.contains(&m) {
                        continue;
                    }
                    seen.push(m);
                    let at = self.published[m as usize].max(recent_date(&mut r, 1500));
                    sink.rel(p, m, &[Prop::Date(at)])?;
                }
            }
        }
        Ok(())
    }

    fn content_rels(&self, sink: &mut dyn Sink) -> Result<()> {
        sink.begin_rels(&schema::ABOUT)?;
        for c in 0..self.library + self.posts {
            for t in self.content_topics(c) {
                sink.rel(c, t, &[])?;
            }
        }
        sink.begin_rels(&schema::INTERESTED_IN)?;
        for c in 0..self.companies {
            let mut r = rng(self.seed, S_INTEREST, c);
            let mut topics: Vec<u64> = Vec::new();
            for _ in 0..r.random_range(1..5) {
                let t = skewed(&mut r, TOPICS.len() as u64, 1.2);
                if !topics.contains(&t) {
                    topics.push(t);
                    sink.rel(c, t, &[])?;
                }
            }
        }
        Ok(())
    }

    fn events(&self, sink: &mut dyn Sink) -> Result<()> {
        sink.begin_rels(&schema::RAISED)?;
        for c in 0..self.companies {
            for (id, _) in self.funding_rounds(c) {
                sink.rel(c, id, &[])?;
            }
        }
        sink.begin_rels(&schema::CHANGED_JOB)?;
        for p in 1..self.people {
            if self.has_job_change(p) {
                sink.rel(p, p, &[])?;
            }
        }
        sink.begin_rels(&schema::AT)?;
        for p in 1..self.people {
            if self.has_job_change(p) {
                sink.rel(p, self.job(p).company, &[])?;
            }
        }
        Ok(())
    }

    fn customers(&self, sink: &mut dyn Sink) -> Result<()> {
        sink.begin_rels(&schema::CUSTOMER_OF)?;
        for c in 1..self.companies {
            if self.is_customer(c) {
                let mut r = rng(self.seed, S_CUSTOMER, c + (1 << 40));
                let revenue = (2_000.0 * (250.0f64).powf(r.random::<f64>())).round() as i64;
                let since = TODAY - r.random_range(30..2500);
                sink.rel(
                    c,
                    VENDOR,
                    &[
                        Prop::Int(revenue),
                        Prop::Date(since),
                        Prop::Bool(r.random_bool(0.3)),
                    ],
                )?;
            }
        }

        sink.begin_rels(&schema::REFERRED)?;
        for c in 1..self.companies {
            if !self.is_customer(c) {
                continue;
            }
            let mut r = rng(self.seed, S_REFER, c);
            let mut seen: Vec<u64> = Vec::new();
            for _ in 0..skewed(&mut r, 5, 2.0) {
                let t = 1 + r.random_range(0..self.companies - 1);
                if t != c && !seen.contains(&t) {
                    seen.push(t);
                    sink.rel(c, t, &[Prop::Date(recent_date(&mut r, 2000))])?;
                }
            }
        }

        sink.begin_rels(&schema::GAVE_REFERENCE)?;
        for c in 1..self.companies {
            if !self.is_customer(c) {
                continue;
            }
            let mut r = rng(self.seed, S_REFERENCE, c);
            for _ in 0..skewed(&mut r, 6, 2.0) {
                let t = 1 + r.random_range(0..self.companies - 1);
                if t != c && !self.is_customer(t) {
                    sink.rel(c, t, &[Prop::Date(recent_date(&mut r, 1500))])?;
                }
            }
        }

        sink.begin_rels(&schema::BOUGHT)?;
        for c in 1..self.companies {
            if !self.is_customer(c) {
                continue;
            }
            let mut r = rng(self.seed, S_BOUGHT, c);
            let bundle = BUNDLES[r.random_range(0..BUNDLES.len())];
            let mut products: Vec<usize> = bundle
                .iter()
                .copied()
                .filter(|_| r.random_bool(0.75))
                .collect();
            for p in 0..PRODUCTS.len() {
                if r.random_bool(0.08) && !products.contains(&p) {
                    products.push(p);
                }
            }
            if products.is_empty() {
                products.push(bundle[0]);
            }
            for p in products {
                let at = recent_date(&mut r, 2000);
                sink.rel(
                    c,
                    p as u64,
                    &[Prop::Str(PRODUCTS[p].0.into()), Prop::Date(at)],
                )?;
            }
        }

        sink.begin_rels(&schema::OPENED_TICKET)?;
        for c in 0..self.companies {
            for k in 0..self.ticket_count(c) {
                let t = self.ticket(c, k);
                sink.rel(c, c * TICKET_STRIDE + k, &[t[1].clone(), t[2].clone()])?;
            }
        }
        Ok(())
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
