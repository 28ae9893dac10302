//! Word lists the generator draws names, titles and places from.

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger",
    "Radia", "Tim", "Sophie", "Donald", "Hedy", "John", "Karen", "Niklaus", "Lynn", "Guido",
    "Anita", "Bjarne", "Carol", "James", "Shafi", "Leslie", "Mary", "Robin", "Elena", "Omar",
    "Priya", "Kenji", "Ingrid", "Mateo", "Aisha", "Lars", "Chloe", "Tomas", "Nadia", "Felix",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Wilson",
    "Knuth",
    "Lamarr",
    "McCarthy",
    "Jones",
    "Wirth",
    "Conway",
    "Rossum",
    "Borg",
    "Stroustrup",
    "Shaw",
    "Gosling",
    "Goldwasser",
    "Lamport",
    "Keller",
    "Milner",
    "Petrov",
    "Haddad",
    "Sharma",
    "Tanaka",
    "Larsen",
    "Garcia",
    "Okafor",
    "Nilsson",
    "Martin",
    "Novak",
    "Rahman",
    "Weber",
];

/// Job titles with relative weights; "CMO" is common enough that recent CMO
/// job changes exist at every scale.
pub(crate) const TITLES: &[(&str, u32)] = &[
    ("Engineer", 14),
    ("Senior Engineer", 10),
    ("Engineering Manager", 5),
    ("Product Manager", 6),
    ("Designer", 4),
    ("Data Scientist", 4),
    ("Analyst", 6),
    ("Consultant", 5),
    ("Account Executive", 7),
    ("Sales Manager", 5),
    ("Customer Success Manager", 6),
    ("Marketing Manager", 6),
    ("Support Engineer", 5),
    ("VP Sales", 2),
    ("VP Marketing", 2),
    ("CMO", 4),
    ("CTO", 2),
    ("CEO", 2),
    ("CFO", 1),
];

/// Cities, most popular first (people and companies are drawn skewed).
pub(crate) const CITIES: &[&str] = &[
    "London",
    "New York",
    "Berlin",
    "Stockholm",
    "San Francisco",
    "Paris",
    "Amsterdam",
    "Toronto",
    "Singapore",
    "Sydney",
    "Austin",
    "Dublin",
    "Madrid",
    "Tokyo",
    "Bangalore",
    "Sao Paulo",
    "Chicago",
    "Warsaw",
    "Lisbon",
    "Cape Town",
];

/// Industries ("markets"), most common first: the values of `Company.industry`.
///
/// ```
/// assert_eq!(relgraph_datagen::INDUSTRIES[0], "Software");
/// ```
pub const INDUSTRIES: &[&str] = &[
    "Software",
    "Retail",
    "Finance",
    "Healthcare",
    "Manufacturing",
    "Media",
    "Education",
    "Logistics",
];

pub(crate) const COMPANY_WORDS_A: &[&str] = &[
    "Northwind",
    "Blue",
    "Bright",
    "Iron",
    "Silver",
    "Quantum",
    "Green",
    "Swift",
    "Crimson",
    "Polar",
    "Summit",
    "Harbor",
    "Atlas",
    "Nimbus",
    "Cedar",
    "Orbit",
    "Vertex",
    "Pioneer",
    "Lucid",
    "Granite",
];

pub(crate) const COMPANY_WORDS_B: &[&str] = &[
    "Systems",
    "Labs",
    "Works",
    "Dynamics",
    "Partners",
    "Networks",
    "Retail",
    "Capital",
    "Health",
    "Logistics",
    "Media",
    "Foods",
    "Analytics",
    "Robotics",
    "Energy",
    "Studios",
    "Bank",
    "Clinics",
    "Motors",
    "Academy",
];

/// Topics; 0 is "CRM" and 1 is "churn", which the cookbook questions use.
pub(crate) const TOPICS: &[&str] = &[
    "CRM",
    "churn",
    "pricing",
    "onboarding",
    "retention",
    "customer success",
    "marketing automation",
    "sales enablement",
    "analytics",
    "AI",
    "security",
    "compliance",
    "data privacy",
    "integrations",
    "product-led growth",
    "support",
];

/// Content kinds of the library with weights (people's posts are separate).
pub(crate) const CONTENT_KINDS: &[(&str, u32)] = &[
    ("white paper", 35),
    ("webinar", 20),
    ("blog post", 25),
    ("movie", 20),
];

pub(crate) const MOVIE_WORDS_A: &[&str] = &[
    "The Last", "Midnight", "Silent", "Electric", "Hidden", "Golden", "Broken", "Distant",
    "Burning", "Paper",
];

pub(crate) const MOVIE_WORDS_B: &[&str] = &[
    "Harbor", "Signal", "Garden", "Empire", "Frontier", "Echo", "Orchard", "Voyage", "Lantern",
    "Horizon",
];

/// The vendor's products with their list prices.
pub(crate) const PRODUCTS: &[(&str, i64)] = &[
    ("Lumen Core", 12_000),
    ("Lumen Insights", 8_000),
    ("Lumen Connect", 6_000),
    ("Lumen Support Desk", 9_000),
    ("Lumen Mobile", 4_000),
    ("Lumen Forecast", 7_000),
    ("Lumen Journeys", 10_000),
    ("Lumen Data Cloud", 15_000),
];

/// Products that tend to be bought together (indexes into [`PRODUCTS`]).
pub(crate) const BUNDLES: &[&[usize]] = &[&[0, 1, 5], &[0, 3, 4], &[2, 6, 7], &[0, 2]];

pub(crate) const SERIES: &[&str] = &["Seed", "Series A", "Series B", "Series C"];

pub(crate) const TICKET_KINDS: &[&str] = &["bug", "question", "outage", "feature request"];

pub(crate) const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];
