//! Value semantics: equality, comparison, ordering, grouping keys, operators.
