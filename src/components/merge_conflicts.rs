//! Values replaced by merging a colleague's backup, listed until the user dismisses them.

use leptos::prelude::*;

use crate::state::use_app;

#[component]
pub fn MergeConflicts() -> impl IntoView {
    let app = use_app();
    let dismiss = move |index: Option<usize>| {
        let mut all = app.conflicts.get_untracked();
        match index {
            Some(i) if i < all.len() => drop(all.remove(i)),
            _ => all.clear(),
        }
        leptos::task::spawn_local(app.save_conflicts(all));
    };

    view! {
        <Show when=move || !app.conflicts.get().is_empty()>
            <div class="panel" data-testid="merge-conflicts">
                <h2>{move || app.t("import.conflicts")}</h2>
                <div class="table-scroll">
                    <table class="history">
                        <thead><tr>
                            <th>"#"</th><th>{move || app.t("field.name")}</th><th>{move || app.t("import.mapping")}</th>
                            <th>{move || app.t("import.conflict-kept")}</th><th>{move || app.t("import.conflict-replaced")}</th><th></th>
                        </tr></thead>
                        <tbody>
                            {move || app.conflicts.get().into_iter().enumerate().map(|(i, c)| view! {
                                <tr data-testid="conflict-row">
                                    <td>{c.customer_id}</td><td>{c.customer}</td><td>{c.what}</td>
                                    <td>{c.kept}</td><td class="minus">{c.replaced}</td>
                                    <td><button class="link" data-testid="dismiss-conflict" on:click=move |_| dismiss(Some(i))>{app.t("import.dismiss")}</button></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </div>
        </Show>
    }
}
