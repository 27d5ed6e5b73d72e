//! Inputs the fuzz targets (`fuzz/`) found or that seeded them, kept as regression tests:
//! every file under `tests/fixtures/fuzz` and the bad-file corpus goes through both readers.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/file_checks.rs"]
mod file_checks;

use tierbook::domain::columns::Kind;

#[test]
fn every_kept_input_reads_without_panicking_and_accounts_for_every_row() {
    let wb = file_checks::sample_workbook();
    let root = env!("CARGO_MANIFEST_DIR");
    let mut seen = 0;
    for dir in ["tests/fixtures/fuzz", "tests/fixtures/bad", "tests/fixtures"] {
        for entry in std::fs::read_dir(format!("{root}/{dir}")).expect("the fixtures folder") {
            let path = entry.expect("an entry").path();
            if !path.is_file() {
                continue;
            }
            let bytes = std::fs::read(&path).expect("a readable file");
            for kind in Kind::ALL {
                file_checks::check_csv(&bytes, kind, &wb);
            }
            file_checks::check_backup(&bytes, &wb);
            seen += 1;
        }
    }
    assert!(seen >= 13, "only {seen} inputs found");
}
