//! Labelled inputs bound to one field of a form struct held in a signal.

use leptos::prelude::*;

use crate::state::use_app;

/// A text, date or number input. `get`/`set` pick the field inside the form.
#[component]
pub fn TextField<F>(
    form: RwSignal<F>,
    /// i18n key of the label.
    label: &'static str,
    testid: &'static str,
    #[prop(default = "text")] kind: &'static str,
    get: fn(&F) -> String,
    set: fn(&mut F, String),
) -> impl IntoView
where
    F: Send + Sync + 'static,
{
    let app = use_app();
    view! {
        <label class="field">
            <span>{move || app.t(label)}</span>
            <input
                type=kind
                data-testid=testid
                prop:value=move || form.with(get)
                on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
            />
        </label>
    }
}

/// A multi-line text input.
#[component]
pub fn TextArea<F>(
    form: RwSignal<F>,
    label: &'static str,
    testid: &'static str,
    get: fn(&F) -> String,
    set: fn(&mut F, String),
) -> impl IntoView
where
    F: Send + Sync + 'static,
{
    let app = use_app();
    view! {
        <label class="field wide">
            <span>{move || app.t(label)}</span>
            <textarea
                data-testid=testid
                rows="3"
                prop:value=move || form.with(get)
                on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
            ></textarea>
        </label>
    }
}

/// A drop-down of (value, i18n key) choices.
#[component]
pub fn SelectField<F>(
    form: RwSignal<F>,
    label: &'static str,
    testid: &'static str,
    options: Vec<(&'static str, String)>,
    get: fn(&F) -> String,
    set: fn(&mut F, String),
) -> impl IntoView
where
    F: Send + Sync + 'static,
{
    let app = use_app();
    view! {
        <label class="field">
            <span>{move || app.t(label)}</span>
            <select
                data-testid=testid
                prop:value=move || form.with(get)
                on:change=move |ev| form.update(|f| set(f, event_target_value(&ev)))
            >
                {options
                    .into_iter()
                    .map(|(value, key)| {
                        let selected = form.with_untracked(get) == value;
                        view! { <option value=value selected=selected>{move || app.t(&key)}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
