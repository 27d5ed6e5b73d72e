//! Settings: language, storage, custom fields, the scale test and emptying the workbook.

use leptos::prelude::*;

use crate::domain::demo;
use crate::domain::model::{CustomFieldDef, CustomFieldKind};
use crate::domain::workbook::Change;
use crate::state::{today, use_app};
use crate::storage::storage_status;

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_048_576.0)
}

#[component]
pub fn Settings() -> impl IntoView {
    let app = use_app();
    let status = LocalResource::new(|| storage_status(false));

    let label = RwSignal::new(String::new());
    let kind = RwSignal::new("text".to_string());
    let options = RwSignal::new(String::new());
    let add_field = move |_| {
        let text = label.get_untracked().trim().to_string();
        if text.is_empty() {
            app.show_error(format!("{}: {}", app.t("settings.field-label"), app.t("problem.required")));
            return;
        }
        let choices = crate::domain::forms::split_tags(&options.get_untracked());
        let field_kind = match kind.get_untracked().as_str() {
            "number" => CustomFieldKind::Number,
            "date" => CustomFieldKind::Date,
            "choice" if !choices.is_empty() => CustomFieldKind::Choice(choices),
            "choice" => {
                app.show_error(format!("{}: {}", app.t("settings.field-options"), app.t("problem.required")));
                return;
            }
            _ => CustomFieldKind::Text,
        };
        let mut defs = app.custom_fields.get_untracked();
        let id = format!("f{}", crate::state::now_millis());
        defs.push(CustomFieldDef { id, label: text, kind: field_kind });
        label.set(String::new());
        options.set(String::new());
        leptos::task::spawn_local(app.save_custom_fields(defs));
    };
    let remove_field = move |id: String| {
        let defs = app.custom_fields.get_untracked().into_iter().filter(|d| d.id != id).collect();
        leptos::task::spawn_local(app.save_custom_fields(defs));
    };

    let scale_customers = RwSignal::new("100000".to_string());
    let scale_purchases = RwSignal::new("1000000".to_string());
    let write_ms = RwSignal::new(None::<f64>);
    let run_scale = move |_| {
        // Twice the volume Tierbook is designed for; more could exhaust the tab's memory.
        let customers = scale_customers.get_untracked().trim().parse::<usize>().unwrap_or(0).min(200_000);
        let purchases = scale_purchases.get_untracked().trim().parse::<usize>().unwrap_or(0).min(2_000_000);
        let format = crate::storage::settings::code_format();
        let seed = crate::state::random_seed();
        let records =
            app.workbook.with_untracked(|wb| demo::for_workbook(wb, customers, purchases, today(), seed, &format));
        let changes: Vec<Change> = records.into_iter().map(|r| Change::InsertRecord(Box::new(r))).collect();
        leptos::task::spawn_local(async move {
            let started = js_sys::Date::now();
            if app.commit(changes).await {
                write_ms.set(Some(js_sys::Date::now() - started));
            }
        });
    };
    let confirm_clear = RwSignal::new(false);
    let code_format = RwSignal::new(crate::storage::settings::code_format().pattern());
    let next_code = move || {
        let pattern = code_format.get();
        match crate::domain::codes::CodeFormat::parse(&pattern) {
            Some(format) => app.workbook.with(|wb| format.next_code(wb)),
            None => String::new(),
        }
    };
    let set_code_format = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        match crate::domain::codes::CodeFormat::parse(&value) {
            Some(format) => {
                app.error.set(None);
                crate::storage::settings::set_code_format(&format);
                code_format.set(format.pattern());
            }
            None => {
                app.show_error(format!("{}: {}", app.t("settings.code-format"), app.t("settings.code-format-help")))
            }
        }
    };

    view! {
        <section class="page settings">
            <h1>{move || app.t("settings.title")}</h1>
            <div class="panel">
                <h2>{move || app.t("settings.code-format")}</h2>
                <label class="inline">
                    {move || app.t("settings.code-format")}
                    <input data-testid="settings-code-format" prop:value=move || code_format.get() on:change=set_code_format/>
                </label>
                <p class="muted">{move || app.t("settings.code-format-help")} " → " <span data-testid="settings-next-code">{next_code}</span></p>
            </div>
            <div class="panel">
                <h2>{move || app.t("settings.storage")}</h2>
                {move || {
                    status.get().flatten().map(|(used, quota, persisted)| {
                        view! {
                            <p>
                                {app.t("settings.used")} ": " <span data-testid="storage-used">{megabytes(used)}</span> " / "
                                {app.t("settings.quota")} ": " {megabytes(quota)}
                            </p>
                            <p data-testid="storage-persisted" data-persisted=persisted.to_string()>
                                {app.t(if persisted { "settings.persisted" } else { "settings.not-persisted" })}
                            </p>
                        }
                    })
                }}
            </div>
            <div class="panel">
                <h2>{move || app.t("settings.custom-fields")}</h2>
                <p class="muted">{move || app.t("settings.custom-help")}</p>
                <ul class="field-defs">
                    {move || {
                        app.custom_fields
                            .get()
                            .into_iter()
                            .map(|d| {
                                let id = d.id.clone();
                                let kind_key = match d.kind {
                                    CustomFieldKind::Text => "settings.kind.text",
                                    CustomFieldKind::Number => "settings.kind.number",
                                    CustomFieldKind::Date => "settings.kind.date",
                                    CustomFieldKind::Choice(_) => "settings.kind.choice",
                                };
                                view! {
                                    <li data-testid="custom-field-def">
                                        <strong>{d.label.clone()}</strong> " · " {app.t(kind_key)}
                                        " " <button class="link danger" on:click=move |_| remove_field(id.clone())>{app.t("common.delete")}</button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                <div class="form-grid">
                    <label class="field">
                        <span>{move || app.t("settings.field-label")}</span>
                        <input data-testid="custom-field-label" prop:value=label on:input=move |ev| label.set(event_target_value(&ev))/>
                    </label>
                    <label class="field">
                        <span>{move || app.t("settings.field-kind")}</span>
                        <select data-testid="custom-field-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                            <option value="text">{move || app.t("settings.kind.text")}</option>
                            <option value="number">{move || app.t("settings.kind.number")}</option>
                            <option value="date">{move || app.t("settings.kind.date")}</option>
                            <option value="choice">{move || app.t("settings.kind.choice")}</option>
                        </select>
                    </label>
                    <label class="field">
                        <span>{move || app.t("settings.field-options")}</span>
                        <input data-testid="custom-field-options" prop:value=options on:input=move |ev| options.set(event_target_value(&ev))/>
                    </label>
                </div>
                <button class="secondary" data-testid="add-custom-field" on:click=add_field>{move || app.t("settings.add-field")}</button>
            </div>
            <crate::components::sync_panel::SyncPanel/>
            <crate::components::merge_conflicts::MergeConflicts/>
            <crate::components::lock_panel::LockPanel/>
            <div class="panel">
                <h2>{move || app.t("settings.scale")}</h2>
                <p class="muted">{move || app.t("settings.scale-help")}</p>
                <div class="form-grid">
                    <label class="field">
                        <span>{move || app.t("settings.scale-customers")}</span>
                        <input type="number" data-testid="scale-customers" prop:value=scale_customers on:input=move |ev| scale_customers.set(event_target_value(&ev))/>
                    </label>
                    <label class="field">
                        <span>{move || app.t("settings.scale-purchases")}</span>
                        <input type="number" data-testid="scale-purchases" prop:value=scale_purchases on:input=move |ev| scale_purchases.set(event_target_value(&ev))/>
                    </label>
                </div>
                <button class="secondary" data-testid="scale-run" disabled=move || app.saving.get() on:click=run_scale>
                    {move || app.t("settings.scale-run")}
                </button>
                {move || write_ms.get().map(|ms| view! {
                    <p>{app.t("settings.wrote")} ": " <span data-testid="scale-write-ms">{format!("{ms:.0}")}</span></p>
                })}
            </div>
            <div class="panel">
                <h2>{move || app.t("settings.clear")}</h2>
                <button class="danger" data-testid="clear-workbook" on:click=move |_| confirm_clear.set(true)>{move || app.t("settings.clear")}</button>
                <Show when=move || confirm_clear.get()>
                    <div class="confirm" role="alertdialog">
                        <p>{move || app.t("settings.confirm-clear")}</p>
                        <button
                            class="danger"
                            data-testid="confirm-clear"
                            on:click=move |_| {
                                confirm_clear.set(false);
                                leptos::task::spawn_local(app.clear());
                            }
                        >
                            {move || app.t("common.delete")}
                        </button>
                        <button class="secondary" on:click=move |_| confirm_clear.set(false)>{move || app.t("common.cancel")}</button>
                    </div>
                </Show>
            </div>
        </section>
    }
}
