//! Any bytes as a JSON backup: `cargo fuzz run backup_json` (see BENCHMARKS.md).
#![no_main]

#[path = "../../tests/common/file_checks.rs"]
mod file_checks;

use libfuzzer_sys::fuzz_target;

thread_local! {
    static WORKBOOK: tierbook::domain::workbook::Workbook = file_checks::sample_workbook();
}

fuzz_target!(|data: &[u8]| {
    WORKBOOK.with(|wb| file_checks::check_backup(data, wb));
});
