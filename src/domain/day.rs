//! Calendar days stored as a day number: 4 bytes on disk instead of a date string.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Days since 1970-01-01.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Day(pub i32);

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a date"),
};

impl Day {
    pub fn from_date(date: NaiveDate) -> Day {
        Day((date - EPOCH).num_days() as i32)
    }

    pub fn to_date(self) -> NaiveDate {
        EPOCH + chrono::Duration::days(self.0 as i64)
    }

    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Day> {
        NaiveDate::from_ymd_opt(year, month, day).map(Day::from_date)
    }

    /// Parses the `YYYY-MM-DD` form that `<input type="date">` produces.
    pub fn parse_iso(text: &str) -> Option<Day> {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| (1900..=2200).contains(&d.year()))
            .map(Day::from_date)
    }

    /// The day a millisecond timestamp falls on (UTC).
    pub fn from_millis(ms: i64) -> Day {
        Day(ms.div_euclid(86_400_000) as i32)
    }

    pub fn plus_days(self, days: i32) -> Day {
        Day(self.0 + days)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_date().format("%Y-%m-%d"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_iso_text() {
        for text in ["1970-01-01", "2024-02-29", "1999-12-31", "2100-03-01"] {
            assert_eq!(Day::parse_iso(text).unwrap().to_string(), text);
        }
        assert_eq!(Day::parse_iso("1970-01-02"), Some(Day(1)));
    }

    #[test]
    fn rejects_impossible_and_unreasonable_dates() {
        for text in ["2023-02-29", "2024-13-01", "24-01-01", "", "1850-01-01", "today"] {
            assert_eq!(Day::parse_iso(text), None, "{text}");
        }
    }

    #[test]
    fn days_before_the_epoch_are_negative() {
        assert_eq!(Day::parse_iso("1969-12-31"), Some(Day(-1)));
        assert_eq!(Day::from_millis(-1), Day(-1));
        assert_eq!(Day::from_millis(86_400_000), Day(1));
    }
}
