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
        (self.as_of, self.revision, self.model.is_some()) == (other.as_of, other.revision, other.model.is_some())
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

fn current_key(app: AppState) -> (Day, u64) {
    (app.as_of.get_untracked(), app.revision.get_untracked())
}

/// Starts the analysis for the current date and data unless it is done or under way. A
/// request for an older date or revision gives way to the newer one.
pub fn request_analysis(app: AppState) {
    let key = current_key(app);
    let done =
        app.analysis.with_untracked(|a| a.as_ref().is_some_and(|a| (a.as_of, a.revision) == key && a.model.is_some()));
    if done || app.analysing.get_value() == Some(key) {
        return;
    }
    app.analysing.set_value(Some(key));
    leptos::task::spawn_local(async move {
        // Let the page paint first, and let a burst of changes (an import, typing a date) settle.
        yield_to_browser().await;
        if current_key(app) != key {
            return restart(app, key);
        }
        let (as_of, revision) = key;
        let cached = app.analysis.with_untracked(|a| a.as_ref().filter(|a| (a.as_of, a.revision) == key).cloned());
        let mut analysis = match cached {
            Some(a) => (*a).clone(),
            None => {
                let started = js_sys::Date::now();
                let since = as_of.plus_days(-review_period_days(app.policy.with_untracked(|p| p.cadence)));
                let (found, reports, profiles_ms) = app.workbook.with_untracked(|wb| {
                    let records: Vec<&CustomerRecord> = wb.records().collect();
                    let step = profiles(&records, as_of, &RULES);
                    let profiles_ms = js_sys::Date::now() - started;
                    (insights_of(step, as_of, since), campaigns(&records, CAMPAIGN_WEEKS, as_of), profiles_ms)
                });
                let segments: HashMap<CustomerId, Segment> =
                    found.rfm.iter().map(|r| (r.customer, r.segment)).collect();
                let by_customer = found
                    .profiles
                    .iter()
                    .map(|p| (p.customer, (segments.get(&p.customer).copied(), p.stage)))
                    .collect();
                let analysis = Analysis {
                    as_of,
                    revision,
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
    });
}

/// Gives up on `key` and starts over with whatever is current now.
fn restart(app: AppState, key: (Day, u64)) {
    if app.analysing.get_value() == Some(key) {
        app.analysing.set_value(None);
    }
    request_analysis(app);
}

/// The analysis for the current date, once ready (possibly still without the model). After a
/// change to the data the previous one stays on show until the new one is ready, so charts do
/// not blink away on every save.
pub fn current_analysis(app: AppState) -> Option<Arc<Analysis>> {
    let as_of = app.as_of.get();
    app.analysis.get().filter(|a| a.as_of == as_of)
}
