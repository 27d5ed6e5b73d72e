//! The customer's tier on the card: badge, next review, progress to the next tier with what is
//! missing, benefits, and the history of changes with their reasons.

use leptos::prelude::*;

use crate::domain::day::Day;
use crate::domain::forms::{FieldError, Problem};
use crate::domain::model::CustomerId;
use crate::domain::tiers::{metrics, progress, TierOverride, TierPolicy};
use crate::domain::workbook::Change;
use crate::i18n::{field_errors, missing_text, reason_text, tier_name};
use crate::state::{today, use_app};

/// Checks a manual tier: a tier of the policy, a reason, and an end date from today on.
fn check_override(
    tier: &str,
    reason: &str,
    until: &str,
    policy: &TierPolicy,
    today: Day,
) -> Result<TierOverride, Vec<FieldError>> {
    let mut errors = Vec::new();
    let fail = |field: &str, problem| FieldError { field: field.into(), problem };
    if policy.index_of(tier).is_none() {
        errors.push(fail("override-tier", Problem::UnknownChoice));
    }
    if reason.trim().is_empty() {
        errors.push(fail("override-reason", Problem::Required));
    }
    let until = match Day::parse_iso(until) {
        None if until.trim().is_empty() => {
            errors.push(fail("override-until", Problem::Required));
            today
        }
        None => {
            errors.push(fail("override-until", Problem::InvalidDate));
            today
        }
        Some(d) if d < today => {
            errors.push(fail("override-until", Problem::BeforeDate(today.to_string())));
            d
        }
        Some(d) => d,
    };
    if errors.is_empty() {
        Ok(TierOverride { tier: tier.to_string(), reason: reason.trim().to_string(), until })
    } else {
        Err(errors)
    }
}

fn override_form(id: CustomerId) -> impl IntoView {
    let app = use_app();
    let open = RwSignal::new(false);
    let tier = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let manual = Memo::new(move |_| app.workbook.with(|wb| wb.get(id).and_then(|r| r.tier.manual.clone())));
    let save = move |_| {
        let checked = app.policy.with_untracked(|p| {
            check_override(&tier.get_untracked(), &reason.get_untracked(), &until.get_untracked(), p, today())
        });
        match checked {
            Err(errors) => app.show_error(field_errors(app.lang.get_untracked(), &errors, &[])),
            Ok(manual) => leptos::task::spawn_local(async move {
                let change = Change::SetManualTier { customer_id: id, manual: Some(manual), date: today() };
                if app.commit(vec![change]).await {
                    open.set(false);
                }
            }),
        }
    };
    let end = move |_| {
        leptos::task::spawn_local(async move {
            app.commit(vec![Change::SetManualTier { customer_id: id, manual: None, date: today() }]).await;
        });
    };
    view! {
        <div class="override">
            <button class="link" data-testid="override-tier" on:click=move |_| {
                tier.set(app.policy.with_untracked(|p| p.tiers.last().map(|t| t.id.clone()).unwrap_or_default()));
                open.set(true);
            }>{move || app.t("tier.override")}</button>
            <Show when=move || manual.with(Option::is_some)>
                <button class="link" data-testid="end-override" on:click=end>{move || app.t("tier.end-override")}</button>
            </Show>
            <Show when=move || open.get()>
                <div class="inline-form">
                    <div class="form-grid">
                        <label class="field">
                            <span>{move || app.t("field.override-tier")}</span>
                            <select data-testid="override-tier-id" prop:value=tier on:change=move |ev| tier.set(event_target_value(&ev))>
                                {move || {
                                    let lang = app.lang.get();
                                    app.policy.with(|p| p.tiers.iter().map(|t| view! { <option value=t.id.clone()>{tier_name(lang, t).to_string()}</option> }).collect_view())
                                }}
                            </select>
                        </label>
                        <label class="field">
                            <span>{move || app.t("field.override-reason")}</span>
                            <input data-testid="override-reason" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))/>
                        </label>
                        <label class="field">
                            <span>{move || app.t("field.override-until")}</span>
                            <input type="date" data-testid="override-until" prop:value=until on:input=move |ev| until.set(event_target_value(&ev))/>
                        </label>
                    </div>
                    <div class="actions">
                        <button class="primary" data-testid="save-override" disabled=move || app.saving.get() on:click=save>{move || app.t("common.save")}</button>
                        <button class="secondary" on:click=move |_| open.set(false)>{move || app.t("common.cancel")}</button>
                    </div>
                </div>
            </Show>
        </div>
    }
}

pub fn tier_panel(id: CustomerId) -> impl IntoView {
    let app = use_app();
    let panel = move || {
        let lang = app.lang.get();
        let policy = app.policy.get();
        app.workbook.with(|wb| {
            let record = wb.get(id)?;
            let state = &record.tier;
            let index = state.tier.as_deref().and_then(|t| policy.index_of(t));
            let tier = index.map(|i| &policy.tiers[i]);
            let m = metrics(record, &policy, &app.referral_dates(id), today());
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
                        <span class="tier-badge" data-testid="tier-badge" data-tier-id=badge_id style=format!("background: {colour}; color: {}", crate::domain::colour::ink_on(&colour))>
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
                    {override_form(id)}
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
    };
    panel
}
