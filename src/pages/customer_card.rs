//! The customer card, laid out as the seeds describe: basic information on top, the history
//! and contact log in the middle, notes at the bottom, with a colour-coded status.

use leptos::prelude::*;

use crate::components::campaigns::Campaigns;
use crate::components::feedback::FeedbackList;
use crate::components::interactions::Interactions;
use crate::components::points_panel::points_panel;
use crate::components::purchases::Purchases;
use crate::components::related::related_section;
use crate::components::tier_panel::tier_panel;
use crate::domain::customer_list::{CustomerSummary, Status};
use crate::domain::model::CustomerId;
use crate::domain::money::{format_grouped, format_plain};
use crate::domain::workbook::Change;
use crate::state::{today, use_app, Page};

#[component]
pub fn CustomerCard(id: CustomerId) -> impl IntoView {
    let app = use_app();
    let customer = Memo::new(move |_| app.workbook.with(|wb| wb.get(id).map(|r| r.customer.clone())));
    let summary = Memo::new(move |_| app.workbook.with(|wb| wb.get(id).map(CustomerSummary::of)));
    let confirming = RwSignal::new(false);

    let delete = move |_| {
        leptos::task::spawn_local(async move {
            if app.commit(vec![Change::DeleteCustomer { id }]).await {
                app.go(Page::Customers);
            }
        });
    };

    let info = move |key: &'static str, value: String| {
        (!value.is_empty()).then(|| {
            view! {
                <div class="info">
                    <dt>{app.t(key)}</dt>
                    <dd>{value}</dd>
                </div>
            }
        })
    };

    move || {
        let Some(c) = customer.get() else {
            return view! {
                <section class="page">
                    <p>{app.t("card.not-found")}</p>
                    <button class="secondary" on:click=move |_| app.go(Page::Customers)>{app.t("card.back")}</button>
                </section>
            }
            .into_any();
        };
        let status = summary.with(|s| s.as_ref().map_or(Status::New, |s| s.status(today())));
        let carried = app.workbook.with_untracked(|wb| wb.get(id).and_then(|r| r.tier.opening.clone()));
        let defs = app.custom_fields.get();
        let custom: Vec<(String, String)> =
            defs.iter().filter_map(|d| c.custom.get(&d.id).map(|v| (d.label.clone(), v.clone()))).collect();

        let gender = app.t(&format!("gender.{}", c.gender.code()));
        let day = |d: Option<crate::domain::day::Day>| d.map(|d| d.to_string()).unwrap_or_default();
        let referrer = c.referred_by.map(|r| {
            let (code, name) = app
                .workbook
                .with_untracked(|wb| wb.get(r).map(|x| (x.customer.code.clone(), x.customer.name.clone())))
                .unwrap_or_default();
            view! {
                <div class="info">
                    <dt>{app.t("card.referred-by")}</dt>
                    <dd>
                        <a class="link" href=crate::router::Navigator::href(Page::Customer(r))>{format!("{code} {name}")}</a>
                    </dd>
                </div>
            }
        });
        view! {
            <section class=format!("page card status-{}", status.code()) data-testid="customer-card" data-customer-id=id.to_string()>
                <div class="card-head">
                    <button class="link" on:click=move |_| app.go(Page::Customers)>{"← "}{app.t("card.back")}</button>
                    <h1>
                        <span class="card-name" data-testid="card-name">{c.name.clone()}</span>
                        " "
                        <span class="muted card-code" data-testid="card-code">{c.code.clone()}</span>
                    </h1>
                    <span class=format!("status-pill status-{}", status.code()) data-testid="customer-status" data-status=status.code()>
                        {app.t(&format!("status.{}", status.code()))}
                    </span>
                    <div class="head-actions">
                        <button class="secondary" data-testid="print-card" on:click=move |_| {
                            if let Some(window) = web_sys::window() {
                                let _ = window.print();
                            }
                        }>
                            {app.t("card.print")}
                        </button>
                        <button class="secondary" data-testid="edit-customer" on:click=move |_| app.go(Page::EditCustomer(Some(id)))>
                            {app.t("common.edit")}
                        </button>
                        <button class="danger" data-testid="delete-customer" on:click=move |_| confirming.set(true)>
                            {app.t("common.delete")}
                        </button>
                    </div>
                </div>
                <Show when=move || confirming.get()>
                    <div class="confirm" role="alertdialog">
                        <p>{app.t("card.confirm-delete")}</p>
                        <button class="danger" data-testid="confirm-delete" on:click=delete>{app.t("common.delete")}</button>
                        <button class="secondary" on:click=move |_| confirming.set(false)>{app.t("common.cancel")}</button>
                    </div>
                </Show>
                {tier_panel(id)}
                <crate::components::insight_panel::InsightPanel id=id/>
                <div class="card-top">
                    <div class="panel">
                        <h2>{app.t("card.basic")}</h2>
                        <dl class="info-grid">
                            {info("field.gender", if c.gender.code().is_empty() { String::new() } else { gender.to_string() })}
                            {info("field.birthday", day(c.birthday))}
                            {info("field.occupation", c.occupation.clone())}
                            {info("field.phone", c.phone.clone())}
                            {info("field.email", c.email.clone())}
                            {info("field.wechat", c.wechat.clone())}
                            {info("field.city", c.city.clone())}
                            {info("field.address", c.address.clone())}
                            {info("field.customer-since", day(c.customer_since))}
                            {info("field.source", c.source.clone())}
                            {referrer}
                            {info("field.account-manager", c.account_manager.clone())}
                            {info("field.influence", c.influence.to_string())}
                            {info("field.hobbies", c.hobbies.clone())}
                            {info("field.special-needs", c.special_needs.clone())}
                            {custom
                                .into_iter()
                                .map(|(label, value)| view! { <div class="info"><dt>{label}</dt><dd>{value}</dd></div> })
                                .collect_view()}
                        </dl>
                        <div class="tags">{c.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}</div>
                    </div>
                    <div class="panel totals">
                        <h2>{app.t("card.totals")}</h2>
                        {move || {
                            summary
                                .get()
                                .map(|s| {
                                    view! {
                                        <dl>
                                            <dt>{app.t("col.spend")}</dt>
                                            <dd class="big">"¥"<span data-testid="card-spend">{format_plain(s.spend_cents)}</span></dd>
                                            <dt>{app.t("col.purchases")}</dt>
                                            <dd class="big"><span data-testid="card-purchase-count">{s.purchase_count.to_string()}</span></dd>
                                            <dt>{app.t("col.last")}</dt>
                                            <dd>{s.last_purchase.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</dd>
                                        </dl>
                                        {carried.clone().map(|o| view! {
                                            <p class="muted carried-note" data-testid="card-carried-over">
                                                {crate::i18n::fill(app.t("card.carried-over"), &[
                                                    ("spend", format_grouped(o.spend_cents)),
                                                    ("purchases", o.purchases.to_string()),
                                                    ("date", o.as_of.to_string()),
                                                ])}
                                            </p>
                                        })}
                                    }
                                })
                        }}
                    </div>
                </div>
                <div class="card-middle">
                    <h2>{app.t("card.history")}</h2>
                    {related_section::<Purchases>(id)}
                    {points_panel(id)}
                    {related_section::<FeedbackList>(id)}
                    {related_section::<Interactions>(id)}
                    {related_section::<Campaigns>(id)}
                </div>
                <crate::components::privacy_panel::PrivacyPanel id=id/>
                <div class="card-bottom panel">
                    <h2>{app.t("card.notes")}</h2>
                    {if c.notes.is_empty() {
                        view! { <p class="muted">{app.t("card.none-yet")}</p> }.into_any()
                    } else {
                        view! { <p class="notes" data-testid="card-notes">{c.notes.clone()}</p> }.into_any()
                    }}
                </div>
            </section>
        }
        .into_any()
    }
}
