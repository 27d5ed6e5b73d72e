//! Messages in 中文 and English made from the domain's typed values (problems, reasons,
//! rules, policy errors). The texts themselves are in `texts.rs`, which depends on nothing, so
//! the domain can name its export headings without depending on this module.

use crate::domain::backup::BackupProblem;
use crate::domain::forms::{FieldError, Problem};
use crate::domain::import::{RowIssue, RowProblem};
use crate::domain::insights::{Rules, Stage, Warning};
use crate::domain::money::format_grouped;
use crate::domain::sheet::FileProblem;
use crate::domain::tiers::{Evidence, Metric, PolicyError, Reason, RuleMode, TierDef, TierPolicy};

pub use crate::texts::{lookup, tr, Lang};

/// "Phone: is not a phone number …" in the current language.
pub fn field_error(lang: Lang, error: &FieldError, custom_label: Option<&str>) -> String {
    let label =
        custom_label.map(str::to_string).unwrap_or_else(|| tr(lang, &format!("field.{}", error.field)).to_string());
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    format!("{label}{sep}{}", problem_text(lang, &error.problem))
}

/// What is wrong with a value, without naming the field.
pub fn problem_text(lang: Lang, problem: &Problem) -> String {
    match problem {
        Problem::Required => tr(lang, "problem.required").to_string(),
        Problem::TooLong(max) => format!("{} {max}", tr(lang, "problem.too-long")),
        Problem::InvalidPhone => tr(lang, "problem.phone").to_string(),
        Problem::InvalidEmail => tr(lang, "problem.email").to_string(),
        Problem::InvalidDate => tr(lang, "problem.date").to_string(),
        Problem::InFuture => tr(lang, "problem.future").to_string(),
        Problem::BeforeDate(date) => format!("{} {date}", tr(lang, "problem.before")),
        Problem::NotANumber => tr(lang, "problem.number").to_string(),
        Problem::Negative => tr(lang, "problem.negative").to_string(),
        Problem::NotPositive => tr(lang, "problem.positive").to_string(),
        Problem::OutOfRange(min, max) => format!("{} {min}–{max}", tr(lang, "problem.range")),
        Problem::UnknownChoice => tr(lang, "problem.choice").to_string(),
        Problem::UnknownCustomer => tr(lang, "problem.unknown-customer").to_string(),
        Problem::CodeTaken => tr(lang, "problem.code-taken").to_string(),
    }
}

/// A text with `{name}` placeholders filled in.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(template.to_string(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

/// One import problem as a sentence naming the file, the line and the column.
pub fn import_problem(lang: Lang, file: &str, p: &RowProblem, headings: &[String]) -> String {
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    let mut place = vec![file.to_string(), fill(tr(lang, "import.at-line"), &[("line", p.line.to_string())])];
    if let Some(c) = p.column {
        let heading = headings.get(c).cloned().unwrap_or_default();
        place.push(fill(tr(lang, "import.at-column"), &[("column", (c + 1).to_string()), ("heading", heading)]));
    } else if let Some(field) = &p.field {
        place.push(format!("“{}”", tr(lang, &format!("field.{field}"))));
    }
    let what = match &p.issue {
        RowIssue::Field(problem) => problem_text(lang, problem),
        RowIssue::CellCount { expected, found } => {
            fill(tr(lang, "import.cells"), &[("expected", expected.to_string()), ("found", found.to_string())])
        }
        RowIssue::UnclosedQuote { through_line } => {
            fill(tr(lang, "import.unclosed"), &[("line", through_line.to_string())])
        }
        RowIssue::NoCustomer => tr(lang, "import.no-customer").to_string(),
        RowIssue::AmbiguousCustomer(n) => fill(tr(lang, "import.ambiguous"), &[("count", n.to_string())]),
        RowIssue::DuplicateInFile { first_line } => {
            fill(tr(lang, "import.duplicate"), &[("line", first_line.to_string())])
        }
    };
    let joiner = if lang == Lang::Zh { " " } else { ", " };
    format!("{}{sep}{what}", place.join(joiner))
}

/// Why a whole file was refused, naming the file.
pub fn file_problem(lang: Lang, file: &str, problem: &FileProblem) -> String {
    let what = match problem {
        FileProblem::Empty => tr(lang, "file.empty").to_string(),
        FileProblem::Binary => tr(lang, "file.binary").to_string(),
        FileProblem::Spreadsheet(why) => format!("{}（{why}）", tr(lang, "file.spreadsheet")),
        FileProblem::NotDecodable(e) => fill(tr(lang, "file.not-decodable"), &[("encoding", e.code().to_uppercase())]),
        FileProblem::HeaderOnly => tr(lang, "file.header-only").to_string(),
        FileProblem::NoHeader => tr(lang, "file.no-header").to_string(),
    };
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    format!("{file}{sep}{what}")
}

pub fn backup_problem(lang: Lang, file: &str, problem: &BackupProblem) -> String {
    let what = match problem {
        BackupProblem::NotJson { line, column, .. } => {
            fill(tr(lang, "file.not-json"), &[("line", line.to_string()), ("column", column.to_string())])
        }
        BackupProblem::NotABackup => tr(lang, "file.not-backup").to_string(),
        BackupProblem::OtherVersion(v) => fill(tr(lang, "file.other-version"), &[("version", v.to_string())]),
        BackupProblem::Invalid { line, column, message } => fill(
            tr(lang, "file.invalid"),
            &[("line", line.to_string()), ("column", column.to_string()), ("message", message.clone())],
        ),
        BackupProblem::DuplicateCustomer(id) => fill(tr(lang, "file.duplicate-customer"), &[("id", id.to_string())]),
        BackupProblem::InvalidValue { customer, field, problem } => fill(
            tr(lang, "file.invalid-value"),
            &[
                ("id", customer.to_string()),
                ("field", tr(lang, &format!("field.{field}")).to_string()),
                ("problem", problem_text(lang, problem)),
            ],
        ),
        BackupProblem::InvalidPolicy => tr(lang, "file.invalid-policy").to_string(),
    };
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    format!("{file}{sep}{what}")
}

pub fn field_errors(lang: Lang, errors: &[FieldError], defs: &[crate::domain::model::CustomFieldDef]) -> String {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| {
            let custom = e.field.strip_prefix("custom-").and_then(|id| defs.iter().find(|d| d.id == id));
            field_error(lang, e, custom.map(|d| d.label.as_str()))
        })
        .collect();
    format!("{}\n{}", tr(lang, "error.field"), lines.join("\n"))
}

/// A tier's name in the current language.
pub fn tier_name(lang: Lang, tier: &TierDef) -> &str {
    tier.name(lang)
}

fn metric_label(lang: Lang, metric: Metric, window_months: u32) -> String {
    let label = tr(lang, &format!("metric.{}", metric.code()));
    match metric {
        Metric::Spend | Metric::Purchases if lang == Lang::Zh => format!("{window_months} {label}"),
        Metric::Spend | Metric::Purchases => format!("{window_months}{label}"),
        _ => label.to_string(),
    }
}

/// A metric's value as people write it: `￥31,200`, `26`, `2.3`.
pub fn metric_value(metric: Metric, value: f64) -> String {
    match metric {
        Metric::Spend => {
            let grouped = format_grouped((value * 100.0).round() as i64);
            format!("￥{}", grouped.strip_suffix(".00").unwrap_or(&grouped))
        }
        Metric::TenureYears => format!("{:.1}", (value * 10.0).floor() / 10.0),
        _ => format!("{}", value.floor()),
    }
}

/// "12-month spend ￥31,200 ≥ ￥30,000".
pub fn evidence_text(lang: Lang, e: &Evidence, window_months: u32) -> String {
    let op = if e.met() { "≥" } else { "<" };
    format!(
        "{} {} {op} {}",
        metric_label(lang, e.metric, window_months),
        metric_value(e.metric, e.value),
        metric_value(e.metric, e.min)
    )
}

/// Why a tier changed, with the figures: the thresholds met for a rise, missed for a fall.
/// Why a customer is on the churn-warning list.
pub fn warning_text(lang: Lang, warning: &Warning) -> String {
    match (warning, lang) {
        (Warning::Overdue { days, usual }, Lang::Zh) => format!("已 {days} 天未购买（平常间隔 {usual:.0} 天）"),
        (Warning::Overdue { days, usual }, Lang::En) => {
            format!("No purchase for {days} days (usually every {usual:.0})")
        }
        (Warning::FallingSatisfaction { latest, before }, Lang::Zh) => {
            format!("满意度下降：最近 {latest} 分，此前平均 {before:.1} 分")
        }
        (Warning::FallingSatisfaction { latest, before }, Lang::En) => {
            format!("Satisfaction falling: latest {latest}, before {before:.1} on average")
        }
        (Warning::OpenComplaint { since }, Lang::Zh) => format!("投诉未解决（{since} 起）"),
        (Warning::OpenComplaint { since }, Lang::En) => format!("Open complaint since {since}"),
    }
}

/// The rule that puts a customer in a lifecycle stage, with the numbers the analysis uses.
pub fn lifecycle_rule(lang: Lang, stage: Stage, r: &Rules) -> String {
    let (k, lost, min_days, new_days, mature) =
        (r.overdue_factor, r.lost_factor, r.lost_min_days, r.new_days, r.mature_purchase_days);
    match (stage, lang) {
        (Stage::Prospect, Lang::Zh) => "截至日期前没有任何购买".into(),
        (Stage::Prospect, Lang::En) => "No purchase up to the date".into(),
        (Stage::Lost, Lang::Zh) => format!("未购买天数超过平常间隔的 {lost} 倍，且至少 {min_days} 天"),
        (Stage::Lost, Lang::En) => {
            format!("No purchase for over {lost}× the usual interval and at least {min_days} days")
        }
        (Stage::AtRisk, Lang::Zh) => format!("未购买天数超过平常间隔的 {k} 倍"),
        (Stage::AtRisk, Lang::En) => format!("No purchase for over {k}× the usual interval"),
        (Stage::WonBack, Lang::Zh) => format!("最近一次购买前曾超过平常间隔的 {k} 倍未购买"),
        (Stage::WonBack, Lang::En) => {
            format!("Went over {k}× the usual interval without buying before the latest purchase")
        }
        (Stage::New, Lang::Zh) => format!("首次购买在 {new_days} 天以内"),
        (Stage::New, Lang::En) => format!("First purchase within {new_days} days"),
        (Stage::Growing, Lang::Zh) => format!("首次购买不满一年，或购买天数少于 {mature}"),
        (Stage::Growing, Lang::En) => format!("First purchase under a year ago, or fewer than {mature} purchase days"),
        (Stage::Mature, Lang::Zh) => "其余仍在正常购买的客户".into(),
        (Stage::Mature, Lang::En) => "Everyone else who buys in rhythm".into(),
    }
}

/// The order the lifecycle rules are checked in.
pub const RULE_ORDER: [Stage; 7] =
    [Stage::Prospect, Stage::Lost, Stage::AtRisk, Stage::WonBack, Stage::New, Stage::Growing, Stage::Mature];

pub fn reason_text(lang: Lang, reason: &Reason, window_months: u32) -> String {
    let list = |evidence: &[Evidence], met: bool| {
        let chosen: Vec<String> =
            evidence.iter().filter(|e| e.met() == met).map(|e| evidence_text(lang, e, window_months)).collect();
        chosen.join(if lang == Lang::Zh { "；" } else { "; " })
    };
    let (key, detail) = match reason {
        Reason::Initial(ev) => ("reason.initial", list(ev, true)),
        Reason::Upgrade(ev) => ("reason.upgrade", list(ev, true)),
        Reason::NewPolicy(ev) => ("reason.new-policy", list(ev, true)),
        Reason::Downgrade(ev) => ("reason.downgrade", list(ev, false)),
        Reason::Override(why) => ("reason.override", why.clone()),
        Reason::OverrideEnded => ("reason.override-ended", String::new()),
        Reason::Imported => ("reason.imported", String::new()),
    };
    let head = tr(lang, key);
    match (detail.is_empty(), lang) {
        (true, _) => head.to_string(),
        (false, Lang::Zh) => format!("{head}：{detail}"),
        (false, Lang::En) => format!("{head}: {detail}"),
    }
}

/// "￥2,300 more or 3 more purchases" towards the next tier.
pub fn missing_text(lang: Lang, mode: RuleMode, missing: &[Evidence], window_months: u32) -> String {
    let parts: Vec<String> = missing
        .iter()
        .map(|e| {
            let gap = metric_value(e.metric, (e.min - e.value).max(0.0).ceil_to(e.metric));
            match lang {
                Lang::Zh => format!("{} {gap}", metric_label(lang, e.metric, window_months)),
                Lang::En => format!("{gap} more {}", metric_label(lang, e.metric, window_months).to_lowercase()),
            }
        })
        .collect();
    let joiner = match mode {
        RuleMode::Any => tr(lang, "tier.or"),
        _ => tr(lang, "tier.and"),
    };
    format!("{} {}", tr(lang, "tier.more"), parts.join(&format!(" {joiner} ")))
}

trait CeilTo {
    fn ceil_to(self, metric: Metric) -> f64;
}

impl CeilTo for f64 {
    /// A gap in whole units of its metric (cents for money, tenths of years, whole counts).
    fn ceil_to(self, metric: Metric) -> f64 {
        match metric {
            Metric::Spend => (self * 100.0).ceil() / 100.0,
            Metric::TenureYears => (self * 10.0).ceil() / 10.0,
            _ => self.ceil(),
        }
    }
}

pub fn policy_error(lang: Lang, error: &PolicyError, policy: &TierPolicy) -> String {
    let (key, tier) = match error {
        PolicyError::NoTiers => ("policy-error.no-tiers", None),
        PolicyError::EmptyName(i) => ("policy-error.name", Some(*i)),
        PolicyError::DuplicateId(_) => ("policy-error.duplicate", None),
        PolicyError::ZeroWindow => ("policy-error.window", None),
        PolicyError::EntryTierHasRules => ("policy-error.entry", Some(0)),
        PolicyError::NoRule(i) => ("policy-error.no-rule", Some(*i)),
        PolicyError::BadThreshold(i) => ("policy-error.threshold", Some(*i)),
        PolicyError::NotIncreasing(i, _) => ("policy-error.increasing", Some(*i)),
        PolicyError::ScoreNotIncreasing(i) | PolicyError::BadScore(i) => ("policy-error.score", Some(*i)),
        PolicyError::BadPoints(i) => ("policy-error.points", *i),
    };
    let name = tier.and_then(|i| policy.tiers.get(i)).map(|t| tier_name(lang, t).to_string());
    match (name, lang) {
        (Some(n), Lang::Zh) if !n.trim().is_empty() => format!("{n}：{}", tr(lang, key)),
        (Some(n), Lang::En) if !n.trim().is_empty() => format!("{n}: {}", tr(lang, key)),
        (Some(_), _) => format!("#{}: {}", tier.unwrap_or(0) + 1, tr(lang, key)),
        (None, _) => tr(lang, key).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `tr(…, "key")` in the sources names a key that has both translations.
    #[test]
    fn every_key_used_in_the_sources_is_translated() {
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        let mut seen = 0;
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let calls = text.match_indices("t(\"").chain(text.match_indices("tr(lang, \""));
            // Only whole-word calls to `t`/`tr`, not `text("…")` and the like.
            for (i, _) in calls.filter(|(i, _)| !text[..*i].ends_with(|c: char| c.is_alphanumeric() || c == '_')) {
                let rest = &text[i..];
                let start = rest.find('"').unwrap() + 1;
                let end = start + rest[start..].find('"').unwrap();
                let key = &rest[start..end];
                seen += 1;
                match lookup(key) {
                    Some((zh, en)) if !zh.is_empty() && !en.is_empty() => {}
                    _ => missing.push(format!("{}: {key}", path.display())),
                }
            }
        }
        assert!(seen > 20, "the scan found the keys in use");
        assert!(missing.is_empty(), "untranslated keys: {missing:?}");
    }

    #[test]
    fn lifecycle_rules_quote_the_numbers_the_analysis_uses() {
        use crate::domain::insights::RULES;
        assert_eq!(lifecycle_rule(Lang::En, Stage::AtRisk, &RULES), "No purchase for over 2× the usual interval");
        assert_eq!(lifecycle_rule(Lang::Zh, Stage::Lost, &RULES), "未购买天数超过平常间隔的 4 倍，且至少 180 天");
        assert_eq!(RULE_ORDER.len(), Stage::ALL.len());
        assert!(Stage::ALL.iter().all(|s| RULE_ORDER.contains(s)), "every stage has its rule shown");
        let w = Warning::Overdue { days: 75, usual: 30.0 };
        assert_eq!(warning_text(Lang::En, &w), "No purchase for 75 days (usually every 30)");
        assert!(Stage::ALL.iter().all(|s| lookup(&format!("stage.{}", s.code())).is_some()));
    }

    #[test]
    fn field_errors_read_naturally_in_both_languages() {
        let e = FieldError { field: "phone".into(), problem: Problem::InvalidPhone };
        assert!(field_error(Lang::En, &e, None).starts_with("Phone: is not a phone number"));
        assert!(field_error(Lang::Zh, &e, None).starts_with("电话：电话号码格式不正确"));
        let r = FieldError { field: "influence".into(), problem: Problem::OutOfRange(0, 5) };
        assert_eq!(field_error(Lang::En, &r, None), "Influence score (0–5): must be between 0–5");
        let c = FieldError { field: "custom-size".into(), problem: Problem::UnknownChoice };
        assert_eq!(field_error(Lang::En, &c, Some("Size")), "Size: is not one of the choices");
    }

    #[test]
    fn tier_reasons_quote_the_figures() {
        let e = |metric, value, min| Evidence { metric, value, min };
        let up = Reason::Upgrade(vec![e(Metric::Spend, 31_200.0, 30_000.0), e(Metric::Purchases, 12.0, 50.0)]);
        assert_eq!(reason_text(Lang::En, &up, 12), "Upgrade: 12-month spend ￥31,200 ≥ ￥30,000");
        assert_eq!(reason_text(Lang::Zh, &up, 12), "升级：12 个月消费 ￥31,200 ≥ ￥30,000");
        let down = Reason::Downgrade(vec![e(Metric::Spend, 2_999.99, 3_000.0), e(Metric::TenureYears, 2.46, 1.0)]);
        assert_eq!(reason_text(Lang::En, &down, 6), "Downgrade at review: 6-month spend ￥2,999.99 < ￥3,000");
        assert_eq!(reason_text(Lang::En, &Reason::Override("partner".into()), 12), "Set by hand: partner");
    }

    #[test]
    fn missing_text_says_what_is_left_to_do() {
        let e = |metric, value, min| Evidence { metric, value, min };
        let missing = [e(Metric::Spend, 7_700.0, 10_000.0), e(Metric::Purchases, 22.0, 25.0)];
        assert_eq!(
            missing_text(Lang::En, RuleMode::Any, &missing, 12),
            "Still needed: ￥2,300 more 12-month spend or 3 more 12-month purchases"
        );
        assert_eq!(
            missing_text(Lang::Zh, RuleMode::All, &missing, 12),
            "还差 12 个月消费 ￥2,300 且 12 个月购买次数 3"
        );
        let tenure = [e(Metric::TenureYears, 1.44, 2.0)];
        assert_eq!(missing_text(Lang::En, RuleMode::All, &tenure, 12), "Still needed: 0.6 more years as customer");
    }

    #[test]
    fn policy_errors_name_the_tier() {
        let mut p = crate::domain::tiers::preset("metals").unwrap();
        p.tiers[2].thresholds[0].min = 1.0;
        let err = p.validate().unwrap_err();
        assert_eq!(policy_error(Lang::En, &err, &p), "Gold: Thresholds must be higher than the tier below");
        assert_eq!(policy_error(Lang::Zh, &err, &p), "黄金：门槛必须高于下一级");
    }

    #[test]
    fn import_problems_name_the_file_line_and_column() {
        let headings = vec!["客户名称".to_string(), "电话".to_string()];
        let p = RowProblem { line: 5, column: Some(1), field: None, issue: RowIssue::Field(Problem::InvalidPhone) };
        assert_eq!(
            import_problem(Lang::En, "a.csv", &p, &headings),
            format!("a.csv, line 5, column 2 “电话”: {}", tr(Lang::En, "problem.phone"))
        );
        assert_eq!(
            import_problem(Lang::Zh, "a.csv", &p, &headings),
            format!("a.csv 第 5 行 第 2 列“电话”：{}", tr(Lang::Zh, "problem.phone"))
        );
        let q = RowProblem { line: 9, column: None, field: None, issue: RowIssue::UnclosedQuote { through_line: 40 } };
        assert_eq!(
            import_problem(Lang::En, "b.csv", &q, &headings),
            "b.csv, line 9: a quote opened here is never closed (it runs on to line 40)"
        );
        assert_eq!(file_problem(Lang::En, "c.csv", &FileProblem::Empty), "c.csv: the file is empty");
        assert_eq!(
            backup_problem(Lang::En, "d.json", &BackupProblem::OtherVersion(3)),
            "d.json: this backup comes from another version of Tierbook (format 3); this one reads formats 1 to 2"
        );
    }

    #[test]
    fn unknown_keys_are_visible_not_silent() {
        assert_eq!(tr(Lang::En, "no.such.key"), "?");
        assert_eq!(tr(Lang::Zh, "nav.customers"), "客户");
        assert_eq!(Lang::Zh.other(), Lang::En);
    }
}
