//! Pages whose work is planned but not built yet say so plainly.

use leptos::prelude::*;

use crate::state::use_app;

#[component]
pub fn ComingSoon(title: &'static str) -> impl IntoView {
    let app = use_app();
    view! {
        <section class="page">
            <h1>{move || app.t(title)}</h1>
            <div class="empty">
                <h2>{move || app.t("later.title")}</h2>
                <p>{move || app.t("later.body")}</p>
            </div>
        </section>
    }
}
