//! The customer list's search keystroke without the page: 100,000 demo customers (codes,
//! Chinese names, phones, e-mails), filtered for the bench's searches. Medians of 9 runs.
//! `cargo run --release --example list_bench`
use std::time::Instant;

use tierbook::domain::customer_list::{filter, sorted, CustomerSummary, ListQuery, SearchText, SortKey};
use tierbook::domain::day::Day;
use tierbook::domain::workbook::Workbook;

fn main() {
    let mut workbook = Workbook::default();
    workbook.insert_records(tierbook::domain::demo::generate(1, 100_000, 0, Day(20_000), 7));
    let shards: Vec<Vec<CustomerSummary>> = workbook.shards.iter().map(CustomerSummary::of_shard).collect();
    let started = Instant::now();
    let order = sorted(&shards, SortKey::Id, false);
    println!("sort by code: {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
    let started = Instant::now();
    let search = SearchText::of(&shards);
    println!("search text laid out: {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
    for needle in ["1", "13", "138", "1388", "", "王", "王伟", "s", "sm", "smi"] {
        let query = ListQuery { text: needle.into(), ..Default::default() };
        let mut times = Vec::new();
        let mut kept = 0;
        for _ in 0..9 {
            let started = Instant::now();
            kept = filter(&shards, &order, &search, &query, Day(20_000)).len();
            times.push(started.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        println!("{needle:>6}: {:6.2} ms  ({kept} rows)", times[4]);
    }
}
