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

/// A map keyed by customer code. Codes that are one prefix and a number (`C00004`, `P012345`,
/// `17850`), the usual kind, sit in a list by their number: finding one reads one slot, with no
/// hash, no probe and no key to compare (a million purchase rows each look up their customer's
/// code, and in a 100,000-code hash table each lookup waited on a cache miss for the key).
/// Other short codes (up to 15 bytes) are kept inside a hash table, longer ones in a second.
#[derive(Clone, Debug)]
pub struct CodeMap<V> {
    numbered: Option<Numbered<V>>,
    /// Codes of the numbered shape kept in the hash tables instead (a number far past the
    /// others when it came): while there are none, a numbered code not in the list is absent.
    numbered_in_tables: usize,
    short: rustc_hash::FxHashMap<u128, V>,
    long: rustc_hash::FxHashMap<String, V>,
    /// How many codes `reserve` was told to expect.
    expected: usize,
}

/// The shape of the first code with a number at its end: its prefix, and the digits' width
/// when it wrote them with leading zeros. Within one shape a code and its number are one
/// another's whole text, so the number alone finds the code.
#[derive(Clone, Debug)]
struct Numbered<V> {
    prefix: Box<[u8]>,
    /// `Some(w)`: exactly w digits (`P012345`); None: no leading zero (`17850`).
    width: Option<usize>,
    slots: Vec<Option<V>>,
    held: usize,
}

/// At most this many digits (below 10⁹, a `usize` even in the 32-bit page).
const NUMBERED_MAX_DIGITS: usize = 9;

impl<V> Numbered<V> {
    /// The shape of `code`, if it ends in a number.
    fn shape_of(code: &[u8]) -> Option<Numbered<V>> {
        let digits = code.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        (1..=NUMBERED_MAX_DIGITS).contains(&digits).then(|| {
            let (prefix, digits) = code.split_at(code.len() - digits);
            let padded = digits.len() > 1 && digits[0] == b'0';
            Numbered { prefix: prefix.into(), width: padded.then_some(digits.len()), slots: Vec::new(), held: 0 }
        })
    }

    /// The number of a code of this shape.
    fn number(&self, code: &[u8]) -> Option<usize> {
        let digits = code.strip_prefix(&*self.prefix)?;
        let fits = match self.width {
            Some(width) => digits.len() == width,
            None => {
                !digits.is_empty() && digits.len() <= NUMBERED_MAX_DIGITS && (digits[0] != b'0' || digits.len() == 1)
            }
        };
        (fits && digits.iter().all(u8::is_ascii_digit))
            .then(|| digits.iter().fold(0, |n, d| n * 10 + usize::from(d - b'0')))
    }

    /// Whether the list may grow to hold `number`: it stays at least about a quarter full.
    fn may_hold(&self, number: usize, expected: usize) -> bool {
        number < self.slots.len() || number < 4 * (self.held + expected) + 1024
    }
}

impl<V> Default for CodeMap<V> {
    fn default() -> Self {
        CodeMap {
            numbered: None,
            numbered_in_tables: 0,
            short: Default::default(),
            long: Default::default(),
            expected: 0,
        }
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

/// Where a code's value is, if anywhere.
enum Place {
    /// In the numbered list, at this number (the slot holds it).
    Slot(usize),
    /// Nowhere: a numbered code not in the list, while no code of its shape is in the tables.
    Absent,
    Tables,
}

impl<V> CodeMap<V> {
    fn place(&self, code: &str) -> Place {
        let Some(numbered) = &self.numbered else { return Place::Tables };
        match numbered.number(code.as_bytes()) {
            Some(n) if numbered.slots.get(n).is_some_and(Option::is_some) => Place::Slot(n),
            Some(_) if self.numbered_in_tables == 0 => Place::Absent,
            _ => Place::Tables,
        }
    }

    pub fn get(&self, code: &str) -> Option<&V> {
        match self.place(code) {
            Place::Slot(n) => self.numbered.as_ref()?.slots[n].as_ref(),
            Place::Absent => None,
            Place::Tables => match short_key(code) {
                Some(key) => self.short.get(&key),
                None => self.long.get(code),
            },
        }
    }

    pub fn get_mut(&mut self, code: &str) -> Option<&mut V> {
        match self.place(code) {
            Place::Slot(n) => self.numbered.as_mut()?.slots[n].as_mut(),
            Place::Absent => None,
            Place::Tables => match short_key(code) {
                Some(key) => self.short.get_mut(&key),
                None => self.long.get_mut(code),
            },
        }
    }

    pub fn contains_key(&self, code: &str) -> bool {
        self.get(code).is_some()
    }

    /// Room for `additional` more codes without the tables regrowing.
    pub fn reserve(&mut self, additional: usize) {
        self.expected += additional;
        if let Some(numbered) = &mut self.numbered {
            numbered.slots.reserve(additional);
        } else {
            self.short.reserve(additional);
        }
    }

    pub fn insert(&mut self, code: &str, value: V) {
        if self.numbered.is_none() {
            self.numbered = Numbered::shape_of(code.as_bytes());
            if let Some(numbered) = &mut self.numbered {
                numbered.slots.reserve(self.expected);
            }
        }
        let number = self.numbered.as_ref().and_then(|numbered| numbered.number(code.as_bytes()));
        if let (Some(n), Some(numbered)) = (number, &mut self.numbered) {
            if numbered.may_hold(n, self.expected) {
                if numbered.slots.len() <= n {
                    numbered.slots.resize_with(n + 1, || None);
                }
                // A copy a table got while the list could not hold this number stays there
                // unread: the list is looked at first.
                numbered.held += usize::from(numbered.slots[n].is_none());
                numbered.slots[n] = Some(value);
                return;
            }
        }
        let added = match short_key(code) {
            Some(key) => self.short.insert(key, value).is_none(),
            None => self.long.insert(code.to_string(), value).is_none(),
        };
        if added && number.is_some() {
            self.numbered_in_tables += 1;
        }
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

    /// Every code inserted is found with its latest value, and nothing else is, whichever
    /// place (the numbered list or a table) each went to.
    fn check_against_a_hash_map(codes: &[String], reserve: usize) {
        let mut map = CodeMap::default();
        map.reserve(reserve);
        let mut expected = std::collections::HashMap::new();
        for (i, code) in codes.iter().enumerate() {
            map.insert(code, i);
            expected.insert(code.clone(), i);
            // Now and then a value changed in place, as the importer does.
            if i % 7 == 0 {
                *map.get_mut(code).unwrap() += 1_000_000;
                *expected.get_mut(code).unwrap() += 1_000_000;
            }
        }
        for (code, value) in &expected {
            assert_eq!(map.get(code), Some(value), "{code}");
        }
        let absent =
            ["P", "P0", "P00000001", "P0000001", "p000001", "P000001 ", "Q000001", "0", "00", "01", "-1", "1a"];
        for code in absent.iter().filter(|c| !expected.contains_key(**c)) {
            assert_eq!(map.get(code), None, "{code}");
            assert!(!map.contains_key(code));
        }
    }

    #[test]
    fn a_code_map_finds_numbered_codes_in_any_order_and_spread() {
        // Zero-padded with a prefix, in order, reversed and shuffled.
        let padded: Vec<String> = (1..=5000).map(|i| format!("P{i:06}")).collect();
        check_against_a_hash_map(&padded, 0);
        check_against_a_hash_map(&padded.iter().rev().cloned().collect::<Vec<_>>(), 0);
        let mut shuffled = padded.clone();
        let mut seed = 7u64;
        for i in (1..shuffled.len()).rev() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (seed >> 33) as usize % (i + 1));
        }
        check_against_a_hash_map(&shuffled, 0);
        check_against_a_hash_map(&shuffled, shuffled.len());
        // Plain numbers of every width, the first one without a leading zero.
        check_against_a_hash_map(&(1..=3000).map(|i| i.to_string()).collect::<Vec<_>>(), 0);
        // Numbers far apart (phone numbers as codes), then close ones: the far ones go to a
        // table; one the list can hold by the time it comes again goes to the list.
        let mut mixed: Vec<String> = vec!["P999999".into(), "P000001".into(), "P500000".into(), "P005000".into()];
        mixed.extend((2..=2000).map(|i| format!("P{i:06}")));
        mixed.extend(["P999999".to_string(), "P500000".to_string(), "P005000".to_string()]);
        check_against_a_hash_map(&mixed, 0);
        // Other shapes beside the numbered one: a different prefix or width, letters, long
        // codes, Chinese, a number with a leading zero where the first had none.
        let mut others: Vec<String> = vec!["17850".into(), "C00004".into(), "VIP-0012".into(), "王伟".into()];
        others.extend(["017850".into(), "C".repeat(40), "12345678901234567890".into(), "1".into(), "0".into()]);
        others.extend((1..=500).map(|i| format!("{}", i * 3)));
        check_against_a_hash_map(&others, 10);
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
