//! Settings → Sync: the team's CouchDB-API database, sync now or keep syncing, and what
//! happened (`sync-state`: `data-state` off / syncing / synced / error, and in words).

use leptos::prelude::*;

use crate::replicator::{run_live, run_now, session_password, set_session_password, SyncPhase};
use crate::state::use_app;
use crate::storage::settings::{set_sync_settings, sync_settings};

/// A time as the browser's local clock shows it.
fn local_time(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED).as_string().unwrap_or_default()
}

#[component]
pub fn SyncPanel() -> impl IntoView {
    let app = use_app();
    let saved = sync_settings();
    let url = RwSignal::new(saved.url.clone());
    let user = RwSignal::new(saved.user.clone());
    let remember = RwSignal::new(saved.password.is_some());
    let password = RwSignal::new(saved.password.clone().unwrap_or_else(session_password));
    // The form is what the next sync uses: kept in local storage (the password only if asked).
    let keep = move || {
        set_session_password(&password.get_untracked());
        set_sync_settings(&crate::storage::settings::SyncSettings {
            url: url.get_untracked().trim().to_string(),
            user: user.get_untracked().trim().to_string(),
            password: remember.get_untracked().then(|| password.get_untracked()),
            live: app.sync_live.get_untracked(),
        });
    };
    let sync = move |_| {
        keep();
        leptos::task::spawn_local(async move {
            run_now(app).await;
            // A sync the user asked for reports its failure where every error is reported too
            // (the live loop's retries only update `sync-state`).
            let status = app.sync_status.get_untracked();
            if status.phase == SyncPhase::Error {
                app.show_error(format!("{}: {}", app.t("sync.state.error"), status.message));
            }
        });
    };
    let toggle_live = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        let was = app.sync_live.get_untracked();
        app.sync_live.set(on);
        keep();
        if on && !was {
            leptos::task::spawn_local(run_live(app));
        }
    };
    let status = app.sync_status;
    view! {
        <div class="panel sync-panel">
            <h2>{move || app.t("sync.title")}</h2>
            <p class="muted">{move || app.t("sync.help")}</p>
            <div class="form-grid">
                <label class="field wide">
                    <span>{move || app.t("sync.url")}</span>
                    <input type="url" data-testid="sync-url" placeholder="https://couch.example.com/loyalty" autocomplete="url"
                        prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev)) on:change=move |_| keep()/>
                </label>
                <label class="field">
                    <span>{move || app.t("sync.user")}</span>
                    <input data-testid="sync-user" autocomplete="username"
                        prop:value=move || user.get() on:input=move |ev| user.set(event_target_value(&ev)) on:change=move |_| keep()/>
                </label>
                <label class="field">
                    <span>{move || app.t("sync.password")}</span>
                    <input type="password" data-testid="sync-password" autocomplete="current-password"
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) on:change=move |_| keep()/>
                </label>
            </div>
            <label class="inline">
                <input type="checkbox" data-testid="sync-remember" prop:checked=move || remember.get()
                    on:change=move |ev| { remember.set(event_target_checked(&ev)); keep(); }/>
                {move || app.t("sync.remember")}
            </label>
            <label class="inline">
                <input type="checkbox" data-testid="sync-live" prop:checked=move || app.sync_live.get() on:change=toggle_live/>
                {move || app.t("sync.live")}
            </label>
            <button data-testid="sync-now" disabled=move || status.get().phase == SyncPhase::Syncing on:click=sync>
                {move || app.t("sync.now")}
            </button>
            {move || status.get().progress.map(|(done, total)| view! {
                <progress data-testid="sync-progress" max=total.max(1).to_string() value=done.to_string()
                    aria-label=app.t("sync.progress")></progress>
            })}
            <div data-testid="sync-state" data-state=move || status.get().phase.code() data-runs=move || status.get().runs.to_string()
                role="status" aria-live="polite">
                {move || {
                    let s = status.get();
                    let phase = app.t(&format!("sync.state.{}", s.phase.code()));
                    view! {
                        <p><strong>{phase}</strong>{(!s.message.is_empty()).then(|| format!(": {}", s.message))}</p>
                        {s.last_ok.map(|at| view! { <p>{app.t("sync.last")} ": " {local_time(at)}</p> })}
                        <p>{app.t("sync.sent")} ": " <span data-testid="sync-sent">{s.sent}</span> " · "
                           {app.t("sync.received")} ": " <span data-testid="sync-received">{s.received}</span></p>
                        {(s.skipped > 0).then(|| view! {
                            <p class="warning">{app.t("sync.skipped")} ": " <span data-testid="sync-skipped">{s.skipped}</span></p>
                        })}
                    }
                }}
            </div>
        </div>
    }
}
