//! Satisfaction and feedback on the customer card.

use leptos::prelude::*;

use super::field::{TextArea, TextField};
use super::related::RelatedSpec;
use crate::domain::day::Day;
use crate::domain::forms::{FeedbackForm, FieldError};
use crate::domain::model::{CustomerRecord, Feedback};
use crate::domain::workbook::{Related, RelatedKind};
use crate::i18n::{tr, Lang};

pub struct FeedbackList;

impl RelatedSpec for FeedbackList {
    type Record = Feedback;
    type Form = FeedbackForm;
    const KIND: RelatedKind = RelatedKind::Feedback;
    const TITLE: &'static str = "card.feedback";
    const ADD_LABEL: &'static str = "card.add-feedback";
    const ADD_ID: &'static str = "add-feedback";
    const SAVE_ID: &'static str = "save-feedback";
    const ROW_ID: &'static str = "feedback-row";
    const COLUMNS: &'static [&'static str] =
        &["field.date", "field.score", "field.nps", "field.comment", "field.channel", "field.handled"];

    fn list(record: &CustomerRecord) -> &[Feedback] {
        &record.feedback
    }
    fn id(r: &Feedback) -> u64 {
        r.id
    }
    fn updated_at(r: &Feedback) -> i64 {
        r.updated_at
    }
    fn date(r: &Feedback) -> Day {
        r.date
    }
    fn blank_form(today: Day) -> FeedbackForm {
        FeedbackForm { date: today.to_string(), ..Default::default() }
    }
    fn to_form(r: &Feedback) -> FeedbackForm {
        FeedbackForm::from_feedback(r)
    }
    fn check(form: &FeedbackForm, id: u64) -> Result<Feedback, Vec<FieldError>> {
        form.to_feedback(id)
    }
    fn wrap(r: Feedback) -> Related {
        Related::Feedback(r)
    }
    fn fields(form: RwSignal<FeedbackForm>) -> AnyView {
        view! {
            <TextField form label="field.date" testid="feedback-date" kind="date" get=|f| f.date.clone() set=|f, v| f.date = v/>
            <TextField form label="field.score" testid="feedback-score" kind="number" get=|f| f.score.clone() set=|f, v| f.score = v/>
            <TextField form label="field.nps" testid="feedback-nps" kind="number" get=|f| f.nps.clone() set=|f, v| f.nps = v/>
            <TextField form label="field.channel" testid="feedback-channel" get=|f| f.channel.clone() set=|f, v| f.channel = v/>
            <TextArea form label="field.comment" testid="feedback-comment" get=|f| f.comment.clone() set=|f, v| f.comment = v/>
            <label class="field checkbox">
                <input
                    type="checkbox"
                    data-testid="feedback-handled"
                    prop:checked=move || form.with(|f| f.handled)
                    on:change=move |ev| form.update(|f| f.handled = event_target_checked(&ev))
                />
                <span>{move || crate::state::use_app().t("field.handled")}</span>
            </label>
        }
        .into_any()
    }
    fn cells(r: &Feedback, lang: Lang) -> Vec<String> {
        vec![
            r.date.to_string(),
            "★".repeat(r.score as usize),
            r.nps.map(|n| n.to_string()).unwrap_or_default(),
            r.comment.clone(),
            r.channel.clone(),
            tr(lang, if r.handled { "common.yes" } else { "common.no" }).to_string(),
        ]
    }
}
