//! The `analysis-as-of` date: every analytics figure and chart is computed as of it. One date
//! for the Dashboard and the Analytics page, so both always tell the same story.

use leptos::prelude::*;

use crate::domain::day::Day;
use crate::state::use_app;

#[component]
pub fn AsOfInput() -> impl IntoView {
    let app = use_app();
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
    }
}
