//! The printer/parser law over generated ASTs:
//! `parse(print(ast)) == ast`, modulo spans and projection texts.

mod common;

use proptest::prelude::*;
use relgraph_cypher::ast::*;
use relgraph_cypher::parse;

fn sp() -> Span {
    Span::default()
}

fn id(name: &str) -> Ident {
    Ident {
        name: name.to_string(),
        span: sp(),
    }
}

fn e(kind: ExprKind) -> Expr {
    Expr { kind, span: sp() }
}

fn var_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a",
        "b",
        "n",
        "x",
        "count",
        "any",
        "weird name",
        "end",
        "ünï",
        "back`tick",
    ])
    .prop_map(str::to_string)
}

fn node_var() -> impl Strategy<Value = Ident> {
    prop::sample::select(vec!["a", "b", "n", "m", "r", "s"]).prop_map(id)
}

fn path_var() -> impl Strategy<Value = Ident> {
    prop::sample::select(vec!["p", "q", "path"]).prop_map(id)
}

fn name() -> impl Strategy<Value = Ident> {
    prop::sample::select(vec![
        "A",
        "Person",
        "KNOWS",
        "name",
        "end",
        "weird key",
        "x",
        "ORDER",
    ])
    .prop_map(id)
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        Just(Literal::Null),
        any::<bool>().prop_map(Literal::Bool),
        any::<i64>().prop_map(Literal::Int),
        (-5i64..100).prop_map(Literal::Int),
        any::<f64>()
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(Literal::Float),
        "[a-z' \"\\\\\n\t\u{1}é😀]{0,6}".prop_map(Literal::String),
    ]
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        literal().prop_map(|l| e(ExprKind::Literal(l))),
        prop::sample::select(vec!["p", "0", "odd name"])
            .prop_map(|p| e(ExprKind::Parameter(p.to_string()))),
        var_name().prop_map(|v| e(ExprKind::Variable(v))),
        Just(e(ExprKind::CountStar)),
    ]
}

fn binary_op() -> impl Strategy<Value = BinaryOp> {
    use BinaryOp::*;
    prop::sample::select(vec![
        Or, Xor, And, Eq, Ne, Lt, Le, Gt, Ge, Add, Sub, Mul, Div, Mod, Pow, In, StartsWith,
        EndsWith, Contains, RegexMatch,
    ])
}

fn map_literal(inner: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    prop::collection::vec((name(), inner), 0..3).prop_map(|entries| e(ExprKind::Map(entries)))
}

/// Node and relationship patterns usable in MATCH (map properties only).
fn node(props: BoxedStrategy<Expr>) -> impl Strategy<Value = NodePattern> {
    (
        prop::option::of(node_var()),
        prop::collection::vec(name(), 0..3),
        prop::option::of(map_literal(props)),
    )
        .prop_map(|(variable, labels, properties)| NodePattern {
            variable,
            labels,
            properties: properties.map(Box::new),
            span: sp(),
        })
}

fn length() -> impl Strategy<Value = Option<(Option<u64>, Option<u64>)>> {
    prop_oneof![
        Just(None),
        (prop::option::of(0u64..5), prop::option::of(0u64..9)).prop_map(Some),
    ]
}

fn rel(props: BoxedStrategy<Expr>) -> impl Strategy<Value = RelPattern> {
    (
        prop::option::of(node_var()),
        prop::collection::vec(name(), 0..3),
        prop::sample::select(vec![
            RelDirection::Left,
            RelDirection::Right,
            RelDirection::Both,
        ]),
        length(),
        prop::option::of(map_literal(props)),
    )
        .prop_map(
            |(variable, types, direction, length, properties)| RelPattern {
                variable,
                types,
                direction,
                length,
                properties: properties.map(Box::new),
                span: sp(),
            },
        )
}

fn element(props: BoxedStrategy<Expr>, min_hops: usize) -> impl Strategy<Value = PatternElement> {
    (
        node(props.clone()),
        prop::collection::vec((rel(props.clone()), node(props)), min_hops..3),
    )
        .prop_map(|(start, chain)| PatternElement { start, chain })
}

/// Expressions; pattern predicates only when `patterns` (inside WHERE).
fn expr(patterns: bool) -> BoxedStrategy<Expr> {
    leaf()
        .prop_recursive(4, 48, 4, move |inner| {
            let simple = leaf().boxed();
            let mut options: Vec<BoxedStrategy<Expr>> = vec![
                (binary_op(), inner.clone(), inner.clone())
                    .prop_map(|(op, l, r)| e(ExprKind::Binary(op, Box::new(l), Box::new(r))))
                    .boxed(),
                (
                    prop::sample::select(vec![UnaryOp::Not, UnaryOp::Neg, UnaryOp::Pos]),
                    inner.clone(),
                )
                    .prop_map(|(op, x)| e(ExprKind::Unary(op, Box::new(x))))
                    .boxed(),
                (inner.clone(), any::<bool>())
                    .prop_map(|(x, not)| e(ExprKind::IsNull(Box::new(x), not)))
                    .boxed(),
                (inner.clone(), name())
                    .prop_map(|(x, k)| e(ExprKind::Property(Box::new(x), k)))
                    .boxed(),
                (inner.clone(), prop::collection::vec(name(), 1..3))
                    .prop_map(|(x, l)| e(ExprKind::HasLabels(Box::new(x), l)))
                    .boxed(),
                (inner.clone(), inner.clone())
                    .prop_map(|(x, i)| e(ExprKind::Index(Box::new(x), Box::new(i))))
                    .boxed(),
                (
                    inner.clone(),
                    prop::option::of(inner.clone()),
                    prop::option::of(inner.clone()),
                )
                    .prop_map(|(x, a, b)| {
                        e(ExprKind::Slice(
                            Box::new(x),
                            a.map(Box::new),
                            b.map(Box::new),
                        ))
                    })
                    .boxed(),
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|l| e(ExprKind::List(l)))
                    .boxed(),
                map_literal(inner.clone()).boxed(),
                (
                    prop::sample::select(vec![
                        "f",
                        "toUpper",
                        "size",
                        "coalesce",
                        "duration.between",
                        "count",
                        "sum",
                    ]),
                    any::<bool>(),
                    prop::collection::vec(inner.clone(), 0..3),
                )
                    .prop_map(|(name, distinct, args)| {
                        e(ExprKind::FunctionCall {
                            name: name.to_string(),
                            distinct,
                            args,
                        })
                    })
                    .boxed(),
                (
                    prop::option::of(inner.clone()),
                    prop::collection::vec((inner.clone(), inner.clone()), 1..3),
                    prop::option::of(inner.clone()),
                )
                    .prop_map(|(s, b, d)| {
                        e(ExprKind::Case {
                            subject: s.map(Box::new),
                            branches: b,
                            default: d.map(Box::new),
                        })
                    })
                    .boxed(),
                (
                    var_name(),
                    inner.clone(),
                    prop::option::of(inner.clone()),
                    prop::option::of(inner.clone()),
                )
                    .prop_map(|(v, list, p, proj)| {
                        e(ExprKind::ListComprehension {
                            variable: id(&v),
                            list: Box::new(list),
                            predicate: p.map(Box::new),
                            projection: proj.map(Box::new),
                        })
                    })
                    .boxed(),
                (
                    prop::sample::select(vec![
                        Quantifier::All,
                        Quantifier::Any,
                        Quantifier::None,
                        Quantifier::Single,
                    ]),
                    var_name(),
                    inner.clone(),
                    prop::option::of(inner.clone()),
                )
                    .prop_map(|(kind, v, list, p)| {
                        e(ExprKind::Quantifier {
                            kind,
                            variable: id(&v),
                            list: Box::new(list),
                            predicate: p.map(Box::new),
                        })
                    })
                    .boxed(),
                (
                    var_name(),
                    inner.clone(),
                    var_name(),
                    inner.clone(),
                    inner.clone(),
                )
                    .prop_map(|(acc, init, v, list, ex)| {
                        e(ExprKind::Reduce {
                            accumulator: id(&acc),
                            init: Box::new(init),
                            variable: id(&v),
                            list: Box::new(list),
                            expr: Box::new(ex),
                        })
                    })
                    .boxed(),
                (
                    var_name(),
                    prop::collection::vec(
                        prop_oneof![
                            name().prop_map(MapProjectionItem::Property),
                            (name(), inner.clone())
                                .prop_map(|(k, v)| MapProjectionItem::Literal(k, v)),
                            Just(MapProjectionItem::AllProperties),
                            var_name().prop_map(|v| MapProjectionItem::Variable(id(&v))),
                        ],
                        0..3,
                    ),
                )
                    .prop_map(|(v, items)| {
                        e(ExprKind::MapProjection {
                            variable: id(&v),
                            items,
                        })
                    })
                    .boxed(),
                (
                    prop::option::of(path_var()),
                    element(simple.clone(), 0),
                    prop::option::of(inner.clone()),
                    inner.clone(),
                )
                    .prop_map(|(variable, pattern, p, proj)| {
                        e(ExprKind::PatternComprehension {
                            variable,
                            pattern: Box::new(pattern),
                            predicate: p.map(Box::new),
                            projection: Box::new(proj),
                        })
                    })
                    .boxed(),
                element(simple.clone(), 0)
                    .prop_map(|el| e(ExprKind::Exists(Box::new(el))))
                    .boxed(),
            ];
            if patterns {
                options.push(
                    element(simple, 1)
                        .prop_map(|el| e(ExprKind::PatternPredicate(Box::new(el))))
                        .boxed(),
                );
            }
            prop::strategy::Union::new(options)
        })
        .boxed()
}

fn part(props: BoxedStrategy<Expr>) -> impl Strategy<Value = PatternPart> {
    (
        prop::option::of(path_var()),
        prop::sample::select(vec![
            PathKind::Plain,
            PathKind::Shortest,
            PathKind::AllShortest,
        ]),
        element(props, 0),
    )
        .prop_map(|(variable, kind, element)| PatternPart {
            variable,
            kind,
            element,
            span: sp(),
        })
}

/// A MATCH pattern: distinct path variables.
fn match_pattern() -> impl Strategy<Value = Vec<PatternPart>> {
    prop::collection::vec(part(leaf().boxed()), 1..3).prop_map(|mut parts| {
        let mut used = Vec::new();
        for p in &mut parts {
            if let Some(v) = &p.variable {
                if used.contains(&v.name) {
                    p.variable = None;
                } else {
                    used.push(v.name.clone());
                }
            }
        }
        parts
    })
}

/// CREATE: one type, a direction, no ranges, no variables (so nothing is
/// bound twice).
fn create_pattern() -> impl Strategy<Value = Vec<PatternPart>> {
    let node = (
        prop::collection::vec(name(), 0..2),
        prop::option::of(map_literal(leaf().boxed())),
    )
        .prop_map(|(labels, props)| NodePattern {
            variable: None,
            labels,
            properties: props.map(Box::new),
            span: sp(),
        })
        .boxed();
    let rel = (name(), any::<bool>()).prop_map(|(t, right)| RelPattern {
        variable: None,
        types: vec![t],
        direction: if right {
            RelDirection::Right
        } else {
            RelDirection::Left
        },
        length: None,
        properties: None,
        span: sp(),
    });
    prop::collection::vec(
        (node.clone(), prop::collection::vec((rel, node), 0..3)).prop_map(|(start, chain)| {
            PatternPart {
                variable: None,
                kind: PathKind::Plain,
                element: PatternElement { start, chain },
                span: sp(),
            }
        }),
        1..3,
    )
}

fn projection(with: bool) -> impl Strategy<Value = Projection> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec((expr(false), prop::option::of(var_name())), 0..3),
        prop::collection::vec((expr(false), any::<bool>()), 0..2),
        prop::option::of(expr(false)),
        prop::option::of(expr(false)),
        prop::option::of(expr(true)),
    )
        .prop_map(move |(distinct, star, items, order, skip, limit, where_)| {
            let star = star || items.is_empty();
            Projection {
                distinct,
                star,
                items: items
                    .into_iter()
                    .map(|(expr, alias)| ProjectionItem {
                        expr,
                        alias: alias.map(|a| id(&a)),
                        text: String::new(),
                        span: sp(),
                    })
                    .collect(),
                order_by: order
                    .into_iter()
                    .map(|(expr, descending)| SortItem { expr, descending })
                    .collect(),
                skip,
                limit,
                where_: if with { where_ } else { None },
                span: sp(),
            }
        })
}

fn set_item() -> impl Strategy<Value = SetItem> {
    prop_oneof![
        (var_name(), name(), expr(false)).prop_map(|(v, key, value)| SetItem::Property {
            target: e(ExprKind::Variable(v)),
            key,
            value,
            span: sp()
        }),
        (var_name(), expr(false), any::<bool>()).prop_map(|(v, value, merge)| {
            SetItem::Properties {
                variable: id(&v),
                value,
                merge,
                span: sp(),
            }
        }),
        (var_name(), prop::collection::vec(name(), 1..3)).prop_map(|(v, labels)| SetItem::Labels {
            variable: id(&v),
            labels,
            span: sp()
        }),
    ]
}

/// A clause that may appear anywhere but last-only RETURN.
fn middle_clause() -> impl Strategy<Value = Clause> {
    prop_oneof![
        (any::<bool>(), match_pattern(), prop::option::of(expr(true))).prop_map(
            |(optional, pattern, where_)| Clause::Match(Match {
                optional,
                pattern,
                where_,
                span: sp()
            })
        ),
        (expr(false), var_name()).prop_map(|(x, v)| Clause::Unwind(Unwind {
            expr: x,
            variable: id(&v),
            span: sp()
        })),
        projection(true).prop_map(Clause::With),
        create_pattern().prop_map(|pattern| Clause::Create(Create {
            pattern,
            span: sp()
        })),
        (
            (
                node(leaf().boxed()),
                prop::collection::vec((name(), node(leaf().boxed())), 0..2)
            ),
            prop::collection::vec(set_item(), 0..2),
            prop::collection::vec(set_item(), 0..2)
        )
            .prop_map(|((start, steps), on_create, on_match)| {
                let chain = steps
                    .into_iter()
                    .map(|(t, n)| {
                        let r = RelPattern {
                            variable: None,
                            types: vec![t],
                            direction: RelDirection::Both,
                            length: None,
                            properties: None,
                            span: sp(),
                        };
                        (r, n)
                    })
                    .collect();
                let pattern = PatternPart {
                    variable: None,
                    kind: PathKind::Plain,
                    element: PatternElement { start, chain },
                    span: sp(),
                };
                Clause::Merge(Merge {
                    pattern,
                    on_create,
                    on_match,
                    span: sp(),
                })
            }),
        prop::collection::vec(set_item(), 1..3)
            .prop_map(|items| Clause::Set(SetClause { items, span: sp() })),
        prop::collection::vec(
            prop_oneof![
                (var_name(), name()).prop_map(|(v, key)| RemoveItem::Property {
                    target: e(ExprKind::Variable(v)),
                    key,
                    span: sp()
                }),
                (var_name(), prop::collection::vec(name(), 1..3)).prop_map(|(v, labels)| {
                    RemoveItem::Labels {
                        variable: id(&v),
                        labels,
                        span: sp(),
                    }
                }),
            ],
            1..3
        )
        .prop_map(|items| Clause::Remove(RemoveClause { items, span: sp() })),
        (
            any::<bool>(),
            prop::collection::vec(
                expr(false).prop_filter("no label predicate", |x| {
                    !matches!(x.kind, ExprKind::HasLabels(..))
                }),
                1..3
            )
        )
            .prop_map(|(detach, exprs)| Clause::Delete(Delete {
                detach,
                exprs,
                span: sp()
            })),
        (
            prop::collection::vec(name(), 1..3),
            prop::option::of(prop::collection::vec(expr(false), 0..3)),
            prop::collection::btree_map(
                prop::sample::select(vec!["out", "label", "score"]),
                prop::option::of(var_name()),
                0..3
            ),
            prop::option::of(expr(true)),
        )
            .prop_map(|(procedure, args, yields, where_)| {
                // Output names (alias or field) must be distinct.
                let mut names = Vec::new();
                let yields: Vec<(Ident, Option<Ident>)> = yields
                    .into_iter()
                    .filter_map(|(f, a)| {
                        let n = a.clone().unwrap_or_else(|| f.to_string());
                        if names.contains(&n) {
                            return None;
                        }
                        names.push(n);
                        Some((id(f), a.map(|a| id(&a))))
                    })
                    .collect();
                let where_ = if yields.is_empty() { None } else { where_ };
                Clause::Call(Call {
                    procedure,
                    args,
                    yields,
                    yield_star: false,
                    where_,
                    span: sp(),
                })
            }),
    ]
}

fn single_query() -> impl Strategy<Value = SingleQuery> {
    (
        prop::collection::vec(middle_clause(), 0..3),
        prop::option::of(projection(false)),
    )
        .prop_map(|(mut clauses, ret)| {
            if let Some(r) = ret {
                clauses.push(Clause::Return(r));
            }
            if clauses.is_empty() {
                clauses.push(Clause::Return(Projection {
                    distinct: false,
                    star: true,
                    items: Vec::new(),
                    order_by: Vec::new(),
                    skip: None,
                    limit: None,
                    where_: None,
                    span: sp(),
                }));
            }
            SingleQuery {
                clauses,
                span: sp(),
            }
        })
}

fn statement() -> impl Strategy<Value = Statement> {
    let query = (
        single_query(),
        any::<bool>(),
        prop::collection::vec(single_query(), 0..2),
    )
        .prop_map(|(first, all, rest)| {
            StatementKind::Query(Query {
                first,
                unions: rest.into_iter().map(|q| (all, q)).collect(),
            })
        });
    let schema = prop_oneof![
        (prop::option::of(name()), any::<bool>(), name(), name()).prop_map(
            |(name, if_not_exists, label, key)| SchemaCommand::CreateIndex {
                name,
                if_not_exists,
                label,
                key
            }
        ),
        (prop::option::of(name()), any::<bool>(), name(), name()).prop_map(
            |(name, if_not_exists, label, key)| SchemaCommand::CreateUnique {
                name,
                if_not_exists,
                label,
                key
            }
        ),
        (name(), any::<bool>())
            .prop_map(|(name, if_exists)| SchemaCommand::DropIndex { name, if_exists }),
        (name(), any::<bool>())
            .prop_map(|(name, if_exists)| SchemaCommand::DropConstraint { name, if_exists }),
        Just(SchemaCommand::ShowIndexes),
        Just(SchemaCommand::ShowConstraints),
    ]
    .prop_map(StatementKind::Schema);
    (
        prop::sample::select(vec![
            QueryMode::Normal,
            QueryMode::Explain,
            QueryMode::Profile,
        ]),
        prop_oneof![4 => query, 1 => schema],
    )
        .prop_map(|(mode, kind)| Statement {
            mode,
            kind,
            span: sp(),
        })
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

proptest! {
    // PROPTEST_CASES=N runs more cases (e.g. in a nightly job).
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn print_then_parse_is_identity(stmt in statement()) {
        let printed = stmt.to_string();
        let parsed = parse(&printed).map_err(|err| TestCaseError::fail(format!("{}\n{}", printed, err.render(&printed))))?;
        prop_assert_eq!(common::normalized(&parsed), common::normalized(&stmt), "printed: {}", printed);
    }

    #[test]
    fn expressions_roundtrip_in_where(x in expr(true)) {
        let stmt = Statement {
            mode: QueryMode::Normal,
            kind: StatementKind::Query(Query {
                first: SingleQuery {
                    clauses: vec![Clause::Match(Match {
                        optional: false,
                        pattern: vec![PatternPart {
                            variable: None,
                            kind: PathKind::Plain,
                            element: PatternElement {
                                start: NodePattern { variable: Some(id("n")), labels: vec![], properties: None, span: sp() },
                                chain: vec![],
                            },
                            span: sp(),
                        }],
                        where_: Some(x),
                        span: sp(),
                    })],
                    span: sp(),
                },
                unions: vec![],
            }),
            span: sp(),
        };
        let printed = stmt.to_string();
        let parsed = parse(&printed).map_err(|err| TestCaseError::fail(format!("{}\n{}", printed, err.render(&printed))))?;
        prop_assert_eq!(common::normalized(&parsed), common::normalized(&stmt), "printed: {}", printed);
    }
}
