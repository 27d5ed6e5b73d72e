//! The navigation bar with the language switch. On a narrow screen the menu folds behind a
//! button (`nav-menu`) so the page itself starts at the top of the screen.

use leptos::prelude::*;

use crate::router::Navigator;
use crate::state::{use_app, Page};

#[component]
pub fn Nav() -> impl IntoView {
    let app = use_app();
    let open = RwSignal::new(false);
    // Any page change folds the menu again.
    Effect::new(move |_| {
        app.nav.page.track();
        open.set(false);
    });
    let item = move |testid: &'static str, key: &'static str, page: Page| {
        let active = move || app.nav.page.get().section() == page;
        view! {
            <a
                class="nav-item"
                class:active=active
                aria-current=move || active().then_some("page")
                data-testid=testid
                href=Navigator::href(page)
                on:click=move |ev| {
                    // A plain click stays in the app (the list keeps its filters); a click
                    // with a modifier opens a new tab as links do.
                    if !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0) {
                        ev.prevent_default();
                        app.go(page);
                        open.set(false);
                    }
                }
            >
                {move || app.t(key)}
            </a>
        }
    };
    view! {
        <header class="topbar" class:menu-open=move || open.get()>
            <div class="brand">
                <span class="logo" aria-hidden="true">"T"</span>
                <span class="brand-name">"Tierbook"</span>
                <span class="tagline">{move || app.t("app.tagline")}</span>
            </div>
            <button
                class="nav-menu"
                data-testid="nav-menu"
                aria-controls="main-nav"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span aria-hidden="true">"☰ "</span>
                {move || app.t("nav.menu")}
            </button>
            <nav class="nav" id="main-nav" aria-label=move || app.t("nav.menu")>
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
