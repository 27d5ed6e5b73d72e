//! The `analysis-as-of` date: every analytics figure and chart is computed as of it. One date
//! for the Dashboard and the Analytics page, so both always tell the same story; likewise the
//! scope (everyone, or the customers of one tier).

use leptos::prelude::*;

use crate::domain::day::Day;
use crate::state::use_app;

#[component]
pub fn AsOfInput() -> impl IntoView {
    let app = use_app();
    // The date and scope are in the page's URL (`?as_of=2026-06-30&scope=gold`): a bookmark or
    // a reload shows the same figures. Today's date is left out, so a plain link stays current.
    app.nav.route.with_untracked(|r| {
        if let Some(day) = r.param("as_of").and_then(Day::parse_iso) {
            app.as_of.set(day);
        }
        if let Some(scope) = r.param("scope") {
            app.scope.set(scope.to_string());
        }
    });
    Effect::new(move |_| {
        let as_of = app.as_of.get();
        let as_of = if as_of == crate::state::today() { String::new() } else { as_of.to_string() };
        app.nav.set_params(vec![("as_of".into(), as_of), ("scope".into(), app.scope.get())]);
    });
    view! {
        <label class="inline">
            {move || app.t("analytics.as-of")}
            <input type="date" data-testid="analysis-as-of" prop:value=move || app.as_of.get().to_string()
                on:change=move |ev| {
                    if let Some(day) = Day::parse_iso(&event_target_value(&ev)) {
                        app.as_of.set(day);
                    }
                }/>
        </label>
        " "
        <label class="inline">
            {move || app.t("analytics.scope")}
            <select data-testid="analysis-scope" on:change=move |ev| app.scope.set(event_target_value(&ev))>
                <option value="" selected=move || app.scope.get().is_empty()>{move || app.t("analytics.scope-all")}</option>
                {move || {
                    let lang = app.lang.get();
                    app.policy.with(|p| p.tiers.iter().map(|t| {
                        let id = t.id.clone();
                        let selected = id.clone();
                        view! {
                            <option value=id selected=move || app.scope.get() == selected>{crate::i18n::tier_name(lang, t).to_string()}</option>
                        }
                    }).collect_view())
                }}
            </select>
        </label>
    }
}
