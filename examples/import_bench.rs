//! Native timing of the CSV importer over the files `tests/bench/import_bench.mjs` imports in
//! the browser: 100,000 customers and 1,000,000 purchases. Run by `make bench`.

use std::time::Instant;

use tierbook::domain::columns::{auto_map, locate_header, Kind};
use tierbook::domain::day::Day;
use tierbook::domain::import::{ImportSettings, Importer};
use tierbook::domain::sheet::{decode, RowReader};
use tierbook::domain::tiers::preset;
use tierbook::domain::workbook::Workbook;

fn files(customers: usize, purchases: usize) -> (String, String) {
    let mut c = String::from("客户编号,客户名称,联系方式,邮箱,城市,成为客户日期\r\n");
    for i in 1..=customers {
        c.push_str(&format!(
            "{i},王伟{i},1{:010},c{i}@example.cn,上海,2015/{}/{}\r\n",
            3_000_000_000u64 + i as u64 * 7,
            1 + i % 12,
            1 + i % 28
        ));
    }
    let mut p = String::from("客户编号,日期,商品,类别,数量,金额,支付方式,渠道\r\n");
    let mut seed = 12345u64;
    for i in 0..purchases {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let u = (seed >> 11) as f64 / (1u64 << 53) as f64;
        let customer = 1 + (u * u * customers as f64) as usize;
        p.push_str(&format!(
            "{customer},20{}/{}/{},手冲咖啡豆,咖啡,{},\"￥1,{:03}.00\",微信,门店{}\r\n",
            20 + i % 6,
            1 + i % 12,
            1 + i % 28,
            1 + i % 3,
            i % 1000,
            i % 5
        ));
    }
    (c, p)
}

/// A sales export shaped like a year of a web shop's invoice lines: 541,909 lines, about 4,372
/// customers (a few buy very often), about 18,500 invoices of 1–60 lines, 2% credit notes, a
/// quarter of the lines without a customer; unit prices with 2–3 decimals.
pub fn sales_export(lines: usize) -> String {
    let mut out = String::from("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n");
    let mut seed = 99u64;
    let mut next = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut written, mut invoice) = (0, 536_365u64);
    while written < lines {
        invoice += 1;
        let u = next();
        let customer = if next() < 0.25 { String::new() } else { format!("{}", 12_346 + (u * u * 4_372.0) as u64) };
        let credit = next() < 0.02;
        let count = 1 + (next() * next() * 60.0) as usize;
        let (day, hour) = (1 + (next() * 28.0) as u32, 8 + (next() * 10.0) as u32);
        for _ in 0..count.min(lines - written) {
            let q = 1 + (next() * 24.0) as i64;
            let price = (next() * 2_000.0).round() / 1000.0 + 0.1;
            let no = if credit { format!("C{invoice}") } else { invoice.to_string() };
            out.push_str(&format!(
                "{no},{},\"PRODUCT {}, BOXED\",{},{}/{day}/2011 {hour}:{:02},{price:.3},{customer},United Kingdom\n",
                20_000 + (next() * 4_000.0) as u64,
                (next() * 4_000.0) as u64,
                if credit { -q } else { q },
                1 + (invoice % 12),
                (next() * 60.0) as u32
            ));
            written += 1;
        }
    }
    out
}

fn import(kind: Kind, text: &str, wb: &Workbook) -> (f64, usize, Vec<tierbook::domain::model::CustomerRecord>) {
    let started = Instant::now();
    let (text, _) = decode(text.as_bytes(), None).unwrap();
    let (line, delimiter) = locate_header(&text);
    let (mut rows, header) = RowReader::new(&text, delimiter, line).unwrap();
    let today = Day::parse_iso("2026-11-24").unwrap();
    let mut settings = ImportSettings::new(kind, auto_map(kind, &header, &[]), preset("metals").unwrap(), today, 1);
    settings.create_customers = true;
    let mut importer = Importer::new(settings, wb, header.len());
    while let Some(row) = rows.next_row() {
        importer.take(row, wb);
    }
    let plan = importer.finish();
    (started.elapsed().as_secs_f64() * 1000.0, plan.problems.len(), plan.records)
}

fn main() {
    let (customers, purchases) = files(
        std::env::var("N").map_or(100_000, |n| n.parse().unwrap()),
        std::env::var("N").map_or(1_000_000, |n| n.parse::<usize>().unwrap() * 10),
    );
    let mut wb = Workbook::default();
    let (ms, problems, records) = import(Kind::Customers, &customers, &wb);
    println!("native import, customers CSV ({:.1} MB): {ms:.0} ms, {problems} problems", customers.len() as f64 / 1e6);
    wb.insert_records(records);
    let (ms, problems, _) = import(Kind::Purchases, &purchases, &wb);
    println!("native import, purchases CSV ({:.1} MB): {ms:.0} ms, {problems} problems", purchases.len() as f64 / 1e6);
    let lines = std::env::var("SALES_LINES").map_or(541_909, |n| n.parse().unwrap());
    if lines == 0 {
        return;
    }
    let sales = sales_export(lines);
    let (ms, problems, records) = import(Kind::Purchases, &sales, &Workbook::default());
    println!(
        "native import, sales export ({:.1} MB, {lines} lines) into an empty workbook: {ms:.0} ms, {} customers, {problems} problems",
        sales.len() as f64 / 1e6,
        records.len()
    );
}
