//! The shape of the demo CRM graph: every node file and relationship file
//! the generator writes, with their columns. The same specs drive the CSV
//! headers and the in-memory records, so the two outputs cannot disagree.

/// The type of a generated property column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// A 64-bit integer (`long` in the CSV header).
    Int,
    /// A 64-bit float (`double`).
    Float,
    /// A string (no type suffix).
    Str,
    /// A boolean (`boolean`).
    Bool,
    /// A calendar date (`date`), ISO 8601 in the CSV.
    Date,
}

impl ColumnType {
    /// The neo4j-admin header suffix (`:long`, ...), empty for strings.
    ///
    /// ```
    /// use relgraph_datagen::schema::ColumnType;
    /// assert_eq!(ColumnType::Date.header_suffix(), ":date");
    /// assert_eq!(ColumnType::Str.header_suffix(), "");
    /// ```
    pub fn header_suffix(self) -> &'static str {
        match self {
            ColumnType::Int => ":long",
            ColumnType::Float => ":double",
            ColumnType::Str => "",
            ColumnType::Bool => ":boolean",
            ColumnType::Date => ":date",
        }
    }
}

/// An id space: node ids are unique within a space (the `ID(Space)` of the
/// neo4j-admin header), not across spaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdSpace {
    /// The single `Meta` node holding the reference date.
    Meta,
    /// People (id 0 is "me").
    Person,
    /// Companies (id 0 is my employer, the vendor).
    Company,
    /// Topics.
    Topic,
    /// Content: white papers, webinars, blog posts, movies and people's posts.
    Content,
    /// Funding-round events.
    FundingRound,
    /// Job-change events.
    JobChange,
    /// The vendor's products.
    Product,
    /// Support tickets.
    Ticket,
}

impl IdSpace {
    /// All spaces, in the order their node files are written.
    pub const ALL: [IdSpace; 9] = [
        IdSpace::Meta,
        IdSpace::Person,
        IdSpace::Company,
        IdSpace::Topic,
        IdSpace::Content,
        IdSpace::FundingRound,
        IdSpace::JobChange,
        IdSpace::Product,
        IdSpace::Ticket,
    ];

    /// The space's name as written in `ID(...)`.
    ///
    /// ```
    /// use relgraph_datagen::schema::IdSpace;
    /// assert_eq!(IdSpace::FundingRound.name(), "FundingRound");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            IdSpace::Meta => "Meta",
            IdSpace::Person => "Person",
            IdSpace::Company => "Company",
            IdSpace::Topic => "Topic",
            IdSpace::Content => "Content",
            IdSpace::FundingRound => "FundingRound",
            IdSpace::JobChange => "JobChange",
            IdSpace::Product => "Product",
            IdSpace::Ticket => "Ticket",
        }
    }
}

/// A node file: every row is one node with these labels, an integer id in
/// `space` (stored also as the property `id`), and these property columns.
#[derive(Debug)]
pub struct NodeFile {
    /// File name inside the output directory.
    pub file: &'static str,
    /// The node's labels.
    pub labels: &'static [&'static str],
    /// The id space of the `id:ID(...)` column.
    pub space: IdSpace,
    /// Property columns after the id.
    pub columns: &'static [(&'static str, ColumnType)],
}

/// A relationship file: every row is one relationship of `rel_type` from a
/// node of `start` to a node of `end`, with these property columns.
#[derive(Debug)]
pub struct RelFile {
    /// File name inside the output directory.
    pub file: &'static str,
    /// The relationship type.
    pub rel_type: &'static str,
    /// Id space of the start node.
    pub start: IdSpace,
    /// Id space of the end node.
    pub end: IdSpace,
    /// Property columns after the two ids.
    pub columns: &'static [(&'static str, ColumnType)],
}

use ColumnType::{Bool, Date, Float, Int, Str};

/// `Meta {today}`: the fixed reference date of the data set.
pub static META: NodeFile = NodeFile {
    file: "meta.csv",
    labels: &["Meta"],
    space: IdSpace::Meta,
    columns: &[("today", Date)],
};
/// The user of the demo ("me"), a Person with `me: true`.
pub static PERSON_ME: NodeFile = NodeFile {
    file: "person_me.csv",
    labels: &["Person"],
    space: IdSpace::Person,
    columns: &[
        ("name", Str),
        ("title", Str),
        ("city", Str),
        ("joined", Date),
        ("me", Bool),
    ],
};
/// Everyone else.
pub static PERSON: NodeFile = NodeFile {
    file: "person.csv",
    labels: &["Person"],
    space: IdSpace::Person,
    columns: &[
        ("name", Str),
        ("title", Str),
        ("city", Str),
        ("joined", Date),
    ],
};
/// Companies.
pub static COMPANY: NodeFile = NodeFile {
    file: "company.csv",
    labels: &["Company"],
    space: IdSpace::Company,
    columns: &[
        ("name", Str),
        ("industry", Str),
        ("size", Int),
        ("city", Str),
    ],
};
/// Topics.
pub static TOPIC: NodeFile = NodeFile {
    file: "topic.csv",
    labels: &["Topic"],
    space: IdSpace::Topic,
    columns: &[("name", Str)],
};
/// Content.
pub static CONTENT: NodeFile = NodeFile {
    file: "content.csv",
    labels: &["Content"],
    space: IdSpace::Content,
    columns: &[("kind", Str), ("title", Str), ("published", Date)],
};
/// Funding rounds.
pub static FUNDING_ROUND: NodeFile = NodeFile {
    file: "event_funding_round.csv",
    labels: &["Event"],
    space: IdSpace::FundingRound,
    columns: &[
        ("kind", Str),
        ("series", Str),
        ("amount", Int),
        ("date", Date),
    ],
};
/// Job changes.
pub static JOB_CHANGE: NodeFile = NodeFile {
    file: "event_job_change.csv",
    labels: &["Event"],
    space: IdSpace::JobChange,
    columns: &[("kind", Str), ("title", Str), ("date", Date)],
};
/// Products.
pub static PRODUCT: NodeFile = NodeFile {
    file: "product.csv",
    labels: &["Product"],
    space: IdSpace::Product,
    columns: &[("name", Str), ("price", Int)],
};
/// Support tickets.
pub static TICKET: NodeFile = NodeFile {
    file: "ticket.csv",
    labels: &["Ticket"],
    space: IdSpace::Ticket,
    columns: &[
        ("kind", Str),
        ("severity", Str),
        ("at", Date),
        ("escalated", Bool),
        ("cost", Int),
    ],
};

/// All node files in the order they are written.
pub static NODE_FILES: [&NodeFile; 10] = [
    &META,
    &PERSON_ME,
    &PERSON,
    &COMPANY,
    &TOPIC,
    &CONTENT,
    &FUNDING_ROUND,
    &JOB_CHANGE,
    &PRODUCT,
    &TICKET,
];

macro_rules! rel_file {
    ($(#[$doc:meta])* $name:ident, $file:literal, $ty:literal, $start:ident, $end:ident, [$(($col:literal, $ct:ident)),*]) => {
        $(#[$doc])*
        pub static $name: RelFile = RelFile {
            file: $file,
            rel_type: $ty,
            start: IdSpace::$start,
            end: IdSpace::$end,
            columns: &[$(($col, $ct)),*],
        };
    };
}

rel_file!(
    /// `(:Person)-[:KNOWS {since, strength}]->(:Person)`, one direction per pair.
    KNOWS, "knows.csv", "KNOWS", Person, Person, [("since", Date), ("strength", Float)]);
rel_file!(
    /// Current employment (no `until`).
    WORKS_AT, "works_at.csv", "WORKS_AT", Person, Company, [("title", Str), ("since", Date)]);
rel_file!(
    /// Past employment.
    WORKS_AT_PAST, "works_at_past.csv", "WORKS_AT", Person, Company,
    [("title", Str), ("since", Date), ("until", Date)]);
rel_file!(
    /// `(:Person)-[:READ {at}]->(:Content)`.
    READ, "read.csv", "READ", Person, Content, [("at", Date)]);
rel_file!(
    /// `(:Person)-[:MENTIONED {topic, at, sentiment}]->(:Topic)`.
    MENTIONED, "mentioned.csv", "MENTIONED", Person, Topic,
    [("topic", Str), ("at", Date), ("sentiment", Float)]);
rel_file!(
    /// `(:Person)-[:WROTE]->(:Content {kind: 'post'})`.
    WROTE, "wrote.csv", "WROTE", Person, Content, []);
rel_file!(
    /// `(:Person)-[:LIKES {at}]->(:Content)` (movies).
    LIKES, "likes.csv", "LIKES", Person, Content, [("at", Date)]);
rel_file!(
    /// `(:Content)-[:ABOUT]->(:Topic)`.
    ABOUT, "about.csv", "ABOUT", Content, Topic, []);
rel_file!(
    /// `(:Company)-[:RAISED]->(:Event {kind: 'FundingRound'})`.
    RAISED, "raised.csv", "RAISED", Company, FundingRound, []);
rel_file!(
    /// `(:Person)-[:CHANGED_JOB]->(:Event {kind: 'JobChange'})`.
    CHANGED_JOB, "changed_job.csv", "CHANGED_JOB", Person, JobChange, []);
rel_file!(
    /// `(:Event {kind: 'JobChange'})-[:AT]->(:Company)`: the new employer.
    AT, "at.csv", "AT", JobChange, Company, []);
rel_file!(
    /// `(:Company)-[:CUSTOMER_OF {revenue, since, exclusive}]->(:Company)` (the vendor).
    CUSTOMER_OF, "customer_of.csv", "CUSTOMER_OF", Company, Company,
    [("revenue", Int), ("since", Date), ("exclusive", Bool)]);
rel_file!(
    /// `(:Company)-[:REFERRED {at}]->(:Company)`: a customer referred a company.
    REFERRED, "referred.csv", "REFERRED", Company, Company, [("at", Date)]);
rel_file!(
    /// `(:Company)-[:GAVE_REFERENCE {at}]->(:Company)`: a reference call to a prospect.
    GAVE_REFERENCE, "gave_reference.csv", "GAVE_REFERENCE", Company, Company, [("at", Date)]);
rel_file!(
    /// `(:Company)-[:BOUGHT {product, at}]->(:Product)`.
    BOUGHT, "bought.csv", "BOUGHT", Company, Product, [("product", Str), ("at", Date)]);
rel_file!(
    /// `(:Company)-[:OPENED_TICKET {severity, at}]->(:Ticket)`.
    OPENED_TICKET, "opened_ticket.csv", "OPENED_TICKET", Company, Ticket,
    [("severity", Str), ("at", Date)]);
rel_file!(
    /// `(:Company)-[:INTERESTED_IN]->(:Topic)`.
    INTERESTED_IN, "interested_in.csv", "INTERESTED_IN", Company, Topic, []);

/// All relationship files in the order they are written.
pub static REL_FILES: [&RelFile; 17] = [
    &KNOWS,
    &WORKS_AT,
    &WORKS_AT_PAST,
    &READ,
    &MENTIONED,
    &WROTE,
    &LIKES,
    &ABOUT,
    &RAISED,
    &CHANGED_JOB,
    &AT,
    &CUSTOMER_OF,
    &REFERRED,
    &GAVE_REFERENCE,
    &BOUGHT,
    &OPENED_TICKET,
    &INTERESTED_IN,
];
