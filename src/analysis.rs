//! The one analysis the Dashboard, the Analytics page, the customer card and the list share:
//! worked out once per (as-of date, workbook revision), off the first paint, and kept while
//! the user moves between pages. Everything but the churn model first; the model (the slow
//! part: a maximum-likelihood fit) follows, so the charts do not wait for it.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::domain::analytics::Segment;
use crate::domain::campaigns::{campaigns, CampaignReport};
use crate::domain::day::Day;
use crate::domain::insights::{insights_of, model_view, profiles, Insights, ModelView, Stage, RULES};
use crate::domain::model::{CustomerId, CustomerRecord};
use crate::domain::tiers::Cadence;
use crate::files::yield_to_browser;
use crate::state::AppState;

/// Weeks before and after a campaign entry that its effect is measured over.
pub const CAMPAIGN_WEEKS: i32 = 4;

#[derive(Clone, Debug)]
pub struct Analysis {
    pub as_of: Day,
    pub revision: u64,
    /// The customers analysed: those of this tier (by id), or everyone ("").
    pub scope: String,
    pub insights: Arc<Insights>,
    pub campaigns: Arc<Vec<CampaignReport>>,
    /// Each customer's RFM segment and lifecycle stage.
    pub by_customer: Arc<HashMap<CustomerId, (Option<Segment>, Stage)>>,
    /// None until the churn model has been fitted.
    pub model: Option<Arc<ModelView>>,
    /// Milliseconds spent computing (not waiting): lifecycle and RFM for everyone; everything
    /// but the model (those included); the model.
    pub profiles_ms: f64,
    pub insights_ms: f64,
    pub model_ms: Option<f64>,
}

/// Two analyses are the same when made for the same date and data, at the same stage.
impl PartialEq for Analysis {
    fn eq(&self, other: &Analysis) -> bool {
        (self.key(), self.model.is_some()) == (other.key(), other.model.is_some())
    }
}

/// How far back "tier movements since the last review" look: one review period.
pub fn review_period_days(cadence: Cadence) -> i32 {
    match cadence {
        Cadence::Quarterly => 91,
        Cadence::HalfYearly => 182,
        Cadence::Yearly | Cadence::Anniversary => 365,
    }
}

/// What an analysis is of: the date, the data revision and the scope (a tier id, or "" for all).
pub type Key = (Day, u64, String);

fn current_key(app: AppState) -> Key {
    (app.as_of.get_untracked(), app.revision.get_untracked(), app.scope.get_untracked())
}

impl Analysis {
    fn key(&self) -> Key {
        (self.as_of, self.revision, self.scope.clone())
    }
}

/// Starts the analysis for the current date and data unless it is done or under way. A
/// request for an older date or revision gives way to the newer one.
pub fn request_analysis(app: AppState) {
    let key = current_key(app);
    let done = app.analysis.with_untracked(|a| a.as_ref().is_some_and(|a| a.key() == key && a.model.is_some()));
    if done || app.analysing.with_value(|k| k.as_ref() == Some(&key)) {
        return;
    }
    app.analysing.set_value(Some(key.clone()));
    leptos::task::spawn_local(analyse(app, key));
}

/// The analysis itself, a piece of the wasm of its own (`#[lazy]`): fetched the first time a
/// page asks for it, not with the list.
#[cfg_attr(feature = "split", leptos::lazy)]
async fn analyse(app: AppState, key: Key) {
    // Let the page paint first, and let a burst of changes (an import, typing a date) settle.
    yield_to_browser().await;
    if current_key(app) != key {
        return restart(app, key);
    }
    let (as_of, revision, scope) = key.clone();
    let cached = app.analysis.with_untracked(|a| a.as_ref().filter(|a| a.key() == key).cloned());
    let mut analysis = match cached {
        Some(a) => (*a).clone(),
        None => {
            let started = js_sys::Date::now();
            let since = as_of.plus_days(-review_period_days(app.policy.with_untracked(|p| p.cadence)));
            let (found, reports, profiles_ms) = app.workbook.with_untracked(|wb| {
                let records: Vec<&CustomerRecord> = wb
                    .records()
                    .filter(|r| scope.is_empty() || r.tier.tier.as_deref() == Some(scope.as_str()))
                    .collect();
                let step = profiles(&records, as_of, &RULES);
                let profiles_ms = js_sys::Date::now() - started;
                (insights_of(step, as_of, since), campaigns(&records, CAMPAIGN_WEEKS, as_of), profiles_ms)
            });
            let segments: HashMap<CustomerId, Segment> = found.rfm.iter().map(|r| (r.customer, r.segment)).collect();
            let by_customer =
                found.profiles.iter().map(|p| (p.customer, (segments.get(&p.customer).copied(), p.stage))).collect();
            let analysis = Analysis {
                as_of,
                revision,
                scope,
                insights: Arc::new(found),
                campaigns: Arc::new(reports),
                by_customer: Arc::new(by_customer),
                model: None,
                profiles_ms,
                insights_ms: js_sys::Date::now() - started,
                model_ms: None,
            };
            app.analysis.set(Some(Arc::new(analysis.clone())));
            yield_to_browser().await;
            if current_key(app) != key {
                return restart(app, key);
            }
            analysis
        }
    };
    let started = js_sys::Date::now();
    let model = model_view(&analysis.insights.profiles);
    analysis.model_ms = Some(js_sys::Date::now() - started);
    analysis.model = Some(Arc::new(model));
    app.analysis.set(Some(Arc::new(analysis)));
    app.analysing.set_value(None);
}

/// Gives up on `key` and starts over with whatever is current now.
fn restart(app: AppState, key: Key) {
    if app.analysing.with_value(|k| k.as_ref() == Some(&key)) {
        app.analysing.set_value(None);
    }
    request_analysis(app);
}

/// The analysis for the current date, once ready (possibly still without the model). After a
/// change to the data the previous one stays on show until the new one is ready, so charts do
/// not blink away on every save.
pub fn current_analysis(app: AppState) -> Option<Arc<Analysis>> {
    let (as_of, scope) = (app.as_of.get(), app.scope.get());
    app.analysis.get().filter(|a| a.as_of == as_of && a.scope == scope)
}
