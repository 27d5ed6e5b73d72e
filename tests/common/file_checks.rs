#![allow(dead_code)] // each fuzz target uses one of these checks
//! What must hold for any file a user can drop on the Import page, shared by the fuzz targets
//! (`fuzz/`) and the regression tests over the inputs they found (`tests/fuzz_regressions.rs`).

use tierbook::domain::backup::{merge, Backup};
use tierbook::domain::columns::{auto_map, locate_header, Kind};
use tierbook::domain::day::Day;
use tierbook::domain::demo::generate;
use tierbook::domain::import::{ImportSettings, Importer};
use tierbook::domain::sheet::{decode, RowReader};
use tierbook::domain::tiers::preset;
use tierbook::domain::workbook::Workbook;
use tierbook::i18n::Lang;

fn today() -> Day {
    Day::from_ymd(2026, 11, 24).expect("a date")
}

/// A small workbook for rows to match against.
pub fn sample_workbook() -> Workbook {
    let mut wb = Workbook::default();
    wb.insert_records(generate(1, 20, 60, today(), 1));
    wb
}

/// Reads `bytes` as a CSV of `kind`: it never panics, every row is accounted for exactly once,
/// every refused row has a problem, and nothing staged is without its customer.
pub fn check_csv(bytes: &[u8], kind: Kind, wb: &Workbook) {
    let Ok((text, _)) = decode(bytes, None) else { return };
    let (header_line, delimiter) = locate_header(&text);
    let Ok((mut rows, header)) = RowReader::new(&text, delimiter, header_line) else { return };
    let settings =
        ImportSettings::new(kind, auto_map(kind, &header, &[]), preset("metals").expect("a preset"), today(), 1);
    let mut importer = Importer::new(settings, wb, header.len());
    let count = importer.take_rows(&mut rows, wb, usize::MAX);
    let plan = importer.finish();
    let c = &plan.counts;
    let taken = c.created + c.updated + c.unchanged + c.rejected + c.lines_merged + c.returns_skipped + c.no_customer;
    assert_eq!(taken, count);
    assert_eq!(plan.rejected.len(), c.rejected);
    for row in &plan.rejected {
        assert!(plan.problems.iter().any(|p| p.line == row.line), "a refused row without a problem");
    }
    if kind != Kind::Customers {
        let added = plan.added.iter().map(|(id, _)| *id).chain(plan.added_others.iter().map(|(id, _)| *id));
        let added = added.chain(plan.put.iter().map(|(id, _)| *id));
        for id in plan.records.iter().map(|r| r.customer.id).chain(added) {
            assert!(wb.get(id).is_some(), "a related row made a customer");
        }
    }
}

/// Reads `bytes` as a JSON backup: it never panics, a backup it accepts writes out the same,
/// and merging it into a workbook loses none of the workbook's customers.
pub fn check_backup(bytes: &[u8], wb: &Workbook) {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let Ok(backup) = Backup::parse(text) else { return };
    assert_eq!(Backup::parse(&backup.to_json()).as_ref(), Ok(&backup));
    let policy = preset("metals").expect("a preset");
    let plan = merge(wb, &backup, Lang::En, &policy, &Default::default());
    let mut merged = wb.clone();
    merged.insert_records(plan.records);
    for r in wb.records() {
        assert!(merged.get(r.customer.id).is_some());
    }
}
