//! The customer form, for a new customer or an existing one. Nothing is saved unless every
//! field passes its check.

use leptos::prelude::*;

use crate::components::field::{SelectField, TextArea, TextField};
use crate::domain::forms::{CustomerForm, OpeningForm};
use crate::domain::model::{CustomFieldKind, CustomerId, Gender};
use crate::domain::workbook::Change;
use crate::i18n::field_errors;
use crate::i18n::tier_name;
use crate::state::{today, use_app, Page};

#[component]
pub fn CustomerEdit(id: Option<CustomerId>) -> impl IntoView {
    let app = use_app();
    let defs = app.custom_fields.get_untracked();
    let existing = id.and_then(|id| app.workbook.with_untracked(|wb| wb.get(id).map(|r| r.customer.clone())));
    let base = existing.as_ref().map(|c| c.updated_at);
    let carried_before = id
        .and_then(|id| app.workbook.with_untracked(|wb| wb.get(id).map(|r| r.tier.carried_over())))
        .unwrap_or_default();
    let opening_before = OpeningForm::from_carried(&carried_before);
    let opening = RwSignal::new(opening_before.clone());
    let code_of = move |id: CustomerId| {
        app.workbook.with_untracked(|wb| wb.get(id).map(|r| r.customer.code.clone()).unwrap_or_default())
    };
    let form = RwSignal::new(match &existing {
        Some(c) => CustomerForm::from_customer(c, &defs, &code_of),
        None => CustomerForm {
            code: app.workbook.with_untracked(|wb| crate::storage::settings::code_format().next_code(wb)),
            customer_since: today().to_string(),
            influence: "0".into(),
            custom: defs.iter().map(|d| (d.id.clone(), String::new())).collect(),
            ..Default::default()
        },
    });

    let save = move |_| {
        let defs = app.custom_fields.get_untracked();
        let number = id.unwrap_or_else(|| {
            let mut rng = fastrand::Rng::with_seed(crate::state::random_seed());
            app.workbook.with_untracked(|wb| wb.new_customer_id(&mut rng))
        });
        let tier_ids: Vec<String> = app.policy.with_untracked(|p| p.tiers.iter().map(|t| t.id.clone()).collect());
        // A code left empty gets the next free one.
        if form.with_untracked(|f| f.code.trim().is_empty()) {
            let next = app.workbook.with_untracked(|wb| crate::storage::settings::code_format().next_code(wb));
            form.update(|f| f.code = next);
        }
        let find = |code: &str| app.code_holder(code, None);
        let mut checked = form.with_untracked(|f| f.to_customer(number, today(), &defs, &find));
        if let Ok(c) = &checked {
            if app.code_holder(&c.code, Some(number)).is_some() {
                let problem = crate::domain::forms::Problem::CodeTaken;
                checked = Err(vec![crate::domain::forms::FieldError { field: "code".into(), problem }]);
            }
        }
        let carried = opening.with_untracked(|o| o.to_carried(&tier_ids, today()));
        match (checked, carried) {
            (Err(mut errors), carried) => {
                errors.extend(carried.err().unwrap_or_default());
                app.show_error(field_errors(app.lang.get_untracked(), &errors, &defs))
            }
            (Ok(_), Err(errors)) => app.show_error(field_errors(app.lang.get_untracked(), &errors, &defs)),
            (Ok(customer), Ok(carried)) => {
                let mut changes = vec![Change::SaveCustomer { customer: Box::new(customer), base }];
                // Written only when changed, so saving the card does not re-import old figures.
                if opening.with_untracked(|o| *o != opening_before) {
                    changes.push(Change::CarryOver { customer_id: number, carried, date: today() });
                }
                leptos::task::spawn_local(async move {
                    if app.commit(changes).await {
                        app.nav.unsaved.set(false);
                        app.go(Page::Customer(number));
                    }
                });
            }
        }
    };
    // Input marks the form unsaved only while it is the page shown: a field that loses focus as
    // the form closes after a save (its late `change`) must not hold the next page hostage.
    let mark_unsaved = move || {
        if matches!(app.nav.page.get_untracked(), Page::EditCustomer(_)) {
            app.nav.unsaved.set(true);
        }
    };
    on_cleanup(move || app.nav.unsaved.set(false));
    // Cancel is the user's own "discard": it does not ask again.
    let cancel = move |_| {
        app.nav.unsaved.set(false);
        app.go(id.map_or(Page::Customers, Page::Customer));
    };
    let genders = Gender::ALL.iter().map(|g| (g.code(), format!("gender.{}", g.code()))).collect::<Vec<_>>();

    let has_custom = !defs.is_empty();
    let custom_inputs = defs
        .into_iter()
        .enumerate()
        .map(|(i, def)| {
            let testid = format!("field-custom-{}", def.id);
            let value = move || form.with(|f| f.custom.get(i).map(|(_, v)| v.clone()).unwrap_or_default());
            let set = move |v: String| form.update(|f| {
                if let Some(slot) = f.custom.get_mut(i) {
                    slot.1 = v;
                }
            });
            let input = match def.kind {
                CustomFieldKind::Choice(options) => view! {
                    <select data-testid=testid prop:value=value on:change=move |ev| set(event_target_value(&ev))>
                        <option value="">{app.t("common.none")}</option>
                        {options.into_iter().map(|o| view! { <option value=o.clone()>{o.clone()}</option> }).collect_view()}
                    </select>
                }
                .into_any(),
                kind => {
                    let input_type = match kind {
                        CustomFieldKind::Date => "date",
                        CustomFieldKind::Number => "number",
                        _ => "text",
                    };
                    view! { <input type=input_type data-testid=testid prop:value=value on:input=move |ev| set(event_target_value(&ev))/> }
                        .into_any()
                }
            };
            view! {
                <label class="field">
                    <span>{def.label.clone()}</span>
                    {input}
                </label>
            }
        })
        .collect_view();

    view! {
        <section
            class="page edit"
            data-testid="customer-form"
            on:input=move |_| mark_unsaved()
            on:change=move |_| mark_unsaved()
        >
            <h1>{move || app.t(if id.is_some() { "form.edit-title" } else { "form.new-title" })}</h1>
            <fieldset>
                <legend>{move || app.t("form.basic")}</legend>
                <div class="form-grid">
                    <TextField form label="field.code" testid="field-code" get=|f| f.code.clone() set=|f, v| f.code = v/>
                    <TextField form label="field.name" testid="field-name" get=|f| f.name.clone() set=|f, v| f.name = v/>
                    <SelectField form label="field.gender" testid="field-gender" options=genders get=|f| f.gender.clone() set=|f, v| f.gender = v/>
                    <TextField form label="field.birthday" testid="field-birthday" kind="date" get=|f| f.birthday.clone() set=|f, v| f.birthday = v/>
                    <TextField form label="field.phone" testid="field-phone" kind="tel" get=|f| f.phone.clone() set=|f, v| f.phone = v/>
                    <TextField form label="field.email" testid="field-email" kind="email" get=|f| f.email.clone() set=|f, v| f.email = v/>
                    <TextField form label="field.wechat" testid="field-wechat" get=|f| f.wechat.clone() set=|f, v| f.wechat = v/>
                    <TextField form label="field.city" testid="field-city" get=|f| f.city.clone() set=|f, v| f.city = v/>
                    <TextField form label="field.address" testid="field-address" get=|f| f.address.clone() set=|f, v| f.address = v/>
                    <TextField form label="field.occupation" testid="field-occupation" get=|f| f.occupation.clone() set=|f, v| f.occupation = v/>
                </div>
            </fieldset>
            <fieldset>
                <legend>{move || app.t("form.more")}</legend>
                <div class="form-grid">
                    <TextField form label="field.customer-since" testid="field-customer-since" kind="date" get=|f| f.customer_since.clone() set=|f, v| f.customer_since = v/>
                    <TextField form label="field.source" testid="field-source" get=|f| f.source.clone() set=|f, v| f.source = v/>
                    <TextField form label="field.referred-by" testid="field-referred-by" get=|f| f.referred_by.clone() set=|f, v| f.referred_by = v/>
                    <TextField form label="field.account-manager" testid="field-account-manager" get=|f| f.account_manager.clone() set=|f, v| f.account_manager = v/>
                    <TextField form label="field.influence" testid="field-influence" kind="number" get=|f| f.influence.clone() set=|f, v| f.influence = v/>
                    <TextField form label="field.tags" testid="field-tags" get=|f| f.tags.clone() set=|f, v| f.tags = v/>
                    <label class="field checkbox">
                        <input
                            type="checkbox"
                            data-testid="field-marketing-consent"
                            prop:checked=move || form.with(|f| f.marketing_consent)
                            on:change=move |ev| form.update(|f| f.marketing_consent = event_target_checked(&ev))
                        />
                        <span>{move || app.t("field.marketing-consent")}</span>
                    </label>
                    <TextField form label="field.consent-date" testid="field-consent-date" kind="date" get=|f| f.consent_date.clone() set=|f, v| f.consent_date = v/>
                    <TextField form label="field.consent-source" testid="field-consent-source" kind="text" get=|f| f.consent_source.clone() set=|f, v| f.consent_source = v/>
                    <TextArea form label="field.hobbies" testid="field-hobbies" get=|f| f.hobbies.clone() set=|f, v| f.hobbies = v/>
                    <TextArea form label="field.special-needs" testid="field-special-needs" get=|f| f.special_needs.clone() set=|f, v| f.special_needs = v/>
                    <TextArea form label="field.notes" testid="field-notes" get=|f| f.notes.clone() set=|f, v| f.notes = v/>
                </div>
            </fieldset>
            {has_custom.then(|| view! {
                <fieldset>
                    <legend>{move || app.t("form.custom")}</legend>
                    <div class="form-grid">{custom_inputs}</div>
                </fieldset>
            })}
            <fieldset>
                <legend>{move || app.t("form.opening")}</legend>
                <p class="muted">{move || app.t("form.opening-help")}</p>
                <div class="form-grid">
                    <TextField form=opening label="field.opening-as-of" testid="opening-as-of" kind="date" get=|f| f.as_of.clone() set=|f, v| f.as_of = v/>
                    <TextField form=opening label="field.opening-spend" testid="opening-spend" get=|f| f.spend.clone() set=|f, v| f.spend = v/>
                    <TextField form=opening label="field.opening-purchases" testid="opening-purchases" get=|f| f.purchases.clone() set=|f, v| f.purchases = v/>
                    <TextField form=opening label="field.opening-points" testid="opening-points" get=|f| f.points.clone() set=|f, v| f.points = v/>
                    <label class="field">
                        <span>{move || app.t("field.opening-tier")}</span>
                        <select
                            data-testid="opening-tier"
                            aria-label=move || app.t("field.opening-tier")
                            prop:value=move || opening.with(|o| o.tier.clone())
                            on:change=move |ev| opening.update(|o| o.tier = event_target_value(&ev))
                        >
                            <option value="">{move || app.t("common.none")}</option>
                            {move || {
                                let lang = app.lang.get();
                                app.policy.with(|p| p.tiers.iter().map(|t| view! { <option value=t.id.clone()>{tier_name(lang, t).to_string()}</option> }).collect_view())
                            }}
                        </select>
                    </label>
                    <TextField form=opening label="field.opening-last-review" testid="opening-last-review" kind="date" get=|f| f.last_review.clone() set=|f, v| f.last_review = v/>
                    <TextField form=opening label="field.opening-next-review" testid="opening-next-review" kind="date" get=|f| f.next_review.clone() set=|f, v| f.next_review = v/>
                </div>
            </fieldset>
            <div class="actions">
                <button class="primary" data-testid="save-customer" disabled=move || app.saving.get() on:click=save>
                    {move || app.t("common.save")}
                </button>
                <button class="secondary" on:click=cancel>{move || app.t("common.cancel")}</button>
            </div>
        </section>
    }
}
