//! Privacy on the customer card: marketing consent (withdrawn in one click, recorded), the
//! customer's own data as JSON (PIPL Art. 45 / GDPR Art. 20), erasure (PIPL Art. 47 / GDPR
//! Art. 17) and the audit trail of what changed in the file.

use leptos::prelude::*;

use crate::domain::model::CustomerId;
use crate::domain::workbook::Change;
use crate::files::download;
use crate::state::{today, use_app, Page};

#[component]
pub fn PrivacyPanel(id: CustomerId) -> impl IntoView {
    let app = use_app();
    let erasing = RwSignal::new(false);
    let record = Memo::new(move |_| app.workbook.with(|wb| wb.get(id).cloned()));

    let withdraw = move |_| {
        let Some(mut customer) = record.with_untracked(|r| r.as_ref().map(|r| r.customer.clone())) else { return };
        let base = Some(customer.updated_at);
        customer.marketing_consent = false;
        customer.consent_date = Some(today());
        leptos::task::spawn_local(async move {
            app.commit(vec![Change::SaveCustomer { customer: Box::new(customer), base }]).await;
        });
    };
    let export = move |_| {
        let Some(json) = record.with_untracked(|r| r.as_ref().and_then(|r| serde_json::to_string_pretty(r).ok()))
        else {
            return;
        };
        if download(&format!("customer-{id}.json"), "application/json", json.as_bytes()).is_err() {
            app.show_error(app.t("error.storage").to_string());
        }
    };
    let erase = move |_| {
        leptos::task::spawn_local(async move {
            if app.erase(id).await {
                app.go(Page::Customers);
            }
        });
    };

    move || {
        let r = record.get()?;
        let c = &r.customer;
        let mut consent = format!(
            "{} {}",
            app.t(if c.marketing_consent { "card.consent-yes" } else { "card.consent-no" }),
            c.consent_date.map(|d| d.to_string()).unwrap_or_default()
        );
        if !c.consent_source.is_empty() {
            consent.push_str(&format!(" · {} {}", app.t("field.consent-source"), c.consent_source));
        }
        let when = |ms: i64| {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
            format!(
                "{} {:02}:{:02}",
                crate::domain::day::Day::from_millis(ms - date.get_timezone_offset() as i64 * 60_000),
                date.get_hours(),
                date.get_minutes()
            )
        };
        Some(view! {
            <div class="panel privacy" data-testid="privacy-panel">
                <h2>{app.t("privacy.title")}</h2>
                <p>
                    <span data-testid="consent-status" data-consent=c.marketing_consent.to_string()>{consent}</span> " "
                    {c.marketing_consent.then(|| view! {
                        <button class="secondary" data-testid="withdraw-consent" on:click=withdraw>{app.t("privacy.withdraw")}</button>
                    })}
                </p>
                <p>
                    <button class="secondary" data-testid="export-customer" on:click=export>{app.t("privacy.export")}</button> " "
                    <button class="danger" data-testid="erase-customer" on:click=move |_| erasing.set(true)>{app.t("privacy.erase")}</button>
                </p>
                <Show when=move || erasing.get()>
                    <div class="confirm" role="alertdialog">
                        <p>{app.t("privacy.erase-confirm")}</p>
                        <button class="danger" data-testid="confirm-erase" on:click=erase>{app.t("privacy.erase")}</button>
                        <button class="secondary" on:click=move |_| erasing.set(false)>{app.t("common.cancel")}</button>
                    </div>
                </Show>
                <details data-testid="audit-trail">
                    <summary>{format!("{} ({})", app.t("privacy.audit"), r.audit.len())}</summary>
                    <div class="table-scroll">
                        <table class="history">
                            <thead><tr>
                                <th>{app.t("privacy.when")}</th><th>{app.t("privacy.what")}</th>
                                <th>{app.t("privacy.before")}</th><th>{app.t("privacy.after")}</th>
                            </tr></thead>
                            <tbody>
                                {r.audit.iter().rev().map(|e| view! {
                                    <tr data-testid="audit-row" data-what=e.what.clone()>
                                        <td>{when(e.at)}</td>
                                        <td>{e.what.clone()}</td>
                                        <td class="audit-value">{e.before.clone()}</td>
                                        <td class="audit-value">{e.after.clone()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </details>
            </div>
        })
    }
}
