//! Analytics as of a chosen date: feedback (satisfaction, NPS), RFM segments and value
//! classes, the BG/NBD model's parameters and the customers it thinks are slipping away.
//! Charts come next (issue 5); every figure here is also what they will draw.

use leptos::prelude::*;

use crate::domain::analytics::{summarise, Summary};
use crate::domain::day::Day;
use crate::domain::money::format_grouped;
use crate::files::yield_to_browser;
use crate::state::{today, use_app, Page};

/// A figure as the page shows it: plain decimals, or a dash when there is nothing to show.
fn decimal(value: Option<f64>, places: usize) -> String {
    value.map_or_else(|| "—".to_string(), |v| format!("{v:.places$}"))
}

#[component]
pub fn Analytics() -> impl IntoView {
    let app = use_app();
    let as_of = RwSignal::new(today());
    let summary = RwSignal::new(None::<Summary>);
    let computing = RwSignal::new(false);
    // Worked out after the page has painted, again whenever the date or the data change.
    Effect::new(move |_| {
        let day = as_of.get();
        app.workbook.track();
        computing.set(true);
        leptos::task::spawn_local(async move {
            yield_to_browser().await;
            let s = app.workbook.with_untracked(|wb| summarise(wb.records(), day));
            // A newer date chosen meanwhile wins.
            if as_of.get_untracked() == day {
                summary.set(Some(s));
                computing.set(false);
            }
        });
    });

    let kpi = move |label: &'static str, testid: &'static str, value: String| {
        view! {
            <div class="kpi">
                <span class="kpi-label">{app.t(label)}</span>
                <span class="kpi-value" data-testid=testid>{value}</span>
            </div>
        }
    };

    view! {
        <section class="page analytics">
            <h1>{move || app.t("nav.analytics")}</h1>
            <div class="panel">
                <label class="inline">
                    {move || app.t("analytics.as-of")}
                    <input type="date" data-testid="analysis-as-of" prop:value=move || as_of.get().to_string()
                        on:change=move |ev| {
                            if let Some(day) = Day::parse_iso(&event_target_value(&ev)) {
                                as_of.set(day);
                            }
                        }/>
                </label>
                <Show when=move || computing.get()>
                    <p class="muted" data-testid="analysis-computing">{move || app.t("analytics.computing")}</p>
                </Show>
            </div>
            {move || summary.get().map(|s| {
                let _ = app.lang.get();
                let fit = s.fit.map(|f| f.params);
                view! {
                    <div class="panel">
                        <h2>{app.t("analytics.feedback")}</h2>
                        <p class="muted">{app.t("analytics.feedback-help")}</p>
                        <div class="kpis">
                            {kpi("analytics.satisfaction", "avg-satisfaction", decimal(s.satisfaction, 2))}
                            {kpi("analytics.nps", "nps-value", decimal(s.nps.score, 1))}
                            {kpi("analytics.responses", "feedback-responses", s.responses.to_string())}
                            {kpi("analytics.promoters", "nps-promoters", s.nps.promoters.to_string())}
                            {kpi("analytics.passives", "nps-passives", s.nps.passives.to_string())}
                            {kpi("analytics.detractors", "nps-detractors", s.nps.detractors.to_string())}
                        </div>
                    </div>
                    <div class="panel">
                        <h2>{app.t("analytics.bgnbd")}</h2>
                        <p class="muted">{app.t("analytics.bgnbd-help")}</p>
                        <div class="kpis">
                            {kpi("analytics.r", "bgnbd-r", decimal(fit.map(|p| p.r), 4))}
                            {kpi("analytics.alpha", "bgnbd-alpha", decimal(fit.map(|p| p.alpha), 4))}
                            {kpi("analytics.a", "bgnbd-a", decimal(fit.map(|p| p.a), 4))}
                            {kpi("analytics.b", "bgnbd-b", decimal(fit.map(|p| p.b), 4))}
                            {kpi("analytics.ll", "bgnbd-ll", decimal(s.fit.map(|f| f.log_likelihood), 1))}
                        </div>
                    </div>
                    <div class="panel">
                        <h2>{app.t("analytics.segments")}</h2>
                        <div class="table-scroll">
                            <table class="history">
                                <thead><tr><th>{app.t("analytics.segment")}</th><th class="num">{app.t("analytics.count")}</th></tr></thead>
                                <tbody>
                                    {s.segments.iter().map(|(segment, n)| view! {
                                        <tr data-testid="rfm-segment" data-segment=segment.code()>
                                            <td>{app.t(&format!("segment.{}", segment.code()))}</td>
                                            <td class="num">{*n}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <h3>{app.t("analytics.classes")}</h3>
                        <div class="kpis">
                            {s.classes.iter().map(|(class, n)| {
                                let key = format!("class.{class:?}").to_lowercase();
                                view! {
                                    <div class="kpi">
                                        <span class="kpi-label">{app.t(&key)}</span>
                                        <span class="kpi-value" data-testid="value-class">{*n}</span>
                                    </div>
                                }
                            }).collect_view()}
                        </div>
                    </div>
                    <div class="panel">
                        <h2>{app.t("analytics.at-risk")}</h2>
                        <p class="muted">{app.t("analytics.at-risk-help")} " (" {s.at_risk.len()} ")"</p>
                        <div class="table-scroll">
                            <table class="history">
                                <thead><tr>
                                    <th>"#"</th><th>{app.t("field.name")}</th>
                                    <th>{app.t("analytics.p-alive")}</th><th>{app.t("analytics.spend")}</th>
                                </tr></thead>
                                <tbody>
                                    {s.at_risk.iter().take(20).map(|(id, alive, spend)| {
                                        let id = *id;
                                        let name = app.workbook.with_untracked(|wb| wb.get(id).map(|r| r.customer.name.clone())).unwrap_or_default();
                                        view! {
                                            <tr data-testid="at-risk-row">
                                                <td>{id}</td>
                                                <td><button class="link" on:click=move |_| app.go(Page::Customer(id))>{name}</button></td>
                                                <td class="num">{format!("{:.0}%", alive * 100.0)}</td>
                                                <td class="num">{format_grouped(*spend)}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </div>
                }
            })}
        </section>
    }
}
