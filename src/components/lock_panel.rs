//! Settings: lock the workbook with a passphrase (every stored value sealed with AES-256-GCM,
//! the key from PBKDF2-SHA256 with 600,000 iterations), or remove the lock.

use leptos::prelude::*;

use crate::state::use_app;

#[component]
pub fn LockPanel() -> impl IntoView {
    let app = use_app();
    let locked = RwSignal::new(app.store().is_some_and(|s| s.is_unlocked()));
    let passphrase = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let done = RwSignal::new(false);
    let enable = move |_| {
        let (p, c) = (passphrase.get_untracked(), confirm.get_untracked());
        if p.chars().count() < 8 {
            app.show_error(app.t("lock.too-short").to_string());
            return;
        }
        if p != c {
            app.show_error(app.t("lock.mismatch").to_string());
            return;
        }
        leptos::task::spawn_local(async move {
            if app.set_lock(Some(p)).await {
                locked.set(true);
                done.set(true);
                passphrase.set(String::new());
                confirm.set(String::new());
                app.error.set(None);
            }
        });
    };
    let remove = move |_| {
        leptos::task::spawn_local(async move {
            if app.set_lock(None).await {
                locked.set(false);
                done.set(true);
            }
        });
    };
    view! {
        <div class="panel">
            <h2>{move || app.t("lock.settings")}</h2>
            <p class="warning">{move || app.t("lock.warning")}</p>
            {move || if locked.get() {
                view! {
                    <p data-testid="lock-state" data-locked="true">{app.t("lock.is-on")}</p>
                    <button class="secondary" data-testid="lock-remove" disabled=move || app.saving.get() on:click=remove>{app.t("lock.remove")}</button>
                }.into_any()
            } else {
                view! {
                    <p data-testid="lock-state" data-locked="false">{app.t("lock.is-off")}</p>
                    <label>{app.t("lock.passphrase")}
                        <input type="password" data-testid="lock-passphrase" autocomplete="new-password"
                            prop:value=move || passphrase.get() on:input=move |ev| passphrase.set(event_target_value(&ev))/>
                    </label>
                    <label>{app.t("lock.confirm")}
                        <input type="password" data-testid="lock-confirm" autocomplete="new-password"
                            prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev))/>
                    </label>
                    <button class="primary" data-testid="lock-enable" disabled=move || app.saving.get() on:click=enable>{app.t("lock.enable")}</button>
                }.into_any()
            }}
            <Show when=move || done.get()>
                <p class="muted" data-testid="lock-done">{move || app.t("lock.done")}</p>
            </Show>
        </div>
    }
}
