//! Points on the customer card: the balance, the ledger (earned, redeemed, expired) and
//! redeeming points with a note.

use leptos::prelude::*;

use crate::domain::day::Day;
use crate::domain::forms::{FieldError, Problem};
use crate::domain::model::CustomerId;
use crate::domain::points::{ledger, Redemption};
use crate::domain::workbook::Change;
use crate::i18n::field_errors;
use crate::state::{today, use_app};

const FIRST_ROWS: usize = 10;

/// Checks a redemption against the balance; the errors name the fields.
fn check_redemption(amount: &str, note: &str, balance: i64, date: Day) -> Result<Redemption, Vec<FieldError>> {
    let mut errors = Vec::new();
    let fail = |field: &str, problem| FieldError { field: field.into(), problem };
    let points = match amount.trim().parse::<i64>() {
        _ if amount.trim().is_empty() => {
            errors.push(fail("redeem-amount", Problem::Required));
            0
        }
        Ok(p) if p >= 1 && p <= balance => p,
        Ok(_) => {
            errors.push(fail("redeem-amount", Problem::OutOfRange(1, balance.max(0))));
            0
        }
        Err(_) => {
            errors.push(fail("redeem-amount", Problem::NotANumber));
            0
        }
    };
    if note.trim().is_empty() {
        errors.push(fail("redeem-note", Problem::Required));
    }
    if errors.is_empty() {
        let id = (js_sys::Math::random() * 9.0e15) as u64 + 1;
        Ok(Redemption { id, date, points, note: note.trim().to_string() })
    } else {
        Err(errors)
    }
}

pub fn points_panel(id: CustomerId) -> impl IntoView {
    let app = use_app();
    let redeeming = RwSignal::new(false);
    let show_all = RwSignal::new(false);
    let amount = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let figures = Memo::new(move |_| {
        let policy = app.policy.get();
        let referrals = app.referral_dates(id);
        app.workbook.with(|wb| wb.get(id).map(|r| ledger(r, &policy, &referrals, today())))
    });
    let balance = move || figures.with(|f| f.as_ref().map_or(0, |(_, b)| *b));

    let save = move |_| match check_redemption(&amount.get_untracked(), &note.get_untracked(), balance(), today()) {
        Err(errors) => app.show_error(field_errors(app.lang.get_untracked(), &errors, &[])),
        Ok(redemption) => leptos::task::spawn_local(async move {
            if app.commit(vec![Change::Redeem { customer_id: id, redemption }]).await {
                redeeming.set(false);
                amount.set(String::new());
                note.set(String::new());
            }
        }),
    };

    view! {
        <section class="history-section points">
            <div class="section-head">
                <h3>{move || app.t("points.title")} " · " {move || app.t("points.balance")} " "
                    <span class="big-number" data-testid="points-balance">{move || balance().to_string()}</span>
                </h3>
                <button class="secondary" data-testid="redeem-points" on:click=move |_| redeeming.set(true)>
                    {move || app.t("points.redeem")}
                </button>
            </div>
            <Show when=move || redeeming.get()>
                <div class="inline-form">
                    <div class="form-grid">
                        <label class="field">
                            <span>{move || app.t("field.redeem-amount")}</span>
                            <input type="number" data-testid="redeem-amount" prop:value=amount on:input=move |ev| amount.set(event_target_value(&ev))/>
                        </label>
                        <label class="field">
                            <span>{move || app.t("field.redeem-note")}</span>
                            <input data-testid="redeem-note" prop:value=note on:input=move |ev| note.set(event_target_value(&ev))/>
                        </label>
                    </div>
                    <div class="actions">
                        <button class="primary" data-testid="save-redemption" disabled=move || app.saving.get() on:click=save>
                            {move || app.t("common.save")}
                        </button>
                        <button class="secondary" on:click=move |_| redeeming.set(false)>{move || app.t("common.cancel")}</button>
                    </div>
                </div>
            </Show>
            {move || {
                let entries = figures.with(|f| f.as_ref().map(|(e, _)| e.clone()).unwrap_or_default());
                if entries.is_empty() {
                    return view! { <p class="muted">{app.t("points.none")}</p> }.into_any();
                }
                let total = entries.len();
                let limit = if show_all.get() { usize::MAX } else { FIRST_ROWS };
                view! {
                    <table class="history">
                        <tbody>
                            {entries
                                .into_iter()
                                .rev()
                                .take(limit)
                                .map(|e| view! {
                                    <tr data-testid="points-row" data-kind=e.kind.code()>
                                        <td>{e.date.to_string()}</td>
                                        <td>{app.t(&format!("points.kind.{}", e.kind.code()))}</td>
                                        <td class=if e.points < 0 { "num minus" } else { "num plus" }>
                                            {if e.points > 0 { format!("+{}", e.points) } else { e.points.to_string() }}
                                        </td>
                                        <td>{e.note}</td>
                                    </tr>
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    {(total > limit).then(|| view! {
                        <button class="link" on:click=move |_| show_all.set(true)>{format!("{} ({total})", app.t("card.show-all"))}</button>
                    })}
                }
                .into_any()
            }}
        </section>
    }
}
