//! Pure domain logic: no browser, no UI framework. Everything here is tested with `cargo test`.

pub mod analytics;
pub mod backup;
pub mod bgnbd;
pub mod campaigns;
pub mod codec;
pub mod codes;
pub mod colour;
pub mod columns;
pub mod customer_list;
pub mod day;
pub mod demo;
pub mod forms;
pub mod import;
pub mod insights;
pub mod model;
pub mod money;
pub mod points;
pub mod reminders;
pub mod sealed;
pub mod sheet;
pub mod spreadsheet;
pub mod terms;
pub mod tiers;
pub mod trim;
pub mod workbook;
pub mod write_path;
