//! A customer's place in the analysis, on their card: RFM segment and value class, lifecycle
//! stage, warnings with their reasons, and value (spend, average order, interval, expected
//! 12-month value once the model is fitted). Shows the latest analysis; only when there is
//! none yet does opening a card start one, so saving on a card never waits for a re-analysis.

use leptos::prelude::*;

use crate::analysis::request_analysis;
use crate::domain::model::CustomerId;
use crate::domain::money::format_grouped;
use crate::i18n::warning_text;
use crate::state::{use_app, Page};

#[component]
pub fn InsightPanel(id: CustomerId) -> impl IntoView {
    let app = use_app();
    if app.analysis.with_untracked(Option::is_none) {
        request_analysis(app);
    }
    move || {
        let lang = app.lang.get();
        let analysis = app.analysis.get()?;
        let profile = analysis.insights.profiles.iter().find(|p| p.customer == id)?.clone();
        let rfm = analysis.insights.rfm.iter().find(|r| r.customer == id).cloned();
        let outlook = analysis.model.as_ref().and_then(|m| m.customers.get(&id).copied());
        let stage = profile.stage.code();
        Some(view! {
            <div class="panel" data-testid="customer-insight">
                <h2>{app.t("analytics.value")}</h2>
                <p class="muted">
                    {app.t("analytics.as-of")} " " {analysis.as_of.to_string()} " · "
                    <button class="link" on:click=move |_| app.go(Page::Analytics)>{app.t("nav.analytics")}</button>
                </p>
                <dl class="info-grid">
                    <div class="info">
                        <dt>{app.t("analytics.segment-filter")}</dt>
                        <dd data-testid="customer-segment" data-segment=rfm.as_ref().map(|r| r.segment.code()).unwrap_or_default()>
                            {rfm.as_ref().map(|r| format!("{} · {} (R{} F{} M{})",
                                app.t(&format!("segment.{}", r.segment.code())),
                                app.t(&format!("class.{:?}", r.class).to_lowercase()), r.r, r.f, r.m)).unwrap_or_else(|| "—".into())}
                        </dd>
                    </div>
                    <div class="info">
                        <dt>{app.t("analytics.stage")}</dt>
                        <dd data-testid="customer-stage" data-stage=stage>{app.t(&format!("stage.{stage}"))}</dd>
                    </div>
                    <div class="info"><dt>{app.t("analytics.spend")}</dt><dd>{format_grouped(profile.spend_cents)}</dd></div>
                    <div class="info"><dt>{app.t("analytics.aov")}</dt><dd>{profile.average_order_cents().map(format_grouped).unwrap_or_default()}</dd></div>
                    <div class="info"><dt>{app.t("analytics.interval")}</dt><dd>{profile.interval_days.map(|d| format!("{d:.0}")).unwrap_or_default()}</dd></div>
                    <div class="info"><dt>{app.t("analytics.p-alive")}</dt><dd>{outlook.map(|o| format!("{:.0}%", o.p_alive * 100.0)).unwrap_or_default()}</dd></div>
                    <div class="info"><dt>{app.t("analytics.expected-value")}</dt><dd>{outlook.map(|o| format_grouped(o.expected_value_cents)).unwrap_or_default()}</dd></div>
                </dl>
                {(!profile.warnings.is_empty()).then(|| view! {
                    <ul class="warnings" data-testid="customer-warnings">
                        {profile.warnings.iter().map(|w| view! { <li>{warning_text(lang, w)}</li> }).collect_view()}
                    </ul>
                })}
            </div>
        })
    }
}
