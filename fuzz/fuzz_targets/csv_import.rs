//! Any bytes as a CSV file of any kind: `cargo fuzz run csv_import` (see BENCHMARKS.md).
#![no_main]

#[path = "../../tests/common/file_checks.rs"]
mod file_checks;

use libfuzzer_sys::fuzz_target;
use tierbook::domain::columns::Kind;

thread_local! {
    static WORKBOOK: tierbook::domain::workbook::Workbook = file_checks::sample_workbook();
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let kind = Kind::ALL[first as usize % Kind::ALL.len()];
    WORKBOOK.with(|wb| file_checks::check_csv(rest, kind, wb));
});
