//! Native timing of the analytics at 100,000 customers and 1,000,000 purchases: RFM alone,
//! everything the dashboard draws except the model (lifecycle, warnings, RFM, feedback, terms,
//! tiers), the campaigns, and the BG/NBD fit with each customer's outlook. Run by `make bench`.

use std::time::Instant;

use tierbook::domain::analytics::rfm;
use tierbook::domain::campaigns::campaigns;
use tierbook::domain::day::Day;
use tierbook::domain::demo::generate;
use tierbook::domain::insights::{insights_of, model_view, profiles, RULES};
use tierbook::domain::model::CustomerRecord;

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let today = Day::parse_iso("2026-11-24").expect("a date");
    let records = generate(1, 100_000, 1_000_000, today, 7);
    let refs: Vec<&CustomerRecord> = records.iter().collect();
    let started = Instant::now();
    let scored = rfm(records.iter(), today);
    println!("native analytics, {} customers scored: RFM {:.0} ms", scored.len(), ms(started));
    let started = Instant::now();
    let step = profiles(&refs, today, &RULES);
    println!("lifecycle, warnings and RFM for everyone: {:.0} ms", ms(started));
    let found = insights_of(step, today, today.plus_days(-91));
    println!("… and the rest of the dashboard (feedback, terms, tiers, reviews): {:.0} ms in all", ms(started));
    let started = Instant::now();
    let reports = campaigns(&refs, 4, today);
    println!("campaigns ({}): {:.0} ms", reports.len(), ms(started));
    let started = Instant::now();
    let model = model_view(&found.profiles);
    println!("BG/NBD fit + outlook over {} customers: {:.0} ms, {:?}", model.customers.len(), ms(started), model.fit);
}
