//! Tierbook: a customer-loyalty workbook that runs entirely in the browser.
//! `domain`, `texts`, `i18n` and `route` are pure and tested on the host; the rest is the browser shell.

pub use tierbook_core::{domain, texts};
pub mod i18n;
pub mod route;

#[cfg(all(target_arch = "wasm32", feature = "alloc-count"))]
pub mod alloc_count;
#[cfg(target_arch = "wasm32")]
pub mod analysis;
#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod couch;
#[cfg(target_arch = "wasm32")]
pub mod files;
#[cfg(target_arch = "wasm32")]
pub mod lock;
#[cfg(target_arch = "wasm32")]
pub mod pages;
#[cfg(target_arch = "wasm32")]
pub mod replicator;
#[cfg(target_arch = "wasm32")]
pub mod router;
#[cfg(target_arch = "wasm32")]
pub mod sheet_worker;
#[cfg(target_arch = "wasm32")]
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod storage;
#[cfg(target_arch = "wasm32")]
pub mod sync;
