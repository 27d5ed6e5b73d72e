//! Tierbook's pure core: the domain logic and the interface texts, with no browser or UI
//! framework in them; everything here is tested with `cargo test` on the host.
//!
//! A crate of its own so the release profile can build it for speed (`opt-level = 3`, the
//! importer's rows and the shard codec) while the UI around it stays built for size.

pub mod domain;
pub mod texts;
