//! The words customers use most in their comments, each leading to the comments behind it
//! with their tone (Analytics).

use leptos::prelude::*;

use crate::analysis::Analysis;
use crate::components::customer_link::customer_link;
use crate::state::AppState;

/// `term` is the word chosen, kept by the page so a new analysis keeps the choice.
pub fn key_terms(app: AppState, a: &Analysis, term: RwSignal<Option<String>>) -> impl IntoView {
    let a = a.clone();
    let report = a.insights.terms.clone();
    let chips = report.terms.clone();
    view! {
        <div class="panel">
            <h2>{app.t("analytics.terms")}</h2>
            <p class="muted">{app.t("analytics.terms-help")}</p>
            <div class="terms">
                {chips.into_iter().map(|t| {
                    let word = t.term.clone();
                    let selected = word.clone();
                    view! {
                        <button class="term" class:selected=move || term.get().as_deref() == Some(selected.as_str())
                            data-testid="term" data-term=t.term.clone()
                            on:click=move |_| term.set(Some(word.clone()))>
                            {t.term.clone()}<span class="n">{t.comments}</span>
                        </button>
                    }
                }).collect_view()}
            </div>
            {move || term.get().and_then(|chosen| {
                let found = report.terms.iter().find(|t| t.term == chosen)?.clone();
                Some(view! {
                    <h3>{app.t("analytics.term-comments")} " “" {chosen.clone()} "”"</h3>
                    <div class="table-scroll">
                        <table class="history">
                            <thead><tr>
                                <th>{app.t("analytics.date")}</th><th>{app.t("analytics.customer")}</th>
                                <th>{app.t("analytics.tone")}</th><th>{app.t("field.comment")}</th>
                            </tr></thead>
                            <tbody>
                                {found.examples.iter().take(50).map(|i| {
                                    let c = &a.insights.comments[*i];
                                    let tone = report.tones[*i];
                                    let complaint = c.complaint.then(|| format!(" ({})", app.t("analytics.complaint")));
                                    view! {
                                        <tr data-testid="term-comment">
                                            <td>{c.date.to_string()}</td>
                                            <td>{customer_link(app, c.customer)}</td>
                                            <td class=format!("tone-{}", tone.code())>{app.t(&format!("tone.{}", tone.code()))}{complaint}</td>
                                            <td>{c.text.clone()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                })
            })}
        </div>
    }
}
