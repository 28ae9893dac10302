//! Standing queries: read queries registered under a name that notify
//! their subscribers of the rows a commit adds to (and, in mode `both`,
//! removes from) their answer.
//!
//! How it works. Every commit hands its change sets and the snapshots
//! before and after it to a commit observer (the graph crate's
//! [`CommitObserver`]), on the committing thread while it still holds the
//! writer gate, which only queues them. One notifier thread per database
//! takes commits in order and, for each standing query whose labels,
//! relationship types and property keys the commit touched
//! ([`relgraph_exec::standing::Footprint`]), brings its answer up to date.
//! Queries the commit does not touch are skipped. A query with a delta rule
//! (a MATCH ... WHERE ... RETURN of one pattern) runs its delta parts,
//! seeded by the created, changed and deleted elements, on the snapshots
//! before and after the commit; the others run whole on the new snapshot
//! and are diffed (as multisets) against their previous answer
//! ([`StandingQueries::explain`] shows which path a query takes).
//! Registrations of one text that read their parameters only in
//! comparisons share one run of its delta parts, each keeping the rows its
//! own values select ([`relgraph_exec::standing::Lifted`]). The touched
//! queries of one commit are evaluated in parallel on the notifier's own
//! pool, off the commit path.
//!
//! Durable cursors. A registration stored in the database has a cursor:
//! [`StandingQueries::acknowledge`] stores the answer as of the version a
//! subscriber has processed. After a reopen, the first subscriber first
//! receives the rows that entered the answer since (at least once; added
//! rows only; missed commits folded into one notification).
//!
//! Delivery and overflow. Each [`Subscription`] has a bounded queue
//! ([`RegisterOptions::capacity`], default 1,024 notifications). The
//! notifier never waits for a subscriber: when a queue is full, that
//! subscriber is cut off, the notifications already queued are still
//! received in order, and then every receive returns
//! [`RecvError::Overflow`] with the number of notifications it missed
//! (counted until the subscription is dropped). Re-read the answer with an
//! ordinary query and subscribe again. A dropped subscription is removed
//! at the next notification. The queue from commits to the notifier is
//! unbounded (one entry per commit holding two snapshots, which share
//! storage), so commits never wait for evaluation.
//!
//! ```
//! use relgraph::{Database, Params};
//! let db = Database::in_memory();
//! let sub = db.standing().register("big", "MATCH (c:Company) WHERE c.size > 100 RETURN c.name AS name", &Params::new()).unwrap();
//! db.query("CREATE (:Company {name: 'Acme', size: 500}), (:Company {name: 'Tiny', size: 3})", &Params::new()).unwrap();
//! let n = sub.recv().unwrap();
//! assert_eq!(n.name, "big");
//! assert_eq!(n.added.len(), 1);
//! assert_eq!(n.added[0][0], relgraph::ResultValue::String("Acme".into()));
//! ```

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use relgraph_cypher::ast::Statement;
use relgraph_exec::procedures::{StandingHandle, StandingHost, StandingInfo, StandingPart};
use relgraph_exec::standing::{
    footprint, DeltaPlan, Footprint, Lifted, Touched, TouchedIds, SEED_CHANGED, SEED_ENDS,
    SEED_NODES, SEED_RELS,
};
use relgraph_exec::{LateParams, Prepared};
use relgraph_graph::store::format::{StandingCursor, StandingRecord};
use relgraph_graph::store::{CommitEvent, CommitObserver};
use relgraph_graph::{Graph, Snapshot, Value};

use crate::{Error, Params, QueryOptions, ResultValue};

/// How long one evaluation of a standing query may run when the
/// database's default options set no timeout: a query that runs longer
/// gives its subscribers [`RecvError::Failed`] for that commit instead of
/// holding up every other standing query.
pub const EVALUATION_TIMEOUT: Duration = Duration::from_secs(60);

/// Longest standing-query name accepted, in bytes.
///
/// ```
/// use relgraph::{Database, Params, StandingError};
/// let long = "x".repeat(relgraph::standing::MAX_NAME_BYTES + 1);
/// let err = Database::in_memory().standing().register(&long, "MATCH (n:A) RETURN n.x", &Params::new());
/// assert!(matches!(err, Err(StandingError::BadName(_))));
/// ```
pub const MAX_NAME_BYTES: usize = 128;

/// Which rows a notification carries.
///
/// ```
/// use relgraph::{Database, Mode, Params, RegisterOptions, ResultValue};
/// let db = Database::in_memory();
/// db.query("CREATE (:N {v: 1})", &Params::new()).unwrap();
/// let opts = RegisterOptions { mode: Mode::Both, ..Default::default() };
/// let sub = db.standing().register_with("n", "MATCH (n:N) RETURN n.v", &Params::new(), opts).unwrap();
/// db.query("MATCH (n:N) DELETE n", &Params::new()).unwrap();
/// assert_eq!(sub.recv().unwrap().removed, vec![vec![ResultValue::Int(1)]]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Rows that entered the answer; commits that only remove rows notify nothing.
    #[default]
    Added,
    /// Rows that entered and rows that left the answer.
    Both,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Added => "added",
            Mode::Both => "both",
        }
    }
}

/// Options of a registration.
///
/// ```
/// let o = relgraph::RegisterOptions::default();
/// assert_eq!(o.capacity, 1024);
/// assert_eq!(o.mode, relgraph::Mode::Added);
/// assert!(o.durable);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegisterOptions {
    /// Which rows notifications carry.
    pub mode: Mode,
    /// Notifications a subscriber's queue holds before it overflows.
    pub capacity: usize,
    /// Stored in the database and re-registered when it is opened again
    /// (the default); false for a registration that lives as long as this
    /// handle (the shell's `:watch`).
    pub durable: bool,
}

impl Default for RegisterOptions {
    fn default() -> Self {
        RegisterOptions {
            mode: Mode::Added,
            capacity: 1024,
            durable: true,
        }
    }
}

/// What one commit changed in a standing query's answer.
///
/// ```
/// use relgraph::{Database, Params};
/// let db = Database::in_memory();
/// let sub = db.standing().register("n", "MATCH (n:N) RETURN n.v AS v", &Params::new()).unwrap();
/// db.query("CREATE (:N {v: 1}), (:N {v: 1})", &Params::new()).unwrap();
/// let n = sub.recv().unwrap();
/// assert_eq!((n.version, &*n.columns, n.added.len()), (1, &["v".to_string()][..], 2));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    /// The standing query's name.
    pub name: String,
    /// The commit version whose snapshot gave the new answer.
    pub version: u64,
    /// The answer's column names.
    pub columns: Arc<[String]>,
    /// Rows in the answer after the commit and not before (as a multiset:
    /// a row that appears twice more is listed twice).
    pub added: Vec<Vec<ResultValue>>,
    /// Rows that left the answer (mode [`Mode::Both`] only; empty otherwise).
    pub removed: Vec<Vec<ResultValue>>,
}

/// Why a standing-query operation failed.
///
/// ```
/// use relgraph::{Database, Params, StandingError};
/// let db = Database::in_memory();
/// let err = db.standing().register("w", "CREATE (:A)", &Params::new()).err().unwrap();
/// assert!(matches!(&err, StandingError::Query { source, .. } if source.detail == Some("NotAStandingQuery")));
/// assert!(err.to_string().contains("CREATE"));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum StandingError {
    /// The query does not parse, cannot stand (writes, ORDER BY, SKIP,
    /// LIMIT) or failed on its first evaluation.
    #[error("standing query {name:?}: {source}")]
    Query {
        /// The name it was to be registered under.
        name: String,
        /// The query error (with the caret where one applies).
        #[source]
        source: Error,
    },
    /// The name is taken.
    #[error("a standing query named {0:?} is already registered; drop it first")]
    Exists(String),
    /// No such registration.
    #[error("no standing query named {0:?}")]
    NotFound(String),
    /// Only a durable registration (stored in the database) has a cursor.
    #[error(
        "standing query {0:?} is not stored in the database, so it has no cursor to acknowledge"
    )]
    NotDurable(String),
    /// An empty, blank or too long name.
    #[error("invalid standing query name {0:?}: use 1 to 128 bytes, not only spaces")]
    BadName(String),
    /// The registration could not be stored or removed.
    #[error("cannot store standing query {name:?}: {message}")]
    Storage {
        /// The registration.
        name: String,
        /// The store's error.
        message: String,
    },
}

/// Why a receive returned no notification.
///
/// ```
/// use std::time::Duration;
/// use relgraph::{Database, Params, RecvError};
/// let db = Database::in_memory();
/// let sub = db.standing().register("n", "MATCH (n:N) RETURN n.v", &Params::new()).unwrap();
/// let waited = Duration::from_millis(10);
/// assert_eq!(sub.recv_timeout(waited), Err(RecvError::Timeout(waited)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecvError {
    /// The subscriber's queue filled up and it was cut off; `lost`
    /// notifications were not delivered (so far). Read the answer again
    /// with a query and subscribe again.
    #[error(
        "the subscriber fell behind: its queue overflowed and {lost} notification(s) were lost; \
         re-read the answer and subscribe again"
    )]
    Overflow {
        /// Notifications not delivered since the queue overflowed.
        lost: u64,
    },
    /// Re-evaluating the query after commit `version` failed; its answer
    /// stays the last one computed, and later notifications diff against it.
    #[error("standing query failed at version {version}: {message}")]
    Failed {
        /// The commit.
        version: u64,
        /// The query error.
        message: String,
    },
    /// Nothing arrived within the timeout.
    #[error("no notification within {0:?}")]
    Timeout(Duration),
    /// Nothing is queued (non-blocking receive).
    #[error("no notification queued")]
    Empty,
    /// The standing query was dropped or the database closed.
    #[error("the standing query was dropped or its database closed")]
    Disconnected,
}

type Item = Result<Notification, RecvError>;

/// The receiving end of one subscriber.
///
/// ```
/// use std::time::Duration;
/// use relgraph::{Database, Params, RecvError};
/// let db = Database::in_memory();
/// let sub = db.standing().register("people", "MATCH (p:Person) RETURN p.name", &Params::new()).unwrap();
/// assert_eq!(sub.try_recv(), Err(RecvError::Empty));
/// db.query("CREATE (:Person {name: 'Ada'})", &Params::new()).unwrap();
/// let n = sub.recv_timeout(Duration::from_secs(10)).unwrap();
/// assert_eq!(n.added.len(), 1);
/// ```
pub struct Subscription {
    name: String,
    rx: Receiver<Item>,
    cut: Arc<CutOff>,
}

/// Shared between a subscriber and the notifier: set when the queue overflowed.
#[derive(Default)]
struct CutOff {
    overflowed: AtomicBool,
    lost: AtomicU64,
}

impl Subscription {
    /// The standing query's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn after_queue(&self) -> RecvError {
        if self.cut.overflowed.load(Ordering::Acquire) {
            RecvError::Overflow {
                lost: self.cut.lost.load(Ordering::Acquire),
            }
        } else {
            RecvError::Disconnected
        }
    }

    /// Waits for the next notification.
    pub fn recv(&self) -> Item {
        self.rx.recv().unwrap_or_else(|_| Err(self.after_queue()))
    }

    /// Waits at most `timeout` for the next notification.
    pub fn recv_timeout(&self, timeout: Duration) -> Item {
        match self.rx.recv_timeout(timeout) {
            Ok(item) => item,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(RecvError::Timeout(timeout)),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(self.after_queue()),
        }
    }

    /// The next notification if one is queued.
    pub fn try_recv(&self) -> Item {
        match self.rx.try_recv() {
            Ok(item) => item,
            Err(TryRecvError::Empty) => Err(RecvError::Empty),
            Err(TryRecvError::Disconnected) => Err(self.after_queue()),
        }
    }

    /// Blocking iterator over notifications (and [`RecvError::Failed`]
    /// evaluations); it yields an [`RecvError::Overflow`] once and then ends,
    /// and ends when the query is dropped or the database closes.
    ///
    /// ```
    /// use relgraph::{Database, Params};
    /// let db = Database::in_memory();
    /// let sub = db.standing().register("n", "MATCH (n:N) RETURN n.v", &Params::new()).unwrap();
    /// db.query("CREATE (:N {v: 1})", &Params::new()).unwrap();
    /// db.query("CREATE (:N {v: 2})", &Params::new()).unwrap();
    /// let versions: Vec<u64> = sub.iter().take(2).map(|n| n.unwrap().version).collect();
    /// assert_eq!(versions, [1, 2]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = Item> + '_ {
        let mut done = false;
        std::iter::from_fn(move || {
            if done {
                return None;
            }
            match self.recv() {
                Err(RecvError::Disconnected) => None,
                Err(e @ RecvError::Overflow { .. }) => {
                    done = true;
                    Some(Err(e))
                }
                other => Some(other),
            }
        })
    }

    /// The callback form: runs `f` on each item on a thread of its own, so
    /// a slow callback delays only its own queue (which may overflow),
    /// never commits. The thread ends after an overflow (passed to `f`
    /// first) or when the query is dropped or the database closes.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use relgraph::{Database, Params};
    /// let db = Database::in_memory();
    /// let sub = db.standing().register("n", "MATCH (n:N) RETURN n.v", &Params::new()).unwrap();
    /// let (tx, rx) = mpsc::channel();
    /// let _worker = sub.on_notification(move |item| { let _ = tx.send(item.map(|n| n.version)); });
    /// db.query("CREATE (:N {v: 1})", &Params::new()).unwrap();
    /// assert_eq!(rx.recv().unwrap(), Ok(1));
    /// ```
    pub fn on_notification(self, mut f: impl FnMut(Item) + Send + 'static) -> JoinHandle<()> {
        std::thread::spawn(move || {
            for item in self.iter() {
                f(item);
            }
        })
    }
}

/// One subscriber as the notifier holds it.
struct Subscriber {
    tx: Option<SyncSender<Item>>,
    cut: Arc<CutOff>,
}

impl Subscriber {
    /// Delivers without waiting; false when the subscriber is gone.
    fn deliver(&mut self, item: Item) -> bool {
        let Some(tx) = &self.tx else {
            self.cut.lost.fetch_add(1, Ordering::AcqRel);
            return true;
        };
        match tx.try_send(item) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                // Cut off: the receiver drains what is queued, then sees
                // the overflow (the sender's drop disconnects the queue).
                self.cut.lost.fetch_add(1, Ordering::AcqRel);
                self.cut.overflowed.store(true, Ordering::Release);
                self.tx = None;
                true
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    }

    /// True while the receiving end exists.
    fn alive(&self) -> bool {
        // An overflowed subscriber keeps counting until its Arc is the last.
        self.tx.is_some() || Arc::strong_count(&self.cut) > 1
    }
}

/// A registered standing query and its current answer.
struct Standing {
    text: String,
    params: Params,
    stmt: Statement,
    footprint: Footprint,
    /// How a commit's change to the answer is computed from what it
    /// touched; `None`: the query is evaluated whole and diffed.
    delta: Option<DeltaPlan>,
    /// Compiled plans of the query and of its delta parts, kept between
    /// commits (compiling cost more than running a part).
    plans: Mutex<Plans>,
    /// The evaluation shared with the other registrations of the same
    /// text, when its parameters can be lifted out ([`Group`]).
    group: Option<Arc<Group>>,
    mode: Mode,
    /// The version `answer` reflects; commits up to it are skipped.
    version: u64,
    columns: Arc<[String]>,
    answer: Vec<Vec<ResultValue>>,
    subscribers: Vec<Subscriber>,
    /// Stored in the database, with a cursor.
    durable: bool,
    /// The answer as of the acknowledged cursor (durable registrations).
    acked: Cursor,
    /// Changes since the acknowledged cursor, oldest first.
    history: Vec<Delta>,
    /// Row identities held in `history`.
    history_rows: usize,
    /// `history` passed [`MAX_HISTORY_ROWS`] and was dropped: only an
    /// acknowledgement of the current answer moves the cursor again.
    history_lost: bool,
    /// What changed between the stored cursor and the answer computed at
    /// open, for the first subscriber.
    catch_up: Option<Notification>,
}

/// An acknowledged version and the answer then, as row identities.
#[derive(Default)]
struct Cursor {
    version: u64,
    rows: HashMap<String, u64>,
}

impl Cursor {
    fn of(version: u64, answer: &[Vec<ResultValue>]) -> Cursor {
        let mut rows: HashMap<String, u64> = HashMap::new();
        for r in answer {
            *rows.entry(row_key(r)).or_default() += 1;
        }
        Cursor { version, rows }
    }

    fn record(&self) -> StandingCursor {
        let mut rows: Vec<(String, u64)> = self.rows.iter().map(|(k, n)| (k.clone(), *n)).collect();
        rows.sort();
        StandingCursor {
            version: self.version,
            rows,
        }
    }
}

/// Most row identities a durable registration keeps in memory between
/// acknowledgements (a subscriber that never acknowledges must not grow
/// memory without bound). Past it the changes are dropped and only an
/// acknowledgement of the current answer moves the cursor again.
///
/// ```
/// assert_eq!(relgraph::standing::MAX_HISTORY_ROWS, 100_000);
/// ```
pub const MAX_HISTORY_ROWS: usize = 100_000;

/// One commit's change to a durable registration's answer.
struct Delta {
    version: u64,
    added: Vec<String>,
    removed: Vec<String>,
}

impl Standing {
    /// Parses, checks and evaluates a standing query on `snapshot`. With
    /// `tolerate`, a failed evaluation gives an empty answer instead of an error.
    fn new(
        text: &str,
        params: Params,
        mode: Mode,
        snapshot: &Snapshot,
        options: &QueryOptions,
        tolerate: bool,
    ) -> Result<Standing, Error> {
        let stmt = crate::parse(text)?;
        let footprint = footprint(&stmt).map_err(|e| Error::from_exec(e, text))?;
        let (columns, answer, whole) = match evaluate(&stmt, &params, snapshot, options, text) {
            Ok((columns, answer)) => (columns, answer, true),
            Err(_) if tolerate => (Arc::from(Vec::new()), Vec::new(), false),
            Err(e) => return Err(e),
        };
        // Deltas apply to a complete answer only: one that failed to
        // evaluate is evaluated whole from then on.
        let delta = if whole { DeltaPlan::of(&stmt) } else { None };
        let plans = Mutex::new(Plans {
            whole: None,
            parts: std::iter::repeat_with(|| None)
                .take(delta.as_ref().map_or(0, |d| d.parts().len()))
                .collect(),
        });
        let group = delta
            .as_ref()
            .and_then(|_| Lifted::of(&stmt))
            .map(|lifted| Arc::new(Group::new(lifted)));
        Ok(Standing {
            text: text.to_string(),
            params,
            stmt,
            footprint,
            delta,
            plans,
            group,
            mode,
            version: snapshot.version(),
            columns,
            answer,
            subscribers: Vec::new(),
            durable: false,
            acked: Cursor::default(),
            history: Vec::new(),
            history_rows: 0,
            history_lost: false,
            catch_up: None,
        })
    }

    /// Keeps one commit's change for the next acknowledgement.
    fn record(&mut self, delta: Delta) {
        if !self.durable || (delta.added.is_empty() && delta.removed.is_empty()) {
            return;
        }
        self.history_rows += delta.added.len() + delta.removed.len();
        self.history.push(delta);
        if self.history_rows > MAX_HISTORY_ROWS {
            self.history.clear();
            self.history_rows = 0;
            self.history_lost = true;
        }
    }

    fn info(&self, name: &str) -> StandingInfo {
        StandingInfo {
            name: name.to_string(),
            query: self.text.clone(),
            params: self.params.clone(),
            mode: self.mode.name(),
            version: self.version,
            rows: self.answer.len() as u64,
            evaluation: match &self.delta {
                None => self.footprint.to_string(),
                Some(_) => self.footprint.to_string().replacen(
                    "full re-evaluation",
                    "incremental evaluation (the matches of the elements a commit touched; \
                     whole above 1024 of them)",
                    1,
                ),
            },
        }
    }

    fn deliver(&mut self, item: Item) {
        self.subscribers
            .retain_mut(|s| s.deliver(item.clone()) && s.alive());
    }
}

/// Counts commits queued and processed, for [`StandingQueries::sync`].
#[derive(Default)]
struct Progress {
    counts: Mutex<(u64, u64)>,
    done: Condvar,
}

impl Progress {
    fn lock(&self) -> MutexGuard<'_, (u64, u64)> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Everything the notifier and the registry share.
struct Shared {
    queries: Mutex<BTreeMap<String, Standing>>,
    progress: Progress,
    options: QueryOptions,
}

impl Shared {
    fn queries(&self) -> MutexGuard<'_, BTreeMap<String, Standing>> {
        self.queries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The commit observer: queues each commit for the notifier.
struct Feed {
    tx: Mutex<Sender<CommitEvent>>,
    shared: Arc<Shared>,
}

impl CommitObserver for Feed {
    fn committed(&self, event: CommitEvent) {
        self.shared.progress.lock().0 += 1;
        let sent = self
            .tx
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(event);
        if sent.is_err() {
            // The notifier is gone (closing): count the commit as processed.
            let mut c = self.shared.progress.lock();
            c.1 += 1;
            self.shared.progress.done.notify_all();
        }
    }
}

/// A database's standing queries: register, subscribe, list, drop.
/// Obtained with [`crate::Database::standing`].
pub struct StandingQueries {
    graph: Graph,
    shared: Arc<Shared>,
    notifier: Mutex<Option<JoinHandle<()>>>,
}

impl StandingQueries {
    /// Starts the notifier and installs the commit observer on `graph`.
    /// Fails only when the thread cannot be started.
    pub(crate) fn start(graph: &Graph, options: &QueryOptions) -> Result<Arc<Self>, Error> {
        let shared = Arc::new(Shared {
            queries: Mutex::new(BTreeMap::new()),
            progress: Progress::default(),
            options: QueryOptions {
                standing: None,
                timeout: options.timeout.or(Some(EVALUATION_TIMEOUT)),
                ..options.clone()
            },
        });
        let (tx, rx) = mpsc::channel::<CommitEvent>();
        let worker = shared.clone();
        let notifier = std::thread::Builder::new()
            .name("relgraph-standing".into())
            .spawn(move || notify_loop(&worker, rx))
            .map_err(|e| Error::database(format!("cannot start the standing-query thread: {e}")))?;
        graph.set_commit_observer(Some(Arc::new(Feed {
            tx: Mutex::new(tx),
            shared: shared.clone(),
        })));
        Ok(Arc::new(StandingQueries {
            graph: graph.clone(),
            shared,
            notifier: Mutex::new(Some(notifier)),
        }))
    }

    /// Re-registers the registrations stored in the database.
    pub(crate) fn load(&self) -> Result<(), Error> {
        for (name, record) in self.graph.standing_records().map_err(Error::from_graph)? {
            let params: Params = record.params.into_iter().collect();
            let mode = if record.both { Mode::Both } else { Mode::Added };
            self.reinstall(&name, &record.query, params, mode)?;
        }
        Ok(())
    }

    /// Stops notifying: removes the commit observer and waits for the
    /// notifier to finish the commits already queued.
    pub(crate) fn stop(&self) {
        self.graph.set_commit_observer(None);
        let handle = self
            .notifier
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
        // Subscribers see Disconnected once their queues are drained.
        self.shared.queries().clear();
    }

    /// Registers a read query under `name` and subscribes to it. The
    /// registration is stored in the database and re-registered when it
    /// is opened again; its first answer is computed now, so the first
    /// notification is about the first commit that changes it.
    ///
    /// Refused (with [`StandingError::Query`]): text that does not parse,
    /// writes, ORDER BY, SKIP, LIMIT, EXPLAIN/PROFILE, schema commands.
    ///
    /// ```
    /// use relgraph::{Database, Params, StandingError};
    /// let db = Database::in_memory();
    /// let err = db.standing().register("top", "MATCH (c:Company) RETURN c.name ORDER BY c.name", &Params::new()).err().unwrap();
    /// assert!(matches!(err, StandingError::Query { .. }));
    /// assert!(err.to_string().contains("ORDER BY"));
    /// ```
    pub fn register(
        &self,
        name: &str,
        query: &str,
        params: &Params,
    ) -> Result<Subscription, StandingError> {
        self.register_with(name, query, params, RegisterOptions::default())
    }

    /// [`StandingQueries::register`] with a mode and a queue capacity.
    pub fn register_with(
        &self,
        name: &str,
        query: &str,
        params: &Params,
        options: RegisterOptions,
    ) -> Result<Subscription, StandingError> {
        let mut queries = self.shared.queries();
        self.insert(&mut queries, name, query, params.clone(), options)?;
        Ok(subscribe(&mut queries, name, options.capacity)
            .expect("the registration was inserted under the lock held"))
    }

    /// A new subscriber to an existing registration (for example one
    /// re-registered when the database was opened), with a queue of
    /// `capacity` notifications.
    ///
    /// ```
    /// use relgraph::{Database, Params};
    /// let db = Database::in_memory();
    /// db.query("CALL db.standing.register('people', 'MATCH (p:Person) RETURN p.name')", &Params::new()).unwrap();
    /// let sub = db.standing().subscribe("people", 16).unwrap();
    /// db.query("CREATE (:Person {name: 'Ada'})", &Params::new()).unwrap();
    /// assert_eq!(sub.recv().unwrap().added.len(), 1);
    /// ```
    pub fn subscribe(&self, name: &str, capacity: usize) -> Result<Subscription, StandingError> {
        subscribe(&mut self.shared.queries(), name, capacity)
            .ok_or_else(|| StandingError::NotFound(name.to_string()))
    }

    /// Every registration, by name.
    ///
    /// ```
    /// use relgraph::{Database, Params};
    /// let db = Database::in_memory();
    /// let _sub = db.standing().register("a", "MATCH (n:A) RETURN n.x", &Params::new()).unwrap();
    /// let all = db.standing().list();
    /// assert_eq!(all[0].name, "a");
    /// assert_eq!(all[0].mode, "added");
    /// ```
    pub fn list(&self) -> Vec<StandingInfo> {
        self.shared
            .queries()
            .iter()
            .map(|(name, q)| q.info(name))
            .collect()
    }

    /// Drops a registration: it is removed from the store and its
    /// subscribers, once their queues are drained, see
    /// [`RecvError::Disconnected`].
    ///
    /// ```
    /// use relgraph::{Database, Params, RecvError, StandingError};
    /// let db = Database::in_memory();
    /// let sub = db.standing().register("a", "MATCH (n:A) RETURN n.x", &Params::new()).unwrap();
    /// db.standing().drop("a").unwrap();
    /// assert_eq!(sub.recv(), Err(RecvError::Disconnected));
    /// assert!(matches!(db.standing().drop("a"), Err(StandingError::NotFound(_))));
    /// ```
    pub fn drop(&self, name: &str) -> Result<(), StandingError> {
        let mut queries = self.shared.queries();
        if !queries.contains_key(name) {
            return Err(StandingError::NotFound(name.to_string()));
        }
        self.graph
            .delete_standing(name)
            .map_err(|e| StandingError::Storage {
                name: name.to_string(),
                message: e.to_string(),
            })?;
        queries.remove(name);
        Ok(())
    }

    /// Waits until every commit made before the call has been evaluated
    /// and its notifications queued (at most `timeout`); false on timeout.
    /// Lets a caller that just committed read its notifications with
    /// `try_recv`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use relgraph::{Database, Params};
    /// let db = Database::in_memory();
    /// let sub = db.standing().register("n", "MATCH (n:N) RETURN n.v", &Params::new()).unwrap();
    /// db.query("CREATE (:N {v: 1})", &Params::new()).unwrap();
    /// assert!(db.standing().sync(Duration::from_secs(10)));
    /// assert!(sub.try_recv().is_ok());
    /// ```
    pub fn sync(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut c = self.shared.progress.lock();
        let target = c.0;
        while c.1 < target {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            c = self
                .shared
                .progress
                .done
                .wait_timeout(c, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }

    /// After an erasure: drops from every stored cursor the rows that are
    /// no longer in the query's answer (such a row may hold the erased
    /// person's values), once the notifier has reached the latest commit
    /// (waiting up to `timeout`). A row outside the answer never counts in
    /// what entered it since the cursor, so subscribers get the same
    /// notifications. Returns false when the notifier did not catch up.
    pub(crate) fn forget_departed_rows(&self, timeout: Duration) -> Result<bool, Error> {
        if !self.sync(timeout) {
            return Ok(false);
        }
        let mut queries = self.shared.queries();
        for (name, q) in queries.iter_mut().filter(|(_, q)| q.durable) {
            let mut now: HashMap<String, u64> = HashMap::new();
            for r in &q.answer {
                *now.entry(row_key(r)).or_default() += 1;
            }
            let mut trimmed = Cursor {
                version: q.acked.version,
                rows: q.acked.rows.clone(),
            };
            trimmed.rows.retain(|k, n| {
                *n = (*n).min(now.get(k).copied().unwrap_or(0));
                *n > 0
            });
            if trimmed.rows != q.acked.rows {
                self.graph
                    .put_standing_cursor(name, &trimmed.record())
                    .map_err(Error::from_graph)?;
                q.acked = trimmed;
            }
        }
        Ok(true)
    }

    /// Checks, evaluates, stores and inserts a registration (the caller
    /// holds the lock, so the notifier cannot pass the snapshot's version
    /// in between).
    fn insert(
        &self,
        queries: &mut BTreeMap<String, Standing>,
        name: &str,
        query: &str,
        params: Params,
        options: RegisterOptions,
    ) -> Result<(), StandingError> {
        let mode = options.mode;
        if name.is_empty() || name.len() > MAX_NAME_BYTES || name.trim().is_empty() {
            return Err(StandingError::BadName(name.to_string()));
        }
        if queries.contains_key(name) {
            return Err(StandingError::Exists(name.to_string()));
        }
        crate::check_length(query, &self.shared.options).map_err(|source| {
            StandingError::Query {
                name: name.to_string(),
                source,
            }
        })?;
        let snapshot = self.graph.snapshot();
        let standing = Standing::new(query, params, mode, &snapshot, &self.shared.options, false)
            .map_err(|source| StandingError::Query {
            name: name.to_string(),
            source,
        })?;
        let record = StandingRecord {
            query: query.to_string(),
            params: standing
                .params
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            both: mode == Mode::Both,
        };
        let mut standing = standing;
        if options.durable {
            let storage = |e: relgraph_graph::GraphError| StandingError::Storage {
                name: name.to_string(),
                message: e.to_string(),
            };
            // The cursor starts at registration: a subscriber that never
            // acknowledges catches up from there after a reopen.
            standing.durable = true;
            standing.acked = Cursor::of(standing.version, &standing.answer);
            self.graph
                .put_standing_cursor(name, &standing.acked.record())
                .map_err(storage)?;
            self.graph.put_standing(name, &record).map_err(storage)?;
        }
        join_group(queries, &mut standing);
        queries.insert(name.to_string(), standing);
        Ok(())
    }

    /// Re-registers a stored registration at open. A query that no longer
    /// evaluates starts from an empty answer (its first successful
    /// evaluation then notifies every row as added); one that no longer
    /// parses is skipped and stays stored, so a later build may read it.
    /// Rows in the answer now that were not in it at the stored cursor are
    /// kept as a catch-up notification for the first subscriber.
    fn reinstall(&self, name: &str, query: &str, params: Params, mode: Mode) -> Result<(), Error> {
        let mut queries = self.shared.queries();
        let snapshot = self.graph.snapshot();
        let Ok(mut standing) =
            Standing::new(query, params, mode, &snapshot, &self.shared.options, true)
        else {
            return Ok(());
        };
        standing.durable = true;
        match self
            .graph
            .standing_cursor(name)
            .map_err(Error::from_graph)?
        {
            Some(stored) => {
                let acked = Cursor {
                    version: stored.version,
                    rows: stored.rows.into_iter().collect(),
                };
                // The answer now against the answer at the cursor.
                let mut left = acked.rows.clone();
                let added: Rows = standing
                    .answer
                    .iter()
                    .filter(|r| match left.get_mut(&row_key(r)) {
                        Some(n) if *n > 0 => {
                            *n -= 1;
                            false
                        }
                        _ => true,
                    })
                    .cloned()
                    .collect();
                let removed: Vec<String> = left
                    .into_iter()
                    .flat_map(|(k, n)| std::iter::repeat_n(k, n as usize))
                    .collect();
                standing.record(Delta {
                    version: standing.version,
                    added: added.iter().map(|r| row_key(r)).collect(),
                    removed,
                });
                if !added.is_empty() {
                    standing.catch_up = Some(Notification {
                        name: name.to_string(),
                        version: standing.version,
                        columns: standing.columns.clone(),
                        added,
                        removed: Vec::new(),
                    });
                }
                standing.acked = acked;
            }
            None => standing.acked = Cursor::of(standing.version, &standing.answer),
        }
        join_group(&queries, &mut standing);
        queries.insert(name.to_string(), standing);
        Ok(())
    }

    /// Acknowledges that the subscriber of durable registration `name` has
    /// processed every notification up to commit `version`: the answer as
    /// of that version is stored as its cursor. After the database is
    /// reopened, the first subscriber first receives one catch-up
    /// notification with the rows that entered the answer since the last
    /// acknowledged version (so a notification received but not
    /// acknowledged before a crash comes again: at least once). A catch-up
    /// carries added rows only, in either mode.
    ///
    /// ```
    /// use relgraph::{Database, Params};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("db");
    /// {
    ///     let db = Database::open(&path).unwrap();
    ///     let sub = db.standing().register("n", "MATCH (n:N) RETURN n.v", &Params::new()).unwrap();
    ///     db.query("CREATE (:N {v: 1})", &Params::new()).unwrap();
    ///     let seen = sub.recv().unwrap();
    ///     db.standing().acknowledge("n", seen.version).unwrap();
    ///     db.query("CREATE (:N {v: 2})", &Params::new()).unwrap(); // never acknowledged
    /// }
    /// let db = Database::open(&path).unwrap();
    /// let sub = db.standing().subscribe("n", 16).unwrap();
    /// let catch_up = sub.recv().unwrap();
    /// assert_eq!(catch_up.added, vec![vec![relgraph::ResultValue::Int(2)]]);
    /// ```
    pub fn acknowledge(&self, name: &str, version: u64) -> Result<(), StandingError> {
        let mut queries = self.shared.queries();
        let q = queries
            .get_mut(name)
            .ok_or_else(|| StandingError::NotFound(name.to_string()))?;
        if !q.durable {
            return Err(StandingError::NotDurable(name.to_string()));
        }
        if version <= q.acked.version {
            return Ok(());
        }
        let (next, folded) = if version >= q.version {
            // Caught up with the answer held now (commits the notifier has
            // not reached yet land in `history` and are folded later).
            (Cursor::of(version, &q.answer), q.history.len())
        } else if q.history_lost {
            // The changes between the cursor and `version` were dropped:
            // keep the older cursor (rows may come again, none is lost).
            return Ok(());
        } else {
            let mut next = Cursor {
                version,
                rows: q.acked.rows.clone(),
            };
            let mut count = 0;
            for d in q.history.iter().take_while(|d| d.version <= version) {
                count += 1;
                for k in &d.added {
                    *next.rows.entry(k.clone()).or_default() += 1;
                }
                for k in &d.removed {
                    if let Some(n) = next.rows.get_mut(k) {
                        *n = n.saturating_sub(1);
                    }
                }
            }
            next.rows.retain(|_, n| *n > 0);
            (next, count)
        };
        self.graph
            .put_standing_cursor(name, &next.record())
            .map_err(|e| StandingError::Storage {
                name: name.to_string(),
                message: e.to_string(),
            })?;
        let dropped: usize = q
            .history
            .drain(..folded)
            .map(|d| d.added.len() + d.removed.len())
            .sum();
        q.history_rows -= dropped;
        if version >= q.version {
            q.history_lost = false;
        }
        q.acked = next;
        Ok(())
    }

    /// How the registration `name` is evaluated after a commit: each query
    /// it runs, with the touched elements that start it and its plan,
    /// compiled as the registration compiles it (touched lists read when
    /// it runs) on the current snapshot. `CALL db.standing.explain(name)`
    /// in Cypher.
    ///
    /// ```
    /// use relgraph::{Database, Params};
    /// let db = Database::in_memory();
    /// db.standing()
    ///     .register("rounds", "MATCH (c:Company)-[:RAISED]->(e:Event) RETURN c.name, e.amount", &Params::new())
    ///     .unwrap();
    /// let parts = db.standing().explain("rounds").unwrap();
    /// // One delta part per pattern element, then the whole query as the fallback.
    /// assert_eq!(parts.iter().filter(|p| p.path == "delta").count(), 3);
    /// assert!(parts[1].seed.contains(":RAISED"));
    /// assert!(parts[1].plan.contains("by id list"), "{}", parts[1].plan);
    /// assert_eq!(parts.last().unwrap().path, "whole");
    /// ```
    pub fn explain(&self, name: &str) -> Result<Vec<StandingPart>, StandingError> {
        let queries = self.shared.queries();
        let q = queries
            .get(name)
            .ok_or_else(|| StandingError::NotFound(name.to_string()))?;
        let snapshot = self.graph.snapshot();
        let options = &self.shared.options;
        let plan_of = |stmt: &Statement, params: &Params, late: &[String]| {
            relgraph_exec::prepare(stmt, params, &snapshot, options, late)
                .and_then(|p| p.explain(&snapshot, options))
                .unwrap_or_else(|e| format!("(no plan: {e})"))
        };
        let mut parts = Vec::new();
        if let Some(delta) = &q.delta {
            // Placeholders: the plan reads the touched lists when it runs.
            let mut params = q.params.clone();
            params.extend(TouchedIds::default().params());
            for (stmt, seed) in delta.parts().iter().zip(delta.seeds()) {
                parts.push(StandingPart {
                    path: "delta",
                    seed: seed.to_string(),
                    query: stmt.to_string(),
                    plan: plan_of(stmt, &params, &seed_params()),
                });
            }
        }
        if let Some(g) = &q.group {
            let sharing = queries
                .values()
                .filter(|o| o.group.as_ref().is_some_and(|o| Arc::ptr_eq(o, g)))
                .count();
            if sharing >= MIN_SHARED {
                let mut late: Params = TouchedIds::default().params().into_iter().collect();
                late.extend(g.lifted.prefilters(std::iter::once(&q.params)));
                let delta = g.lifted.delta();
                for (stmt, seed) in delta.parts().iter().zip(delta.seeds()) {
                    parts.push(StandingPart {
                        path: "shared",
                        seed: format!(
                            "{seed}, when {MIN_SHARED} or more of the {sharing} registrations \
                             of this text are due: run once for them, each keeping the rows \
                             its parameters compare true with"
                        ),
                        query: stmt.to_string(),
                        plan: plan_of(stmt, &late, &g.late),
                    });
                }
            }
        }
        let seed = match &q.delta {
            Some(_) => format!(
                "commits that touch more than {MAX_DELTA_SEEDS} nodes and relationships, \
                 or where a part fails"
            ),
            None => q.footprint.to_string(),
        };
        parts.push(StandingPart {
            path: "whole",
            seed,
            query: q.text.clone(),
            plan: plan_of(&q.stmt, &q.params, &[]),
        });
        Ok(parts)
    }

    /// The handle the `db.standing.*` procedures reach this registry by.
    pub(crate) fn handle(self: &Arc<Self>) -> StandingHandle {
        StandingHandle(self.clone())
    }
}

impl StandingHost for StandingQueries {
    fn register(
        &self,
        name: &str,
        query: &str,
        params: BTreeMap<String, Value>,
        both: bool,
    ) -> Result<StandingInfo, String> {
        let options = RegisterOptions {
            mode: if both { Mode::Both } else { Mode::Added },
            ..RegisterOptions::default()
        };
        let mut queries = self.shared.queries();
        self.insert(&mut queries, name, query, params, options)
            .map_err(|e| e.to_string())?;
        Ok(queries[name].info(name))
    }

    fn list(&self) -> Vec<StandingInfo> {
        StandingQueries::list(self)
    }

    fn drop_query(&self, name: &str) -> Result<(), String> {
        self.drop(name).map_err(|e| e.to_string())
    }

    fn explain(&self, name: &str) -> Result<Vec<StandingPart>, String> {
        StandingQueries::explain(self, name).map_err(|e| e.to_string())
    }
}

fn subscribe(
    queries: &mut BTreeMap<String, Standing>,
    name: &str,
    capacity: usize,
) -> Option<Subscription> {
    let q = queries.get_mut(name)?;
    let (tx, rx) = mpsc::sync_channel(capacity.max(1));
    if let Some(n) = q.catch_up.take() {
        // The queue is empty and holds at least one.
        let _ = tx.try_send(Ok(n));
    }
    let cut = Arc::new(CutOff::default());
    q.subscribers.push(Subscriber {
        tx: Some(tx),
        cut: cut.clone(),
    });
    Some(Subscription {
        name: name.to_string(),
        rx,
        cut,
    })
}

/// Result rows, in the order the query produced them.
type Rows = Vec<Vec<ResultValue>>;

/// Runs a standing query on `snapshot`, compiling it for this one run.
fn evaluate(
    stmt: &Statement,
    params: &Params,
    snapshot: &Snapshot,
    options: &QueryOptions,
    text: &str,
) -> Result<(Arc<[String]>, Rows), Error> {
    guarded(text, || {
        relgraph_exec::execute(stmt, params, snapshot, options)
    })
}

/// Runs `f`, turning a panic in the executor (a bug; on the notifier
/// thread it would stop every standing query) into this evaluation's error.
fn guarded(
    text: &str,
    f: impl FnOnce() -> Result<relgraph_exec::Outcome, relgraph_exec::error::ExecError>,
) -> Result<(Arc<[String]>, Rows), Error> {
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .map_err(|_| Error::database(format!("the executor panicked evaluating: {text}")))?
        .map_err(|e| Error::from_exec(e, text))?;
    Ok((out.result.columns, out.result.rows))
}

/// The compiled plans a registration keeps between commits.
struct Plans {
    /// The whole query, every parameter folded in.
    whole: Option<Prepared>,
    /// The delta parts, one per part, the touched-id lists left late.
    parts: Vec<Option<Prepared>>,
}

/// The parameters a delta part reads at run time (the touched ids).
fn seed_params() -> [String; 4] {
    [SEED_NODES, SEED_RELS, SEED_ENDS, SEED_CHANGED].map(String::from)
}

/// The late parameters of a run: their names, and this run's values.
struct Late<'a> {
    names: &'a [String],
    values: &'a LateParams,
}

/// Runs `stmt` on `snapshot` with the plan kept in `slot`, compiling it
/// first when there is none or the catalog changed since it was compiled.
fn evaluate_prepared(
    slot: &mut Option<Prepared>,
    stmt: &Statement,
    params: &Params,
    late: &Late<'_>,
    snapshot: &Snapshot,
    options: &QueryOptions,
    text: &str,
) -> Result<(Arc<[String]>, Rows), Error> {
    guarded(text, || {
        let prepared = match slot.take() {
            Some(p) if p.fits(snapshot) => p,
            _ => {
                // The compiler checks that every parameter has a value.
                let mut all = params.clone();
                for name in late.names {
                    let value = late.values.get(name).cloned();
                    all.insert(name.clone(), value.unwrap_or(Value::List(Vec::new())));
                }
                relgraph_exec::prepare(stmt, &all, snapshot, options, late.names)?
            }
        };
        let out = prepared.execute(params, late.values, snapshot, options);
        *slot = Some(prepared);
        out
    })
}

/// A row's identity for multiset comparison: its debug rendering, which
/// distinguishes every value (types, floats bit for bit, entity contents).
fn row_key(row: &[ResultValue]) -> String {
    format!("{row:?}")
}

/// `after - before` and `before - after`, as multisets, each in the
/// order of its own rows: what a notification carries.
///
/// ```
/// use relgraph::{standing::diff_rows, ResultValue::Int};
/// let before = vec![vec![Int(1)], vec![Int(2)], vec![Int(2)]];
/// let after = vec![vec![Int(2)], vec![Int(3)]];
/// let (added, removed) = diff_rows(&before, &after);
/// assert_eq!(added, vec![vec![Int(3)]]);
/// assert_eq!(removed, vec![vec![Int(1)], vec![Int(2)]]);
/// ```
pub fn diff_rows(
    before: &[Vec<ResultValue>],
    after: &[Vec<ResultValue>],
) -> (Vec<Vec<ResultValue>>, Vec<Vec<ResultValue>>) {
    let mut count: HashMap<String, i64> = HashMap::new();
    for r in after {
        *count.entry(row_key(r)).or_default() += 1;
    }
    for r in before {
        *count.entry(row_key(r)).or_default() -= 1;
    }
    let mut take = |rows: &[Vec<ResultValue>], sign: i64| {
        let mut out = Vec::new();
        for r in rows {
            if let Some(c) = count.get_mut(&row_key(r)) {
                if *c * sign > 0 {
                    *c -= sign;
                    out.push(r.clone());
                }
            }
        }
        out
    };
    let added = take(after, 1);
    let removed = take(before, -1);
    (added, removed)
}

/// What one commit did to a standing query's answer: its columns, the rows
/// added and removed, and (evaluated whole) the new answer.
type Change = (Arc<[String]>, Rows, Rows, Option<Rows>);

/// Evaluates `q` whole after the commit and diffs it with its answer.
fn evaluate_whole(
    q: &Standing,
    event: &CommitEvent,
    options: &QueryOptions,
) -> Result<Change, Error> {
    let mut plans = q.plans.lock().unwrap_or_else(|e| e.into_inner());
    let none = LateParams::default();
    let late = Late {
        names: &[],
        values: &none,
    };
    let (columns, rows) = evaluate_prepared(
        &mut plans.whole,
        &q.stmt,
        &q.params,
        &late,
        &event.after,
        options,
        &q.text,
    )?;
    let (added, removed) = diff_rows(&q.answer, &rows);
    Ok((columns, added, removed, Some(rows)))
}

/// Evaluates only the matches that bind an element the commit touched,
/// before and after it ([`DeltaPlan`]).
fn evaluate_delta(
    plan: &DeltaPlan,
    q: &Standing,
    (ids, seeds): (&TouchedIds, &LateParams),
    event: &CommitEvent,
    options: &QueryOptions,
) -> Result<Change, Error> {
    if ids.is_empty() {
        return Ok((q.columns.clone(), Vec::new(), Vec::new(), None));
    }
    if ids.nodes.len() + ids.rels.len() > MAX_DELTA_SEEDS {
        // Each part reads every match of a touched element: a large
        // commit is cheaper to answer whole.
        return evaluate_whole(q, event, options);
    }
    let names = seed_params();
    let late = Late {
        names: &names,
        values: seeds,
    };
    let mut plans = q.plans.lock().unwrap_or_else(|e| e.into_inner());
    let (mut before, mut after) = (Vec::new(), Vec::new());
    // A part runs on a snapshot only where a touched element could start
    // one of its matches there (a round created by the commit is in no
    // match before it).
    for ((part, seed), slot) in plan.parts().iter().zip(plan.seeds()).zip(&mut plans.parts) {
        for (snapshot, rows) in [(&event.before, &mut before), (&event.after, &mut after)] {
            if seed.possible(snapshot, ids) {
                let (_, found) =
                    evaluate_prepared(slot, part, &q.params, &late, snapshot, options, &q.text)?;
                rows.extend(found);
            }
        }
    }
    let (added, removed) = diff_rows(&before, &after);
    Ok((q.columns.clone(), added, removed, None))
}

/// Above this many touched nodes and relationships, a commit's effect on a
/// standing query is computed by evaluating it whole.
const MAX_DELTA_SEEDS: usize = 1024;

/// The evaluation that the registrations of one text share: the text
/// with its parameters lifted out ([`Lifted`]), and the compiled plans of
/// its delta parts.
struct Group {
    lifted: Lifted,
    /// The late parameters of its parts: the touched lists, then the
    /// prefilters.
    late: Vec<String>,
    plans: Mutex<Vec<Option<Prepared>>>,
}

impl Group {
    fn new(lifted: Lifted) -> Group {
        let late = seed_params()
            .into_iter()
            .chain(lifted.prefilter_names())
            .collect();
        let plans = Mutex::new(
            std::iter::repeat_with(|| None)
                .take(lifted.delta().parts().len())
                .collect(),
        );
        Group {
            lifted,
            late,
            plans,
        }
    }
}

/// Gives `standing` the group of an earlier registration of the same text.
fn join_group(queries: &BTreeMap<String, Standing>, standing: &mut Standing) {
    if standing.group.is_none() {
        return;
    }
    let earlier = queries
        .values()
        .find(|q| q.text == standing.text && q.group.is_some());
    if let Some(q) = earlier {
        standing.group = q.group.clone();
    }
}

/// A shared evaluation is used when at least this many registrations of
/// one text are due at a commit; a single one runs its own parts, which
/// read its parameters directly.
const MIN_SHARED: usize = 2;

/// One row of a group's parts: the query's own columns and the hidden
/// columns its registrations' comparisons read.
type LiftedRow = (Vec<ResultValue>, Vec<Value>);

/// A group's rows on the snapshots before and after a commit.
#[derive(Default)]
struct GroupRows {
    before: Vec<LiftedRow>,
    after: Vec<LiftedRow>,
}

/// Runs a group's delta parts once for its due `members`: the touched
/// lists seed them, the members' values of each equality prefilter them.
fn evaluate_group(
    group: &Group,
    members: &[&Standing],
    (ids, event): (&TouchedIds, &CommitEvent),
    options: &QueryOptions,
) -> Result<GroupRows, Error> {
    let text = members.first().map_or("", |q| q.text.as_str());
    let mut values: BTreeMap<String, Value> = ids.params().into_iter().collect();
    values.extend(group.lifted.prefilters(members.iter().map(|q| &q.params)));
    let values = LateParams::new(values);
    let late = Late {
        names: &group.late,
        values: &values,
    };
    let none = Params::new();
    let visible = group.lifted.visible();
    let delta = group.lifted.delta();
    let mut plans = group.plans.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = GroupRows::default();
    for ((part, seed), slot) in delta
        .parts()
        .iter()
        .zip(delta.seeds())
        .zip(plans.iter_mut())
    {
        for (snapshot, rows) in [
            (&event.before, &mut out.before),
            (&event.after, &mut out.after),
        ] {
            if !seed.possible(snapshot, ids) {
                continue;
            }
            let (_, found) = evaluate_prepared(slot, part, &none, &late, snapshot, options, text)?;
            for mut row in found {
                let hidden = row
                    .split_off(visible.min(row.len()))
                    .iter()
                    .map(ResultValue::to_value)
                    .collect::<Option<Vec<Value>>>()
                    .ok_or_else(|| {
                        Error::database(format!("a lifted comparison read an entity: {text}"))
                    })?;
                rows.push((row, hidden));
            }
        }
    }
    Ok(out)
}

/// What a commit did to one member of a group, from the group's rows:
/// the rows its own parameters keep, diffed.
fn member_change(group: &Group, rows: &GroupRows, q: &Standing) -> Change {
    let keep = |rows: &[LiftedRow]| -> Rows {
        rows.iter()
            .filter(|(_, hidden)| group.lifted.keeps(hidden, &q.params))
            .map(|(row, _)| row.clone())
            .collect()
    };
    let (added, removed) = diff_rows(&keep(&rows.before), &keep(&rows.after));
    (q.columns.clone(), added, removed, None)
}

/// The groups with at least [`MIN_SHARED`] of `due` in them, with their
/// members' positions in `due`; none when the commit is answered whole.
fn shared_groups(
    due: &[(&String, &mut Standing)],
    ids: &TouchedIds,
) -> Vec<(Arc<Group>, Vec<usize>)> {
    if ids.is_empty() || ids.nodes.len() + ids.rels.len() > MAX_DELTA_SEEDS {
        return Vec::new();
    }
    let mut groups: Vec<(Arc<Group>, Vec<usize>)> = Vec::new();
    let mut index: HashMap<*const Group, usize> = HashMap::new();
    for (i, (_, q)) in due.iter().enumerate() {
        let Some(g) = &q.group else { continue };
        let at = *index.entry(Arc::as_ptr(g)).or_insert_with(|| {
            groups.push((g.clone(), Vec::new()));
            groups.len() - 1
        });
        groups[at].1.push(i);
    }
    groups.retain(|(_, members)| members.len() >= MIN_SHARED);
    groups
}

/// Takes `removed` out of `answer` (as a multiset) and adds `added`.
fn apply_delta(answer: &mut Rows, added: &Rows, removed: &Rows) {
    let mut gone: HashMap<String, usize> = HashMap::new();
    for r in removed {
        *gone.entry(row_key(r)).or_default() += 1;
    }
    if !gone.is_empty() {
        answer.retain(|r| match gone.get_mut(&row_key(r)) {
            Some(c) if *c > 0 => {
                *c -= 1;
                false
            }
            _ => true,
        });
    }
    answer.extend(added.iter().cloned());
}

/// The notifier: commits in order, each query touched re-evaluated and diffed.
///
/// Evaluations run on a rayon pool of the notifier's own (built at the
/// first evaluation, one thread per core, at a lower priority), not on the
/// global pool that the application's queries and commits use, whose idle
/// workers spin after each evaluation, which measurably slowed commits
/// (docs/performance.md).
fn notify_loop(shared: &Shared, rx: Receiver<CommitEvent>) {
    yield_to_application();
    let mut pool: Option<Option<rayon::ThreadPool>> = None;
    while let Ok(event) = rx.recv() {
        {
            let mut queries = shared.queries();
            if !queries.is_empty() {
                let pool = pool.get_or_insert_with(|| {
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(std::thread::available_parallelism().map_or(1, |n| n.get()))
                        .thread_name(|_| "relgraph-standing-eval".into())
                        .start_handler(|_| yield_to_application())
                        .build()
                        .ok()
                });
                // One hand-over to the pool per commit, not per query: each
                // costs a wake-up of its thread and a wait for it.
                let queries: &mut BTreeMap<String, Standing> = &mut queries;
                match pool {
                    Some(pool) => pool.install(|| process_commit(queries, &event, &shared.options)),
                    None => process_commit(queries, &event, &shared.options),
                }
            }
        }
        // The commit's snapshots go before the commit counts as processed.
        drop(event);
        let mut c = shared.progress.lock();
        c.1 += 1;
        shared.progress.done.notify_all();
    }
}

/// Brings every standing query the commit touched up to its version and
/// notifies their subscribers. The touched queries are evaluated in
/// parallel (on the notifier's pool); their results are then applied and
/// delivered one query at a time, in name order.
fn process_commit(
    queries: &mut BTreeMap<String, Standing>,
    event: &CommitEvent,
    options: &QueryOptions,
) {
    use rayon::prelude::*;
    let touched = Touched::of_commit(&event.before, &event.after, &event.change_sets);
    let ids = TouchedIds::of_commit(&event.before, &event.change_sets);
    // The touched lists, hashed once for every query's parts (when one runs).
    let seeds = std::sync::OnceLock::new();
    let mut due: Vec<(&String, &mut Standing)> = queries
        .iter_mut()
        .filter(|(_, q)| q.version < event.version && q.footprint.affected_by(&touched))
        .collect();
    let groups = shared_groups(&due, &ids);
    let group_rows: Vec<Result<GroupRows, Error>> = groups
        .par_iter()
        .map(|(g, members)| {
            let members: Vec<&Standing> = members.iter().map(|&i| &*due[i].1).collect();
            evaluate_group(g, &members, (&ids, event), options)
        })
        .collect();
    let mut in_group: Vec<Option<usize>> = vec![None; due.len()];
    for (at, (_, members)) in groups.iter().enumerate() {
        members.iter().for_each(|&i| in_group[i] = Some(at));
    }
    let results: Vec<Result<Change, Error>> = due
        .par_iter()
        .zip(&in_group)
        .map(
            |((_, q), at)| match (&q.delta, at.map(|at| (&groups[at].0, &group_rows[at]))) {
                // A group that failed (an error or an entity in a lifted
                // comparison) leaves its members to their own evaluation.
                (_, Some((g, Ok(rows)))) => Ok(member_change(g, rows, q)),
                (Some(plan), _) => {
                    let seeds =
                        seeds.get_or_init(|| LateParams::new(ids.params().into_iter().collect()));
                    evaluate_delta(plan, q, (&ids, seeds), event, options)
                        .or_else(|_| evaluate_whole(q, event, options))
                }
                (None, _) => evaluate_whole(q, event, options),
            },
        )
        .collect();
    for ((name, q), result) in due.iter_mut().zip(results) {
        q.version = event.version;
        match result {
            Ok((columns, added, mut removed, answer)) => {
                match answer {
                    Some(rows) => q.answer = rows,
                    None => apply_delta(&mut q.answer, &added, &removed),
                }
                q.columns = columns.clone();
                if q.durable {
                    q.record(Delta {
                        version: event.version,
                        added: added.iter().map(|r| row_key(r)).collect(),
                        removed: removed.iter().map(|r| row_key(r)).collect(),
                    });
                }
                if q.mode == Mode::Added {
                    removed.clear();
                }
                if added.is_empty() && removed.is_empty() {
                    continue;
                }
                q.deliver(Ok(Notification {
                    name: (*name).clone(),
                    version: event.version,
                    columns,
                    added,
                    removed,
                }));
            }
            Err(e) => q.deliver(Err(RecvError::Failed {
                version: event.version,
                message: e.message,
            })),
        }
    }
}

/// Lowers the calling thread's scheduling priority (Linux: nice 10), so the
/// notifier's evaluations, which start the moment a commit hands over its
/// snapshot, do not preempt the committing thread or the application's
/// queries. Best effort: nothing happens where it is not supported.
fn yield_to_application() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority take no pointers; on failure the
    // priority is simply unchanged.
    unsafe {
        let tid = libc::gettid();
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10);
    }
}
