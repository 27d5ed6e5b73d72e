//! Spreadsheet files in and out. In: `.xlsx`, `.xls` and `.ods` read with calamine, a sheet at a
//! time, turned into CSV text so the same importer (heading line, mapping, checks) reads it.
//! Out: the whole workbook as one `.xlsx` written with rust_xlsxwriter, a sheet per kind.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use rust_xlsxwriter::{Format, Workbook as XlsxBook};

use super::columns::{export_columns, export_rows, Kind};
use super::day::Day;
use super::model::CustomFieldDef;
use super::tiers::TierPolicy;
use super::workbook::Workbook;
use crate::texts::{tr, Lang};

/// Whether the bytes are a spreadsheet file (a zip: `.xlsx`/`.ods`; an OLE file: `.xls`)
/// rather than text.
pub fn is_spreadsheet(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// Why a spreadsheet could not be read (calamine's own words).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetProblem(pub String);

/// The names of a spreadsheet's sheets, in order.
pub fn sheet_names(bytes: &[u8]) -> Result<Vec<String>, SheetProblem> {
    let book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| SheetProblem(e.to_string()))?;
    Ok(book.sheet_names())
}

/// One cell as text: dates as `YYYY-MM-DD` (with the time when it has one), whole numbers with
/// all their digits (a phone stored as the number 13912345678 stays `13912345678`).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => d.as_f64().to_string(),
        },
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

/// Sheet `index` as CSV text (rows as the sheet has them: merged title rows above the
/// headings come out as lines with one cell, which the heading search passes over).
pub fn sheet_as_csv(bytes: &[u8], index: usize) -> Result<String, SheetProblem> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| SheetProblem(e.to_string()))?;
    let range = book
        .worksheet_range_at(index)
        .ok_or_else(|| SheetProblem(format!("no sheet {}", index + 1)))?
        .map_err(|e| SheetProblem(e.to_string()))?;
    let mut out = Vec::new();
    {
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(&mut out);
        // Rows above the used range are blank lines, so line numbers are the sheet's row numbers.
        let first_row = range.start().map_or(0, |(row, _)| row);
        for _ in 0..first_row {
            let _ = writer.write_record([""]);
        }
        for row in range.rows() {
            let _ = writer.write_record(row.iter().map(cell_text));
        }
        let _ = writer.flush();
    }
    String::from_utf8(out).map_err(|e| SheetProblem(e.to_string()))
}

/// The keys whose cells are numbers in a spreadsheet.
const NUMBER_KEYS: &[&str] = &[
    "amount",
    "quantity",
    "unit-price",
    "opening-spend",
    "opening-purchases",
    "opening-points",
    "influence",
    "score",
    "nps",
    "spend-to-date",
    "purchases-to-date",
];

/// The keys whose cells are dates.
const DATE_KEYS: &[&str] = &[
    "date",
    "birthday",
    "customer-since",
    "consent-date",
    "follow-up",
    "opening-as-of",
    "opening-last-review",
    "opening-next-review",
    "last-purchase",
];

/// The whole workbook as one `.xlsx`: a sheet per kind, headings in `lang`, numbers as numbers,
/// dates as date cells, everything else (codes, phones, formula-looking text) as text.
pub fn export_xlsx(
    wb: &Workbook,
    lang: Lang,
    custom: &[CustomFieldDef],
    policy: &TierPolicy,
) -> Result<Vec<u8>, SheetProblem> {
    let fail = |e: rust_xlsxwriter::XlsxError| SheetProblem(e.to_string());
    let mut book = XlsxBook::new();
    let bold = Format::new().set_bold();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for kind in Kind::ALL {
        let sheet = book.add_worksheet();
        sheet.set_name(tr(lang, &format!("import.kind.{}", kind.code()))).map_err(fail)?;
        let cols = export_columns(kind, lang, custom);
        for (c, (_, heading)) in cols.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, heading, &bold).map_err(fail)?;
        }
        let keys: Vec<String> = cols.into_iter().map(|(k, _)| k).collect();
        let kinds: Vec<u8> = keys
            .iter()
            .map(|k| u8::from(NUMBER_KEYS.contains(&k.as_str())) + 2 * u8::from(DATE_KEYS.contains(&k.as_str())))
            .collect();
        for (r, row) in export_rows(kind, wb.records(), wb, lang, keys, policy).enumerate() {
            let r = r as u32 + 1;
            for (c, text) in row.iter().enumerate() {
                let c = c as u16;
                if text.is_empty() {
                    continue;
                }
                match kinds[c as usize] {
                    1 if text.parse::<f64>().is_ok() => {
                        sheet.write_number(r, c, text.parse::<f64>().unwrap_or_default()).map_err(fail)?;
                    }
                    2 => match Day::parse_iso(text) {
                        Some(day) => {
                            let date = rust_xlsxwriter::ExcelDateTime::from_ymd(
                                chrono::Datelike::year(&day.to_date()) as u16,
                                chrono::Datelike::month(&day.to_date()) as u8,
                                chrono::Datelike::day(&day.to_date()) as u8,
                            )
                            .map_err(fail)?;
                            sheet.write_datetime_with_format(r, c, &date, &date_format).map_err(fail)?;
                        }
                        None => {
                            sheet.write_string(r, c, text).map_err(fail)?;
                        }
                    },
                    _ => {
                        sheet.write_string(r, c, text).map_err(fail)?;
                    }
                }
            }
        }
    }
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::*;

    fn sample() -> Workbook {
        let mut wb = Workbook::default();
        let mut r = CustomerRecord {
            customer: Customer {
                id: 1 << 40,
                code: "C00004".into(),
                name: "=王芳".into(),
                phone: "13912345678".into(),
                birthday: Day::parse_iso("1990-05-17"),
                ..Default::default()
            },
            ..Default::default()
        };
        r.purchases.push(Purchase {
            id: 1,
            date: Day::parse_iso("2026-03-01").unwrap(),
            product: "茶".into(),
            quantity: 2.0,
            amount_cents: 12_345,
            ..Default::default()
        });
        wb.insert_records(vec![r]);
        wb
    }

    #[test]
    fn an_exported_workbook_reads_back_with_numbers_dates_and_text_intact() {
        let policy = crate::domain::tiers::preset("metals").unwrap();
        let bytes = export_xlsx(&sample(), Lang::Zh, &[], &policy).unwrap();
        assert!(is_spreadsheet(&bytes));
        let names = sheet_names(&bytes).unwrap();
        assert_eq!(names[0], "客户");
        assert_eq!(names.len(), 5);
        let customers = sheet_as_csv(&bytes, 0).unwrap();
        let mut lines = customers.lines();
        assert!(lines.next().unwrap().starts_with("客户编号,客户名称,"));
        let row = lines.next().unwrap();
        assert!(row.starts_with("C00004,=王芳,"), "formula-looking text stays text: {row}");
        assert!(row.contains(",13912345678,") && row.contains(",1990-05-17,"), "{row}");
        let purchases = sheet_as_csv(&bytes, 1).unwrap();
        assert!(purchases.contains(",2026-03-01,茶,,2,,123.45,"), "{purchases}");
    }

    #[test]
    fn number_cells_keep_their_digits_and_date_cells_become_dates() {
        assert_eq!(cell_text(&Data::Float(13912345678.0)), "13912345678");
        assert_eq!(cell_text(&Data::Float(2.55)), "2.55");
        assert_eq!(cell_text(&Data::Int(17850)), "17850");
        assert_eq!(cell_text(&Data::String("  C00004 ".into())), "C00004");
        let date = calamine::ExcelDateTime::new(45352.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(date)), "2024-03-01");
        let with_time = calamine::ExcelDateTime::new(40513.35138888889, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(with_time)), "2010-12-01 08:26:00");
    }

    #[test]
    fn text_is_not_a_spreadsheet_and_a_broken_one_is_refused_with_a_reason() {
        assert!(!is_spreadsheet(b"name,phone\n"));
        assert!(sheet_names(b"PK\x03\x04 not really a zip").is_err());
    }
}
