//! Statement atomicity and explicit transactions through the facade.

use relgraph::{Database, Params, Value};

fn count(db: &Database, q: &str) -> i64 {
    db.query(q, &Params::new())
        .expect("count query")
        .single::<i64>("c")
        .expect("a count")
}

#[test]
fn failed_statement_changes_nothing() {
    let db = Database::in_memory();
    db.query("CREATE (:A)-[:R]->(:B)", &Params::new()).unwrap();
    let err = db
        .query(
            "CREATE (:C) WITH 1 AS x MATCH (a:A) DELETE a",
            &Params::new(),
        )
        .unwrap_err();
    assert_eq!(err.kind, "ConstraintVerificationFailed");
    assert_eq!(
        count(&db, "MATCH (c:C) RETURN count(c) AS c"),
        0,
        "the CREATE of the failed statement is gone"
    );
    assert_eq!(count(&db, "MATCH (n) RETURN count(n) AS c"), 2);
}

#[test]
fn explicit_transaction_sees_own_writes_and_rolls_back() {
    let db = Database::in_memory();
    {
        let mut tx = db.begin_write().unwrap();
        tx.query("CREATE (:T {v: 1})", &Params::new()).unwrap();
        let seen = tx
            .query("MATCH (t:T) RETURN count(t) AS c", &Params::new())
            .unwrap();
        assert_eq!(seen.single::<i64>("c").unwrap(), 1);
        // Readers outside do not see uncommitted writes and are not blocked.
        assert_eq!(count(&db, "MATCH (t:T) RETURN count(t) AS c"), 0);
        tx.rollback();
    }
    assert_eq!(count(&db, "MATCH (t:T) RETURN count(t) AS c"), 0);
    let mut tx = db.begin_write().unwrap();
    tx.query("CREATE (:T {v: 1})", &Params::new()).unwrap();
    assert!(tx
        .query(
            "MATCH (t:T) DELETE t WITH 1 AS x RETURN 1/0 AS boom",
            &Params::new()
        )
        .is_err());
    tx.query("CREATE (:T {v: 2})", &Params::new()).unwrap();
    tx.commit().unwrap();
    assert_eq!(count(&db, "MATCH (t:T) RETURN count(t) AS c"), 2);
}

#[test]
fn batch_insert_from_parameter() {
    let db = Database::in_memory();
    let rows: Vec<Value> = (0..1000)
        .map(|i| {
            let mut m = std::collections::BTreeMap::new();
            m.insert("name".into(), Value::from(format!("p{i}")));
            m.insert("age".into(), Value::Int(i % 90));
            Value::Map(m)
        })
        .collect();
    let mut p = Params::new();
    p.insert("rows".into(), Value::List(rows));
    let res = db
        .query(
            "UNWIND $rows AS r CREATE (:Person {name: r.name, age: r.age})",
            &p,
        )
        .unwrap();
    assert_eq!(res.stats.nodes_created, 1000);
    assert_eq!(res.stats.properties_set, 2000);
    assert_eq!(
        count(&db, "MATCH (p:Person) WHERE p.age = 5 RETURN count(p) AS c"),
        12
    );
}

#[test]
fn unique_constraint_and_index_are_used() {
    let db = Database::in_memory();
    db.query(
        "CREATE CONSTRAINT person_email FOR (p:Person) REQUIRE p.email IS UNIQUE",
        &Params::new(),
    )
    .unwrap();
    db.query(
        "UNWIND range(1, 100) AS i CREATE (:Person {email: 'p' + toString(i)})",
        &Params::new(),
    )
    .unwrap();
    let plan = db
        .query(
            "EXPLAIN MATCH (p:Person {email: 'p7'}) RETURN p",
            &Params::new(),
        )
        .unwrap()
        .plan
        .expect("EXPLAIN returns a plan");
    assert!(plan.contains("NodeIndexSeek"), "{plan}");
    assert_eq!(
        count(&db, "MATCH (p:Person {email: 'p7'}) RETURN count(p) AS c"),
        1
    );
    let err = db
        .query("CREATE (:Person {email: 'p7'})", &Params::new())
        .unwrap_err();
    assert_eq!(err.kind, "ConstraintValidationFailed");
    assert_eq!(count(&db, "MATCH (p:Person) RETURN count(p) AS c"), 100);
}

#[test]
fn profile_reports_rows_per_operator() {
    let db = Database::in_memory();
    db.query(
        "UNWIND range(1, 10) AS i CREATE (:N {i: i})",
        &Params::new(),
    )
    .unwrap();
    let res = db
        .query(
            "PROFILE MATCH (n:N) WHERE n.i > 5 RETURN n.i",
            &Params::new(),
        )
        .unwrap();
    assert_eq!(res.rows.len(), 5);
    let plan = res.plan.expect("PROFILE returns a plan");
    assert!(
        plan.contains("NodeByLabelScan(n:N) est=10  rows=10"),
        "{plan}"
    );
    // PROFILE shows the planner's estimate next to the actual rows.
    let filter = plan
        .lines()
        .find(|l| l.contains("Filter"))
        .expect("a filter");
    assert!(
        filter.contains("est=") && filter.contains("rows=5"),
        "{plan}"
    );
}

#[test]
fn semantic_error_has_caret() {
    let db = Database::in_memory();
    let err = db
        .query("MATCH (n)\nRETURN nope", &Params::new())
        .unwrap_err();
    assert_eq!(err.detail, Some("UndefinedVariable"));
    assert!(err.message.contains("line 2"), "{}", err.message);
    assert!(
        err.message.contains("  RETURN nope\n         ^^^^"),
        "{}",
        err.message
    );
}

#[test]
fn dropping_indexes_and_constraints() {
    let db = Database::in_memory();
    let p = Params::new();
    db.query("CREATE INDEX person_name FOR (p:Person) ON (p.name)", &p)
        .unwrap();
    db.query(
        "CREATE CONSTRAINT person_email FOR (p:Person) REQUIRE p.email IS UNIQUE",
        &p,
    )
    .unwrap();
    let dropped = db.query("DROP INDEX person_name", &p).unwrap();
    assert_eq!(dropped.stats.indexes_removed, 1);
    let dropped = db.query("DROP CONSTRAINT person_email", &p).unwrap();
    assert_eq!(dropped.stats.constraints_removed, 1);
    // The constraint is gone: duplicates are accepted now.
    db.query("CREATE (:Person {email: 'a'}), (:Person {email: 'a'})", &p)
        .unwrap();
    // Dropping what does not exist is an error, unless IF EXISTS says otherwise.
    let err = db.query("DROP INDEX person_name", &p).unwrap_err();
    assert_eq!(err.detail, Some("IndexNotFound"));
    let err = db.query("DROP CONSTRAINT person_email", &p).unwrap_err();
    assert_eq!(err.detail, Some("ConstraintNotFound"));
    let quiet = db.query("DROP INDEX person_name IF EXISTS", &p).unwrap();
    assert_eq!(quiet.stats.indexes_removed, 0);
    let quiet = db
        .query("DROP CONSTRAINT person_email IF EXISTS", &p)
        .unwrap();
    assert_eq!(quiet.stats.constraints_removed, 0);
}

#[test]
fn a_busy_writer_and_a_second_open_say_so_in_their_cause() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("db");
    let opts = relgraph::OpenOptions {
        write_lock_timeout: std::time::Duration::from_millis(50),
        ..Default::default()
    };
    let db = Database::open_with(&path, &opts).expect("open");
    let tx = db.begin_write().expect("first writer");
    let err = db.query("CREATE ()", &Params::new()).unwrap_err();
    assert_eq!(err.cause, relgraph::Cause::WriterBusy, "{}", err.message);
    tx.rollback();
    let err = Database::open(&path)
        .err()
        .expect("the first handle holds the lock");
    assert_eq!(err.cause, relgraph::Cause::Locked, "{}", err.message);
}
