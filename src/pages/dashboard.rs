//! Key figures of the workbook at a glance, and the dashboard charts as of the analysis date:
//! customers per tier, tier movements, spend by tier, the feedback trend, the RFM map, churn
//! risk, the lifecycle funnel and upcoming reviews. Each chart has its numbers as a table.

use charming::component::{Axis, Legend, VisualMap};
use charming::datatype::{DataPoint, DataPointItem};
use charming::element::{AxisType, ItemStyle, NameLocation, Orient, Tooltip, Trigger};
use charming::series::{Bar, Funnel, Heatmap, Line, Sankey, SankeyNode};
use charming::Chart;
use leptos::prelude::*;

use crate::analysis::{current_analysis, request_analysis, Analysis};
use crate::components::as_of_input::AsOfInput;
use crate::components::chart::ChartBox;
use crate::domain::customer_list::Status;
use crate::domain::money::format_grouped;
use crate::i18n::{tier_name, tr, Lang};
use crate::state::{today, use_app, AppState};

/// A tier id as people read it, with its colour; None is "no tier yet".
fn tier_label(app: AppState, lang: Lang, id: &Option<String>) -> (String, String) {
    app.policy.with_untracked(|p| match id.as_ref().and_then(|id| p.tiers.iter().find(|t| &t.id == id)) {
        Some(t) => (tier_name(lang, t).to_string(), t.colour.clone()),
        None => (tr(lang, "chart.no-tier").to_string(), "#9aa5b1".to_string()),
    })
}

/// Tier ids in the policy's order (lowest first), then anything else, then no tier.
fn tier_order(app: AppState, ids: impl Iterator<Item = Option<String>>) -> Vec<Option<String>> {
    let mut ids: Vec<Option<String>> = ids.collect();
    let rank = |id: &Option<String>| {
        app.policy.with_untracked(|p| match id {
            Some(id) => p.tiers.iter().position(|t| &t.id == id).unwrap_or(p.tiers.len()),
            None => usize::MAX,
        })
    };
    ids.sort_by_key(|id| (rank(id), id.clone()));
    ids.dedup();
    ids
}

fn month_label(month: (i32, u32)) -> String {
    format!("{}-{:02}", month.0, month.1)
}

fn yuan(cents: i64) -> f64 {
    (cents as f64 / 100.0).round()
}

fn value_axis() -> Axis {
    Axis::new().type_(AxisType::Value)
}

fn category_axis(labels: Vec<String>) -> Axis {
    Axis::new().type_(AxisType::Category).data(labels)
}

/// An x-axis title centred under the labels, where it is never cut off at the edge.
fn x_title(axis: Axis, title: &str) -> Axis {
    axis.name(title).name_location(NameLocation::Middle).name_gap(26)
}

fn tiers_chart(app: AppState, lang: Lang, a: &Analysis) -> Chart {
    let rows = tier_order(app, a.insights.tier_counts.iter().map(|t| t.0.clone()));
    let count = |id: &Option<String>| a.insights.tier_counts.iter().find(|t| &t.0 == id).map_or(0, |t| t.1);
    let data: Vec<DataPointItem> = rows
        .iter()
        .map(|id| {
            let (_, colour) = tier_label(app, lang, id);
            DataPointItem::new(count(id) as i64).item_style(ItemStyle::new().color(colour))
        })
        .collect();
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .x_axis(category_axis(rows.iter().map(|id| tier_label(app, lang, id).0).collect()))
        .y_axis(value_axis())
        .series(Bar::new().name(tr(lang, "analytics.count")).data(data))
}

/// Sankey nodes must not form cycles, so "before" and "now" are different nodes.
fn movement_names(app: AppState, lang: Lang, from: &Option<String>, to: &Option<String>) -> (String, String) {
    (
        format!("{} · {}", tier_label(app, lang, from).0, tr(lang, "chart.before")),
        format!("{} · {}", tier_label(app, lang, to).0, tr(lang, "chart.now")),
    )
}

fn movements_chart(app: AppState, lang: Lang, a: &Analysis) -> Chart {
    let moves = &a.insights.movements;
    let mut nodes: Vec<String> = Vec::new();
    for id in tier_order(app, moves.iter().map(|m| m.0.clone())) {
        nodes.push(movement_names(app, lang, &id, &None).0);
    }
    for id in tier_order(app, moves.iter().map(|m| m.1.clone())) {
        nodes.push(movement_names(app, lang, &None, &id).1);
    }
    let links: Vec<(String, String, f64)> = moves
        .iter()
        .map(|(from, to, n)| {
            let (a, b) = movement_names(app, lang, from, to);
            (a, b, *n as f64)
        })
        .collect();
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .series(Sankey::new().nodes(nodes.into_iter().map(SankeyNode::new).collect()).links(links))
}

fn spend_chart(app: AppState, lang: Lang, a: &Analysis) -> Chart {
    let months: Vec<String> = a.insights.months.iter().map(|m| month_label(*m)).collect();
    let mut chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().bottom(0))
        .x_axis(category_axis(months))
        .y_axis(value_axis().name("¥"));
    for id in tier_order(app, a.insights.spend_by_tier.iter().map(|t| t.0.clone())) {
        let Some((_, values)) = a.insights.spend_by_tier.iter().find(|t| t.0 == id) else { continue };
        let (name, colour) = tier_label(app, lang, &id);
        chart = chart.series(
            Bar::new()
                .name(name)
                .stack("spend")
                .item_style(ItemStyle::new().color(colour))
                .data(values.iter().map(|c| yuan(*c)).collect()),
        );
    }
    chart
}

fn feedback_chart(lang: Lang, a: &Analysis) -> Chart {
    let months: Vec<String> = a.insights.months.iter().map(|m| month_label(*m)).collect();
    let point = |v: Option<f64>| -> DataPoint {
        match v {
            Some(v) => DataPoint::from((v * 100.0).round() / 100.0),
            None => DataPoint::from("-"),
        }
    };
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().bottom(0))
        .x_axis(category_axis(months))
        .y_axis(value_axis().name("1–5").min(1).max(5))
        .y_axis(value_axis().name("NPS").min(-100).max(100))
        .series(
            Line::new()
                .name(tr(lang, "analytics.satisfaction"))
                .data(a.insights.feedback_trend.iter().map(|f| point(f.satisfaction())).collect()),
        )
        .series(
            Line::new()
                .name("NPS")
                .y_axis_index(1)
                .data(a.insights.feedback_trend.iter().map(|f| point(f.nps().score)).collect()),
        )
}

/// Customers per (R, F) score pair, as the RFM map draws and tabulates them.
fn rfm_grid(a: &Analysis) -> [[usize; 5]; 5] {
    let mut grid = [[0usize; 5]; 5];
    for row in &a.insights.rfm {
        grid[(row.r - 1) as usize][(row.f - 1) as usize] += 1;
    }
    grid
}

fn rfm_chart(lang: Lang, a: &Analysis) -> Chart {
    let grid = rfm_grid(a);
    let max = grid.iter().flatten().copied().max().unwrap_or(0).max(1);
    // One [x, y, value] triple per cell.
    let data: Vec<Vec<DataPoint>> = (0..5)
        .flat_map(|r| (0..5).map(move |f| (r, f)))
        .map(|(r, f)| vec![DataPoint::from(r as i64), DataPoint::from(f as i64), DataPoint::from(grid[r][f] as i64)])
        .collect();
    let scores: Vec<String> = (1..=5).map(|s| s.to_string()).collect();
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .x_axis(x_title(category_axis(scores.clone()), tr(lang, "chart.recency-score")))
        .y_axis(category_axis(scores).name(tr(lang, "chart.frequency-score")))
        .visual_map(
            VisualMap::new()
                .min(0)
                .max(max as f64)
                .calculable(true)
                .orient(Orient::Horizontal)
                .left("center")
                .bottom(0),
        )
        .series(Heatmap::new().name(tr(lang, "analytics.count")).data(data))
}

fn risk_labels() -> Vec<String> {
    (0..10).map(|i| format!("{}–{}%", i * 10, i * 10 + 10)).collect()
}

fn risk_chart(lang: Lang, buckets: &[usize; 10]) -> Chart {
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .x_axis(x_title(category_axis(risk_labels()), tr(lang, "analytics.p-alive")))
        .y_axis(value_axis())
        .series(Bar::new().name(tr(lang, "analytics.count")).data(buckets.iter().map(|n| *n as i64).collect()))
}

fn lifecycle_chart(lang: Lang, a: &Analysis) -> Chart {
    let data: Vec<DataPoint> = a
        .insights
        .stages
        .iter()
        .map(|(stage, n)| DataPoint::from((*n as i64, tr(lang, &format!("stage.{}", stage.code())))))
        .collect();
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .legend(Legend::new().bottom(0))
        .series(Funnel::new().name(tr(lang, "chart.lifecycle")).sort(charming::element::Sort::None).data(data))
}

fn review_weeks(a: &Analysis) -> Vec<String> {
    (0..a.insights.upcoming_reviews.len()).map(|w| a.as_of.plus_days(7 * w as i32).to_string()).collect()
}

fn reviews_chart(lang: Lang, a: &Analysis) -> Chart {
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .x_axis(x_title(category_axis(review_weeks(a)), tr(lang, "chart.week-from")))
        .y_axis(value_axis())
        .series(
            Bar::new()
                .name(tr(lang, "analytics.count"))
                .data(a.insights.upcoming_reviews.iter().map(|n| *n as i64).collect()),
        )
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let app = use_app();
    Effect::new(move |_| {
        app.as_of.track();
        app.revision.track();
        app.scope.track();
        request_analysis(app);
    });
    let analysis = Memo::new(move |_| current_analysis(app));
    let chart = move |build: fn(AppState, Lang, &Analysis) -> Chart| {
        Signal::derive(move || {
            let lang = app.lang.get();
            analysis.get().map(|a| build(app, lang, &a))
        })
    };
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
    // A table under a chart: header cells, then rows of cells, redrawn with the analysis.
    let table = move |head: fn(Lang) -> Vec<String>, rows: fn(AppState, Lang, &Analysis) -> Vec<Vec<String>>| {
        view! {
            <div class="table-scroll">
                <table class="history">
                    <thead><tr>{move || head(app.lang.get()).into_iter().map(|h| view! { <th>{h}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {move || {
                            let lang = app.lang.get();
                            analysis.get().map(|a| rows(app, lang, &a).into_iter().map(|cells| view! {
                                <tr>{cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
                            }).collect_view())
                        }}
                    </tbody>
                </table>
            </div>
        }
    };
    let risk = Signal::derive(move || {
        let lang = app.lang.get();
        analysis.get().and_then(|a| a.model.as_ref().map(|m| risk_chart(lang, &m.risk_buckets)))
    });
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
                                    <span class="kpi-label">{tier_name(lang, t).to_string()}</span>
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
            <div class="panel">
                <AsOfInput/>
                <Show when=move || analysis.with(|a| a.is_none())>
                    <p class="muted" data-testid="analysis-computing">{move || app.t("analytics.computing")}</p>
                </Show>
            </div>
            <div class="charts">
                <ChartBox testid="chart-tiers" title="chart.tiers" chart=chart(tiers_chart)>
                    {table(
                        |lang| vec![tr(lang, "tier.badge").into(), tr(lang, "analytics.count").into()],
                        |app, lang, a| tier_order(app, a.insights.tier_counts.iter().map(|t| t.0.clone())).iter().map(|id| {
                            let n = a.insights.tier_counts.iter().find(|t| &t.0 == id).map_or(0, |t| t.1);
                            vec![tier_label(app, lang, id).0, n.to_string()]
                        }).collect(),
                    )}
                </ChartBox>
                <ChartBox testid="chart-movements" title="chart.movements" chart=chart(movements_chart)>
                    {table(
                        |lang| vec![tr(lang, "chart.before").into(), tr(lang, "chart.now").into(), tr(lang, "analytics.count").into()],
                        |app, lang, a| a.insights.movements.iter().map(|(from, to, n)| {
                            vec![tier_label(app, lang, from).0, tier_label(app, lang, to).0, n.to_string()]
                        }).collect(),
                    )}
                    <p class="muted">{move || format!("{} {}", app.t("chart.movements-since"), analysis.get().map(|a| a.insights.movement_since.to_string()).unwrap_or_default())}</p>
                </ChartBox>
                <ChartBox testid="chart-spend-by-tier" title="chart.spend-by-tier" chart=chart(spend_chart)>
                    {table(
                        |lang| vec![tr(lang, "chart.month").into(), tr(lang, "tier.badge").into(), tr(lang, "analytics.spend").into()],
                        |app, lang, a| {
                            let tiers = tier_order(app, a.insights.spend_by_tier.iter().map(|t| t.0.clone()));
                            a.insights.months.iter().enumerate().flat_map(|(i, m)| {
                                tiers.iter().filter_map(move |id| {
                                    let cents = a.insights.spend_by_tier.iter().find(|t| &t.0 == id)?.1[i];
                                    Some(vec![month_label(*m), tier_label(app, lang, id).0, format_grouped(cents)])
                                })
                            }).collect()
                        },
                    )}
                </ChartBox>
                <ChartBox testid="chart-feedback-trend" title="chart.feedback-trend" chart=chart(|_, lang, a| feedback_chart(lang, a))>
                    {table(
                        |lang| vec![tr(lang, "chart.month").into(), tr(lang, "analytics.responses").into(), tr(lang, "analytics.satisfaction").into(), "NPS".into()],
                        |_, _, a| a.insights.months.iter().zip(&a.insights.feedback_trend).map(|(m, f)| vec![
                            month_label(*m),
                            f.responses.to_string(),
                            f.satisfaction().map_or("—".into(), |s| format!("{s:.2}")),
                            f.nps().score.map_or("—".into(), |s| format!("{s:.1}")),
                        ]).collect(),
                    )}
                </ChartBox>
                <ChartBox testid="chart-rfm" title="chart.rfm" chart=chart(|_, lang, a| rfm_chart(lang, a))>
                    {table(
                        |lang| vec![tr(lang, "chart.recency-score").into(), tr(lang, "chart.frequency-score").into(), tr(lang, "analytics.count").into()],
                        |_, _, a| {
                            let grid = rfm_grid(a);
                            (0..5).flat_map(|r| (0..5).map(move |f| vec![(r + 1).to_string(), (f + 1).to_string(), grid[r][f].to_string()])).collect()
                        },
                    )}
                </ChartBox>
                <ChartBox testid="chart-churn-risk" title="chart.churn-risk" chart=risk>
                    {table(
                        |lang| vec![tr(lang, "analytics.p-alive").into(), tr(lang, "analytics.count").into()],
                        |_, _, a| match &a.model {
                            Some(m) => risk_labels().into_iter().zip(m.risk_buckets).map(|(l, n)| vec![l, n.to_string()]).collect(),
                            None => Vec::new(),
                        },
                    )}
                </ChartBox>
                <ChartBox testid="chart-lifecycle" title="chart.lifecycle" chart=chart(|_, lang, a| lifecycle_chart(lang, a))>
                    {table(
                        |lang| vec![tr(lang, "chart.stage").into(), tr(lang, "analytics.count").into()],
                        |_, lang, a| a.insights.stages.iter().map(|(s, n)| vec![tr(lang, &format!("stage.{}", s.code())).into(), n.to_string()]).collect(),
                    )}
                </ChartBox>
                <ChartBox testid="chart-reviews" title="chart.reviews" chart=chart(|_, lang, a| reviews_chart(lang, a))>
                    {table(
                        |lang| vec![tr(lang, "chart.week-from").into(), tr(lang, "analytics.count").into()],
                        |_, _, a| review_weeks(a).into_iter().zip(&a.insights.upcoming_reviews).map(|(w, n)| vec![w, n.to_string()]).collect(),
                    )}
                </ChartBox>
            </div>
        </section>
    }
}
