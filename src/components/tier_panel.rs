//! The customer's tier on the card: badge, next review, progress to the next tier with what is
//! missing, benefits, and the history of changes with their reasons.

use leptos::prelude::*;

use crate::domain::model::CustomerId;
use crate::domain::tiers::{metrics, progress};
use crate::i18n::{missing_text, reason_text, tier_name};
use crate::state::{today, use_app};

pub fn tier_panel(id: CustomerId) -> impl IntoView {
    let app = use_app();
    move || {
        let lang = app.lang.get();
        let policy = app.policy.get();
        app.workbook.with(|wb| {
            let record = wb.get(id)?;
            let state = &record.tier;
            let index = state.tier.as_deref().and_then(|t| policy.index_of(t));
            let tier = index.map(|i| &policy.tiers[i]);
            let m = metrics(record, &policy, app.referral_count(id), today());
            let next = index.and_then(|i| progress(&policy, i, &m));
            let (badge_id, badge_name, colour) = match tier {
                Some(t) => (t.id.clone(), tier_name(lang, t).to_string(), t.colour.clone()),
                None => (String::new(), app.t("tier.unrated").to_string(), "#7a7168".to_string()),
            };
            let next_name = index.and_then(|i| policy.tiers.get(i + 1)).map(|t| tier_name(lang, t).to_string());
            let window = policy.window_months;
            let history: Vec<_> = state.history.iter().rev().cloned().collect();
            let name_of = |tid: &Option<String>| {
                tid.as_deref()
                    .and_then(|t| policy.index_of(t).map(|i| tier_name(lang, &policy.tiers[i]).to_string()).or(Some(t.to_string())))
                    .unwrap_or_else(|| "—".into())
            };
            Some(view! {
                <div class="panel tier-panel">
                    <div class="tier-head">
                        <span class="tier-badge" data-testid="tier-badge" data-tier-id=badge_id style=format!("background: {colour}")>
                            {badge_name}
                        </span>
                        <span class="muted">{app.t("tier.next-review")} " "</span>
                        <span data-testid="next-review-date">{state.next_review.map(|d| d.to_string()).unwrap_or_default()}</span>
                        {state.manual.as_ref().map(|o| view! {
                            <span class="muted">{format!(" · {} {}", app.t("tier.manual-until"), o.until)}</span>
                        })}
                    </div>
                    {match (next, next_name) {
                        (Some((fraction, mode, missing)), Some(name)) => view! {
                            <div class="progress-line">
                                <span>{app.t("tier.to-next")} " " <strong>{name}</strong></span>
                                <div class="progress" data-testid="tier-progress" data-progress=format!("{fraction:.3}")>
                                    <div class="progress-fill" style=format!("width: {:.1}%; background: {colour}", fraction * 100.0)></div>
                                </div>
                                <span class="muted" data-testid="tier-missing">{missing_text(lang, mode, &missing, window)}</span>
                            </div>
                        }
                        .into_any(),
                        _ => view! { <p class="muted">{app.t("tier.top")}</p> }.into_any(),
                    }}
                    {tier.filter(|t| !t.benefits.is_empty()).map(|t| view! {
                        <div class="benefits">
                            <span class="muted">{app.t("tier.benefits")} ": "</span>
                            {t.benefits.iter().map(|b| view! { <span class="tag">{b.clone()}</span> }).collect_view()}
                        </div>
                    })}
                    {(!history.is_empty()).then(|| view! {
                        <details class="tier-history" open=true>
                            <summary>{app.t("tier.history")} " (" {history.len()} ")"</summary>
                            <table class="history">
                                <tbody>
                                    {history
                                        .iter()
                                        .map(|c| view! {
                                            <tr data-testid="tier-history-row">
                                                <td>{c.date.to_string()}</td>
                                                <td>{format!("{} → {}", name_of(&c.from), name_of(&Some(c.to.clone())))}</td>
                                                <td data-testid="tier-reason">{reason_text(lang, &c.reason, window)}</td>
                                            </tr>
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </details>
                    })}
                </div>
            })
        })
    }
}
