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

    /// The calendar date. A day number beyond the calendar (only a damaged or edited file
    /// holds one) gives the calendar's first or last date instead of a crash.
    pub fn to_date(self) -> NaiveDate {
        EPOCH.checked_add_signed(chrono::Duration::days(self.0 as i64)).unwrap_or(if self.0 < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
    }

    /// The day of a calendar date, None if there is no such date. Counted directly (a
    /// million purchase rows each have a date), the same as chrono's calendar.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Day> {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if day == 0 || day > days_in_month || !(-262_000..=262_000).contains(&year) {
            return None;
        }
        // Days from civil (H. Hinnant): years start in March, so the leap day comes last.
        let y = i64::from(year) - i64::from(month <= 2);
        let era = y.div_euclid(400);
        let year_of_era = y - era * 400;
        let month_from_march = (i64::from(month) + 9) % 12;
        let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        Some(Day((era * 146_097 + day_of_era - 719_468) as i32))
    }

    /// Parses the `YYYY-MM-DD` form that `<input type="date">` produces.
    pub fn parse_iso(text: &str) -> Option<Day> {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| (1900..=2200).contains(&d.year()))
            .map(Day::from_date)
    }

    /// Parses the ways spreadsheets write a date: `2023-03-01`, `2023/3/1`, `2023.3.1`,
    /// `2023年3月1日`, `3/1/2023` (month first, as English exports write it; `25/12/2023` and
    /// `1.3.2023` day first), optionally followed by a time (`2023/3/1 14:05`), which is ignored.
    pub fn parse_flexible(text: &str) -> Option<Day> {
        // Read without allocating: a million purchase rows each have a date.
        let text = super::trim::trim(text);
        let date_end = text.bytes().position(|b| b == b' ' || b == b'T').unwrap_or(text.len());
        let date_part = &text[..date_end];
        let date_part = date_part.strip_suffix('日').unwrap_or(date_part);
        // Byte by byte when the date is ASCII (decoding characters took half the time in wasm).
        let (parts, lengths) = if date_part.is_ascii() {
            date_numbers(date_part.bytes().map(char::from))?
        } else {
            date_numbers(date_part.chars())?
        };
        let (year, month, day) = match (lengths[0], lengths[2]) {
            (4, 1..=2) => (parts[0], parts[1], parts[2]),
            // Year last, as English-language exports write it: month first (12/1/2010) unless
            // the first number cannot be a month (25/12/2010) or dots say day first (1.12.2010).
            (1..=2, 4) if parts[0] > 12 || date_part.contains('.') => (parts[2], parts[1], parts[0]),
            (1..=2, 4) => (parts[2], parts[0], parts[1]),
            _ => return None,
        };
        if !(1900..=2200).contains(&year) {
            return None;
        }
        Day::from_ymd(year as i32, month, day)
    }

    /// The day a millisecond timestamp falls on (UTC).
    pub fn from_millis(ms: i64) -> Day {
        Day(ms.div_euclid(86_400_000) as i32)
    }

    pub fn plus_days(self, days: i32) -> Day {
        Day(self.0 + days)
    }
}

/// The three numbers of a date and how many digits each had, from its characters: digits
/// and one separator (`-`, `/`, `.`, `年`, `月`) between each two numbers.
fn date_numbers(chars: impl Iterator<Item = char>) -> Option<([u32; 3], [usize; 3])> {
    let mut parts = [0u32; 3];
    let mut lengths = [0usize; 3];
    let mut index = 0;
    for c in chars {
        match c {
            '0'..='9' => {
                parts[index] = parts[index] * 10 + (c as u32 - '0' as u32);
                lengths[index] += 1;
                if lengths[index] > 4 {
                    return None;
                }
            }
            '-' | '/' | '.' | '年' | '月' if index < 2 && lengths[index] > 0 => index += 1,
            _ => return None,
        }
    }
    (index == 2 && (1..=2).contains(&lengths[1])).then_some((parts, lengths))
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_date().format("%Y-%m-%d"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_are_counted_as_chrono_counts_them() {
        let mut date = NaiveDate::from_ymd_opt(1599, 1, 1).unwrap();
        while date.year() < 2402 {
            assert_eq!(Day::from_ymd(date.year(), date.month(), date.day()), Some(Day::from_date(date)), "{date}");
            date = date.succ_opt().unwrap();
        }
        for (y, m, d) in [(2023, 2, 29), (1900, 2, 29), (2024, 4, 31), (2024, 13, 1), (2024, 0, 1), (2024, 1, 0)] {
            assert_eq!(Day::from_ymd(y, m, d), None, "{y}-{m}-{d}");
        }
        assert_eq!(Day::from_ymd(2000, 2, 29), Some(Day::from_date(NaiveDate::from_ymd_opt(2000, 2, 29).unwrap())));
    }

    use super::*;

    #[test]
    fn understands_the_date_forms_of_spreadsheets() {
        let march_first = Day::from_ymd(2023, 3, 1);
        for text in [
            "2023-03-01",
            "2023/3/1",
            "2023.03.01",
            "2023年3月1日",
            "2023年03月01日",
            " 2023/3/1 14:05 ",
            "2023-03-01T08:00:00",
        ] {
            assert_eq!(Day::parse_flexible(text), march_first, "{text}");
        }
        for text in ["", "2023-02-30", "2023/3", "1850-01-01", "2023-3-1-1", "二〇二三年三月一日", "20230301"]
        {
            assert_eq!(Day::parse_flexible(text), None, "{text}");
        }
        assert_eq!(Day::parse_flexible("2024/2/29"), Day::from_ymd(2024, 2, 29));
    }

    #[test]
    fn dates_with_the_year_last_are_month_first_unless_they_cannot_be() {
        assert_eq!(Day::parse_flexible("12/1/2010 8:26"), Day::from_ymd(2010, 12, 1));
        assert_eq!(Day::parse_flexible("25/12/2010"), Day::from_ymd(2010, 12, 25));
        assert_eq!(Day::parse_flexible("1.12.2010"), Day::from_ymd(2010, 12, 1));
        assert_eq!(Day::parse_flexible("13/13/2010"), None);
        assert_eq!(Day::parse_flexible("1/2/10"), None, "two-digit years are not guessed");
    }

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
    fn day_numbers_beyond_the_calendar_do_not_crash() {
        assert_eq!(Day(i32::MAX).to_date(), NaiveDate::MAX);
        assert_eq!(Day(i32::MIN).to_date(), NaiveDate::MIN);
        assert!(!Day(i32::MAX).to_string().is_empty());
    }

    #[test]
    fn days_before_the_epoch_are_negative() {
        assert_eq!(Day::parse_iso("1969-12-31"), Some(Day(-1)));
        assert_eq!(Day::from_millis(-1), Day(-1));
        assert_eq!(Day::from_millis(86_400_000), Day(1));
    }
}
