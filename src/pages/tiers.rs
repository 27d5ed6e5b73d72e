//! The Tiers page: customers per tier, the policy editor with presets, a what-if preview of a
//! changed policy (nothing written until applied), and the reviews coming due.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::domain::tiers::{preset, what_if, Cadence, Metric, RuleMode, Threshold, TierPolicy, PRESETS};
use crate::i18n::tier_name;
use crate::router::Navigator;
use crate::state::{today, use_app, Page};

/// Sets or clears one threshold of tier `i` from what the user typed. Text that is not a
/// number becomes NaN, which the policy check refuses with a message.
fn set_threshold(policy: &mut TierPolicy, i: usize, metric: Metric, text: &str, weight: bool) {
    let tier = &mut policy.tiers[i];
    let value = if text.trim().is_empty() { None } else { Some(text.trim().parse::<f64>().unwrap_or(f64::NAN)) };
    let slot = tier.thresholds.iter().position(|t| t.metric == metric);
    match (slot, value, weight) {
        (Some(at), None, false) => drop(tier.thresholds.remove(at)),
        (Some(at), Some(v), false) => tier.thresholds[at].min = v,
        (Some(at), v, true) => tier.thresholds[at].weight = v.unwrap_or(0.0),
        (None, Some(v), false) => tier.thresholds.push(Threshold { metric, min: v, weight: 0.0 }),
        (None, _, _) => {}
    }
    policy.preset = "custom".into();
}

fn number_text(value: f64) -> String {
    if value.is_nan() {
        String::new()
    } else {
        value.to_string()
    }
}

#[component]
pub fn Tiers() -> impl IntoView {
    let app = use_app();
    // Customers are named by their code, as everywhere else.
    let code_of =
        move |id| app.workbook.with_untracked(|wb| wb.get(id).map(|r| r.customer.code.clone())).unwrap_or_default();
    let draft = RwSignal::new(app.policy.get_untracked());
    let applied = RwSignal::new(None::<usize>);

    let counts = Memo::new(move |_| {
        app.workbook.with(|wb| {
            let mut counts: HashMap<String, usize> = HashMap::new();
            for r in wb.records() {
                if let Some(t) = &r.tier.tier {
                    *counts.entry(t.clone()).or_default() += 1;
                }
            }
            counts
        })
    });
    let preview = Memo::new(move |_| {
        let candidate = draft.get();
        let current = app.policy.get();
        (candidate != current && candidate.validate().is_ok())
            .then(|| app.workbook.with(|wb| what_if(&current, &candidate, wb.records(), today())))
    });
    let due = Memo::new(move |_| {
        let horizon = today().plus_days(30);
        app.workbook.with(|wb| {
            let mut due: Vec<(crate::domain::day::Day, u64, String)> = wb
                .records()
                .filter_map(|r| {
                    r.tier.next_review.filter(|d| *d <= horizon).map(|d| (d, r.customer.id, r.customer.name.clone()))
                })
                .collect();
            due.sort();
            due
        })
    });

    let apply = move |_| {
        let policy = draft.get_untracked();
        leptos::task::spawn_local(async move {
            if let Some(n) = app.apply_policy(policy).await {
                applied.set(Some(n));
                draft.set(app.policy.get_untracked());
            }
        });
    };

    let number_input = move |testid: String, get: fn(&TierPolicy) -> String, set: fn(&mut TierPolicy, &str)| {
        view! {
            <input
                data-testid=testid
                prop:value=move || draft.with(get)
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    draft.update(|p| {
                        set(p, &text);
                        p.preset = "custom".into();
                    })
                }
            />
        }
    };

    let tier_rows = move || {
        let lang = app.lang.get();
        let count = draft.with(|p| p.tiers.len());
        (0..count)
            .map(|i| {
                let (id, scored, tier) =
                    draft.with_untracked(|p| (p.tiers[i].id.clone(), p.tiers[i].mode == RuleMode::Score, tier_name(lang, &p.tiers[i]).to_string()));
                // Each cell's input is named by its column and its tier, for screen readers.
                let label = move |column: &str| format!("{column} · {tier}");
                let cells = Metric::ALL
                    .into_iter()
                    .map(|metric| {
                        let min = move || {
                            draft.with(|p| p.tiers.get(i).and_then(|t| t.thresholds.iter().find(|t| t.metric == metric)).map(|t| number_text(t.min)).unwrap_or_default())
                        };
                        let weight = move || {
                            draft.with(|p| p.tiers.get(i).and_then(|t| t.thresholds.iter().find(|t| t.metric == metric)).map(|t| number_text(t.weight)).unwrap_or_default())
                        };
                        let disabled = i == 0;
                        view! {
                            <td>
                                <input
                                    aria-label=label(app.t(&format!("metric.{}", metric.code())))
                                    data-testid=format!("tier-threshold-{id}-{}", metric.code())
                                    disabled=disabled
                                    prop:value=min
                                    on:change=move |ev| {
                                        let text = event_target_value(&ev);
                                        draft.update(|p| set_threshold(p, i, metric, &text, false));
                                    }
                                />
                                {(scored && !disabled).then(|| view! {
                                    <input
                                        class="weight"
                                        title=app.t("policy.weight")
                                        aria-label=label(&format!("{} · {}", app.t(&format!("metric.{}", metric.code())), app.t("policy.weight")))
                                        data-testid=format!("tier-weight-{id}-{}", metric.code())
                                        prop:value=weight
                                        on:change=move |ev| {
                                            let text = event_target_value(&ev);
                                            draft.update(|p| set_threshold(p, i, metric, &text, true));
                                        }
                                    />
                                })}
                            </td>
                        }
                    })
                    .collect_view();
                let name_zh = move || draft.with(|p| p.tiers.get(i).map(|t| t.name_zh.clone()).unwrap_or_default());
                let name_en = move || draft.with(|p| p.tiers.get(i).map(|t| t.name_en.clone()).unwrap_or_default());
                let mode = move || draft.with(|p| p.tiers.get(i).map(|t| format!("{:?}", t.mode)).unwrap_or_default());
                let score = move || {
                    draft.with(|p| p.tiers.get(i).filter(|t| t.mode == RuleMode::Score).map(|t| number_text(t.min_score)).unwrap_or_default())
                };
                let colour = move || draft.with(|p| p.tiers.get(i).map(|t| t.colour.clone()).unwrap_or_default());
                let multiplier = move || draft.with(|p| p.tiers.get(i).map(|t| number_text(t.points_multiplier)).unwrap_or_default());
                let benefits = move || draft.with(|p| p.tiers.get(i).map(|t| t.benefits.join(", ")).unwrap_or_default());
                view! {
                    <tr>
                        <td>
                            <input type="color" class="colour" aria-label=label(app.t("policy.colour")) data-testid=format!("tier-colour-{id}") prop:value=colour on:change=move |ev| {
                                let v = event_target_value(&ev);
                                draft.update(|p| { p.tiers[i].colour = v; p.preset = "custom".into(); })
                            }/>
                        </td>
                        <td>
                            <input aria-label=label(app.t("policy.name-zh")) data-testid=format!("tier-name-zh-{id}") prop:value=name_zh
                                on:change=move |ev| { let v = event_target_value(&ev); draft.update(|p| { p.tiers[i].name_zh = v; p.preset = "custom".into(); }) }/>
                        </td>
                        <td>
                            <input aria-label=label(app.t("policy.name-en")) data-testid=format!("tier-name-en-{id}") prop:value=name_en
                                on:change=move |ev| { let v = event_target_value(&ev); draft.update(|p| { p.tiers[i].name_en = v; p.preset = "custom".into(); }) }/>
                        </td>
                        <td>
                            <select aria-label=label(app.t("policy.mode")) prop:value=mode disabled=i == 0 on:change=move |ev| {
                                let mode = match event_target_value(&ev).as_str() { "All" => RuleMode::All, "Score" => RuleMode::Score, _ => RuleMode::Any };
                                draft.update(|p| { p.tiers[i].mode = mode; p.preset = "custom".into(); })
                            }>
                                <option value="Any">{app.t("mode.any")}</option>
                                <option value="All">{app.t("mode.all")}</option>
                                <option value="Score">{app.t("mode.score")}</option>
                            </select>
                        </td>
                        {cells}
                        <td>
                            <input aria-label=label(app.t("policy.min-score")) prop:value=score disabled=!scored on:change=move |ev| {
                                let v = event_target_value(&ev).trim().parse::<f64>().unwrap_or(f64::NAN);
                                draft.update(|p| { p.tiers[i].min_score = v; p.preset = "custom".into(); })
                            }/>
                        </td>
                        <td>
                            <input aria-label=label(app.t("policy.multiplier")) data-testid=format!("tier-multiplier-{id}") prop:value=multiplier on:change=move |ev| {
                                let v = event_target_value(&ev).trim().parse::<f64>().unwrap_or(f64::NAN);
                                draft.update(|p| { p.tiers[i].points_multiplier = v; p.preset = "custom".into(); })
                            }/>
                        </td>
                        <td>
                            <input class="wide-input" aria-label=label(app.t("policy.benefits")) data-testid=format!("tier-benefits-{id}") prop:value=benefits on:change=move |ev| {
                                let v = crate::domain::forms::split_tags(&event_target_value(&ev));
                                draft.update(|p| { p.tiers[i].benefits = v; p.preset = "custom".into(); })
                            }/>
                        </td>
                        <td>
                            {(i > 0).then(|| view! {
                                <button class="link danger" data-testid=format!("remove-tier-{id}") on:click=move |_| {
                                    draft.update(|p| { p.tiers.remove(i); p.preset = "custom".into(); })
                                }>{app.t("policy.remove-tier")}</button>
                            })}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <section class="page tiers">
            <h1>{move || app.t("nav.tiers.title")}</h1>
            <h2>{move || app.t("policy.counts")}</h2>
            <div class="tier-counts">
                {move || {
                    let lang = app.lang.get();
                    app.policy.with(|p| {
                        p.tiers
                            .iter()
                            .rev()
                            .map(|t| {
                                let id = t.id.clone();
                                let n = counts.with(|c| c.get(&id).copied().unwrap_or(0));
                                view! {
                                    <div class="tier-count-card" style=format!("border-top-color: {}", t.colour)>
                                        <span class="kpi-label">{tier_name(lang, t).to_string()}</span>
                                        <span class="kpi-value" data-testid="tier-count" data-tier-id=id>{n.to_string()}</span>
                                    </div>
                                }
                            })
                            .collect_view()
                    })
                }}
            </div>
            <div class="panel">
                <div class="form-grid">
                    <label class="field">
                        <span>{move || app.t("policy.preset")}</span>
                        <select
                            data-testid="tier-preset"
                            prop:value=move || draft.with(|p| p.preset.clone())
                            on:change=move |ev| {
                                if let Some(p) = preset(&event_target_value(&ev)) {
                                    draft.set(p);
                                }
                            }
                        >
                            {PRESETS.iter().map(|name| view! { <option value=*name>{move || app.t(&format!("preset.{name}"))}</option> }).collect_view()}
                            <option value="custom">{move || app.t("preset.custom")}</option>
                        </select>
                    </label>
                    <label class="field">
                        <span>{move || app.t("policy.window")}</span>
                        {number_input("policy-window".into(), |p| p.window_months.to_string(), |p, t| p.window_months = t.trim().parse().unwrap_or(0))}
                    </label>
                    <label class="field">
                        <span>{move || app.t("policy.cadence")}</span>
                        <select
                            data-testid="policy-cadence"
                            prop:value=move || draft.with(|p| p.cadence.code().to_string())
                            on:change=move |ev| {
                                if let Some(c) = Cadence::from_code(&event_target_value(&ev)) {
                                    draft.update(|p| { p.cadence = c; p.preset = "custom".into(); });
                                }
                            }
                        >
                            {Cadence::ALL.iter().map(|c| view! { <option value=c.code()>{move || app.t(&format!("cadence.{}", c.code()))}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span>{move || app.t("policy.max-drop")}</span>
                        {number_input("policy-max-drop".into(), |p| p.max_drop.to_string(), |p, t| p.max_drop = t.trim().parse().unwrap_or(1))}
                    </label>
                    <label class="field">
                        <span>{move || app.t("policy.grace")}</span>
                        {number_input("policy-grace".into(), |p| p.grace_days.to_string(), |p, t| p.grace_days = t.trim().parse().unwrap_or(0))}
                    </label>
                    <label class="field">
                        <span>{move || app.t("policy.points-rate")}</span>
                        {number_input("policy-points-rate".into(), |p| p.points_per_yuan.to_string(), |p, t| p.points_per_yuan = t.trim().parse().unwrap_or(1.0))}
                    </label>
                    <label class="field">
                        <span>{move || app.t("policy.birthday")}</span>
                        {number_input("policy-birthday".into(), |p| p.birthday_multiplier.to_string(), |p, t| p.birthday_multiplier = t.trim().parse().unwrap_or(1.0))}
                    </label>
                    <label class="field">
                        <span>{move || app.t("policy.feedback-bonus")}</span>
                        {number_input("policy-feedback-bonus".into(), |p| p.feedback_bonus.to_string(), |p, t| p.feedback_bonus = t.trim().parse().unwrap_or(0))}
                    </label>
                    <label class="field">
                        <span>{move || app.t("policy.referral-bonus")}</span>
                        {number_input("policy-referral-bonus".into(), |p| p.referral_bonus.to_string(), |p, t| p.referral_bonus = t.trim().parse().unwrap_or(0))}
                    </label>
                    <label class="field">
                        <span>{move || app.t("policy.points-expiry")}</span>
                        {number_input("policy-points-expiry".into(), |p| p.points_expiry_months.to_string(), |p, t| p.points_expiry_months = t.trim().parse().unwrap_or(0))}
                    </label>
                </div>
                <p class="muted">{move || app.t("policy.help")}</p>
                <Show when=move || draft.with(|p| p.tiers.iter().any(|t| t.mode == RuleMode::Score))>
                    <p class="muted">{move || app.t("policy.help-score")}</p>
                </Show>
                <div class="table-scroll">
                    <table class="policy-table">
                        <thead>
                            <tr>
                                <th></th>
                                <th>{move || app.t("policy.name-zh")}</th>
                                <th>{move || app.t("policy.name-en")}</th>
                                <th>{move || app.t("policy.mode")}</th>
                                {Metric::ALL
                                    .into_iter()
                                    .map(|m| view! {
                                        <th>{move || {
                                            let label = app.t(&format!("metric.{}", m.code()));
                                            match m {
                                                Metric::Spend | Metric::Purchases => format!("{}{}{label}", draft.with(|p| p.window_months), if app.lang.get() == crate::i18n::Lang::Zh { " " } else { "" }),
                                                _ => label.to_string(),
                                            }
                                        }}</th>
                                    })
                                    .collect_view()}
                                <th>{move || app.t("policy.min-score")}</th>
                                <th>{move || app.t("policy.multiplier")}</th>
                                <th>{move || app.t("policy.benefits")}</th>
                                <th></th>
                            </tr>
                        </thead>
                        <tbody>{tier_rows}</tbody>
                    </table>
                </div>
                <button class="secondary" data-testid="add-tier" on:click=move |_| draft.update(TierPolicy::add_tier)>
                    {move || app.t("policy.add-tier")}
                </button>
                <div class="actions">
                    <button class="primary" data-testid="apply-tier-policy" disabled=move || app.saving.get() on:click=apply>
                        {move || app.t("policy.apply")}
                    </button>
                    {move || applied.get().map(|n| view! {
                        <span class="muted">{app.t("policy.applied")} ": " <span data-testid="policy-applied">{n.to_string()}</span></span>
                    })}
                    {move || app.last_evaluation_ms.get().map(|ms| view! {
                        <span class="muted">{app.t("policy.eval-ms")} ": " <span data-testid="tier-eval-ms">{format!("{ms:.0}")}</span></span>
                    })}
                </div>
            </div>
            {move || preview.get().map(|w| {
                let lang = app.lang.get();
                let policy = draft.get_untracked();
                let current = app.policy.get_untracked();
                view! {
                    <div class="panel" data-testid="tier-what-if">
                        <h2>{app.t("policy.what-if")}</h2>
                        <div class="whatif">
                            <span class="up">{app.t("policy.up")} " " <strong data-testid="whatif-up">{w.up.to_string()}</strong></span>
                            <span class="down">{app.t("policy.down")} " " <strong data-testid="whatif-down">{w.down.to_string()}</strong></span>
                            <span>{app.t("policy.stay")} " " <strong data-testid="whatif-stay">{w.stay.to_string()}</strong></span>
                        </div>
                        <table class="history">
                            <thead><tr><th></th><th>{app.t("policy.now")}</th><th>{app.t("policy.after")}</th></tr></thead>
                            <tbody>
                                {policy.tiers.iter().rev().map(|t| view! {
                                    <tr data-testid="whatif-tier" data-tier-id=t.id.clone()>
                                        <td>{tier_name(lang, t).to_string()}</td>
                                        <td>{w.before.get(&t.id).copied().unwrap_or(0).to_string()}</td>
                                        <td data-testid="whatif-after">{w.after.get(&t.id).copied().unwrap_or(0).to_string()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <h3>{app.t("policy.movers")}</h3>
                        <ul class="movers">
                            {w.movers.iter().take(50).map(|(id, from, to)| {
                                let id = *id;
                                let name = app.workbook.with_untracked(|wb| wb.get(id).map(|r| r.customer.name.clone())).unwrap_or_default();
                                // A tier the candidate lacks is named as the current policy names it.
                                let label = |t: &Option<String>| {
                                    let t = t.as_deref().unwrap_or_default();
                                    [&policy, &current]
                                        .into_iter()
                                        .find_map(|p| p.index_of(t).map(|i| tier_name(lang, &p.tiers[i]).to_string()))
                                        .unwrap_or_else(|| t.to_string())
                                };
                                view! {
                                    <li data-testid="whatif-mover">
                                        <a class="link" href=Navigator::href(Page::Customer(id))>{format!("{} {name}", code_of(id))}</a>
                                        {format!(" {} → {}", label(from), label(&Some(to.clone())))}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </div>
                }
            })}
            <div class="panel">
                <h2>{move || app.t("policy.due")} " " <span class="muted" data-testid="reviews-due">{move || due.with(Vec::len).to_string()}</span></h2>
                <ul>
                    {move || due.get().into_iter().take(20).map(|(d, id, name)| view! {
                        <li><a class="link" href=Navigator::href(Page::Customer(id))>{format!("{d} {} {name}", code_of(id))}</a></li>
                    }).collect_view()}
                </ul>
            </div>
        </section>
    }
}
