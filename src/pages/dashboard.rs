//! Key figures of the workbook at a glance.

use leptos::prelude::*;

use crate::domain::customer_list::Status;
use crate::domain::money::format_grouped;
use crate::state::{today, use_app};

#[component]
pub fn Dashboard() -> impl IntoView {
    let app = use_app();
    let figures = Memo::new(move |_| {
        app.summaries.with(|shards| {
            let day = today();
            let mut by_status = [0usize; 4];
            let (mut customers, mut purchases, mut spend) = (0usize, 0u64, 0i64);
            for row in shards.iter().flatten() {
                customers += 1;
                purchases += row.purchase_count as u64;
                spend += row.spend_cents;
                by_status[Status::ALL.iter().position(|s| *s == row.status(day)).unwrap_or(0)] += 1;
            }
            (customers, purchases, spend, by_status)
        })
    });
    let kpi = move |key: &'static str, testid: &'static str, value: Box<dyn Fn() -> String + Send + Sync>| {
        view! {
            <div class="kpi">
                <span class="kpi-label">{move || app.t(key)}</span>
                <span class="kpi-value" data-testid=testid>{value}</span>
            </div>
        }
    };
    view! {
        <section class="page dashboard">
            <h1>{move || app.t("nav.dashboard")}</h1>
            <div class="kpis">
                {kpi("dashboard.customers", "kpi-customers", Box::new(move || figures.with(|f| f.0.to_string())))}
                {kpi("dashboard.purchases", "kpi-purchases", Box::new(move || figures.with(|f| f.1.to_string())))}
                {kpi("dashboard.revenue", "kpi-spend", Box::new(move || figures.with(|f| format_grouped(f.2))))}
            </div>
            <h2>{move || app.t("policy.counts")}</h2>
            <div class="kpis">
                {move || {
                    let lang = app.lang.get();
                    let counts = app.summaries.with(|shards| {
                        let mut counts = std::collections::HashMap::<String, usize>::new();
                        for t in shards.iter().flatten().filter_map(|r| r.tier.clone()) {
                            *counts.entry(t).or_default() += 1;
                        }
                        counts
                    });
                    app.policy.with(|p| {
                        p.tiers
                            .iter()
                            .rev()
                            .map(|t| view! {
                                <div class="kpi" style=format!("border-top: 5px solid {}", t.colour)>
                                    <span class="kpi-label">{crate::i18n::tier_name(lang, t).to_string()}</span>
                                    <span class="kpi-value" data-testid="dashboard-tier-count" data-tier-id=t.id.clone()>
                                        {counts.get(&t.id).copied().unwrap_or(0).to_string()}
                                    </span>
                                </div>
                            })
                            .collect_view()
                    })
                }}
            </div>
            <h2>{move || app.t("dashboard.by-status")}</h2>
            <div class="kpis">
                {Status::ALL
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        view! {
                            <div class=format!("kpi status-{}", s.code())>
                                <span class="kpi-label">
                                    <span class=format!("dot status-{}", s.code())></span>
                                    {move || app.t(&format!("status.{}", s.code()))}
                                </span>
                                <span class="kpi-value" data-testid=format!("status-count-{}", s.code())>
                                    {move || figures.with(|f| f.3[i].to_string())}
                                </span>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
        </section>
    }
}
