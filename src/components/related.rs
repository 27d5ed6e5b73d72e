//! One history section of the customer card (purchases, feedback, contacts, campaigns):
//! the list, and a form to add or edit a row. Each kind describes itself with `RelatedSpec`.

use leptos::prelude::*;

use crate::domain::day::Day;
use crate::domain::forms::FieldError;
use crate::domain::model::{CustomerId, CustomerRecord};
use crate::domain::workbook::{Change, Related, RelatedKind};
use crate::i18n::{field_errors, Lang};
use crate::state::{today, use_app};

pub trait RelatedSpec: 'static {
    type Record: Clone + PartialEq + Send + Sync + 'static;
    type Form: Clone + Send + Sync + 'static;
    const KIND: RelatedKind;
    /// i18n keys and test ids.
    const TITLE: &'static str;
    const ADD_LABEL: &'static str;
    const ADD_ID: &'static str;
    const SAVE_ID: &'static str;
    const ROW_ID: &'static str;
    /// i18n keys of the table's column headings.
    const COLUMNS: &'static [&'static str];

    fn list(record: &CustomerRecord) -> &[Self::Record];
    fn id(record: &Self::Record) -> u64;
    fn updated_at(record: &Self::Record) -> i64;
    fn date(record: &Self::Record) -> Day;
    fn blank_form(today: Day) -> Self::Form;
    fn to_form(record: &Self::Record) -> Self::Form;
    fn check(form: &Self::Form, id: u64) -> Result<Self::Record, Vec<FieldError>>;
    fn wrap(record: Self::Record) -> Related;
    fn fields(form: RwSignal<Self::Form>) -> AnyView;
    /// The text of each column for one row.
    fn cells(record: &Self::Record, lang: Lang) -> Vec<String>;
}

/// A fresh id for a new row: random, so rows made in two tabs or by two colleagues never clash.
fn new_row_id() -> u64 {
    (js_sys::Math::random() * 9.0e15) as u64 + 1
}

/// Rows shown before "show all": a regular with hundreds of purchases still opens instantly.
const FIRST_ROWS: usize = 10;

pub fn related_section<S: RelatedSpec>(customer_id: CustomerId) -> impl IntoView {
    let app = use_app();
    let show_all = RwSignal::new(false);
    // None: no form open; Some(None): adding; Some(Some((id, base))): editing that row.
    let editing: RwSignal<Option<Option<(u64, i64)>>> = RwSignal::new(None);
    let form: RwSignal<S::Form> = RwSignal::new(S::blank_form(today()));
    let rows = Memo::new(move |_| {
        app.workbook.with(|wb| {
            let mut rows: Vec<S::Record> = wb.get(customer_id).map(|r| S::list(r).to_vec()).unwrap_or_default();
            rows.sort_by_key(|r| std::cmp::Reverse(S::date(r)));
            rows.into_iter().map(|r| (S::id(&r), r)).collect::<Vec<_>>()
        })
    });

    let save = move |_| {
        let Some(target) = editing.get_untracked() else { return };
        let id = target.map_or_else(new_row_id, |(id, _)| id);
        match form.with_untracked(|f| S::check(f, id)) {
            Err(errors) => app.show_error(field_errors(app.lang.get_untracked(), &errors, &[])),
            Ok(record) => {
                let change =
                    Change::SaveRelated { customer_id, item: S::wrap(record), base: target.map(|(_, base)| base) };
                leptos::task::spawn_local(async move {
                    if app.commit(vec![change]).await {
                        editing.set(None);
                    }
                });
            }
        }
    };
    let delete = move |id: u64| {
        let change = Change::DeleteRelated { customer_id, kind: S::KIND, id };
        leptos::task::spawn_local(async move {
            app.commit(vec![change]).await;
        });
    };

    view! {
        <section class="history-section">
            <div class="section-head">
                <h3>{move || app.t(S::TITLE)} " " <span class="muted">{move || rows.with(Vec::len)}</span></h3>
                <button
                    class="secondary"
                    data-testid=S::ADD_ID
                    on:click=move |_| {
                        form.set(S::blank_form(today()));
                        editing.set(Some(None));
                    }
                >
                    {move || app.t(S::ADD_LABEL)}
                </button>
            </div>
            {move || {
                editing.get().map(|_| {
                    view! {
                        <div class="inline-form">
                            <div class="form-grid">{S::fields(form)}</div>
                            <div class="actions">
                                <button class="primary" data-testid=S::SAVE_ID disabled=move || app.saving.get() on:click=save>
                                    {move || app.t("common.save")}
                                </button>
                                <button class="secondary" on:click=move |_| editing.set(None)>{move || app.t("common.cancel")}</button>
                            </div>
                        </div>
                    }
                })
            }}
            {move || {
                if rows.with(Vec::is_empty) {
                    return view! { <p class="muted">{app.t("card.none-yet")}</p> }.into_any();
                }
                let lang = app.lang.get();
                view! {
                    <table class="history">
                        <thead>
                            <tr>
                                {S::COLUMNS.iter().map(|key| view! { <th>{app.t(key)}</th> }).collect_view()}
                                <th></th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .get()
                                .into_iter()
                                .take(if show_all.get() { usize::MAX } else { FIRST_ROWS })
                                .map(|(id, record)| {
                                    let base = S::updated_at(&record);
                                    let edit_form = S::to_form(&record);
                                    view! {
                                        <tr data-testid=S::ROW_ID data-row-id=id.to_string()>
                                            {S::cells(&record, lang).into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                                            <td class="row-actions">
                                                <button
                                                    class="link"
                                                    on:click=move |_| {
                                                        form.set(edit_form.clone());
                                                        editing.set(Some(Some((id, base))));
                                                    }
                                                >
                                                    {app.t("common.edit")}
                                                </button>
                                                <button class="link danger" on:click=move |_| delete(id)>{app.t("common.delete")}</button>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    <Show when=move || { !show_all.get() && rows.with(Vec::len) > FIRST_ROWS }>
                        <button class="link" data-testid="show-all" on:click=move |_| show_all.set(true)>
                            {move || format!("{} ({})", app.t("card.show-all"), rows.with(Vec::len))}
                        </button>
                    </Show>
                }
                .into_any()
            }}
        </section>
    }
}
