//! The Today view's reminders: birthdays and customer-since anniversaries coming up, follow-ups
//! due from the service log, tier reviews due, customers at risk, and records not reviewed for
//! longer than the user's data-review cadence. Each has a stable key, so marking it done,
//! snoozing or dismissing it is remembered (and next year's birthday is a new reminder).
//! Also the iCalendar file of them, and greeting templates filled in for a customer.

use std::collections::HashMap;

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::day::Day;
use super::insights::is_resolved;
use super::model::{CustomerId, CustomerRecord};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    FollowUp,
    Birthday,
    Anniversary,
    TierReview,
    AtRisk,
    DataReview,
}

impl Kind {
    pub const ALL: [Kind; 6] =
        [Kind::FollowUp, Kind::Birthday, Kind::Anniversary, Kind::TierReview, Kind::AtRisk, Kind::DataReview];

    pub fn code(self) -> &'static str {
        match self {
            Kind::FollowUp => "follow-up",
            Kind::Birthday => "birthday",
            Kind::Anniversary => "anniversary",
            Kind::TierReview => "tier-review",
            Kind::AtRisk => "at-risk",
            Kind::DataReview => "data-review",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Reminder {
    /// Stable across visits: kind, customer and the occasion's date or record.
    pub key: String,
    pub kind: Kind,
    /// 0 for a reminder about many customers (the tier reviews due on a date).
    pub customer: CustomerId,
    pub name: String,
    pub due: Day,
    /// What it is about: the age or years turned, the follow-up's summary, the tier…
    pub detail: String,
}

/// What the user did with a reminder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Handled {
    Done(Day),
    Dismissed(Day),
    SnoozedUntil(Day),
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Birthdays, anniversaries, follow-ups and reviews this many days ahead.
    pub days_ahead: i32,
    /// Records not changed for this many days want a look; 0 turns it off.
    pub data_review_days: i32,
    /// The Today view asks for a backup when the last JSON export is older; 0 turns it off.
    pub backup_days: i32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { days_ahead: 14, data_review_days: 91, backup_days: 30 }
    }
}

/// The next `month`/`day` on or after `from` (29 February is kept on 28 February in other
/// years), with the year it falls in.
fn next_occurrence(month: u32, day: u32, from: Day) -> Option<(Day, i32)> {
    let from_date = from.to_date();
    for year in from_date.year()..=from_date.year() + 1 {
        let date = Day::from_ymd(year, month, day).or_else(|| Day::from_ymd(year, month, day - 1))?;
        if date >= from {
            return Some((date, year));
        }
    }
    None
}

/// Every reminder due on or before `today + days_ahead` (follow-ups: also overdue ones).
/// `at_risk`: customers the latest analysis warns about, with the reason already worded.
pub fn reminders<'a>(
    records: impl Iterator<Item = &'a CustomerRecord>,
    today: Day,
    settings: &Settings,
    at_risk: &[(CustomerId, String)],
) -> Vec<Reminder> {
    let until = today.plus_days(settings.days_ahead);
    let mut out = Vec::new();
    let stale_before_ms = (today.0 as i64 - settings.data_review_days as i64) * 86_400_000;
    let mut names: HashMap<CustomerId, &str> = HashMap::new();
    // Reviews mostly fall on the same calendar dates: one reminder per date, with the count.
    let mut reviews: std::collections::BTreeMap<Day, usize> = std::collections::BTreeMap::new();
    for record in records {
        let c = &record.customer;
        names.insert(c.id, &c.name);
        let push = |out: &mut Vec<Reminder>, kind: Kind, key: String, due: Day, detail: String| {
            out.push(Reminder { key, kind, customer: c.id, name: c.name.clone(), due, detail });
        };
        if let Some(birthday) = c.birthday {
            let b = birthday.to_date();
            if let Some((due, year)) = next_occurrence(b.month(), b.day(), today).filter(|(d, _)| *d <= until) {
                push(&mut out, Kind::Birthday, format!("birthday:{}:{due}", c.id), due, (year - b.year()).to_string());
            }
        }
        if let Some(since) = c.customer_since {
            let s = since.to_date();
            if let Some((due, year)) = next_occurrence(s.month(), s.day(), today).filter(|(d, _)| *d <= until) {
                if year > s.year() {
                    push(
                        &mut out,
                        Kind::Anniversary,
                        format!("anniversary:{}:{due}", c.id),
                        due,
                        (year - s.year()).to_string(),
                    );
                }
            }
        }
        for i in &record.interactions {
            if let Some(due) = i.follow_up.filter(|d| *d <= until && !is_resolved(&i.status)) {
                push(&mut out, Kind::FollowUp, format!("follow-up:{}:{}", c.id, i.id), due, i.summary.clone());
            }
        }
        if let Some(due) = record.tier.next_review.filter(|d| *d <= until) {
            *reviews.entry(due).or_default() += 1;
        }
        if settings.data_review_days > 0 && c.updated_at > 0 && c.updated_at < stale_before_ms {
            let changed = Day::from_millis(c.updated_at);
            push(&mut out, Kind::DataReview, format!("data-review:{}:{changed}", c.id), today, changed.to_string());
        }
    }
    for (due, count) in reviews {
        out.push(Reminder {
            key: format!("tier-review:{due}"),
            kind: Kind::TierReview,
            customer: 0,
            name: String::new(),
            due,
            detail: count.to_string(),
        });
    }
    for (id, reason) in at_risk {
        if let Some(name) = names.get(id) {
            out.push(Reminder {
                key: format!("at-risk:{id}:{}-{:02}", today.to_date().year(), today.to_date().month()),
                kind: Kind::AtRisk,
                customer: *id,
                name: name.to_string(),
                due: today,
                detail: reason.clone(),
            });
        }
    }
    out.sort_by_key(|a| (a.due, a.kind, a.customer));
    out
}

/// Is the reminder still to be shown today, given what the user did with it?
pub fn is_open(reminder: &Reminder, handled: &HashMap<String, Handled>, today: Day) -> bool {
    match handled.get(&reminder.key) {
        None => true,
        Some(Handled::SnoozedUntil(until)) => *until <= today,
        Some(Handled::Done(_) | Handled::Dismissed(_)) => false,
    }
}

/// Drops what the user did with reminders that are long past, so the record stays small.
pub fn forget_old(handled: &mut HashMap<String, Handled>, today: Day) {
    handled.retain(|_, h| match h {
        Handled::Done(d) | Handled::Dismissed(d) => d.0 > today.0 - 400,
        Handled::SnoozedUntil(d) => d.0 > today.0 - 400,
    });
}

/// Text for an iCalendar property value (RFC 5545 §3.3.11).
fn ics_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

fn compact(day: Day) -> String {
    day.to_string().replace('-', "")
}

/// The reminders as an iCalendar file: one all-day event each. `title` words a reminder;
/// `stamp` is the time of the export (UTC, `YYYYMMDDTHHMMSSZ`).
pub fn ics(reminders: &[Reminder], title: impl Fn(&Reminder) -> String, stamp: &str) -> String {
    let mut out =
        String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tierbook//Reminders//EN\r\nCALSCALE:GREGORIAN\r\n");
    for r in reminders {
        out.push_str("BEGIN:VEVENT\r\n");
        out.push_str(&fold(&format!("UID:{}@tierbook", ics_text(&r.key))));
        out.push_str(&format!("DTSTAMP:{stamp}\r\n"));
        out.push_str(&format!("DTSTART;VALUE=DATE:{}\r\n", compact(r.due)));
        out.push_str(&format!("DTEND;VALUE=DATE:{}\r\n", compact(r.due.plus_days(1))));
        out.push_str(&fold(&format!("SUMMARY:{}", ics_text(&title(r)))));
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// A greeting template with {name}, {tier} and {points} filled in; other braces stay as typed.
pub fn fill_template(template: &str, name: &str, tier: &str, points: i64) -> String {
    template.replace("{name}", name).replace("{tier}", tier).replace("{points}", &points.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{Customer, Interaction};

    fn day(text: &str) -> Day {
        Day::parse_iso(text).unwrap()
    }

    fn customer(id: u64, birthday: Option<&str>, since: Option<&str>) -> CustomerRecord {
        CustomerRecord {
            customer: Customer {
                id,
                name: format!("客户{id}"),
                birthday: birthday.map(day),
                customer_since: since.map(day),
                updated_at: day("2026-11-20").0 as i64 * 86_400_000,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn birthdays_and_anniversaries_in_the_window() {
        let today = day("2026-12-29");
        let records = [
            customer(1, Some("1990-01-01"), None),
            customer(2, Some("1985-12-28"), None),
            customer(3, None, Some("2024-01-05")),
            customer(4, None, Some("2026-12-30")),
        ];
        let list = reminders(records.iter(), today, &Settings::default(), &[]);
        let got: Vec<(Kind, u64, String, String)> =
            list.iter().map(|r| (r.kind, r.customer, r.due.to_string(), r.detail.clone())).collect();
        assert_eq!(
            got,
            [
                (Kind::Birthday, 1, "2027-01-01".into(), "37".into()),
                (Kind::Anniversary, 3, "2027-01-05".into(), "3".into()),
            ],
            "yesterday's birthday is past; joining day itself is no anniversary"
        );
        assert_eq!(list[0].key, "birthday:1:2027-01-01");
    }

    #[test]
    fn a_leap_day_birthday_is_kept_on_the_28th() {
        let records = [customer(1, Some("2000-02-29"), None)];
        let birthday = |today: &str| {
            reminders(records.iter(), day(today), &Settings::default(), &[])
                .into_iter()
                .find(|r| r.kind == Kind::Birthday)
                .unwrap()
                .due
        };
        assert_eq!(birthday("2027-02-20"), day("2027-02-28"));
        assert_eq!(birthday("2028-02-20"), day("2028-02-29"));
    }

    #[test]
    fn follow_ups_due_or_overdue_unless_resolved() {
        let mut c = customer(1, None, None);
        let follow = |id, date: &str, status: &str| Interaction {
            id,
            follow_up: Some(day(date)),
            status: status.into(),
            summary: "回访".into(),
            ..Default::default()
        };
        c.interactions =
            vec![follow(7, "2026-11-01", "open"), follow(8, "2026-11-25", "resolved"), follow(9, "2027-03-01", "")];
        let list = reminders(std::iter::once(&c), day("2026-11-26"), &Settings::default(), &[]);
        assert_eq!(list.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["follow-up:1:7"]);
    }

    #[test]
    fn handled_reminders_stay_hidden_and_snoozes_end() {
        let records = [customer(1, Some("1990-12-01"), None)];
        let today = day("2026-11-26");
        let r = &reminders(records.iter(), today, &Settings::default(), &[])[0];
        let mut handled = HashMap::new();
        assert!(is_open(r, &handled, today));
        handled.insert(r.key.clone(), Handled::SnoozedUntil(day("2026-11-28")));
        assert!(!is_open(r, &handled, today));
        assert!(is_open(r, &handled, day("2026-11-28")));
        handled.insert(r.key.clone(), Handled::Dismissed(today));
        assert!(!is_open(r, &handled, day("2026-11-30")));
        forget_old(&mut handled, day("2028-01-01"));
        assert!(handled.is_empty());
    }

    #[test]
    fn tier_reviews_due_on_a_date_are_one_reminder() {
        let mut records = [customer(1, None, None), customer(2, None, None), customer(3, None, None)];
        records[0].tier.next_review = Some(day("2026-12-01"));
        records[1].tier.next_review = Some(day("2026-12-01"));
        records[2].tier.next_review = Some(day("2027-06-01"));
        let settings = Settings { data_review_days: 0, ..Settings::default() };
        let list = reminders(records.iter(), day("2026-11-26"), &settings, &[]);
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].kind, list[0].key.as_str(), list[0].detail.as_str()),
            (Kind::TierReview, "tier-review:2026-12-01", "2")
        );
    }

    #[test]
    fn stale_records_and_at_risk_customers() {
        let records = [customer(1, None, None), customer(2, None, None)];
        let settings = Settings { data_review_days: 3, ..Settings::default() };
        let list = reminders(records.iter(), day("2026-11-26"), &settings, &[(2, "已 90 天未购买".into())]);
        let kinds: Vec<(Kind, u64)> = list.iter().map(|r| (r.kind, r.customer)).collect();
        assert!(kinds.contains(&(Kind::DataReview, 1)) && kinds.contains(&(Kind::AtRisk, 2)));
        let off = Settings { data_review_days: 0, ..Settings::default() };
        assert!(reminders(records.iter(), day("2026-11-26"), &off, &[]).is_empty());
    }

    #[test]
    fn the_calendar_file_follows_rfc_5545() {
        let records = [customer(1, Some("1990-12-01"), None)];
        let list = reminders(records.iter(), day("2026-11-26"), &Settings::default(), &[]);
        let long = "生日快乐，王芳; a very long line that goes on and on past the seventy-five octet limit";
        let file = ics(&list, |_| long.to_string(), "20261126T120000Z");
        assert!(file.starts_with("BEGIN:VCALENDAR\r\n") && file.ends_with("END:VCALENDAR\r\n"));
        assert!(file.contains("DTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261202\r\n"));
        assert!(file.contains("UID:birthday:1:2026-12-01@tierbook\r\n"));
        assert!(file.contains("生日快乐\\，王芳\\;") || file.contains("生日快乐，王芳\\;"));
        for line in file.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        let unfolded = file.replace("\r\n ", "");
        assert!(unfolded.contains("past the seventy-five octet limit"));
    }

    #[test]
    fn templates_fill_their_placeholders() {
        assert_eq!(
            fill_template("{name}，生日快乐！您是{tier}会员，积分 {points}。{unknown}", "王芳", "黄金", 1200),
            "王芳，生日快乐！您是黄金会员，积分 1200。{unknown}"
        );
    }
}
