//! The export half of Import & export: the JSON backup, the whole workbook as .xlsx, and one
//! CSV per kind (optionally only customers who agreed to marketing).

use leptos::prelude::*;

use crate::domain::backup::backup_json;
use crate::domain::columns::{export_csv_of, Kind};
use crate::domain::sealed::SealedFile;
use crate::domain::spreadsheet::export_sheets;
use crate::files::{download, file_name};
use crate::state::{now_millis, today, use_app};
use crate::storage::settings;

#[component]
pub fn ExportPanel() -> impl IntoView {
    let app = use_app();
    let workbook_name = RwSignal::new(settings::workbook_name());

    let name_for =
        move |what: &str, ext: &str| file_name(&workbook_name.get_untracked(), what, &today().to_string(), ext);
    // With a passphrase the backup is sealed (AES-256-GCM, key by PBKDF2-SHA256) for sending.
    let passphrase = RwSignal::new(String::new());
    let export_json = move |_| {
        let policy = app.policy.get_untracked();
        let defs = app.custom_fields.get_untracked();
        let secret = passphrase.get_untracked();
        leptos::task::spawn_local(async move {
            let deleted = app.deletions().await;
            let name = workbook_name.get_untracked();
            let json = app.workbook.with_untracked(|wb| backup_json(wb, &name, &policy, &defs, &deleted, now_millis()));
            let (what, bytes) = if secret.is_empty() {
                ("backup", json)
            } else {
                if secret.chars().count() < 8 {
                    app.show_error(app.t("lock.too-short").to_string());
                    return;
                }
                let salt: [u8; 16] = crate::storage::random_bytes();
                let iterations = crate::domain::sealed::ITERATIONS;
                let Ok(key) = crate::lock::derive_key(&secret, &salt, iterations).await else {
                    app.show_error(app.t("error.storage").to_string());
                    return;
                };
                let sealed = SealedFile::seal(&json, &key, &salt, iterations, crate::storage::random_bytes());
                ("backup-encrypted", serde_json::to_vec(&sealed).unwrap_or_default())
            };
            if download(&name_for(what, "json"), "application/json", &bytes).is_err() {
                app.show_error(app.t("error.storage").to_string());
            } else {
                crate::storage::settings::set_last_backup(now_millis());
            }
        });
    };
    // Marketing lists: only the customers who agreed to be contacted.
    let consenting_only = RwSignal::new(false);
    let export_kind = move |kind: Kind| {
        let lang = app.lang.get_untracked();
        let policy = app.policy.get_untracked();
        let defs = app.custom_fields.get_untracked();
        let consenting = consenting_only.get_untracked();
        let bytes = app.workbook.with_untracked(|wb| {
            let records = wb.records().filter(|r| !consenting || r.customer.marketing_consent);
            export_csv_of(kind, records, wb, lang, &defs, &policy)
        });
        if download(&name_for(kind.code(), "csv"), "text/csv;charset=utf-8", &bytes).is_err() {
            app.show_error(app.t("error.storage").to_string());
        }
    };

    let export_workbook_xlsx = move |_| {
        let lang = app.lang.get_untracked();
        let policy = app.policy.get_untracked();
        let defs = app.custom_fields.get_untracked();
        let sheets = app.workbook.with_untracked(|wb| export_sheets(wb, lang, &defs, &policy));
        let name = name_for("workbook", "xlsx");
        leptos::task::spawn_local(async move {
            let mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            match crate::sheet_worker::write_xlsx(&sheets).await {
                Ok(bytes) if download(&name, mime, &bytes).is_ok() => {}
                Ok(_) => app.show_error(app.t("error.storage").to_string()),
                Err(reason) => app.show_error(format!("{name}: {reason}")),
            }
        });
    };

    view! {
        <div class="panel">
            <h2>{move || app.t("import.export")}</h2>
            <p class="muted">{move || app.t("import.export-help")}</p>
            <label class="inline">
                {move || app.t("import.workbook-name")}
                <input data-testid="workbook-name" prop:value=move || workbook_name.get()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        settings::set_workbook_name(&v);
                        workbook_name.set(v);
                    }/>
            </label>
            <div class="button-row">
                <label class="inline">
                    {move || app.t("export.passphrase")}
                    <input type="password" data-testid="export-passphrase" autocomplete="new-password"
                        prop:value=move || passphrase.get() on:input=move |ev| passphrase.set(event_target_value(&ev))/>
                </label>
                <button class="primary" data-testid="export-json" on:click=export_json>{move || app.t("import.export-json")}</button>
                <button data-testid="export-xlsx" on:click=export_workbook_xlsx>{move || app.t("export.xlsx")}</button>
                <label class="inline">
                    <input type="checkbox" data-testid="export-consenting-only" prop:checked=move || consenting_only.get()
                        on:change=move |ev| consenting_only.set(event_target_checked(&ev))/>
                    {move || app.t("export.consenting-only")}
                </label>
                {Kind::ALL.into_iter().map(|k| view! {
                    <button data-testid=format!("export-csv-{}", k.code()) on:click=move |_| export_kind(k)>
                        "CSV · " {move || app.t(&format!("import.kind.{}", k.code()))}
                    </button>
                }).collect_view()}
            </div>
        </div>
    }
}
