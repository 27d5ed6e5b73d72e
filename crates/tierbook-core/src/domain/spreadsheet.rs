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

/// A spreadsheet's sheet names, and sheet `index` as CSV text (the last sheet if it has fewer),
/// the file opened once.
pub fn read_sheet(bytes: &[u8], index: usize) -> Result<(Vec<String>, String), SheetProblem> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| SheetProblem(e.to_string()))?;
    let names = book.sheet_names();
    let index = index.min(names.len().saturating_sub(1));
    let range = book
        .worksheet_range_at(index)
        .ok_or_else(|| SheetProblem(format!("no sheet {}", index + 1)))?
        .map_err(|e| SheetProblem(e.to_string()))?;
    Ok((names, range_as_csv(&range)?))
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

/// A sheet's cells as CSV text (rows as the sheet has them: merged title rows above the
/// headings come out as lines with one cell, which the heading search passes over).
fn range_as_csv(range: &calamine::Range<Data>) -> Result<String, SheetProblem> {
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

/// One sheet of an export on its way to the `.xlsx` writer: its name, its rows (headings first)
/// as CSV text, and per column what its cells are. Plain text, so that it crosses to the
/// spreadsheet worker as one string rather than as millions of small ones.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetOut {
    pub name: String,
    pub csv: String,
    pub cells: Vec<CellKind>,
}

/// What the cells of an exported column are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    Text = 0,
    Number = 1,
    Date = 2,
}

impl CellKind {
    pub fn from_code(code: u8) -> CellKind {
        match code {
            1 => CellKind::Number,
            2 => CellKind::Date,
            _ => CellKind::Text,
        }
    }
}

/// The whole workbook as the sheets of one `.xlsx`: a sheet per kind, headings in `lang`.
pub fn export_sheets(wb: &Workbook, lang: Lang, custom: &[CustomFieldDef], policy: &TierPolicy) -> Vec<SheetOut> {
    Kind::ALL
        .into_iter()
        .map(|kind| {
            let (keys, headings): (Vec<String>, Vec<String>) = export_columns(kind, lang, custom).into_iter().unzip();
            let cells = keys
                .iter()
                .map(|k| match k.as_str() {
                    k if NUMBER_KEYS.contains(&k) => CellKind::Number,
                    k if DATE_KEYS.contains(&k) => CellKind::Date,
                    _ => CellKind::Text,
                })
                .collect();
            let mut out = Vec::new();
            {
                // Plain CSV, not `write_csv`: the cells go into text cells, never into formulas,
                // so nothing here needs neutralising.
                let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(&mut out);
                let _ = writer.write_record(&headings);
                for row in export_rows(kind, wb.records(), wb, lang, keys, policy) {
                    let _ = writer.write_record(&row);
                }
                let _ = writer.flush();
            }
            let name = tr(lang, &format!("import.kind.{}", kind.code())).to_string();
            SheetOut { name, csv: String::from_utf8(out).unwrap_or_default(), cells }
        })
        .collect()
}

/// Writes sheets as one `.xlsx`: headings bold, numbers as numbers, dates as date cells,
/// everything else (codes, phones, formula-looking text) as text.
pub fn write_xlsx(sheets: &[SheetOut]) -> Result<Vec<u8>, SheetProblem> {
    let fail = |e: rust_xlsxwriter::XlsxError| SheetProblem(e.to_string());
    let mut book = XlsxBook::new();
    let bold = Format::new().set_bold();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for sheet_out in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(&sheet_out.name).map_err(fail)?;
        let mut reader =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(sheet_out.csv.as_bytes());
        for (r, record) in reader.records().enumerate() {
            let record = record.map_err(|e| SheetProblem(e.to_string()))?;
            let r = r as u32;
            for (c, text) in record.iter().enumerate() {
                let c = c as u16;
                if r == 0 {
                    sheet.write_string_with_format(0, c, text, &bold).map_err(fail)?;
                    continue;
                }
                if text.is_empty() {
                    continue;
                }
                let kind = sheet_out.cells.get(c as usize).copied().unwrap_or(CellKind::Text);
                let number = (kind == CellKind::Number).then(|| text.parse::<f64>().ok()).flatten();
                let day = (kind == CellKind::Date).then(|| Day::parse_iso(text)).flatten();
                match (number, day) {
                    (Some(number), _) => {
                        sheet.write_number(r, c, number).map_err(fail)?;
                    }
                    (_, Some(day)) => {
                        let date = day.to_date();
                        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(
                            chrono::Datelike::year(&date) as u16,
                            chrono::Datelike::month(&date) as u8,
                            chrono::Datelike::day(&date) as u8,
                        )
                        .map_err(fail)?;
                        sheet.write_datetime_with_format(r, c, &date, &date_format).map_err(fail)?;
                    }
                    _ => {
                        sheet.write_string(r, c, text).map_err(fail)?;
                    }
                }
            }
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// The whole workbook as one `.xlsx` (the two steps above in one; the page runs the second in
/// the spreadsheet worker).
pub fn export_xlsx(
    wb: &Workbook,
    lang: Lang,
    custom: &[CustomFieldDef],
    policy: &TierPolicy,
) -> Result<Vec<u8>, SheetProblem> {
    write_xlsx(&export_sheets(wb, lang, custom, policy))
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
        let sheet = |index| read_sheet(&bytes, index).unwrap();
        let names = sheet(0).0;
        assert_eq!(names[0], "客户");
        assert_eq!(names.len(), 5);
        let customers = sheet(0).1;
        let mut lines = customers.lines();
        assert!(lines.next().unwrap().starts_with("客户编号,客户名称,"));
        let row = lines.next().unwrap();
        assert!(row.starts_with("C00004,=王芳,"), "formula-looking text stays text: {row}");
        assert!(row.contains(",13912345678,") && row.contains(",1990-05-17,"), "{row}");
        let (names_again, purchases) = sheet(1);
        assert_eq!(names_again, names);
        // A sheet past the last one reads the last.
        assert_eq!(sheet(9).1, sheet(4).1);
        assert!(sheet(4).1.starts_with("客户编号,"), "{}", sheet(4).1);
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
        assert!(read_sheet(b"PK\x03\x04 not really a zip", 0).is_err());
    }
}
