//! Marketing campaign participation on the customer card.

use leptos::prelude::*;

use super::field::{SelectField, TextField};
use super::related::RelatedSpec;
use crate::domain::day::Day;
use crate::domain::forms::{CampaignForm, FieldError};
use crate::domain::model::{CampaignEntry, CampaignResponse, CustomerRecord};
use crate::domain::workbook::{Related, RelatedKind};
use crate::i18n::{tr, Lang};

pub struct Campaigns;

impl RelatedSpec for Campaigns {
    type Record = CampaignEntry;
    type Form = CampaignForm;
    const KIND: RelatedKind = RelatedKind::Campaign;
    const TITLE: &'static str = "card.campaigns";
    const ADD_LABEL: &'static str = "card.add-campaign";
    const ADD_ID: &'static str = "add-campaign";
    const SAVE_ID: &'static str = "save-campaign";
    const ROW_ID: &'static str = "campaign-row";
    const COLUMNS: &'static [&'static str] = &["field.date", "field.campaign", "field.response", "field.result"];

    fn list(record: &CustomerRecord) -> &[CampaignEntry] {
        &record.campaigns
    }
    fn id(r: &CampaignEntry) -> u64 {
        r.id
    }
    fn updated_at(r: &CampaignEntry) -> i64 {
        r.updated_at
    }
    fn date(r: &CampaignEntry) -> Day {
        r.date
    }
    fn blank_form(today: Day) -> CampaignForm {
        CampaignForm {
            date: today.to_string(),
            response: CampaignResponse::Invited.code().into(),
            ..Default::default()
        }
    }
    fn to_form(r: &CampaignEntry) -> CampaignForm {
        CampaignForm::from_entry(r)
    }
    fn check(form: &CampaignForm, id: u64) -> Result<CampaignEntry, Vec<FieldError>> {
        form.to_entry(id)
    }
    fn wrap(r: CampaignEntry) -> Related {
        Related::Campaign(r)
    }
    fn fields(form: RwSignal<CampaignForm>) -> AnyView {
        let responses = CampaignResponse::ALL.iter().map(|r| (r.code(), format!("response.{}", r.code()))).collect();
        view! {
            <TextField form label="field.campaign" testid="campaign-name" get=|f| f.campaign.clone() set=|f, v| f.campaign = v/>
            <TextField form label="field.date" testid="campaign-date" kind="date" get=|f| f.date.clone() set=|f, v| f.date = v/>
            <SelectField form label="field.response" testid="campaign-response" options=responses get=|f| f.response.clone() set=|f, v| f.response = v/>
            <TextField form label="field.result" testid="campaign-result" get=|f| f.result.clone() set=|f, v| f.result = v/>
        }
        .into_any()
    }
    fn cells(r: &CampaignEntry, lang: Lang) -> Vec<String> {
        vec![
            r.date.to_string(),
            r.campaign.clone(),
            tr(lang, &format!("response.{}", r.response.code())).to_string(),
            r.result.clone(),
        ]
    }
}
