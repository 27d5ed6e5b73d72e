//! Native timing of the tier engine at the target scale (`make bench` runs it):
//! 100,000 customers, 1,000,000 purchases, the default policy.

use std::time::Instant;

use tierbook::domain::day::Day;
use tierbook::domain::demo;
use tierbook::domain::tiers::{evaluate_all, preset};
use tierbook::domain::workbook::Workbook;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let customers = std::env::var("BENCH_CUSTOMERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let purchases = std::env::var("BENCH_PURCHASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let today = Day::parse_iso("2026-11-24").expect("date");
    let policy = preset("metals").expect("preset");
    let mut workbook = Workbook::default();
    workbook.insert_records(demo::generate(1, customers, purchases, today, 1));

    let time = |rerate: bool, wb: &Workbook| {
        let start = Instant::now();
        let changed = evaluate_all(&policy, wb.records(), today, rerate);
        (start.elapsed().as_secs_f64() * 1000.0, changed)
    };
    let (first_ms, first) = time(false, &workbook);
    for (id, state) in first {
        let shard = tierbook::domain::workbook::shard_of(id);
        workbook.shards[shard].records.get_mut(&id).expect("customer").tier = state;
    }
    let steady: Vec<f64> = (0..5).map(|_| time(false, &workbook).0).collect();
    let rerate: Vec<f64> = (0..5).map(|_| time(true, &workbook).0).collect();
    println!("native tier engine, {customers} customers, {purchases} purchases (release build):");
    println!("| first rating of everyone | {first_ms:.1} ms |");
    println!(
        "| re-evaluate everyone (periodic) | median {:.1} ms (runs: {:?}) |",
        median(steady.clone()),
        steady.iter().map(|x| x.round()).collect::<Vec<_>>()
    );
    println!(
        "| re-rate everyone under a policy | median {:.1} ms (runs: {:?}) |",
        median(rerate.clone()),
        rerate.iter().map(|x| x.round()).collect::<Vec<_>>()
    );
}
