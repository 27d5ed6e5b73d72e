//! The navigation bar, always visible, with the language switch.

use leptos::prelude::*;

use crate::state::{use_app, Page};

#[component]
pub fn Nav() -> impl IntoView {
    let app = use_app();
    let item = move |testid: &'static str, key: &'static str, page: Page| {
        let active = move || {
            let current = app.page.get();
            current == page || (page == Page::Customers && matches!(current, Page::Customer(_) | Page::EditCustomer(_)))
        };
        view! {
            <button class="nav-item" class:active=active data-testid=testid on:click=move |_| app.go(page)>
                {move || app.t(key)}
            </button>
        }
    };
    view! {
        <header class="topbar">
            <div class="brand">
                <span class="logo">"T"</span>
                <span class="brand-name">"Tierbook"</span>
                <span class="tagline">{move || app.t("app.tagline")}</span>
            </div>
            <nav class="nav">
                {item("nav-customers", "nav.customers", Page::Customers)}
                {item("nav-dashboard", "nav.dashboard", Page::Dashboard)}
                {item("nav-import-export", "nav.import-export", Page::ImportExport)}
                {item("nav-tiers", "nav.tiers", Page::Tiers)}
                {item("nav-analytics", "nav.analytics", Page::Analytics)}
                {item("nav-reminders", "nav.reminders", Page::Reminders)}
                {item("nav-settings", "nav.settings", Page::Settings)}
            </nav>
            <button class="lang-toggle" data-testid="lang-toggle" on:click=move |_| app.lang.update(|l| *l = l.other())>
                {move || app.t("lang.toggle")}
            </button>
        </header>
    }
}
