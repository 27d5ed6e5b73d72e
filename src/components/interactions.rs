//! The service and contact log on the customer card.

use leptos::prelude::*;

use super::field::{SelectField, TextArea, TextField};
use super::related::RelatedSpec;
use crate::domain::day::Day;
use crate::domain::forms::{FieldError, InteractionForm};
use crate::domain::model::{CustomerRecord, Interaction, InteractionKind};
use crate::domain::workbook::{Related, RelatedKind};
use crate::i18n::{tr, Lang};

pub struct Interactions;

impl RelatedSpec for Interactions {
    type Record = Interaction;
    type Form = InteractionForm;
    const KIND: RelatedKind = RelatedKind::Interaction;
    const TITLE: &'static str = "card.interactions";
    const ADD_LABEL: &'static str = "card.add-interaction";
    const ADD_ID: &'static str = "add-interaction";
    const SAVE_ID: &'static str = "save-interaction";
    const ROW_ID: &'static str = "interaction-row";
    const COLUMNS: &'static [&'static str] =
        &["field.date", "field.kind", "field.summary", "field.status", "field.staff", "field.follow-up"];

    fn list(record: &CustomerRecord) -> &[Interaction] {
        &record.interactions
    }
    fn id(r: &Interaction) -> u64 {
        r.id
    }
    fn updated_at(r: &Interaction) -> i64 {
        r.updated_at
    }
    fn date(r: &Interaction) -> Day {
        r.date
    }
    fn blank_form(today: Day) -> InteractionForm {
        InteractionForm { date: today.to_string(), kind: InteractionKind::Call.code().into(), ..Default::default() }
    }
    fn to_form(r: &Interaction) -> InteractionForm {
        InteractionForm::from_interaction(r)
    }
    fn check(form: &InteractionForm, id: u64) -> Result<Interaction, Vec<FieldError>> {
        form.to_interaction(id)
    }
    fn wrap(r: Interaction) -> Related {
        Related::Interaction(r)
    }
    fn fields(form: RwSignal<InteractionForm>) -> AnyView {
        let kinds = InteractionKind::ALL.iter().map(|k| (k.code(), format!("kind.{}", k.code()))).collect();
        view! {
            <TextField form label="field.date" testid="interaction-date" kind="date" get=|f| f.date.clone() set=|f, v| f.date = v/>
            <SelectField form label="field.kind" testid="interaction-kind" options=kinds get=|f| f.kind.clone() set=|f, v| f.kind = v/>
            <TextField form label="field.status" testid="interaction-status" get=|f| f.status.clone() set=|f, v| f.status = v/>
            <TextField form label="field.staff" testid="interaction-staff" get=|f| f.staff.clone() set=|f, v| f.staff = v/>
            <TextField form label="field.follow-up" testid="interaction-follow-up" kind="date" get=|f| f.follow_up.clone() set=|f, v| f.follow_up = v/>
            <TextArea form label="field.summary" testid="interaction-summary" get=|f| f.summary.clone() set=|f, v| f.summary = v/>
        }
        .into_any()
    }
    fn cells(r: &Interaction, lang: Lang) -> Vec<String> {
        vec![
            r.date.to_string(),
            tr(lang, &format!("kind.{}", r.kind.code())).to_string(),
            r.summary.clone(),
            r.status.clone(),
            r.staff.clone(),
            r.follow_up.map(|d| d.to_string()).unwrap_or_default(),
        ]
    }
}
