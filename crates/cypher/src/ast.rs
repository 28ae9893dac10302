//! The abstract syntax tree of the supported openCypher subset.
//!
//! CONTRACT (shared by the parser and crates/exec; change only in
//! coordination). Every expression and clause carries a [`Span`] of byte
//! offsets into the query text, so later phases can report errors with a
//! caret.

/// A half-open byte range `start..end` in the query text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// An identifier with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The name (back-quoted names are unquoted here).
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// A whole statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// `EXPLAIN` / `PROFILE` prefix, if any.
    pub mode: QueryMode,
    /// The statement body.
    pub kind: StatementKind,
    /// The whole statement.
    pub span: Span,
}

/// How to run a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryMode {
    /// Run it.
    Normal,
    /// Plan it and show the plan without running.
    Explain,
    /// Run it and show the plan with rows and time per operator.
    Profile,
}

/// What kind of statement.
#[derive(Clone, Debug, PartialEq)]
pub enum StatementKind {
    /// A (possibly writing) query, possibly a UNION of several.
    Query(Query),
    /// A schema command.
    Schema(SchemaCommand),
}

/// A query: one or more single queries joined by UNION / UNION ALL.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The first part.
    pub first: SingleQuery,
    /// Further parts: `(all, query)` where `all` is true for UNION ALL.
    pub unions: Vec<(bool, SingleQuery)>,
}

/// A sequence of clauses.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleQuery {
    /// Clauses in order.
    pub clauses: Vec<Clause>,
    /// Covers all clauses.
    pub span: Span,
}

/// One clause.
#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    /// `MATCH` / `OPTIONAL MATCH`.
    Match(Match),
    /// `UNWIND expr AS x`.
    Unwind(Unwind),
    /// `WITH ...`.
    With(Projection),
    /// `RETURN ...`.
    Return(Projection),
    /// `CREATE pattern`.
    Create(Create),
    /// `MERGE pattern [ON CREATE SET ...] [ON MATCH SET ...]`.
    Merge(Merge),
    /// `SET ...`.
    Set(SetClause),
    /// `REMOVE ...`.
    Remove(RemoveClause),
    /// `[DETACH] DELETE ...`.
    Delete(Delete),
    /// `CALL proc(args) [YIELD ...]`.
    Call(Call),
}

/// `[OPTIONAL] MATCH pattern [WHERE expr]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// `OPTIONAL MATCH`.
    pub optional: bool,
    /// Comma-separated pattern parts.
    pub pattern: Vec<PatternPart>,
    /// The WHERE predicate.
    pub where_: Option<Expr>,
    /// The whole clause.
    pub span: Span,
}

/// `UNWIND expr AS variable`.
#[derive(Clone, Debug, PartialEq)]
pub struct Unwind {
    /// The list.
    pub expr: Expr,
    /// The variable.
    pub variable: Ident,
    /// The whole clause.
    pub span: Span,
}

/// The body of WITH and RETURN.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    /// `DISTINCT`.
    pub distinct: bool,
    /// `*` (all variables in scope) before any items.
    pub star: bool,
    /// Projected items.
    pub items: Vec<ProjectionItem>,
    /// ORDER BY keys.
    pub order_by: Vec<SortItem>,
    /// SKIP.
    pub skip: Option<Expr>,
    /// LIMIT.
    pub limit: Option<Expr>,
    /// WHERE (only after WITH).
    pub where_: Option<Expr>,
    /// The whole clause.
    pub span: Span,
}

/// `expr [AS alias]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectionItem {
    /// The expression.
    pub expr: Expr,
    /// The alias, if given.
    pub alias: Option<Ident>,
    /// The expression's source text exactly as written (the column name when
    /// no alias is given, as openCypher requires).
    pub text: String,
    /// The item.
    pub span: Span,
}

/// `expr [ASC|DESC]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SortItem {
    /// The key.
    pub expr: Expr,
    /// True for DESC / DESCENDING.
    pub descending: bool,
}

/// `CREATE pattern`.
#[derive(Clone, Debug, PartialEq)]
pub struct Create {
    /// Pattern parts to create.
    pub pattern: Vec<PatternPart>,
    /// The whole clause.
    pub span: Span,
}

/// `MERGE part [ON CREATE SET ...] [ON MATCH SET ...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Merge {
    /// The single pattern part.
    pub pattern: PatternPart,
    /// Items of all `ON CREATE SET` actions, in order.
    pub on_create: Vec<SetItem>,
    /// Items of all `ON MATCH SET` actions, in order.
    pub on_match: Vec<SetItem>,
    /// The whole clause.
    pub span: Span,
}

/// `SET item, item, ...`.
#[derive(Clone, Debug, PartialEq)]
pub struct SetClause {
    /// The items.
    pub items: Vec<SetItem>,
    /// The whole clause.
    pub span: Span,
}

/// One SET item.
#[derive(Clone, Debug, PartialEq)]
pub enum SetItem {
    /// `target.key = value` where target is any expression (usually a variable).
    Property {
        /// The entity expression.
        target: Expr,
        /// The key.
        key: Ident,
        /// The new value.
        value: Expr,
        /// The item.
        span: Span,
    },
    /// `n = map` (replace all properties) or `n += map` (merge).
    Properties {
        /// The variable.
        variable: Ident,
        /// The map (or entity) expression.
        value: Expr,
        /// True for `+=`.
        merge: bool,
        /// The item.
        span: Span,
    },
    /// `n:Label:Other`.
    Labels {
        /// The variable.
        variable: Ident,
        /// Labels to add.
        labels: Vec<Ident>,
        /// The item.
        span: Span,
    },
}

/// `REMOVE item, ...`.
#[derive(Clone, Debug, PartialEq)]
pub struct RemoveClause {
    /// The items.
    pub items: Vec<RemoveItem>,
    /// The whole clause.
    pub span: Span,
}

/// One REMOVE item.
#[derive(Clone, Debug, PartialEq)]
pub enum RemoveItem {
    /// `target.key`.
    Property {
        /// The entity expression.
        target: Expr,
        /// The key.
        key: Ident,
        /// The item.
        span: Span,
    },
    /// `n:Label:Other`.
    Labels {
        /// The variable.
        variable: Ident,
        /// Labels to remove.
        labels: Vec<Ident>,
        /// The item.
        span: Span,
    },
}

/// `[DETACH] DELETE expr, ...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Delete {
    /// DETACH.
    pub detach: bool,
    /// Entities to delete.
    pub exprs: Vec<Expr>,
    /// The whole clause.
    pub span: Span,
}

/// `CALL name.space(args) [YIELD a, b AS c [WHERE ...]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// Dotted procedure name, e.g. `algo.pageRank`.
    pub procedure: Vec<Ident>,
    /// Arguments (`None` when written without parentheses).
    pub args: Option<Vec<Expr>>,
    /// YIELD items: `(field, alias)`.
    pub yields: Vec<(Ident, Option<Ident>)>,
    /// `YIELD *`.
    pub yield_star: bool,
    /// WHERE after YIELD.
    pub where_: Option<Expr>,
    /// The whole clause.
    pub span: Span,
}

/// A schema command.
#[derive(Clone, Debug, PartialEq)]
pub enum SchemaCommand {
    /// `CREATE INDEX [name] [IF NOT EXISTS] FOR (v:Label) ON (v.key)`.
    CreateIndex {
        /// Optional name.
        name: Option<Ident>,
        /// IF NOT EXISTS.
        if_not_exists: bool,
        /// The label.
        label: Ident,
        /// The property key.
        key: Ident,
    },
    /// `DROP INDEX name [IF EXISTS]`.
    DropIndex {
        /// The name.
        name: Ident,
        /// IF EXISTS.
        if_exists: bool,
    },
    /// `CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR (v:Label) REQUIRE v.key IS UNIQUE`.
    CreateUnique {
        /// Optional name.
        name: Option<Ident>,
        /// IF NOT EXISTS.
        if_not_exists: bool,
        /// The label.
        label: Ident,
        /// The property key.
        key: Ident,
    },
    /// `DROP CONSTRAINT name [IF EXISTS]`.
    DropConstraint {
        /// The name.
        name: Ident,
        /// IF EXISTS.
        if_exists: bool,
    },
    /// `SHOW INDEXES`.
    ShowIndexes,
    /// `SHOW CONSTRAINTS`.
    ShowConstraints,
    /// A role or privilege command (the administrator's only).
    Access(AccessCommand),
}

/// Roles and privileges, in Neo4j's syntax (docs/access.md).
#[derive(Clone, Debug, PartialEq)]
pub enum AccessCommand {
    /// `CREATE ROLE name [IF NOT EXISTS]`.
    CreateRole {
        /// The role.
        name: Ident,
        /// IF NOT EXISTS.
        if_not_exists: bool,
    },
    /// `DROP ROLE name [IF EXISTS]`.
    DropRole {
        /// The role.
        name: Ident,
        /// IF EXISTS.
        if_exists: bool,
    },
    /// `SHOW ROLES`.
    ShowRoles,
    /// `SHOW PRIVILEGES` or `SHOW ROLE name PRIVILEGES`.
    ShowPrivileges {
        /// Only this role's.
        role: Option<Ident>,
    },
    /// `GRANT`, `DENY` or `REVOKE` a privilege.
    Privilege(Box<PrivilegeCommand>),
}

/// What a privilege command does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrivilegeVerb {
    /// `GRANT ... TO`.
    Grant,
    /// `DENY ... TO`.
    Deny,
    /// `REVOKE [GRANT | DENY] ... FROM`: `Some(true)` only denials,
    /// `Some(false)` only grants, `None` both.
    Revoke(Option<bool>),
}

/// The action a privilege names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrivilegeAction {
    /// `TRAVERSE`.
    Traverse,
    /// `READ {keys}`.
    Read,
    /// `MATCH {keys}`: TRAVERSE and READ.
    Match,
    /// `CREATE`.
    Create,
    /// `DELETE`.
    Delete,
    /// `SET PROPERTY {keys}`.
    SetProperty,
    /// `SET LABEL labels`.
    SetLabel,
    /// `REMOVE LABEL labels`.
    RemoveLabel,
    /// `MERGE {keys}`: MATCH, CREATE and SET PROPERTY.
    Merge,
    /// `WRITE`: every write action.
    Write,
    /// `ALL [GRAPH] PRIVILEGES`: MATCH {*} and WRITE.
    All,
}

/// Which elements a privilege names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElementKind {
    /// `NODES`.
    Nodes,
    /// `RELATIONSHIPS`.
    Relationships,
    /// `ELEMENTS` (or no segment): nodes and relationships.
    Elements,
}

/// `GRANT|DENY|REVOKE action [{keys}] ON GRAPH * [segment] [WHERE cond] TO|FROM roles`.
#[derive(Clone, Debug, PartialEq)]
pub struct PrivilegeCommand {
    /// Grant, deny or revoke.
    pub verb: PrivilegeVerb,
    /// The action.
    pub action: PrivilegeAction,
    /// The property keys (`None`: every key, `{*}`).
    pub keys: Option<Vec<Ident>>,
    /// The element kind.
    pub kind: ElementKind,
    /// Labels or types (`None`: every one, `*`); for SET/REMOVE LABEL, the
    /// labels that may be set or removed.
    pub names: Option<Vec<Ident>>,
    /// A row condition: the variable (if named by `FOR (v:Label)`) and the
    /// expression.
    pub condition: Option<(Option<Ident>, Expr)>,
    /// The roles.
    pub roles: Vec<Ident>,
    /// The whole command.
    pub span: Span,
}

/// One comma-separated element of a pattern: `[p =] chain` or
/// `[p =] shortestPath(chain)`.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternPart {
    /// The path variable, if named.
    pub variable: Option<Ident>,
    /// Plain, shortestPath or allShortestPaths.
    pub kind: PathKind,
    /// The chain of nodes and relationships.
    pub element: PatternElement,
    /// The part.
    pub span: Span,
}

/// How a pattern part is matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    /// Every match.
    Plain,
    /// `shortestPath(...)`.
    Shortest,
    /// `allShortestPaths(...)`.
    AllShortest,
}

/// `(a)-[r]->(b)<-[s]-(c)...`
#[derive(Clone, Debug, PartialEq)]
pub struct PatternElement {
    /// The first node.
    pub start: NodePattern,
    /// Following (relationship, node) steps.
    pub chain: Vec<(RelPattern, NodePattern)>,
}

/// `(v:Label1:Label2 {k: v})`.
#[derive(Clone, Debug, PartialEq)]
pub struct NodePattern {
    /// The variable.
    pub variable: Option<Ident>,
    /// Labels (all required).
    pub labels: Vec<Ident>,
    /// A property map (literal map or parameter).
    pub properties: Option<Box<Expr>>,
    /// The node pattern.
    pub span: Span,
}

/// Direction of a relationship pattern as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelDirection {
    /// `-[]->`
    Right,
    /// `<-[]-`
    Left,
    /// `-[]-` (either direction)
    Both,
}

/// `-[v:T1|T2*1..3 {k: v}]->`
#[derive(Clone, Debug, PartialEq)]
pub struct RelPattern {
    /// The variable.
    pub variable: Option<Ident>,
    /// Type alternatives (any type when empty).
    pub types: Vec<Ident>,
    /// Direction as written.
    pub direction: RelDirection,
    /// `*` range: `None` for a single hop; `Some((min, max))` with absent bounds as None.
    pub length: Option<(Option<u64>, Option<u64>)>,
    /// A property map.
    pub properties: Option<Box<Expr>>,
    /// The relationship pattern.
    pub span: Span,
}

/// An expression with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// Integer (decimal, hex `0x`, octal `0o`).
    Int(i64),
    /// Float.
    Float(f64),
    /// String with escapes resolved.
    String(String),
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `OR`
    Or,
    /// `XOR`
    Xor,
    /// `AND`
    And,
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `^`
    Pow,
    /// `IN`
    In,
    /// `STARTS WITH`
    StartsWith,
    /// `ENDS WITH`
    EndsWith,
    /// `CONTAINS`
    Contains,
    /// `=~`
    RegexMatch,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `NOT`
    Not,
    /// unary `-`
    Neg,
    /// unary `+`
    Pos,
}

/// Expression forms.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Literal(Literal),
    /// `$name` (or `$0`).
    Parameter(String),
    /// A variable reference.
    Variable(String),
    /// `[a, b, c]`
    List(Vec<Expr>),
    /// `{k: v, ...}`
    Map(Vec<(Ident, Expr)>),
    /// `expr.key`
    Property(Box<Expr>, Ident),
    /// `expr:Label:Other` (label predicate).
    HasLabels(Box<Expr>, Vec<Ident>),
    /// Binary operation.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// Chained comparison `a < b <= c` is desugared by the parser into AND of
    /// binaries; this variant is not produced for it.
    Unary(UnaryOp, Box<Expr>),
    /// `expr IS NULL` (false) / `expr IS NOT NULL` (true).
    IsNull(Box<Expr>, bool),
    /// `list[index]` (also map[key]).
    Index(Box<Expr>, Box<Expr>),
    /// `list[from..to]` with either bound optional.
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// A function call; `name` may be dotted (`duration.between`), kept as written.
    FunctionCall {
        /// The function name as written (case kept; lookup is case-insensitive).
        name: String,
        /// DISTINCT inside the call (aggregates).
        distinct: bool,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `count(*)`
    CountStar,
    /// `CASE [subject] WHEN .. THEN .. [ELSE ..] END`
    Case {
        /// The subject of the simple form.
        subject: Option<Box<Expr>>,
        /// `(when, then)` pairs.
        branches: Vec<(Expr, Expr)>,
        /// ELSE.
        default: Option<Box<Expr>>,
    },
    /// `[x IN list WHERE pred | proj]`
    ListComprehension {
        /// The variable.
        variable: Ident,
        /// The list.
        list: Box<Expr>,
        /// The filter.
        predicate: Option<Box<Expr>>,
        /// The projection.
        projection: Option<Box<Expr>>,
    },
    /// `[p = (a)-->(b) WHERE pred | proj]`
    PatternComprehension {
        /// The path variable.
        variable: Option<Ident>,
        /// The pattern.
        pattern: Box<PatternElement>,
        /// The filter.
        predicate: Option<Box<Expr>>,
        /// The projection.
        projection: Box<Expr>,
    },
    /// `all|any|none|single(x IN list WHERE pred)`
    Quantifier {
        /// Which quantifier.
        kind: Quantifier,
        /// The variable.
        variable: Ident,
        /// The list.
        list: Box<Expr>,
        /// The predicate.
        predicate: Option<Box<Expr>>,
    },
    /// `reduce(acc = init, x IN list | expr)`
    Reduce {
        /// The accumulator.
        accumulator: Ident,
        /// Its initial value.
        init: Box<Expr>,
        /// The variable.
        variable: Ident,
        /// The list.
        list: Box<Expr>,
        /// The step expression.
        expr: Box<Expr>,
    },
    /// A pattern used as a predicate: `(a)-[:KNOWS]->(b)` in WHERE.
    PatternPredicate(Box<PatternElement>),
    /// `EXISTS { MATCH ... }` / `exists((a)-->())`: true if the pattern has a match.
    Exists(Box<PatternElement>),
    /// `map{.key, key: expr, .*}` map projection.
    MapProjection {
        /// The variable.
        variable: Ident,
        /// Items.
        items: Vec<MapProjectionItem>,
    },
}

/// An item of a map projection.
#[derive(Clone, Debug, PartialEq)]
pub enum MapProjectionItem {
    /// `.key`
    Property(Ident),
    /// `key: expr`
    Literal(Ident, Expr),
    /// `.*`
    AllProperties,
    /// `var` (variable selector)
    Variable(Ident),
}

/// List quantifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantifier {
    /// `all(...)`
    All,
    /// `any(...)`
    Any,
    /// `none(...)`
    None,
    /// `single(...)`
    Single,
}
