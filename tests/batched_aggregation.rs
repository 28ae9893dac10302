//! An aggregation fed by the last hop of its segment takes the hop's
//! matches a batch at a time (`exec/batch.rs`): its arguments evaluated
//! over every match of a row at once. The answers, and the errors, are
//! those of the row-at-a-time path, which the same query takes when the
//! target is reached through a list (`[t][0]`, an expression the batch
//! does not evaluate).

mod common;

use relgraph::{Database, Params};

fn answer(db: &Database, q: &str) -> Result<Vec<String>, String> {
    db.query(q, &Params::new())
        .map(|r| common::sorted_rows(&r.rows))
        .map_err(|e| e.to_string())
}

/// `{m} {tail}` with `@` as `var` (the batched path) and as `[var][0]`
/// (the row path).
fn both_ways(m: &str, tail: &str, var: &str) -> (String, String) {
    (
        format!("{m} {}", tail.replace('@', var)),
        format!("{m} {}", tail.replace('@', &format!("[{var}][0]"))),
    )
}

/// The errors of `direct` and `reference`, which must both fail.
fn both_errors(db: &Database, direct: &str, reference: &str) -> (String, String) {
    let message = |q: &str| match answer(db, q) {
        Ok(rows) => panic!("{q} fails, not {rows:?}"),
        Err(e) => e,
    };
    (message(direct), message(reference))
}

/// An error message without where it points (which moves with the text
/// of `[t][0]`).
fn what(e: &str) -> &str {
    e.split(" at line").next().unwrap_or_default()
}

/// Companies with tickets whose properties vary in type and presence:
/// integers, floats and nulls in one key, booleans and a stray integer in
/// another, text, integers large enough to overflow when multiplied, and
/// a key that is a number for some companies and text for others.
/// Checkpointed into segments (typed columns), then changed and added to
/// (heap columns over them).
fn tickets(dir: &std::path::Path) -> Database {
    let db = Database::open(dir.join("db")).expect("opens");
    let p = Params::new();
    db.query(
        "UNWIND range(0, 79) AS i CREATE (:C {i: i, bonus: i % 7})",
        &p,
    )
    .expect("companies");
    db.query(
        "MATCH (c:C) UNWIND range(0, c.i % 11) AS j \
         CREATE (c)-[:OPENED {w: j % 3}]->(:T {n: c.i * 100 + j, \
             cost: CASE j % 4 WHEN 0 THEN j * 10 WHEN 1 THEN j + 0.5 WHEN 2 THEN null ELSE -j END, \
             esc: CASE WHEN j % 3 = 0 THEN true WHEN j % 3 = 1 THEN false END, \
             kind: ['bug', 'idea', 'bug', 'question'][(c.i + j) % 4], \
             big: CASE WHEN c.i = 77 THEN 4611686018427387904 ELSE j END, \
             flag: CASE WHEN c.i = 76 AND j = 2 THEN 1 ELSE j % 2 = 0 END, \
             mix: CASE WHEN c.i % 3 = 2 THEN 'm' + toString(j) ELSE j * 3 END})",
        &p,
    )
    .expect("tickets");
    db.graph().checkpoint().expect("checkpoints");
    drop(db);
    let db = Database::open(dir.join("db")).expect("reopens");
    db.query(
        "MATCH (t:T) WHERE t.n % 5 = 0 SET t.cost = t.n, t.esc = NOT coalesce(t.esc, false)",
        &p,
    )
    .expect("changes");
    db.query(
        "MATCH (c:C) WHERE c.i % 4 = 0 \
         CREATE (c)-[:OPENED {w: 1}]->(:T {n: -c.i, cost: 1.25, esc: true, kind: 'bug', big: 1, flag: false})",
        &p,
    )
    .expect("more tickets");
    db
}

/// Each tail after `MATCH (c:C)-[r:OPENED]->(t:T)`, with `@` the target:
/// as written (batched) and reached through a list (row by row).
const TAILS: &[&str] = &[
    "RETURN c.i, count(@), count(*), count(r), sum(@.cost), avg(@.cost), min(@.cost), max(@.cost)",
    "WITH c, count(@) AS n, sum(CASE WHEN @.esc THEN 1 ELSE 0 END) AS e, sum(@.cost) AS s \
     WHERE s > c.i RETURN c.i, n, e, s",
    "RETURN c.i, sum(CASE WHEN @.cost > 5 THEN @.cost * 2 WHEN @.esc THEN 1 END)",
    "RETURN c.i, sum(CASE WHEN @.esc THEN @.cost ELSE c.bonus END), count(CASE WHEN @.esc THEN 1 END)",
    "RETURN c.i, sum(@.cost + c.bonus * 2), sum(c.bonus), max(c.bonus - @.n % 3)",
    "RETURN c.i, count(@.cost IS NULL), sum(CASE WHEN @.cost IS NULL THEN 1 ELSE 0 END)",
    "RETURN c.i, sum(CASE WHEN NOT @.esc THEN 1 ELSE 0 END), count(@.esc AND @.cost > 0)",
    "RETURN c.i, min(@.kind), max(@.kind), count(@.kind), min(@.n), max(@.esc)",
    "RETURN c.i, sum(CASE WHEN @.kind = 'bug' THEN 1 ELSE 0 END), max(@.kind + '!')",
    "RETURN c.i, sum(CASE WHEN @.flag THEN 1 ELSE 0 END), count(@.flag)",
    // Numbers for some companies, text for others: the matches of rows
    // taken together (`Waiting`) join columns of both kinds.
    "RETURN c.i, max(@.mix), min(@.mix), count(@.mix)",
    // Constant arms: the first branch that holds wins (a ticket can cost
    // more than 5 and be escalated), no default is null.
    "RETURN c.i, sum(CASE WHEN @.cost > 5 THEN 100 WHEN @.esc THEN 10 WHEN @.cost IS NULL THEN 1 END), \
     count(CASE WHEN @.esc THEN 1 WHEN NOT @.esc THEN 2 END), sum(CASE WHEN @.flag THEN 0.5 ELSE -1 END)",
    "RETURN c.i, sum(r.w), sum(@.cost / 2), sum(@.n % 7), avg(@.n * 1.5)",
    "RETURN c.i % 3 AS k, sum(@.cost), count(@)",
    "RETURN sum(@.cost), count(*), avg(@.n), min(@.cost)",
];

#[test]
fn batched_aggregates_answer_as_rows_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = tickets(dir.path());
    let m = "MATCH (c:C)-[r:OPENED]->(t:T)";
    for tail in TAILS {
        let (direct, reference) = both_ways(m, tail, "t");
        let got = answer(&db, &direct);
        assert_eq!(got, answer(&db, &reference), "{direct}");
        assert!(got.is_ok_and(|rows| !rows.is_empty()), "{direct}");
    }
    // One match per row, for hundreds of rows on one thread (one sink):
    // the sink stops batching once its batches prove small, keeping the
    // groups it had.
    let one = "MATCH (t:T) WITH t, t.n % 5 AS k MATCH (t)<-[:OPENED]-(c:C) \
               RETURN k, sum(@.i), max(@.bonus), count(*)";
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    let (direct, reference) = pool.install(|| {
        (
            answer(&db, &one.replace('@', "c")),
            answer(&db, &one.replace('@', "[c][0]")),
        )
    });
    assert_eq!(direct, reference, "{one}");
    // Not vacuous: the integers, floats and nulls of one company.
    // Company 40: tickets j = 0..7 (costs 0, 1.5, null, -3, 40, 5.5, null,
    // -7; those with n % 5 = 0 set to n: 4000 and 4005) and the one
    // added (1.25).
    assert_eq!(
        answer(
            &db,
            "MATCH (c:C {i: 40})-[:OPENED]->(t:T) RETURN sum(t.cost), count(t.cost), count(t)"
        ),
        Ok(vec!["[8037.75,7,9]".to_string()])
    );
}

#[test]
fn batched_aggregates_fail_as_rows_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = tickets(dir.path());
    let m = "MATCH (c:C)-[r:OPENED]->(t:T)";
    for tail in [
        // A sum of text: the type error of the first such row.
        "RETURN c.i, sum(@.kind)",
        // An integer overflow in one company's arithmetic.
        "RETURN c.i, sum(@.big * 4)",
        // Text added to a number.
        "RETURN c.i, sum(@.cost + @.kind)",
        // Division by zero in a branch some rows take.
        "RETURN c.i, sum(CASE WHEN @.n % 2 = 0 THEN @.n / (@.n % 2) ELSE 0 END)",
        // NOT of a non-boolean.
        "RETURN c.i, count(NOT @.flag)",
    ] {
        let (direct, reference) = both_ways(m, tail, "t");
        // The same message; where it points moves with the text of
        // `[t][0]`, so only whether it points is compared.
        let (got, want) = both_errors(&db, &direct, &reference);
        assert_eq!(what(&got), what(&want), "{direct}");
        assert_eq!(
            got.contains(" at line "),
            want.contains(" at line "),
            "{got}"
        );
    }
}

/// A function whose value changes from call to call is evaluated per
/// match, not once for a batch: each ticket draws its own `rand()`, so
/// few companies with several tickets see all draws alike (drawn once
/// per batch, all 80 would).
#[test]
fn a_random_argument_is_drawn_per_match() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = tickets(dir.path());
    let rows = answer(
        &db,
        "MATCH (c:C)-[:OPENED]->(t:T) \
         WITH c, sum(toInteger(rand() * 2)) AS s, count(t) AS n \
         RETURN count(CASE WHEN s = 0 OR s = n THEN 1 END) < 60, count(*)",
    )
    .expect("answers");
    assert_eq!(rows, vec!["[true,80]".to_string()]);
}

/// 2,000 prospects `P` and 12 references `R` with text, numbers (some
/// floats, some null) and interests in 20 topics: a product of the
/// references with every prospect is large enough to be shared out as
/// ranges of build rows (`exec/mod.rs`, `PRODUCT_SPLIT_MIN`).
fn prospects(dir: &std::path::Path) -> Database {
    let db = Database::open(dir.join("db")).expect("opens");
    let p = Params::new();
    for q in [
        "UNWIND range(0, 19) AS k CREATE (:Topic {k: k})",
        "UNWIND range(0, 1999) AS i CREATE (:P {i: i, ind: ['a', 'b', 'c', null][i % 4], \
             size: CASE WHEN i % 9 = 0 THEN null WHEN i % 5 = 0 THEN i * 0.5 ELSE i % 40 END})",
        "UNWIND range(0, 11) AS n CREATE (:R {n: n, ind: ['a', 'b', 'c'][n % 3], size: n * 3 + 1})",
        "MATCH (x) WHERE x:P OR x:R WITH x, coalesce(x.i, x.n * 13) AS v \
         MATCH (t:Topic) WHERE t.k = v % 20 OR t.k = (v * 7) % 20 OR (x:R AND t.k = v % 3) \
         CREATE (x)-[:INTERESTED_IN]->(t)",
        // Long lists (walked beside the reference's, not looked up), a
        // reference with two relationships to one topic, and a shared
        // target that is not a topic.
        "MATCH (x:P) WHERE x.i % 50 = 7 MATCH (t:Topic) WHERE t.k < 12 \
         CREATE (x)-[:INTERESTED_IN]->(t)",
        "MATCH (x:R) WHERE x.n % 4 = 1 MATCH (t:Topic) WHERE t.k = x.n % 12 \
         CREATE (x)-[:INTERESTED_IN]->(t), (x)-[:INTERESTED_IN]->(t)",
        "MATCH (r3:R {n: 3}), (x) WHERE (x:P AND x.i % 50 = 7) OR (x:R AND x.n % 3 = 2) \
         CREATE (x)-[:INTERESTED_IN]->(r3)",
        // References with more topics than are compared one by one.
        "MATCH (x:R) WHERE x.n < 2 MATCH (t:Topic) CREATE (x)-[:INTERESTED_IN]->(t)",
        // Topics whose ids lie far from the first twenty: a reference's
        // topics then span too many ids to be counted by id (all but
        // reference 9, whose topics are counted by id).
        "UNWIND range(20, 25) AS k CREATE (:Topic {k: k})",
        "MATCH (x) WHERE (x:P AND x.i % 3 = 0) OR (x:R AND x.n <> 9) \
         MATCH (t:Topic) WHERE t.k = 20 + coalesce(x.i, x.n) % 6 \
         CREATE (x)-[:INTERESTED_IN]->(t)",
    ] {
        db.query(q, &p).expect(q);
    }
    db
}

/// A product that feeds an aggregation grouped by its build side takes
/// chunks of build rows at a time (`Groups::take_product`): the answers
/// and the errors are those of the row path, which the same query takes
/// when a prospect is reached through a list (`[p][0]`).
#[test]
fn products_aggregated_by_build_row_answer_as_rows_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = prospects(dir.path());
    let m = "MATCH (b:R) WITH b ORDER BY b.n LIMIT 12 MATCH (p:P)";
    // References that are prospects too: a prospect's pairs with itself
    // (one node at both ends of the pattern) are counted the general way.
    let own = "MATCH (b:P) WHERE b.i % 50 = 7 OR b.i < 4 WITH b ORDER BY b.i LIMIT 12 MATCH (p:P)";
    let tails = [
        "RETURN p.i, sum(CASE WHEN @.ind = b.ind THEN 1 ELSE 0 END), \
         sum(CASE WHEN @.size >= b.size / 2 AND @.size <= b.size * 2 THEN 1 ELSE 0 END), \
         sum(size([(p)-[:INTERESTED_IN]->(t:Topic)<-[:INTERESTED_IN]-(b) | t])), count(*)",
        "RETURN p.i, avg(@.size), min(@.ind), max(@.size - b.size), sum(@.size * 1.5), \
         count(CASE WHEN @.ind <> b.ind OR @.size IS NULL THEN 1 END)",
        "RETURN p.i, sum(size([(b)-[:INTERESTED_IN]->(t:Topic)<-[:INTERESTED_IN]-(p) | t])), \
         sum(size([(p)-[:INTERESTED_IN]-(t)-[:INTERESTED_IN]-(b) | t]) * @.i), \
         avg(size([(p)-[:INTERESTED_IN]->(t:Topic)<-[:INTERESTED_IN]-(b) | t]) + 0 * @.i), \
         avg(size([(b)-[:INTERESTED_IN]->(t:Topic)<-[:INTERESTED_IN]-(p) | t])), \
         count(size([(p)-[:INTERESTED_IN]->(t:Topic)<-[:INTERESTED_IN]-(b) | t]))",
        "RETURN p.i % 7 AS k, sum(@.size), count(@.ind), max(b.n + @.i)",
        // Columns of integers only, and booleans only: the typed loops.
        "RETURN p.i, sum(CASE WHEN @.i % 40 >= b.size / 2 AND @.i % 40 <= b.size * 2 THEN 1 ELSE 0 END), \
         count(CASE WHEN @.i - b.n * 100 < 0 OR @.i > b.size * 50 THEN 1 END), \
         sum(@.i * b.size - b.n), count(CASE WHEN @.i % 13 <> b.n AND @.i % 13 = b.n + 1 THEN 1 END)",
        "RETURN sum(@.size), count(*), min(@.size)",
    ];
    for (m, tail) in [m, own]
        .into_iter()
        .flat_map(|m| tails.map(|tail| (m, tail)))
    {
        let (direct, reference) = both_ways(m, tail, "p");
        let got = answer(&db, &direct);
        assert_eq!(got, answer(&db, &reference), "{direct}");
        assert!(got.is_ok_and(|rows| !rows.is_empty()), "{direct}");
    }
    // Not vacuous: prospect 1 (`b`, size 1, topics 1 and 7) against the
    // twelve references (`a`/`b`/`c` in turn, sizes 1, 4, ..., 34).
    assert_eq!(
        answer(
            &db,
            &format!(
                "{m} WITH p, b WHERE p.i = 1 RETURN p.i, \
                 sum(CASE WHEN p.ind = b.ind THEN 1 ELSE 0 END), \
                 sum(CASE WHEN p.size >= b.size / 2 AND p.size <= b.size * 2 THEN 1 ELSE 0 END)"
            )
        ),
        Ok(vec!["[1,4,1]".to_string()])
    );
    for tail in [
        "RETURN p.i, sum(@.ind)",
        "RETURN p.i, sum(CASE WHEN @.i = 1500 THEN 1 / (@.i - 1500) ELSE 0 END)",
        "RETURN p.i, count(NOT @.size)",
    ] {
        let (direct, reference) = both_ways(m, tail, "p");
        let (got, want) = both_errors(&db, &direct, &reference);
        assert_eq!(what(&got), what(&want), "{direct}");
    }
}

/// Rows as JSON strings in the order the query gave them.
fn rows_in_order(db: &Database, q: &str) -> Result<Vec<String>, String> {
    db.query(q, &Params::new())
        .map(|r| {
            r.rows
                .iter()
                .map(|row| serde_json::to_string(row).expect("rows serialize"))
                .collect()
        })
        .map_err(|e| e.to_string())
}

/// A product grouped by the node its build side scans runs the build a
/// morsel of node ids at a time, joining each chunk of build rows as it
/// comes (`stream::product_scan`), and sends each chunk's groups, complete,
/// through what follows the aggregation (`groups::Outflow`). The rows, in
/// their order, and the errors are those of the same grouping with a key
/// that also reads the incoming row (`b.n * 0`, always 0), which takes the
/// product an incoming row at a time from a kept build and keeps every
/// group to the end.
#[test]
fn products_grouped_by_a_scanned_build_node_answer_as_kept_groups_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = prospects(dir.path());
    let m = "MATCH (b:R) WITH b ORDER BY b.n LIMIT 12";
    // `{z}` is the place of the extra key (nothing, or `b.n * 0 AS z,`).
    let cases = [
        // Groups in first-seen order, no ORDER BY.
        "MATCH (p:P) WITH p, {z} sum(CASE WHEN p.ind = b.ind THEN 1 ELSE 0 END) AS s, \
         sum(size([(p)-[:INTERESTED_IN]->(t:Topic)<-[:INTERESTED_IN]-(b) | t])) AS shared, \
         count(*) AS c RETURN p.i, s, shared, c",
        // A filter, then a top-k with ties, after the aggregation.
        "MATCH (p:P) WITH p, {z} sum(CASE WHEN p.ind = b.ind THEN 1 ELSE 0 END) AS s \
         WHERE s > 3 OR p.i % 97 = 1 RETURN p.i, s",
        "MATCH (p:P) WITH p, {z} sum(CASE WHEN p.size >= b.size / 2 THEN 1 ELSE 0 END) AS s \
         RETURN p.i AS i, s ORDER BY s DESC LIMIT 7",
        // A key computed from the node once per group.
        "MATCH (p:P) WITH p, p.ind AS ind, {z} count(*) AS c, max(b.n) AS top \
         RETURN p.i, ind, c, top",
        // Aggregates whose partials merge in order.
        "MATCH (p:P) WITH p, {z} collect(b.n) AS ns, stDev(p.i + b.n) AS sd RETURN p.i, ns, sd",
        // A build with a filter that reads a pattern, and one that
        // expands (the build's rows repeat a prospect: its groups stay).
        "MATCH (p:P) WHERE NOT (p)-[:INTERESTED_IN]->(:Topic {k: 3}) \
         WITH p, {z} sum(b.size) AS s RETURN p.i, s",
        "MATCH (p:P)-[:INTERESTED_IN]->(t:Topic) WITH p, {z} count(t) AS c, sum(t.k * b.n) AS s \
         RETURN p.i, c, s",
        "MATCH (p:P)-[:INTERESTED_IN]->(t:Topic) WITH t, {z} count(*) AS c RETURN t.k, c",
    ];
    for case in cases {
        // Twelve incoming rows, one, and a hundred (chunks of 64 build
        // rows then: a prospect's expanded rows span two).
        let many = "UNWIND range(0, 99) AS x MATCH (b:R {n: x % 12})";
        for lead in [m, "MATCH (b:R {n: 4})", many] {
            let direct = format!("{lead} {}", case.replace("{z}", ""));
            let reference = format!("{lead} {}", case.replace("{z}", "b.n * 0 AS z,"));
            let got = rows_in_order(&db, &direct);
            assert_eq!(got, rows_in_order(&db, &reference), "{direct}");
            assert!(got.is_ok_and(|rows| rows.len() > 5), "{direct}");
        }
    }
    // Not vacuous: the prospects in scan order, each with its count.
    let first = rows_in_order(
        &db,
        &format!("{m} MATCH (p:P) WITH p, count(*) AS c RETURN p.i, c"),
    )
    .expect("answers");
    assert_eq!(first.len(), 2000);
    assert_eq!(first[..2], ["[0,12]".to_string(), "[1,12]".to_string()]);
    let (got, want) = both_errors(
        &db,
        &format!("{m} MATCH (p:P) WITH p, sum(p.ind) AS s RETURN p.i, s"),
        &format!("{m} MATCH (p:P) WITH p, b.n * 0 AS z, sum(p.ind) AS s RETURN p.i, s"),
    );
    assert_eq!(what(&got), what(&want));
}
