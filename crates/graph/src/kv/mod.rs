//! The ordered key-value interface the store is written against, with a
//! sled backend and an in-memory backend.
