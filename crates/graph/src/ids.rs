//! Identifiers: dense integer ids for nodes and relationships, and small
//! interned ids for labels, relationship types and property keys.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $inner:ty) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
            bytemuck::Pod, bytemuck::Zeroable,
        )]
        #[repr(transparent)]
        pub struct $name(pub $inner);

        impl $name {
            /// The id as an index into dense arrays.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// A node's id. Ids are allocated densely from 0 and never reused within
    /// one database.
    ///
    /// ```
    /// use relgraph_graph::NodeId;
    /// assert_eq!(NodeId(7).index(), 7);
    /// ```
    NodeId,
    u64
);
id_type!(
    /// A relationship's id, allocated densely from 0.
    ///
    /// ```
    /// use relgraph_graph::RelId;
    /// assert_eq!(RelId(3).to_string(), "3");
    /// ```
    RelId,
    u64
);
id_type!(
    /// An interned node label.
    ///
    /// ```
    /// use relgraph_graph::LabelId;
    /// assert!(LabelId(0) < LabelId(1));
    /// ```
    LabelId,
    u32
);
id_type!(
    /// An interned relationship type.
    ///
    /// ```
    /// use relgraph_graph::RelTypeId;
    /// assert_eq!(RelTypeId(2).index(), 2);
    /// ```
    RelTypeId,
    u32
);
id_type!(
    /// An interned property key.
    ///
    /// ```
    /// use relgraph_graph::PropKeyId;
    /// assert_eq!(PropKeyId(1).0, 1);
    /// ```
    PropKeyId,
    u32
);

/// The direction of an expansion relative to the node it starts from.
///
/// ```
/// use relgraph_graph::Direction;
/// assert_eq!(Direction::Outgoing.reverse(), Direction::Incoming);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// From the relationship's start node to its end node.
    Outgoing,
    /// From the relationship's end node to its start node.
    Incoming,
}

impl Direction {
    /// The opposite direction.
    pub fn reverse(self) -> Direction {
        match self {
            Direction::Outgoing => Direction::Incoming,
            Direction::Incoming => Direction::Outgoing,
        }
    }
}
