//! The bad-file corpus (`tests/fixtures/bad`) through the pure readers: each file is refused
//! with the reason a user is told, or its rows are rejected with their lines, never imported.
#![cfg(not(target_arch = "wasm32"))]

use tierbook::domain::backup::{Backup, BackupProblem};
use tierbook::domain::columns::{auto_map, locate_header, Kind};
use tierbook::domain::day::Day;
use tierbook::domain::import::{ImportSettings, Importer, RowIssue};
use tierbook::domain::sheet::{decode, FileProblem, RowReader, TextEncoding};
use tierbook::domain::tiers::preset;
use tierbook::domain::workbook::Workbook;

fn bad(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/bad/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Reads a CSV file the way the Import page does; Err: the whole file is refused.
fn read_csv(bytes: &[u8], forced: Option<TextEncoding>) -> Result<Vec<(u64, RowIssue)>, FileProblem> {
    let (text, _) = decode(bytes, forced)?;
    let (header_line, delimiter) = locate_header(&text);
    let (mut rows, header) = RowReader::new(&text, delimiter, header_line)?;
    let wb = Workbook::default();
    let settings = ImportSettings::new(
        Kind::Customers,
        auto_map(Kind::Customers, &header, &[]),
        preset("metals").unwrap(),
        Day::parse_iso("2026-11-24").unwrap(),
        1,
    );
    let mut importer = Importer::new(settings, &wb, header.len());
    let count = importer.take_rows(&mut rows, &wb, usize::MAX);
    if count == 0 {
        return Err(FileProblem::HeaderOnly);
    }
    Ok(importer.finish().problems.into_iter().map(|p| (p.line, p.issue)).collect())
}

#[test]
fn whole_files_that_cannot_be_read_are_refused_with_the_reason() {
    assert_eq!(read_csv(&bad("empty.csv"), None), Err(FileProblem::Empty));
    assert_eq!(read_csv(&bad("header-only.csv"), None), Err(FileProblem::HeaderOnly));
    assert_eq!(read_csv(&bad("binary.csv"), None), Err(FileProblem::Binary));
    assert_eq!(read_csv(&vec![b'a'; 1_000_000], None), Err(FileProblem::NoHeader));
    assert_eq!(
        read_csv(&bad("wrong-encoding.csv"), Some(TextEncoding::Utf8)),
        Err(FileProblem::NotDecodable(TextEncoding::Utf8))
    );
    assert_eq!(read_csv(&bad("wrong-encoding.csv"), None), Ok(vec![]), "detected as GBK it reads fine");
}

#[test]
fn broken_rows_are_reported_by_line() {
    assert_eq!(
        read_csv(&bad("unbalanced-quotes.csv"), None),
        Ok(vec![(2, RowIssue::UnclosedQuote { through_line: 3 })])
    );
    assert_eq!(read_csv(&bad("truncated.csv"), None), Ok(vec![(3, RowIssue::CellCount { expected: 3, found: 2 })]));
}

#[test]
fn bad_backups_are_refused_with_the_reason() {
    let text = |name| String::from_utf8(bad(name)).unwrap();
    assert!(matches!(Backup::parse(&text("truncated.json")), Err(BackupProblem::NotJson { line: 1, .. })));
    assert_eq!(Backup::parse(&text("other-version.json")), Err(BackupProblem::OtherVersion(9)));
    assert_eq!(Backup::parse(&text("not-a-backup.json")), Err(BackupProblem::NotABackup));
    match Backup::parse(&text("missing-field.json")) {
        Err(BackupProblem::Invalid { line: 1, message, .. }) => {
            assert!(message.contains("missing field `name`"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}
