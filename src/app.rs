//! The app shell: navigation, the error area and the current page.

use leptos::prelude::*;

use crate::components::error_banner::ErrorBanner;
use crate::components::nav::Nav;
use crate::pages::analytics::Analytics;
use crate::pages::customer_card::CustomerCard;
use crate::pages::customer_edit::CustomerEdit;
use crate::pages::customers::Customers;
use crate::pages::dashboard::Dashboard;
use crate::pages::import_export::ImportExport;
use crate::pages::reminders::Reminders;
use crate::pages::settings::Settings;
use crate::pages::tiers::Tiers;
use crate::state::{AppState, Page};
use crate::storage::settings;

/// The IndexedDB database that holds the workbook.
pub const DB_NAME: &str = "tierbook";

#[component]
pub fn App() -> impl IntoView {
    let app = AppState::new(settings::language());
    provide_context(app);
    Effect::new(move |_| {
        let lang = app.lang.get();
        settings::set_language(lang);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.code());
        }
        document().set_title(app.t("app.title"));
    });
    leptos::task::spawn_local(app.start(DB_NAME));

    view! {
        <div class="shell">
            <Nav/>
            <main class="content">
                <ErrorBanner/>
                {move || {
                    if app.locked.with(Option::is_some) {
                        return view! { <crate::pages::unlock::Unlock/> }.into_any();
                    }
                    if !app.loaded.get() {
                        return view! { <p class="loading">{app.t("common.loading")}</p> }.into_any();
                    }
                    match app.page.get() {
                        Page::Customers => view! { <Customers/> }.into_any(),
                        Page::Customer(id) => view! { <CustomerCard id=id/> }.into_any(),
                        Page::EditCustomer(id) => view! { <CustomerEdit id=id/> }.into_any(),
                        Page::Dashboard => view! { <Dashboard/> }.into_any(),
                        Page::Settings => view! { <Settings/> }.into_any(),
                        Page::ImportExport => view! { <ImportExport/> }.into_any(),
                        Page::Tiers => view! { <Tiers/> }.into_any(),
                        Page::Analytics => view! { <Analytics/> }.into_any(),
                        Page::Reminders => view! { <Reminders/> }.into_any(),
                    }
                }}
            </main>
        </div>
    }
}
