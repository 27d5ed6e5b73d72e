//! `error-message`: where every user-facing error appears, one line per problem.

use leptos::prelude::*;

use crate::state::use_app;

#[component]
pub fn ErrorBanner() -> impl IntoView {
    let app = use_app();
    move || {
        app.error.get().map(|message| {
            view! {
                <div class="error" role="alert" data-testid="error-message">
                    {message.lines().map(|line| view! { <p>{line.to_string()}</p> }).collect_view()}
                    <button class="link" on:click=move |_| app.error.set(None)>{app.t("common.close")}</button>
                </div>
            }
        })
    }
}
