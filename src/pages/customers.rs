//! The customers list: search as you type, filters, sorting, and a virtual list that renders
//! only the rows in view, so it stays smooth at 100,000 customers.

use std::collections::HashSet;

use leptos::prelude::*;

use crate::analysis::{current_analysis, request_analysis};
use crate::domain::analytics::SEGMENTS;
use crate::domain::insights::Stage;
use crate::domain::model::CustomerId;

use crate::domain::customer_list::{facet_values, filter, sorted, ListQuery, SearchText, SortKey, Status};
use crate::domain::demo;
use crate::domain::money::format_grouped;
use crate::domain::workbook::Change;
use crate::router::{use_navigator, Navigator};
use crate::state::{today, use_app, Page};

const ROW_HEIGHT: f64 = 44.0;
/// Rows rendered beyond the visible ones, so fast scrolling shows no blank gap.
const OVERSCAN: usize = 10;
/// Sets `value` to `new`; true if that changed it (for `maybe_update`).
fn replace(value: &mut String, new: String) -> bool {
    let changed = *value != new;
    *value = new;
    changed
}

/// Enough rows for a tall screen; the list's own height is set in CSS.
const VISIBLE_ROWS: usize = 30;

#[component]
pub fn Customers() -> impl IntoView {
    let app = use_app();
    // The search text and filters live in the URL: a filtered list can be bookmarked, and Back
    // from a card returns to the list as it was.
    let nav = use_navigator();
    let params = nav.route.with_untracked(|r| r.params.clone());
    let query = RwSignal::new(ListQuery::from_params(&params));
    let param = |params: &[(String, String)], key: &str| {
        params.iter().find(|(k, _)| k == key).map_or_else(String::new, |(_, v)| v.clone())
    };
    let scroll_top = RwSignal::new(0.0);
    // Segment and stage come from the shared analysis, worked out when one of them is chosen.
    let segment = RwSignal::new(param(&params, "segment"));
    let stage = RwSignal::new(param(&params, "stage"));
    Effect::new(move |_| {
        let Some(params) = nav.route.with(|r| (r.page == Page::Customers).then(|| r.params.clone())) else {
            return;
        };
        let from_url = ListQuery::from_params(&params);
        if query.with_untracked(|q| *q != from_url) {
            query.set(from_url);
        }
        segment.maybe_update(|s| replace(s, param(&params, "segment")));
        stage.maybe_update(|s| replace(s, param(&params, "stage")));
    });
    Effect::new(move |before: Option<(ListQuery, String, String)>| {
        let now = (query.get(), segment.get(), stage.get());
        let mut params = now.0.to_params();
        params.push(("segment".into(), now.1.clone()));
        params.push(("stage".into(), now.2.clone()));
        // Typing follows in the address bar once it pauses; a sort or filter at once.
        let typed = before.is_some_and(|(q, seg, st)| {
            ListQuery { text: now.0.text.clone(), ..q } == now.0 && seg == now.1 && st == now.2
        });
        if typed {
            nav.set_params_soon(params);
        } else {
            nav.set_params(params);
        }
        now
    });
    Effect::new(move |_| {
        if !segment.get().is_empty() || !stage.get().is_empty() {
            app.as_of.track();
            app.revision.track();
            app.scope.track();
            request_analysis(app);
        }
    });
    let members = Memo::new(move |_| {
        let (segment, stage) = (segment.get(), stage.get());
        if segment.is_empty() && stage.is_empty() {
            return None;
        }
        let analysis = current_analysis(app);
        Some(analysis.map_or_else(HashSet::new, |a| {
            a.by_customer
                .iter()
                .filter(|(_, (seg, st))| {
                    (segment.is_empty() || seg.is_some_and(|s| s.code() == segment))
                        && (stage.is_empty() || st.code() == stage)
                })
                .map(|(id, _)| *id)
                .collect::<HashSet<CustomerId>>()
        }))
    });
    // A segment or stage filter waits for the analysis (its code is fetched on first use): the
    // count says so instead of showing an empty list as the answer.
    let analysing = Memo::new(move |_| {
        (!segment.with(String::is_empty) || !stage.with(String::is_empty)) && current_analysis(app).is_none()
    });
    // Sorted once per change of the data or of the order; a keystroke only filters.
    let sort = Memo::new(move |_| query.with(|q| (q.sort, q.descending)));
    let order = Memo::new(move |_| {
        let (key, descending) = sort.get();
        app.summaries.with(|s| sorted(s, key, descending))
    });
    let search = Memo::new(move |_| app.summaries.with(|s| SearchText::of(s)));
    let rows = Memo::new(move |_| {
        let mut rows =
            app.summaries.with(|s| order.with(|o| search.with(|text| query.with(|q| filter(s, o, text, q, today())))));
        members.with(|members| {
            if let Some(members) = members {
                app.summaries.with(|s| rows.retain(|r| members.contains(&s[r.0 as usize][r.1 as usize].id)));
            }
        });
        rows
    });
    let cities = Memo::new(move |_| app.summaries.with(|s| facet_values(s, |r| vec![r.city.as_str()])));
    let tags =
        Memo::new(move |_| app.summaries.with(|s| facet_values(s, |r| r.tags.iter().map(String::as_str).collect())));
    let is_empty = Memo::new(move |_| app.summaries.with(|s| s.iter().all(Vec::is_empty)));

    let load_demo = move |_| {
        let format = crate::storage::settings::code_format();
        let seed = crate::state::random_seed();
        let records = app.workbook.with_untracked(|wb| demo::for_workbook(wb, 300, 2_400, today(), seed, &format));
        let changes = records.into_iter().map(|r| Change::InsertRecord(Box::new(r))).collect();
        leptos::task::spawn_local(async move {
            app.commit(changes).await;
        });
    };

    let sort_header = move |key: SortKey, label: &'static str, class: &'static str| {
        let arrow = move || {
            query.with(|q| match (q.sort == key, q.descending) {
                (true, false) => " ▲",
                (true, true) => " ▼",
                _ => "",
            })
        };
        view! {
            <button
                class=format!("col {class} sortable")
                data-sort=format!("{key:?}")
                on:click=move |_| {
                    query.update(|q| {
                        q.descending = q.sort == key && !q.descending;
                        q.sort = key;
                    })
                }
            >
                {move || app.t(label)}
                {arrow}
            </button>
        }
    };

    // A tier's name in its colour, as the list shows it. Tracked: the rows are drawn again
    // when the language or the tiers' names and colours change.
    let tier_chip = move |id: Option<&str>| {
        let lang = app.lang.get();
        app.policy.with(|p| {
            id.and_then(|id| p.index_of(id)).map(|i| {
                let t = &p.tiers[i];
                view! { <span class="tier-chip" style=format!("background: {}; color: {}", t.colour, crate::domain::colour::ink_on(&t.colour))>{crate::i18n::tier_name(lang, t).to_string()}</span> }
            })
        })
    };

    let visible_rows = move || {
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let day = today();
        rows.with(|rows| {
            app.summaries.with(|shards| {
                rows.iter()
                    .enumerate()
                    .skip(first)
                    .take(VISIBLE_ROWS + 2 * OVERSCAN)
                    .map(|(position, &(s, i))| {
                        let row = &shards[s as usize][i as usize];
                        let id = row.id;
                        let status = row.status(day);
                        view! {
                            <a
                                class="row"
                                data-testid="customer-row"
                                data-customer-id=id.to_string()
                                data-customer-code=row.code.clone()
                                href=Navigator::href(Page::Customer(id))
                                style=format!("transform: translateY({}px)", position as f64 * ROW_HEIGHT)
                            >
                                <span class="col id">{row.code.clone()}</span>
                                <span class="col name">
                                    <span class=format!("dot status-{}", status.code())></span>
                                    {row.name.clone()}
                                </span>
                                <span class="col phone">{row.phone.clone()}</span>
                                <span class="col city">{row.city.clone()}</span>
                                <span class="col num">{format_grouped(row.spend_cents)}</span>
                                <span class="col num">{row.purchase_count.to_string()}</span>
                                <span class="col date">{row.last_purchase.map(|d| d.to_string()).unwrap_or_default()}</span>
                                <span class="col tier">{tier_chip(row.tier.as_deref())}</span>
                            </a>
                        }
                    })
                    .collect_view()
            })
        })
    };

    view! {
        <section class="page customers">
            <div class="page-head">
                <h1>{move || app.t("nav.customers")}</h1>
                <p class="count-line">
                    <span data-testid="customer-count" aria-busy=move || analysing.get().to_string()>
                        {move || if analysing.get() { "…".to_string() } else { rows.with(Vec::len).to_string() }}
                    </span>
                    " "
                    {move || {
                        if analysing.get() {
                            app.t("analytics.computing")
                        } else {
                            app.t_count("list.count", rows.with(Vec::len) as u64)
                        }
                    }}
                </p>
                <div class="head-actions">
                    <button class="secondary" data-testid="load-demo" disabled=move || app.saving.get() on:click=load_demo>
                        {move || app.t("list.demo")}
                    </button>
                    <button class="primary" data-testid="new-customer" on:click=move |_| app.go(Page::EditCustomer(None))>
                        {move || app.t("list.new")}
                    </button>
                </div>
            </div>
            <div class="filters">
                <input
                    class="search"
                    type="search"
                    data-testid="customer-search"
                    aria-label=move || app.t("list.search")
                    placeholder=move || app.t("list.search")
                    prop:value=move || query.with(|q| q.text.clone())
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        query.update(|q| q.text = text);
                    }
                    // Leaving the box (a row clicked, Enter): the address bar has it before
                    // the next page's history entry.
                    on:change=move |_| nav.write_pending_url()
                />
                <select data-testid="filter-city" aria-label=move || app.t("list.city") prop:value=move || query.with(|q| q.city.clone()) on:change=move |ev| query.update(|q| q.city = event_target_value(&ev))>
                    <option value="">{move || format!("{}: {}", app.t("list.city"), app.t("common.all"))}</option>
                    {move || cities.get().into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                </select>
                <select data-testid="filter-tag" aria-label=move || app.t("list.tag") prop:value=move || query.with(|q| q.tag.clone()) on:change=move |ev| query.update(|q| q.tag = event_target_value(&ev))>
                    <option value="">{move || format!("{}: {}", app.t("list.tag"), app.t("common.all"))}</option>
                    {move || tags.get().into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                </select>
                <select data-testid="filter-tier" aria-label=move || app.t("tier.badge") prop:value=move || query.with(|q| q.tier.clone()) on:change=move |ev| query.update(|q| q.tier = event_target_value(&ev))>
                    <option value="">{move || format!("{}: {}", app.t("tier.badge"), app.t("common.all"))}</option>
                    {move || {
                        let lang = app.lang.get();
                        app.policy.with(|p| {
                            p.tiers
                                .iter()
                                .rev()
                                .map(|t| view! { <option value=t.id.clone()>{crate::i18n::tier_name(lang, t).to_string()}</option> })
                                .collect_view()
                        })
                    }}
                </select>
                <label class="inline">
                    <input type="checkbox" data-testid="filter-consent" prop:checked=move || query.with(|q| q.consent_only) on:change=move |ev| query.update(|q| q.consent_only = event_target_checked(&ev))/>
                    {move || app.t("list.consenting")}
                </label>
                <select data-testid="filter-segment" aria-label=move || app.t("analytics.segment-filter") prop:value=move || segment.get() on:change=move |ev| segment.set(event_target_value(&ev))>
                    <option value="">{move || format!("{}: {}", app.t("analytics.segment-filter"), app.t("common.all"))}</option>
                    {SEGMENTS.into_iter().map(|s| view! { <option value=s.code()>{move || app.t(&format!("segment.{}", s.code()))}</option> }).collect_view()}
                </select>
                <select data-testid="filter-stage" aria-label=move || app.t("analytics.stage") prop:value=move || stage.get() on:change=move |ev| stage.set(event_target_value(&ev))>
                    <option value="">{move || format!("{}: {}", app.t("analytics.stage"), app.t("common.all"))}</option>
                    {Stage::ALL.into_iter().map(|s| view! { <option value=s.code()>{move || app.t(&format!("stage.{}", s.code()))}</option> }).collect_view()}
                </select>
                <select
                    data-testid="filter-status"
                    aria-label=move || app.t("list.status")
                    prop:value=move || query.with(|q| q.status.map_or("", |s| s.code()).to_string())
                    on:change=move |ev| query.update(|q| q.status = Status::from_code(&event_target_value(&ev)))
                >
                    <option value="">{move || format!("{}: {}", app.t("list.status"), app.t("common.all"))}</option>
                    {Status::ALL
                        .into_iter()
                        .map(|s| view! { <option value=s.code()>{move || app.t(&format!("status.{}", s.code()))}</option> })
                        .collect_view()}
                </select>
            </div>
            {move || {
                if is_empty.get() {
                    return view! {
                        <div class="empty" data-testid="empty-workbook">
                            <h2>{app.t("empty.title")}</h2>
                            <ol>
                                <li>{app.t("empty.step1")}</li>
                                <li>{app.t("empty.step2")}</li>
                                <li>{app.t("empty.step3")}</li>
                            </ol>
                        </div>
                    }
                    .into_any();
                }
                view! {
                    <div class="table">
                        <div class="row header">
                            {sort_header(SortKey::Id, "col.id", "id")}
                            {sort_header(SortKey::Name, "col.name", "name")}
                            <span class="col phone">{move || app.t("col.phone")}</span>
                            {sort_header(SortKey::City, "col.city", "city")}
                            {sort_header(SortKey::Spend, "col.spend", "num")}
                            {sort_header(SortKey::Purchases, "col.purchases", "num")}
                            {sort_header(SortKey::LastPurchase, "col.last", "date")}
                            <span class="col tier">{move || app.t("tier.badge")}</span>
                        </div>
                        <div class="viewport" on:scroll=move |ev| scroll_top.set(event_target::<web_sys::Element>(&ev).scroll_top() as f64)>
                            <div class="spacer" style=move || format!("height: {}px", rows.with(Vec::len) as f64 * ROW_HEIGHT)>
                                {visible_rows}
                            </div>
                        </div>
                        <Show when=move || rows.with(Vec::is_empty)>
                            <p class="muted">{move || app.t("list.no-match")}</p>
                        </Show>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}
