//! Native timing of the CSV importer over the files `tests/bench/import_bench.mjs` imports in
//! the browser: 100,000 customers and 1,000,000 purchases. Run by `make bench`.

use std::time::Instant;

use tierbook::domain::columns::{auto_map, locate_header, Kind};
use tierbook::domain::day::Day;
use tierbook::domain::import::{ImportPlan, ImportSettings, Importer};
use tierbook::domain::sheet::{decode, RowReader};
use tierbook::domain::tiers::preset;
use tierbook::domain::workbook::Workbook;

/// The two files of one shape, as `tests/bench/import_bench.mjs` writes them (the same integer
/// generator): purchases spread `even`ly or `skewed` (u², a few regulars with thousands),
/// codes with `letters` (`P000123`) or plain `numbers`, headings in `zh` or `en`.
fn files(shape: &str, customers: usize, purchases: usize) -> (String, String) {
    let parts: Vec<&str> = shape.split('-').collect();
    let (even, letters, zh) = (parts[0] == "even", parts[1] == "letters", parts[2] == "zh");
    let code = |i: usize| if letters { format!("P{i:06}") } else { i.to_string() };
    let cities = ["上海", "北京", "杭州", "深圳", "成都", "Suzhou", "Nanjing"];
    let family = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"];
    let given = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋"];
    let mut c = String::from(if zh {
        "\u{FEFF}客户编号,客户名称,联系方式,邮箱,城市,成为客户日期\r\n"
    } else {
        "\u{FEFF}Customer ID,Name,Phone,Email,City,Customer since\r\n"
    });
    for i in 1..=customers {
        let third = if i % 3 == 0 { given[(i >> 6) % 8] } else { "" };
        c.push_str(&format!(
            "{},{}{}{third},1{:010},c{i}@example.cn,{},20{}/{}/{}\r\n",
            code(i),
            family[i % 8],
            given[(i >> 3) % 8],
            3_000_000_000u64 + i as u64 * 7,
            cities[i % 7],
            10 + i % 15,
            1 + i % 12,
            1 + i % 28
        ));
    }
    let mut p = String::from(if zh {
        "\u{FEFF}客户编号,日期,商品,类别,数量,金额,支付方式,渠道\r\n"
    } else {
        "\u{FEFF}Customer ID,Date,Product,Category,Quantity,Amount,Payment method,Channel\r\n"
    });
    let products =
        [("手冲咖啡豆", "咖啡", 88), ("礼盒", "礼品", 268), ("Tea set", "Tea", 158), ("会员卡充值", "储值", 500)];
    let mut seed = 12345u32;
    for i in 0..purchases {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let u = seed as f64 / 4_294_967_296.0;
        let customer = 1 + if even { (u * customers as f64) as usize } else { (u * u * customers as f64) as usize };
        let (product, category, price) = products[i % 4];
        let amount = price * (1 + i % 3);
        let amount =
            if amount >= 1000 { format!("{},{:03}", amount / 1000, amount % 1000) } else { amount.to_string() };
        p.push_str(&format!(
            "{},20{}/{}/{},{product},{category},{},\"￥{amount}.00\",微信,门店{}\r\n",
            code(customer),
            20 + i % 6,
            1 + i % 12,
            1 + i % 28,
            1 + i % 3,
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

fn import(kind: Kind, text: &str, wb: &Workbook) -> (f64, usize, ImportPlan) {
    let started = Instant::now();
    let (text, _) = decode(text.as_bytes(), None).unwrap();
    let (line, delimiter) = locate_header(&text);
    let (mut rows, header) = RowReader::new(&text, delimiter, line).unwrap();
    let today = Day::parse_iso("2026-11-24").unwrap();
    let mut settings = ImportSettings::new(kind, auto_map(kind, &header, &[]), preset("metals").unwrap(), today, 1);
    settings.create_customers = true;
    let mut importer = Importer::new(settings, wb, header.len());
    importer.expect_rows(&rows);
    importer.take_rows(&mut rows, wb, usize::MAX);
    let plan = importer.finish();
    (started.elapsed().as_secs_f64() * 1000.0, plan.problems.len(), plan)
}

fn main() {
    let n = std::env::var("N").map_or(100_000, |n| n.parse().unwrap());
    let shapes = std::env::var("BENCH_SHAPES").unwrap_or_else(|_| "even-letters-zh,skewed-numbers-en".into());
    for shape in shapes.split(',') {
        let (customers, purchases) = files(shape, n, n * 10);
        let mut wb = Workbook::default();
        let (ms, problems, plan) = import(Kind::Customers, &customers, &wb);
        let mb = |t: &str| t.len() as f64 / 1e6;
        println!("native import {shape}, customers CSV ({:.1} MB): {ms:.0} ms, {problems} problems", mb(&customers));
        wb.insert_records(plan.records.into_iter().map(|r| *r).collect());
        if std::env::var("PHASES").is_ok() {
            let t = Instant::now();
            let (text, _) = decode(purchases.as_bytes(), None).unwrap();
            let t_decode = t.elapsed().as_millis();
            let (line, delimiter) = locate_header(&text);
            let (mut rows, _) = RowReader::new(&text, delimiter, line).unwrap();
            let mut n = 0;
            while rows.next_row().is_some() {
                n += 1;
            }
            println!("  phases: decode {t_decode} ms, decode+read {n} rows {} ms", t.elapsed().as_millis());
        }
        let (ms, problems, mut plan) = import(Kind::Purchases, &purchases, &wb);
        if std::env::var("APPLY").is_ok() || std::env::var("ENCODE").is_ok() {
            let shards = apply_timing(&wb, plan.take_changes());
            if std::env::var("ENCODE").is_ok() {
                encode_timing(&shards);
            }
        }
        println!("native import {shape}, purchases CSV ({:.1} MB): {ms:.0} ms, {problems} problems", mb(&purchases));
    }
    let lines = std::env::var("SALES_LINES").map_or(541_909, |n| n.parse().unwrap());
    if lines == 0 {
        return;
    }
    let sales = sales_export(lines);
    let (ms, problems, plan) = import(Kind::Purchases, &sales, &Workbook::default());
    println!(
        "native import, sales export ({:.1} MB, {lines} lines) into an empty workbook: {ms:.0} ms, {} customers, {problems} problems",
        sales.len() as f64 / 1e6,
        plan.records.len()
    );
}

/// `APPLY=1`: the commit's apply step natively: the import's changes applied to a copy of the
/// workbook's shards, each customer's tier settled (what the page's commit does shard by shard).
fn apply_timing(
    wb: &Workbook,
    changes: Vec<tierbook::domain::workbook::Change>,
) -> Vec<tierbook::domain::workbook::Shard> {
    use tierbook::domain::workbook::apply_batch;
    use tierbook::domain::write_path::{tier_settler, ReferralIndex};
    let shards = wb.shards.iter().cloned().enumerate().collect();
    let policy = preset("metals").unwrap();
    let referrals = ReferralIndex::of(wb);
    let settle = tier_settler(&policy, &referrals, Day::parse_iso("2026-11-24").unwrap(), changes.len());
    let t = Instant::now();
    let written = apply_batch(shards, changes, 2, &settle).unwrap();
    println!("apply + settle: {} ms, {} shards", t.elapsed().as_millis(), written.len());
    written.into_values().collect()
}

/// `ENCODE=1`: how long writing (and reading back) every shard takes once the purchases are in.
fn encode_timing(shards: &[tierbook::domain::workbook::Shard]) {
    let t = Instant::now();
    let mut total = 0;
    for shard in shards {
        total += tierbook::domain::codec::encode_shard(shard).len();
    }
    println!("encode: {} ms, {} MB", t.elapsed().as_millis(), total / 1_000_000);
    let t = Instant::now();
    let mut n = 0;
    for shard in shards {
        let bytes = tierbook::domain::codec::encode_shard(shard);
        n += tierbook::domain::codec::decode_shard(&bytes).map(|s| s.records.len()).unwrap_or(0);
    }
    println!("encode+decode: {} ms, {n}", t.elapsed().as_millis());
}
