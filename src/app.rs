//! The app shell: navigation, the error area and the current page.

use leptos::prelude::*;

use crate::components::error_banner::ErrorBanner;
use crate::components::nav::Nav;
use crate::domain::model::CustomerId;
use crate::pages::analytics::Analytics;
use crate::pages::customer_card::CustomerCard;
use crate::pages::customer_edit::CustomerEdit;
use crate::pages::customers::Customers;
use crate::pages::dashboard::Dashboard;
use crate::pages::import_export::ImportExport;
use crate::pages::reminders::Reminders;
use crate::pages::settings::Settings;
use crate::pages::tiers::Tiers;
use crate::state::{AppState, Lifecycle, Page};
use crate::storage::settings;

/// The IndexedDB database that holds the workbook.
pub const DB_NAME: &str = "tierbook";

#[component]
pub fn App() -> impl IntoView {
    let app = AppState::new(settings::language());
    provide_context(app);
    provide_context(app.nav);
    Effect::new(move |_| {
        let lang = app.lang.get();
        settings::set_language(lang);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.code());
        }
        document().set_title(app.t("app.title"));
    });
    // A message belongs to the page it was shown on (Back and Forward included).
    Effect::new(move |before: Option<Page>| {
        let page = app.nav.page.get();
        if before.is_some_and(|before| before != page) {
            app.error.set(None);
            // A screen reader starts reading the new page, as after a page load.
            request_animation_frame(|| {
                use wasm_bindgen::JsCast;
                if let Some(main) =
                    document().get_element_by_id("main").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = main.focus();
                }
            });
        }
        page
    });
    leptos::task::spawn_local(app.start(DB_NAME));
    // The service worker fetches the whole app for offline use: registered once the workbook
    // is open (or locked, or failed) and painted, so a first visit's downloads and work come first.
    Effect::new(move |registered: Option<bool>| {
        if registered == Some(true) || matches!(app.lifecycle.get(), Lifecycle::Opening | Lifecycle::Listing) {
            return registered == Some(true);
        }
        leptos::task::spawn_local(async {
            crate::state::after_next_paint().await;
            crate::files::register_service_worker();
        });
        true
    });
    // What the page area may show. A memo, so that the list shown while the customer files
    // are still decoded stays as it is (search box, focus) when they are in.
    let gate = Memo::new(move |_| match app.lifecycle.get() {
        Lifecycle::Ready => Gate::Open,
        // Only the list can be used until the customer files are decoded.
        Lifecycle::Listing if app.nav.page.get() == Page::Customers => Gate::Open,
        Lifecycle::Listing | Lifecycle::Opening => Gate::Loading,
        Lifecycle::Locked(_) => Gate::Locked,
        Lifecycle::Failed => Gate::Failed,
    });

    view! {
        <div class="shell">
            <Nav/>
            // Busy while the workbook is read: screen readers wait, and the benches know when
            // the customer files (not only the list) are in.
            <main
                class="content"
                id="main"
                tabindex="-1"
                aria-busy=move || matches!(app.lifecycle.get(), Lifecycle::Opening | Lifecycle::Listing).to_string()
            >
                <ErrorBanner/>
                {move || {
                    match gate.get() {
                        Gate::Open => {}
                        Gate::Loading => return view! { <p class="loading">{app.t("common.loading")}</p> }.into_any(),
                        Gate::Locked => return when_loaded(app, unlock_page()),
                        // error-message says why; there is nothing to show without storage.
                        Gate::Failed => return ().into_any(),
                    }
                    match app.nav.page.get() {
                        Page::Customers => view! { <Customers/> }.into_any(),
                        page => when_loaded(app, lazy_page(page)),
                    }
                }}
            </main>
        </div>
    }
}

/// A piece of the app fetched the first time it is shown: "opening" until it is there (at once
/// after that).
fn when_loaded(app: AppState, piece: impl std::future::Future<Output = AnyView> + Send + 'static) -> AnyView {
    view! {
        <Suspense fallback=move || view! { <p class="loading">{app.t("common.loading")}</p> }>
            {Suspend::new(piece)}
        </Suspense>
    }
    .into_any()
}

/// Every page but the list is a piece of the wasm of its own (`#[lazy]`; scripts/split_wasm.mjs
/// cuts them out after the build), fetched the first time it opens, so a first visit downloads
/// only what the list needs.
async fn lazy_page(page: Page) -> AnyView {
    match page {
        Page::Customers => view! { <Customers/> }.into_any(),
        Page::Customer(id) => customer_card_page(id).await,
        Page::EditCustomer(id) => customer_edit_page(id).await,
        Page::Dashboard => dashboard_page().await,
        Page::Settings => settings_page().await,
        Page::ImportExport => import_export_page().await,
        Page::Tiers => tiers_page().await,
        Page::Analytics => analytics_page().await,
        Page::Reminders => reminders_page().await,
    }
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn unlock_page() -> AnyView {
    view! { <crate::pages::unlock::Unlock/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn customer_card_page(id: CustomerId) -> AnyView {
    view! { <CustomerCard id=id/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn customer_edit_page(id: Option<CustomerId>) -> AnyView {
    view! { <CustomerEdit id=id/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn dashboard_page() -> AnyView {
    view! { <Dashboard/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn settings_page() -> AnyView {
    view! { <Settings/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn import_export_page() -> AnyView {
    view! { <ImportExport/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn tiers_page() -> AnyView {
    view! { <Tiers/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn analytics_page() -> AnyView {
    view! { <Analytics/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn reminders_page() -> AnyView {
    view! { <Reminders/> }.into_any()
}

#[derive(Clone, Copy, PartialEq)]
enum Gate {
    Open,
    Loading,
    Locked,
    Failed,
}
