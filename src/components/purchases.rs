//! Purchases on the customer card.

use leptos::prelude::*;

use super::field::TextField;
use super::related::RelatedSpec;
use crate::domain::day::Day;
use crate::domain::forms::{FieldError, PurchaseForm};
use crate::domain::model::{CustomerRecord, Purchase};
use crate::domain::money::format_grouped;
use crate::domain::workbook::{Related, RelatedKind};
use crate::i18n::Lang;

pub struct Purchases;

impl RelatedSpec for Purchases {
    type Record = Purchase;
    type Form = PurchaseForm;
    const KIND: RelatedKind = RelatedKind::Purchase;
    const TITLE: &'static str = "card.purchases";
    const ADD_LABEL: &'static str = "card.add-purchase";
    const ADD_ID: &'static str = "add-purchase";
    const SAVE_ID: &'static str = "save-purchase";
    const ROW_ID: &'static str = "purchase-row";
    const COLUMNS: &'static [&'static str] = &[
        "field.date",
        "field.product",
        "field.category",
        "field.quantity",
        "field.amount",
        "field.payment",
        "field.channel",
    ];

    fn list(record: &CustomerRecord) -> &[Purchase] {
        &record.purchases
    }
    fn id(r: &Purchase) -> u64 {
        r.id
    }
    fn updated_at(r: &Purchase) -> i64 {
        r.updated_at
    }
    fn date(r: &Purchase) -> Day {
        r.date
    }
    fn blank_form(today: Day) -> PurchaseForm {
        PurchaseForm { date: today.to_string(), quantity: "1".into(), ..Default::default() }
    }
    fn to_form(r: &Purchase) -> PurchaseForm {
        PurchaseForm::from_purchase(r)
    }
    fn check(form: &PurchaseForm, id: u64) -> Result<Purchase, Vec<FieldError>> {
        form.to_purchase(id)
    }
    fn wrap(r: Purchase) -> Related {
        Related::Purchase(r)
    }
    fn fields(form: RwSignal<PurchaseForm>) -> AnyView {
        view! {
            <TextField form label="field.date" testid="purchase-date" kind="date" get=|f| f.date.clone() set=|f, v| f.date = v/>
            <TextField form label="field.product" testid="purchase-product" get=|f| f.product.clone() set=|f, v| f.product = v/>
            <TextField form label="field.category" testid="purchase-category" get=|f| f.category.clone() set=|f, v| f.category = v/>
            <TextField form label="field.quantity" testid="purchase-quantity" get=|f| f.quantity.clone() set=|f, v| f.quantity = v/>
            <TextField form label="field.amount" testid="purchase-amount" get=|f| f.amount.clone() set=|f, v| f.amount = v/>
            <TextField form label="field.payment" testid="purchase-payment" get=|f| f.payment.clone() set=|f, v| f.payment = v/>
            <TextField form label="field.channel" testid="purchase-channel" get=|f| f.channel.clone() set=|f, v| f.channel = v/>
        }
        .into_any()
    }
    fn cells(r: &Purchase, _lang: Lang) -> Vec<String> {
        vec![
            r.date.to_string(),
            r.product.to_string(),
            r.category.to_string(),
            r.quantity.to_string(),
            format_grouped(r.amount_cents),
            r.payment.to_string(),
            r.channel.to_string(),
        ]
    }
}
