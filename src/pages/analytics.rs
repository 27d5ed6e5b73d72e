//! Analytics as of a chosen date: feedback (satisfaction, NPS, breakdowns, comment terms and
//! tone), the BG/NBD churn model, lifecycle stages with their rules, churn warnings with their
//! reasons, customers won back, customer value, RFM segments and campaigns. The Dashboard
//! draws the same analysis as charts.

use leptos::prelude::*;

use crate::analysis::{current_analysis, request_analysis, Analysis};
use crate::components::as_of_input::AsOfInput;
use crate::components::customer_link::customer_link;
use crate::components::key_terms::key_terms;
use crate::domain::insights::{at_risk, FeedbackFigures, Stage, RULES};
use crate::domain::money::format_grouped;
use crate::i18n::{lifecycle_rule, tr, warning_text, RULE_ORDER};
use crate::state::use_app;

/// A figure as the page shows it: plain decimals, or a dash when there is nothing to show.
fn decimal(value: Option<f64>, places: usize) -> String {
    value.map_or_else(|| "—".to_string(), |v| format!("{v:.places$}"))
}

#[derive(Clone, Copy, PartialEq)]
enum Breakdown {
    Tier,
    Product,
    Channel,
    Staff,
}

impl Breakdown {
    const ALL: [Breakdown; 4] = [Breakdown::Tier, Breakdown::Product, Breakdown::Channel, Breakdown::Staff];

    fn code(self) -> &'static str {
        match self {
            Breakdown::Tier => "tier",
            Breakdown::Product => "product",
            Breakdown::Channel => "channel",
            Breakdown::Staff => "staff",
        }
    }

    fn rows(self, a: &Analysis) -> &[(String, FeedbackFigures)] {
        match self {
            Breakdown::Tier => &a.insights.by_tier,
            Breakdown::Product => &a.insights.by_product,
            Breakdown::Channel => &a.insights.by_channel,
            Breakdown::Staff => &a.insights.by_staff,
        }
    }
}

#[component]
pub fn Analytics() -> impl IntoView {
    let app = use_app();
    Effect::new(move |_| {
        app.as_of.track();
        app.revision.track();
        app.scope.track();
        request_analysis(app);
    });
    let analysis = Memo::new(move |_| current_analysis(app));
    let breakdown = RwSignal::new(Breakdown::Tier);
    let term = RwSignal::new(None::<String>);

    let kpi = move |label: &'static str, testid: &'static str, value: String| {
        view! {
            <div class="kpi">
                <span class="kpi-label">{app.t(label)}</span>
                <span class="kpi-value" data-testid=testid>{value}</span>
            </div>
        }
    };

    let feedback = move |a: &Analysis| {
        let f = &a.insights.feedback;
        let n = f.nps();
        let t = &a.insights.terms;
        view! {
            <div class="panel">
                <h2>{app.t("analytics.feedback")}</h2>
                <p class="muted">{app.t("analytics.feedback-help")}</p>
                <div class="kpis">
                    {kpi("analytics.satisfaction", "avg-satisfaction", decimal(f.satisfaction(), 2))}
                    {kpi("analytics.nps", "nps-value", decimal(n.score, 1))}
                    {kpi("analytics.responses", "feedback-responses", f.responses.to_string())}
                    {kpi("analytics.promoters", "nps-promoters", n.promoters.to_string())}
                    {kpi("analytics.passives", "nps-passives", n.passives.to_string())}
                    {kpi("analytics.detractors", "nps-detractors", n.detractors.to_string())}
                </div>
                <h3>{app.t("analytics.tone")}</h3>
                <p class="muted">{app.t("analytics.tone-help")}</p>
                <div class="kpis">
                    {kpi("tone.positive", "tone-positive", t.positive.to_string())}
                    {kpi("tone.neutral", "tone-neutral", t.neutral.to_string())}
                    {kpi("tone.negative", "tone-negative", t.negative.to_string())}
                </div>
            </div>
        }
    };

    let breakdowns = move |a: &Analysis| {
        let a = a.clone();
        view! {
            <div class="panel">
                <label class="inline">
                    {app.t("analytics.breakdown")}
                    <select data-testid="feedback-breakdown" on:change=move |ev| {
                        let code = event_target_value(&ev);
                        if let Some(b) = Breakdown::ALL.into_iter().find(|b| b.code() == code) {
                            breakdown.set(b);
                        }
                    }>
                        {Breakdown::ALL.into_iter().map(|b| view! {
                            <option value=b.code() selected=move || breakdown.get() == b>{app.t(&format!("breakdown.{}", b.code()))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <div class="table-scroll">
                    <table class="history">
                        <thead><tr>
                            <th>{app.t("analytics.group")}</th><th class="num">{app.t("analytics.responses")}</th>
                            <th class="num">{app.t("analytics.satisfaction")}</th><th class="num">"NPS"</th>
                        </tr></thead>
                        <tbody>
                            {move || {
                                let lang = app.lang.get();
                                breakdown.get().rows(&a).iter().map(|(group, f)| {
                                    let label = if breakdown.get_untracked() == Breakdown::Tier {
                                        app.policy.with_untracked(|p| p.tiers.iter().find(|t| &t.id == group).map(|t| crate::i18n::tier_name(lang, t).to_string()))
                                    } else {
                                        None
                                    };
                                    let label = label.unwrap_or_else(|| if group.is_empty() { tr(lang, "analytics.unspecified").to_string() } else { group.clone() });
                                    view! {
                                        <tr data-testid="breakdown-row">
                                            <td>{label}</td>
                                            <td class="num">{f.responses}</td>
                                            <td class="num">{decimal(f.satisfaction(), 2)}</td>
                                            <td class="num">{decimal(f.nps().score, 1)}</td>
                                        </tr>
                                    }
                                }).collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
            </div>
        }
    };

    let model = move |a: &Analysis| {
        let fit = a.model.as_ref().and_then(|m| m.fit);
        let params = fit.map(|f| f.params);
        view! {
            <div class="panel">
                <h2>{app.t("analytics.bgnbd")}</h2>
                <p class="muted">{app.t("analytics.bgnbd-help")}</p>
                {a.model.is_none().then(|| view! { <p class="muted" data-testid="model-pending">{app.t("chart.model-pending")}</p> })}
                <div class="kpis">
                    {kpi("analytics.r", "bgnbd-r", decimal(params.map(|p| p.r), 4))}
                    {kpi("analytics.alpha", "bgnbd-alpha", decimal(params.map(|p| p.alpha), 4))}
                    {kpi("analytics.a", "bgnbd-a", decimal(params.map(|p| p.a), 4))}
                    {kpi("analytics.b", "bgnbd-b", decimal(params.map(|p| p.b), 4))}
                    {kpi("analytics.ll", "bgnbd-ll", decimal(fit.map(|f| f.log_likelihood), 1))}
                </div>
                <p class="muted">
                    {app.t("analytics.timing")} " "
                    <span data-testid="lifecycle-ms">{format!("{:.0}", a.profiles_ms)}</span> " ms (RFM + "
                    {app.t("analytics.lifecycle")} ") · "
                    <span data-testid="analysis-ms">{format!("{:.0}", a.insights_ms)}</span> " ms + "
                    <span data-testid="model-ms">{decimal(a.model_ms, 0)}</span> " ms"
                </p>
            </div>
        }
    };

    let lifecycle = move |a: &Analysis| {
        let lang = app.lang.get_untracked();
        view! {
            <div class="panel">
                <h2>{app.t("analytics.lifecycle")}</h2>
                <div class="kpis">
                    {a.insights.stages.iter().map(|(stage, n)| view! {
                        <div class="kpi">
                            <span class="kpi-label">{app.t(&format!("stage.{}", stage.code()))}</span>
                            <span class="kpi-value" data-testid="lifecycle-count" data-stage=stage.code()>{*n}</span>
                        </div>
                    }).collect_view()}
                </div>
                <h3>{app.t("analytics.rules")}</h3>
                <ol class="rules" data-testid="lifecycle-rules">
                    {RULE_ORDER.iter().map(|s| view! {
                        <li><strong>{app.t(&format!("stage.{}", s.code()))}</strong>" — "{lifecycle_rule(lang, *s, &RULES)}</li>
                    }).collect_view()}
                </ol>
            </div>
        }
    };

    let warnings = move |a: &Analysis| {
        let lang = app.lang.get_untracked();
        let rows = at_risk(&a.insights, a.model.as_deref());
        let total = rows.len();
        let won_back: Vec<_> = a.insights.profiles.iter().filter(|p| p.stage == Stage::WonBack).collect();
        view! {
            <div class="panel">
                <h2>{app.t("analytics.warnings")}</h2>
                <p class="muted">{app.t("analytics.warnings-help")} " (" <span data-testid="at-risk-count">{total}</span> ")"</p>
                <div class="table-scroll">
                    <table class="history">
                        <thead><tr>
                            <th>"#"</th><th>{app.t("field.name")}</th><th>{app.t("analytics.reasons")}</th>
                            <th class="num">{app.t("analytics.p-alive")}</th><th class="num">{app.t("analytics.value-at-risk")}</th>
                        </tr></thead>
                        <tbody>
                            {rows.iter().take(30).map(|(p, alive)| {
                                let mut reasons: Vec<String> = p.warnings.iter().map(|w| warning_text(lang, w)).collect();
                                if reasons.is_empty() {
                                    reasons.push(tr(lang, "analytics.at-risk-help").to_string());
                                }
                                view! {
                                    <tr data-testid="at-risk-row" data-customer-id=p.customer>
                                        <td>{p.customer}</td>
                                        <td>{customer_link(app, p.customer)}</td>
                                        <td>{reasons.join("；")}</td>
                                        <td class="num">{alive.map_or("—".into(), |a| format!("{:.0}%", a * 100.0))}</td>
                                        <td class="num">{format_grouped(p.yearly_value_cents)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <h3>{app.t("analytics.won-back")} " (" {won_back.len()} ")"</h3>
                <p class="muted">{app.t("analytics.won-back-help")}</p>
                <ul>
                    {won_back.iter().take(20).map(|p| view! {
                        <li data-testid="won-back-row" data-customer-id=p.customer>
                            {customer_link(app, p.customer)} " "
                            <span class="won-back">{app.t("stage.won-back")}</span> " "
                            {p.last_purchase.map(|d| d.to_string()).unwrap_or_default()}
                        </li>
                    }).collect_view()}
                </ul>
            </div>
        }
    };

    let value = move |a: &Analysis| {
        let model = a.model.clone()?;
        let mut rows: Vec<_> =
            a.insights.profiles.iter().filter_map(|p| Some((p, *model.customers.get(&p.customer)?))).collect();
        rows.sort_by(|x, y| {
            y.1.expected_value_cents.cmp(&x.1.expected_value_cents).then_with(|| x.0.customer.cmp(&y.0.customer))
        });
        Some(view! {
            <div class="panel">
                <h2>{app.t("analytics.value")}</h2>
                <p class="muted">{app.t("analytics.value-help")}</p>
                <div class="table-scroll">
                    <table class="history">
                        <thead><tr>
                            <th>{app.t("field.name")}</th><th class="num">{app.t("analytics.spend")}</th>
                            <th class="num">{app.t("analytics.aov")}</th><th class="num">{app.t("analytics.interval")}</th>
                            <th class="num">{app.t("analytics.p-alive")}</th><th class="num">{app.t("analytics.expected-purchases")}</th>
                            <th class="num">{app.t("analytics.expected-value")}</th>
                        </tr></thead>
                        <tbody>
                            {rows.iter().take(20).map(|(p, o)| view! {
                                <tr data-testid="value-row" data-customer-id=p.customer>
                                    <td>{customer_link(app, p.customer)}</td>
                                    <td class="num">{format_grouped(p.spend_cents)}</td>
                                    <td class="num">{p.average_order_cents().map(format_grouped).unwrap_or_default()}</td>
                                    <td class="num">{decimal(p.interval_days, 0)}</td>
                                    <td class="num">{format!("{:.0}%", o.p_alive * 100.0)}</td>
                                    <td class="num">{format!("{:.1}", o.expected_purchases)}</td>
                                    <td class="num" data-testid="expected-value">{format_grouped(o.expected_value_cents)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </div>
        })
    };

    let segments = move |a: &Analysis| {
        let mut segments: Vec<(crate::domain::analytics::Segment, usize)> = Vec::new();
        let mut classes: Vec<(crate::domain::analytics::ValueClass, usize)> = Vec::new();
        for row in &a.insights.rfm {
            match segments.iter_mut().find(|s| s.0 == row.segment) {
                Some(s) => s.1 += 1,
                None => segments.push((row.segment, 1)),
            }
            match classes.iter_mut().find(|c| c.0 == row.class) {
                Some(c) => c.1 += 1,
                None => classes.push((row.class, 1)),
            }
        }
        segments.sort_by_key(|s| std::cmp::Reverse(s.1));
        classes.sort_by_key(|c| std::cmp::Reverse(c.1));
        view! {
            <div class="panel">
                <h2>{app.t("analytics.segments")}</h2>
                <div class="table-scroll">
                    <table class="history">
                        <thead><tr><th>{app.t("analytics.segment")}</th><th class="num">{app.t("analytics.count")}</th></tr></thead>
                        <tbody>
                            {segments.into_iter().map(|(segment, n)| view! {
                                <tr data-testid="rfm-segment" data-segment=segment.code()>
                                    <td>{app.t(&format!("segment.{}", segment.code()))}</td>
                                    <td class="num">{n}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <h3>{app.t("analytics.classes")}</h3>
                <div class="kpis">
                    {classes.into_iter().map(|(class, n)| {
                        let key = format!("class.{class:?}").to_lowercase();
                        view! {
                            <div class="kpi">
                                <span class="kpi-label">{app.t(&key)}</span>
                                <span class="kpi-value" data-testid="value-class">{n}</span>
                            </div>
                        }
                    }).collect_view()}
                </div>
            </div>
        }
    };

    let campaigns = move |a: &Analysis| {
        let per_customer =
            |cents: i64, n: usize| if n == 0 { "—".to_string() } else { format_grouped(cents / n as i64) };
        view! {
            <div class="panel">
                <h2>{app.t("analytics.campaigns")}</h2>
                <p class="muted">{app.t("analytics.campaigns-help")}</p>
                <div class="table-scroll">
                    <table class="history">
                        <thead><tr>
                            <th>{app.t("campaign.name")}</th><th class="num">{app.t("campaign.invited")}</th>
                            <th class="num">{app.t("campaign.participants")}</th><th class="num">{app.t("campaign.redeemed")}</th>
                            <th class="num">{app.t("campaign.redemption")}</th><th class="num">{app.t("campaign.before")}</th>
                            <th class="num">{app.t("campaign.after")}</th><th class="num">{app.t("campaign.control")}</th>
                            <th class="num">{app.t("campaign.lift")}</th>
                        </tr></thead>
                        <tbody>
                            {a.campaigns.iter().map(|c| {
                                let p = &c.participant_window;
                                let o = &c.control_window;
                                let lift = match (p.lift_per_customer_cents(), o.lift_per_customer_cents()) {
                                    (Some(x), Some(y)) => format_grouped(x - y),
                                    _ => "—".into(),
                                };
                                view! {
                                    <tr data-testid="campaign-row">
                                        <td>{c.campaign.clone()}</td>
                                        <td class="num">{c.invited}</td>
                                        <td class="num">{c.participants}</td>
                                        <td class="num">{c.redeemed}</td>
                                        <td class="num">{format!("{:.0}%", c.redemption_rate() * 100.0)}</td>
                                        <td class="num">{per_customer(p.spend_before_cents, p.customers)}</td>
                                        <td class="num">{per_customer(p.spend_after_cents, p.customers)}</td>
                                        <td class="num">{per_customer(o.spend_before_cents, o.customers)} " / " {per_customer(o.spend_after_cents, o.customers)}</td>
                                        <td class="num">{lift}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </div>
        }
    };

    view! {
        <section class="page analytics">
            <h1>{move || app.t("nav.analytics")}</h1>
            <p class="muted" data-testid="analytics-carried-over">{move || app.t("analytics.carried-over")}</p>
            <div class="panel">
                <AsOfInput/>
                <Show when=move || analysis.with(|a| a.is_none())>
                    <p class="muted" data-testid="analysis-computing">{move || app.t("analytics.computing")}</p>
                </Show>
            </div>
            {move || {
                let _ = app.lang.get();
                analysis.get().map(|a| view! {
                    {feedback(&a)}
                    {breakdowns(&a)}
                    {key_terms(app, &a, term)}
                    {model(&a)}
                    {lifecycle(&a)}
                    {warnings(&a)}
                    {value(&a)}
                    {segments(&a)}
                    {campaigns(&a)}
                })
            }}
        </section>
    }
}
