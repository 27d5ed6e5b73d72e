//! Today: birthdays and anniversaries coming up, follow-ups due, tier reviews due, customers at
//! risk and records due a look — each can be done, snoozed or dismissed, and that is kept in
//! the workbook. The list exports to a calendar (.ics); birthdays and anniversaries get a
//! greeting filled in from the user's template. Also: is a backup due, and how much space the
//! workbook uses and whether the browser promised to keep it.

use std::collections::HashMap;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::analysis::request_analysis;
use crate::domain::points::ledger;
use crate::domain::reminders::{fill_template, ics, is_open, reminders, Handled, Kind, Reminder, Settings};
use crate::files::download;
use crate::i18n::{tier_name, tr, warning_text, Lang};
use crate::router::Navigator;
use crate::state::{now_millis, today, use_app, Page};
use crate::storage::settings;

fn default_greeting(lang: Lang) -> &'static str {
    tr(lang, "reminders.greeting-default")
}

/// Copies to the clipboard; a browser that refuses is not an error worth showing (the text is
/// on the page to copy by hand).
fn copy_to_clipboard(text: &str) {
    let Some(window) = web_sys::window() else { return };
    let navigator = window.navigator();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into()) else { return };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()) else { return };
    let Some(write) = write.dyn_ref::<js_sys::Function>() else { return };
    if let Ok(promise) = write.call1(&clipboard, &text.into()) {
        if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
            leptos::task::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            });
        }
    }
}

/// What a reminder says, in the language chosen.
fn describe(lang: Lang, r: &Reminder) -> String {
    match r.kind {
        Kind::Birthday => format!("{} {}", tr(lang, "reminders.turns"), r.detail),
        Kind::Anniversary => format!("{} {}", r.detail, tr(lang, "reminders.years")),
        Kind::TierReview => format!("{} {}", r.detail, tr(lang, "reminders.reviews-due")),
        Kind::DataReview => format!("{} {}", tr(lang, "reminders.last-changed"), r.detail),
        Kind::FollowUp | Kind::AtRisk => r.detail.clone(),
    }
}

fn title(lang: Lang, r: &Reminder) -> String {
    format!("{}: {} — {}", tr(lang, &format!("reminder.{}", r.kind.code())), r.name, describe(lang, r))
}

#[component]
pub fn Reminders() -> impl IntoView {
    let app = use_app();
    let prefs = RwSignal::new(settings::reminder_settings());
    let handled = RwSignal::new(HashMap::<String, Handled>::new());
    let greeting = RwSignal::new(None::<(u64, String)>);
    let storage = RwSignal::new(None::<(f64, f64, bool)>);
    // Nothing is listed until what was done with the reminders has been read.
    let ready = RwSignal::new(false);
    let templates = RwSignal::new(
        settings::greetings()
            .unwrap_or_else(|| (default_greeting(Lang::Zh).to_string(), default_greeting(Lang::En).to_string())),
    );
    Effect::new(move |_| {
        app.as_of.track();
        app.revision.track();
        app.scope.track();
        request_analysis(app);
    });
    leptos::task::spawn_local(async move {
        if let Some(store) = app.store() {
            if let Ok(saved) = store.handled_reminders().await {
                handled.set(saved);
            }
        }
        ready.set(true);
        storage.set(crate::storage::storage_status(false).await);
    });

    let list = Memo::new(move |_| {
        let settings = prefs.get();
        let lang = app.lang.get();
        let at_risk: Vec<(u64, String)> = app
            .analysis
            .get()
            .map(|a| {
                let mut rows: Vec<_> = a.insights.profiles.iter().filter(|p| !p.warnings.is_empty()).collect();
                rows.sort_by_key(|p| std::cmp::Reverse(p.yearly_value_cents));
                rows.iter().take(20).map(|p| (p.customer, warning_text(lang, &p.warnings[0]))).collect()
            })
            .unwrap_or_default();
        app.workbook.with(|wb| reminders(wb.records(), today(), &settings, &at_risk))
    });
    let open = Memo::new(move |_| {
        if !ready.get() {
            return Vec::new();
        }
        let day = today();
        handled.with(|h| list.with(|l| l.iter().filter(|r| is_open(r, h, day)).cloned().collect::<Vec<_>>()))
    });

    let act = move |key: String, what: Handled| {
        handled.update(|h| {
            h.insert(key, what);
            crate::domain::reminders::forget_old(h, today());
        });
        leptos::task::spawn_local(async move {
            let Some(store) = app.store() else { return };
            if let Err(e) = store.save_handled_reminders(&handled.get_untracked()).await {
                app.show_error(format!("{}: {e}", app.t("error.storage")));
            }
        });
    };
    let greet = move |r: &Reminder| {
        let lang = app.lang.get_untracked();
        let policy = app.policy.get_untracked();
        let referrals = app.referral_dates(r.customer);
        let (tier, points) = app
            .workbook
            .with_untracked(|wb| {
                wb.get(r.customer).map(|rec| {
                    let tier = rec
                        .tier
                        .tier
                        .as_ref()
                        .and_then(|id| policy.tiers.iter().find(|t| &t.id == id))
                        .map(|t| tier_name(lang, t).to_string())
                        .unwrap_or_default();
                    (tier, ledger(rec, &policy, &referrals, today()).1)
                })
            })
            .unwrap_or_default();
        let template = templates.with_untracked(|(zh, en)| if lang == Lang::Zh { zh.clone() } else { en.clone() });
        let text = fill_template(&template, &r.name, &tier, points);
        copy_to_clipboard(&text);
        greeting.set(Some((r.customer, text)));
    };
    let export_ics = move |_| {
        let lang = app.lang.get_untracked();
        let stamp = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default();
        let stamp: String =
            stamp.chars().filter(|c| c.is_ascii_digit() || *c == 'T').take(15).collect::<String>() + "Z";
        let file = open.with_untracked(|l| ics(l, |r| title(lang, r), &stamp));
        if download("tierbook-reminders.ics", "text/calendar;charset=utf-8", file.as_bytes()).is_err() {
            app.show_error(app.t("error.storage").to_string());
        }
    };
    let set_prefs = move |change: &dyn Fn(&mut Settings)| {
        prefs.update(|p| change(p));
        settings::set_reminder_settings(&prefs.get_untracked());
    };
    let backup_due = move || {
        let days = prefs.get().backup_days;
        if days == 0 {
            return None;
        }
        match settings::last_backup() {
            None => Some(app.t("reminders.backup-never").to_string()),
            Some(ms) => {
                let age = (now_millis() - ms) / 86_400_000;
                (age >= days as i64).then(|| {
                    format!("{} {age} {}", app.t("reminders.backup-age"), app.t_count("reminders.days-ago", age as u64))
                })
            }
        }
    };
    let choice = move |testid: &'static str,
                       options: Vec<(i32, &'static str)>,
                       get: fn(&Settings) -> i32,
                       set: fn(&mut Settings, i32)| {
        view! {
            <select data-testid=testid on:change=move |ev| {
                if let Ok(v) = event_target_value(&ev).parse::<i32>() {
                    set_prefs(&|p| set(p, v));
                }
            }>
                {options.into_iter().map(|(v, key)| view! {
                    <option value=v.to_string() selected=move || get(&prefs.get()) == v>{move || app.t(key)}</option>
                }).collect_view()}
            </select>
        }
    };

    view! {
        <section class="page reminders">
            <h1>{move || app.t("reminders.title")}</h1>
            <div class="panel">
                <div class="filters">
                    <label class="inline">{move || app.t("reminders.days-ahead")}
                        {choice("reminder-days", vec![(7, "reminders.7"), (14, "reminders.14"), (30, "reminders.30")], |p| p.days_ahead, |p, v| p.days_ahead = v)}
                    </label>
                    <label class="inline">{move || app.t("reminders.data-review")}
                        {choice("reminder-review", vec![(30, "reminders.monthly"), (91, "reminders.quarterly"), (0, "reminders.off")], |p| p.data_review_days, |p, v| p.data_review_days = v)}
                    </label>
                    <label class="inline">{move || app.t("reminders.backup-every")}
                        {choice("reminder-backup", vec![(7, "reminders.7"), (30, "reminders.30"), (0, "reminders.off")], |p| p.backup_days, |p, v| p.backup_days = v)}
                    </label>
                    <button class="secondary" data-testid="export-ics" on:click=export_ics>{move || app.t("reminders.export-ics")}</button>
                </div>
                {move || backup_due().map(|text| view! {
                    <p class="warning" data-testid="backup-reminder">
                        {text} " "
                        <button class="link" on:click=move |_| app.go(Page::ImportExport)>{app.t("reminders.backup-now")}</button>
                    </p>
                })}
                <p class="muted" data-testid="storage-status">
                    {move || storage.get().map(|(used, quota, persisted)| format!(
                        "{} {:.1} MB / {:.0} MB · {}",
                        app.t("reminders.storage-used"), used / 1e6, quota / 1e6,
                        app.t(if persisted { "reminders.persisted" } else { "reminders.not-persisted" }),
                    ))}
                </p>
            </div>
            <div class="panel">
                <h2>{move || format!("{} ({})", app.t("reminders.open"), open.with(Vec::len))}</h2>
                {move || greeting.get().map(|(id, text)| view! {
                    <div class="greeting">
                        <p class="muted">{app.t("reminders.copied")} " " {app.workbook.with_untracked(|wb| wb.get(id).map(|r| r.customer.name.clone())).unwrap_or_default()}</p>
                        <p data-testid="greeting-text">{text}</p>
                    </div>
                })}
                <div class="table-scroll">
                    <table class="history">
                        <thead><tr>
                            <th>{move || app.t("reminders.due")}</th><th>{move || app.t("reminders.what")}</th>
                            <th>{move || app.t("analytics.customer")}</th><th>{move || app.t("reminders.detail")}</th><th></th>
                        </tr></thead>
                        <tbody>
                            {move || {
                                let lang = app.lang.get();
                                let day = today();
                                open.get().into_iter().take(300).map(|r| {
                                    let id = r.customer;
                                    let (done, snooze, dismiss) = (r.key.clone(), r.key.clone(), r.key.clone());
                                    let overdue = r.due < day;
                                    let greetable = matches!(r.kind, Kind::Birthday | Kind::Anniversary);
                                    let for_greeting = r.clone();
                                    view! {
                                        <tr data-testid="reminder-row" data-kind=r.kind.code() data-key=r.key.clone() class:overdue=overdue>
                                            <td>{r.due.to_string()}</td>
                                            <td>{tr(lang, &format!("reminder.{}", r.kind.code()))}</td>
                                            <td>{if id == 0 {
                                                view! { <a class="link" href=Navigator::href(Page::Tiers)>{tr(lang, "nav.tiers")}</a> }.into_any()
                                            } else {
                                                view! { <a class="link" href=Navigator::href(Page::Customer(id))>{r.name.clone()}</a> }.into_any()
                                            }}</td>
                                            <td>{describe(lang, &r)}</td>
                                            <td class="actions">
                                                {greetable.then(|| view! {
                                                    <button class="secondary" data-testid="reminder-greeting" on:click=move |_| greet(&for_greeting)>{tr(lang, "reminders.greeting")}</button>
                                                })}
                                                <button class="secondary" data-testid="reminder-done" on:click=move |_| act(done.clone(), Handled::Done(today()))>{tr(lang, "reminders.done")}</button>
                                                <button class="secondary" data-testid="reminder-snooze" on:click=move |_| act(snooze.clone(), Handled::SnoozedUntil(today().plus_days(7)))>{tr(lang, "reminders.snooze")}</button>
                                                <button class="link" data-testid="reminder-dismiss" on:click=move |_| act(dismiss.clone(), Handled::Dismissed(today()))>{tr(lang, "reminders.dismiss")}</button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
            </div>
            <div class="panel">
                <h2>{move || app.t("reminders.templates")}</h2>
                <p class="muted">{move || app.t("reminders.templates-help")}</p>
                <label>"中文"
                    <textarea data-testid="greeting-template-zh" prop:value=move || templates.get().0
                        on:change=move |ev| { templates.update(|t| t.0 = event_target_value(&ev)); templates.with_untracked(|(zh, en)| settings::set_greetings(zh, en)); }></textarea>
                </label>
                <label>"English"
                    <textarea data-testid="greeting-template-en" prop:value=move || templates.get().1
                        on:change=move |ev| { templates.update(|t| t.1 = event_target_value(&ev)); templates.with_untracked(|(zh, en)| settings::set_greetings(zh, en)); }></textarea>
                </label>
            </div>
        </section>
    }
}
