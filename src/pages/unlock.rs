//! The locked workbook's door: the passphrase, asked for when the page opens. A wrong one
//! reveals nothing and changes nothing.

use leptos::prelude::*;

use crate::state::use_app;

#[component]
pub fn Unlock() -> impl IntoView {
    let app = use_app();
    let passphrase = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = passphrase.get_untracked();
        leptos::task::spawn_local(app.unlock(text));
    };
    view! {
        <section class="page unlock">
            <div class="panel">
                <h1>{move || app.t("lock.title")}</h1>
                <p class="muted">{move || app.t("lock.help")}</p>
                <form on:submit=submit>
                    <input type="password" data-testid="unlock-passphrase" autocomplete="current-password"
                        prop:value=move || passphrase.get() on:input=move |ev| passphrase.set(event_target_value(&ev))/>
                    " "
                    <button class="primary" type="submit" data-testid="unlock-submit" disabled=move || app.saving.get()>
                        {move || app.t("lock.open")}
                    </button>
                </form>
            </div>
        </section>
    }
}
