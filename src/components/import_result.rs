//! What the last import wrote, with its undo (kept while the user looks at other pages).

use leptos::prelude::*;

use crate::state::use_app;

#[component]
pub fn ImportResult() -> impl IntoView {
    let app = use_app();
    let undo_import = move |_| {
        // Only the changed files are copied out (not the last import's whole replaced shards);
        // the undo stays until it is written, so a failed write can be tried again.
        let undo = app.last_import.with_untracked(|l| {
            l.as_ref().and_then(|l| l.undo.as_ref().map(|u| (u.changes(), l.definitions_before.clone())))
        });
        let Some((changes, definitions_before)) = undo else { return };
        leptos::task::spawn_local(async move {
            if app.commit_with_definitions(changes, definitions_before).await {
                app.last_import.update(|l| {
                    if let Some(l) = l {
                        l.undo = None;
                    }
                });
            }
        });
    };
    view! {
                {move || app.last_import.with(|l| l.as_ref().map(|l| (l.counts.clone(), l.undo.is_some()))).map(|(c, can_undo)| view! {
                    <div class="import-result" data-testid="import-result">
                        <strong>{app.t("import.done")}</strong> ": "
                        <span data-created=c.created.to_string()>{c.created} " " {app.t("import.created")}</span> " · "
                        <span data-updated=c.updated.to_string()>{c.updated} " " {app.t("import.updated")}</span> " · "
                        <span data-skipped=c.skipped().to_string()>{c.skipped()} " " {app.t("import.skipped")}</span>
                        {(c.customers_created > 0).then(|| view! {
                            " · " <span data-customers-created=c.customers_created.to_string()>{c.customers_created} " " {app.t_count("import.customers-created", c.customers_created as u64)}</span>
                        })}
                        {(c.returns > 0).then(|| view! {
                            " · " <span data-returns=c.returns.to_string()>{c.returns} " " {app.t("import.returns")}</span>
                        })}
                        {if can_undo {
                            view! { " " <button data-testid="import-undo" disabled=move || app.saving.get() on:click=undo_import>{move || app.t("import.undo")}</button> }.into_any()
                        } else {
                            view! { <p data-testid="import-undone">{app.t("import.undone")}</p> }.into_any()
                        }}
                    </div>
                })}
    }
}
