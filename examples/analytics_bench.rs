//! Native timing of the analytics at 100,000 customers and 1,000,000 purchases: RFM for
//! everyone, building the BG/NBD histories, and the BG/NBD fit. Run by `make bench`.

use std::time::Instant;

use tierbook::domain::analytics::{history_of, rfm};
use tierbook::domain::bgnbd::fit;
use tierbook::domain::day::Day;
use tierbook::domain::demo::generate;

fn main() {
    let today = Day::parse_iso("2026-11-24").expect("a date");
    let records = generate(1, 100_000, 1_000_000, today, 7);
    let started = Instant::now();
    let scored = rfm(records.iter(), today);
    println!(
        "native analytics, {} customers scored: RFM {:.0} ms",
        scored.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    let started = Instant::now();
    let histories: Vec<_> = records.iter().filter_map(|r| history_of(&r.purchases, today)).collect();
    println!("BG/NBD histories: {:.0} ms", started.elapsed().as_secs_f64() * 1e3);
    let started = Instant::now();
    let fitted = fit(&histories);
    println!(
        "BG/NBD fit over {} customers: {:.0} ms, {fitted:?}",
        histories.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
}
