//! Customer codes (客户编号): the text a business knows its customers by, kept apart from the
//! internal id. A new customer without a code gets the next free one in the workbook's format.

use std::collections::HashMap;

use super::customer_list::CustomerSummary;
use super::model::{CustomerId, CODE_MAX_CHARS};
use super::workbook::Workbook;

/// How new codes look: a prefix and a number of digits, written as a pattern such as `C00000`
/// (prefix `C`, five digits: `C00001`, `C00002`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeFormat {
    pub prefix: String,
    pub digits: usize,
}

impl Default for CodeFormat {
    fn default() -> Self {
        CodeFormat { prefix: "C".into(), digits: 5 }
    }
}

impl CodeFormat {
    /// Reads a pattern: the trailing zeros are the digits, what comes before is the prefix.
    /// None when there are no trailing zeros or the prefix is not plain text.
    pub fn parse(pattern: &str) -> Option<CodeFormat> {
        let pattern = pattern.trim();
        let prefix = pattern.trim_end_matches('0');
        let digits = pattern.len() - prefix.len();
        let plain = prefix.chars().all(|c| !c.is_whitespace() && !c.is_control() && !c.is_ascii_digit());
        (digits > 0 && digits <= 12 && plain && prefix.chars().count() <= 20)
            .then(|| CodeFormat { prefix: prefix.to_string(), digits })
    }

    pub fn pattern(&self) -> String {
        format!("{}{}", self.prefix, "0".repeat(self.digits))
    }

    fn number_of(&self, code: &str) -> Option<u64> {
        let rest = code.strip_prefix(self.prefix.as_str())?;
        (!rest.is_empty() && rest.len() <= 18 && rest.bytes().all(|b| b.is_ascii_digit())).then(|| rest.parse().ok())?
    }

    /// The code with number `n` in this format.
    pub fn code(&self, n: u64) -> String {
        format!("{}{:0width$}", self.prefix, n, width = self.digits)
    }

    /// The highest number in this format among `codes` (0 if none).
    pub fn highest<'a>(&self, codes: impl Iterator<Item = &'a str>) -> u64 {
        codes.filter_map(|c| self.number_of(c)).max().unwrap_or(0)
    }

    /// `count` new codes after the highest number in this format among `codes`.
    pub fn next_codes<'a>(&self, codes: impl Iterator<Item = &'a str>, count: usize) -> Vec<String> {
        let highest = self.highest(codes);
        (1..=count as u64).map(|i| self.code(highest + i)).collect()
    }

    pub fn next_code(&self, wb: &Workbook) -> String {
        self.next_codes(wb.records().map(|r| r.customer.code.as_str()), 1).remove(0)
    }
}

/// A code as typed or imported: trimmed; None if empty.
pub fn clean_code(text: &str) -> Option<&str> {
    Some(super::trim::trim(text)).filter(|c| !c.is_empty())
}

/// Whether a code can be stored: at most 64 characters and no control characters.
pub fn is_valid_code(code: &str) -> bool {
    code.chars().count() <= CODE_MAX_CHARS && !code.chars().any(char::is_control)
}

/// Per shard: who holds each code, kept up to date with the list rows so that a save (is the
/// code taken? who is the referrer?) never walks 100,000 customer files.
#[derive(Clone, Debug, Default)]
pub struct CodeIndex {
    per_shard: Vec<ShardCodes>,
}

#[derive(Clone, Debug, Default)]
struct ShardCodes {
    first: HashMap<Box<str>, CustomerId>,
    /// Further holders of a code already in `first` (an old workbook, a merge): rare.
    more: Vec<(Box<str>, CustomerId)>,
}

impl ShardCodes {
    fn of(rows: &[CustomerSummary]) -> ShardCodes {
        let mut codes = ShardCodes { first: HashMap::with_capacity(rows.len()), more: Vec::new() };
        for row in rows {
            if codes.first.contains_key(row.code.as_str()) {
                codes.more.push((row.code.as_str().into(), row.id));
            } else {
                codes.first.insert(row.code.as_str().into(), row.id);
            }
        }
        codes
    }

    fn holders<'a>(&'a self, code: &'a str) -> impl Iterator<Item = CustomerId> + 'a {
        let more = self.more.iter().filter(move |(c, _)| &**c == code).map(|(_, id)| *id);
        self.first.get(code).copied().into_iter().chain(more)
    }
}

impl CodeIndex {
    pub fn of(shards: &[Vec<CustomerSummary>]) -> CodeIndex {
        CodeIndex { per_shard: shards.iter().map(|rows| ShardCodes::of(rows)).collect() }
    }

    /// Takes in the list rows of shards that changed.
    pub fn update(&mut self, shards: &[(usize, &[CustomerSummary])]) {
        for &(s, rows) in shards {
            if self.per_shard.len() <= s {
                self.per_shard.resize_with(s + 1, ShardCodes::default);
            }
            self.per_shard[s] = ShardCodes::of(rows);
        }
    }

    /// The customer, other than `except`, who holds this code.
    pub fn holder(&self, code: &str, except: Option<CustomerId>) -> Option<CustomerId> {
        self.per_shard.iter().flat_map(|shard| shard.holders(code)).find(|id| Some(*id) != except)
    }
}

/// A map keyed by customer code that keeps short codes (up to 15 bytes: `C00004`, `P012345`,
/// phone-length numbers) inside the table: finding a code is one probe, with no trip to a
/// separately allocated key. Longer codes sit in a second map.
#[derive(Clone, Debug)]
pub struct CodeMap<V> {
    short: rustc_hash::FxHashMap<u128, V>,
    long: rustc_hash::FxHashMap<String, V>,
}

impl<V> Default for CodeMap<V> {
    fn default() -> Self {
        CodeMap { short: Default::default(), long: Default::default() }
    }
}

/// A code of at most 15 bytes as one number: its bytes, then its length in the last byte.
fn short_key(code: &str) -> Option<u128> {
    let bytes = code.as_bytes();
    (bytes.len() < 16).then(|| {
        let mut key = [0u8; 16];
        key[..bytes.len()].copy_from_slice(bytes);
        key[15] = bytes.len() as u8;
        u128::from_le_bytes(key)
    })
}

impl<V> CodeMap<V> {
    pub fn get(&self, code: &str) -> Option<&V> {
        match short_key(code) {
            Some(key) => self.short.get(&key),
            None => self.long.get(code),
        }
    }

    pub fn get_mut(&mut self, code: &str) -> Option<&mut V> {
        match short_key(code) {
            Some(key) => self.short.get_mut(&key),
            None => self.long.get_mut(code),
        }
    }

    pub fn contains_key(&self, code: &str) -> bool {
        self.get(code).is_some()
    }

    /// Room for `additional` more short codes (the usual kind) without the table regrowing.
    pub fn reserve(&mut self, additional: usize) {
        self.short.reserve(additional);
    }

    pub fn insert(&mut self, code: &str, value: V) {
        match short_key(code) {
            Some(key) => self.short.insert(key, value),
            None => self.long.insert(code.to_string(), value),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer_list::CustomerSummary;
    use crate::domain::model::{Customer, CustomerRecord};
    use crate::domain::workbook::{shard_of, SHARD_COUNT};

    fn row(id: CustomerId, code: &str) -> CustomerSummary {
        let customer = Customer { id, code: code.into(), name: format!("n{id}"), ..Default::default() };
        CustomerSummary::of(&CustomerRecord { customer, ..Default::default() })
    }

    fn rows_of(list: &[(CustomerId, &str)]) -> Vec<Vec<CustomerSummary>> {
        let mut shards = vec![Vec::new(); SHARD_COUNT];
        for &(id, code) in list {
            shards[shard_of(id)].push(row(id, code));
        }
        shards
    }

    #[test]
    fn the_code_index_finds_holders_other_than_the_one_asking() {
        // Ids far apart land in different shards; 7 and 7 + SHARD_COUNT share one.
        let k = SHARD_COUNT as u64;
        let list = [(7, "C00001"), (7 + k, "C00002"), (123_456_789, "P012345"), (42, "dup"), (42 + 3 * k, "dup")];
        let index = CodeIndex::of(&rows_of(&list));
        assert_eq!(index.holder("C00001", None), Some(7));
        assert_eq!(index.holder("C00001", Some(7)), None, "a customer keeping their own code");
        assert_eq!(index.holder("C00002", Some(7)), Some(7 + k));
        assert_eq!(index.holder("P012345", None), Some(123_456_789));
        assert_eq!(index.holder("c00001", None), None, "codes are compared as written");
        assert_eq!(index.holder("dup", Some(42)), Some(42 + 3 * k), "a code held twice is found for the other");
        assert_eq!(index.holder("dup", Some(42 + 3 * k)), Some(42));
    }

    #[test]
    fn the_code_index_follows_changed_shards() {
        let mut shards = rows_of(&[(7, "C00001"), (8, "C00002")]);
        let mut index = CodeIndex::of(&shards);
        // Customer 7 takes a new code; 8 is deleted.
        shards[shard_of(7)] = vec![row(7, "C00009")];
        shards[shard_of(8)].clear();
        index.update(&[(shard_of(7), &shards[shard_of(7)]), (shard_of(8), &shards[shard_of(8)])]);
        assert_eq!(index.holder("C00001", None), None);
        assert_eq!(index.holder("C00009", None), Some(7));
        assert_eq!(index.holder("C00002", None), None);
        // Matches a walk of every row.
        for code in ["C00001", "C00002", "C00009"] {
            let walked = shards.iter().flatten().find(|r| r.code == code).map(|r| r.id);
            assert_eq!(index.holder(code, None), walked);
        }
    }

    #[test]
    fn patterns_are_read_as_prefix_and_digits() {
        assert_eq!(CodeFormat::parse("C00000"), Some(CodeFormat { prefix: "C".into(), digits: 5 }));
        assert_eq!(CodeFormat::parse("VIP-0000").unwrap().pattern(), "VIP-0000");
        assert_eq!(CodeFormat::parse("000"), Some(CodeFormat { prefix: String::new(), digits: 3 }));
        assert_eq!(CodeFormat::parse("C"), None, "no digits");
        assert_eq!(CodeFormat::parse("A 0"), None, "no spaces in a prefix");
    }

    #[test]
    fn the_next_code_follows_the_highest_of_its_format_and_ignores_others() {
        let f = CodeFormat::default();
        let codes = ["C00004", "VIP-0012", "17850", "C00010", "CX0099", "C"];
        assert_eq!(f.next_codes(codes.into_iter(), 2), ["C00011", "C00012"]);
        assert_eq!(f.next_codes(std::iter::empty(), 1), ["C00001"]);
        let vip = CodeFormat::parse("VIP-0000").unwrap();
        assert_eq!(vip.next_codes(codes.into_iter(), 1), ["VIP-0013"]);
        // Past the width the number just grows.
        let small = CodeFormat::parse("P0").unwrap();
        assert_eq!(small.next_codes(["P9"].into_iter(), 1), ["P10"]);
    }

    #[test]
    fn codes_are_any_text_up_to_64_characters() {
        assert!(is_valid_code("C00004") && is_valid_code("会员-007") && is_valid_code(&"x".repeat(64)));
        assert!(!is_valid_code(&"x".repeat(65)) && !is_valid_code("a\nb"));
        assert_eq!(clean_code("  C1 "), Some("C1"));
        assert_eq!(clean_code("   "), None);
    }

    #[test]
    fn a_code_map_tells_apart_codes_that_share_a_start_or_differ_only_in_length() {
        let mut map = CodeMap::default();
        let long = "C".repeat(40);
        for (i, code) in ["C1", "C10", "C1\u{0}", "", "123456789012345", "1234567890123456", long.as_str(), "王伟"]
            .iter()
            .enumerate()
        {
            map.insert(code, i);
        }
        assert_eq!(map.get("C1"), Some(&0));
        assert_eq!(map.get("C10"), Some(&1));
        assert_eq!(map.get("C1\u{0}"), Some(&2));
        assert_eq!(map.get(""), Some(&3));
        assert_eq!(map.get("123456789012345"), Some(&4));
        assert_eq!(map.get("1234567890123456"), Some(&5));
        assert_eq!(map.get(&long), Some(&6));
        assert_eq!(map.get("王伟"), Some(&7));
        assert_eq!(map.get("C100"), None);
        assert_eq!(map.get("c1"), None);
        assert!(!map.contains_key(&"C".repeat(39)));
        *map.get_mut("C10").unwrap() = 9;
        map.insert("C1", 8);
        assert_eq!((map.get("C10"), map.get("C1")), (Some(&9), Some(&8)));
    }
}
