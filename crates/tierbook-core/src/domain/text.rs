//! `Text`: an immutable string that equal values share. A purchase's product, category,
//! payment method and channel repeat across a million purchases; as `String`s each was its
//! own allocation somewhere on the heap, so writing a shard read four scattered places per
//! purchase (two thirds of the encode's time was waiting for memory) and every copy cost
//! memory. Short values are interned as they are made, so equal ones point at one allocation.

use std::cell::RefCell;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Arc<str>);

/// Values longer than this are rarely repeated (an order's products joined): not interned.
const INTERNED_MAX_BYTES: usize = 64;
/// The interner starts afresh beyond this many values, so unusual files cannot grow it
/// without bound; values made before stay valid, they are only no longer shared with new ones.
const INTERNED_MAX_VALUES: usize = 1 << 16;

thread_local! {
    static INTERNED: RefCell<Interner> = RefCell::new(Interner::default());
}

/// The shared values, and in front of them a few slots picked by a value's length and three
/// of its bytes: a column's values (payment methods, channels, categories) mostly repeat, and
/// one found there needs no hash of its whole text (in the page, hashing was a third of the
/// time an import spent making texts).
struct Interner {
    values: FxHashSet<Arc<str>>,
    recent: [Option<Arc<str>>; RECENT_SLOTS],
}

const RECENT_SLOTS: usize = 64;

impl Default for Interner {
    fn default() -> Self {
        Interner { values: FxHashSet::default(), recent: std::array::from_fn(|_| None) }
    }
}

fn recent_slot(value: &[u8]) -> usize {
    let n = value.len();
    if n == 0 {
        return 0;
    }
    let mix = n.wrapping_mul(31) ^ usize::from(value[0]) ^ (usize::from(value[n - 1]) << 2) ^ usize::from(value[n / 2]);
    mix % RECENT_SLOTS
}

impl Text {
    pub fn new(value: &str) -> Text {
        if value.len() > INTERNED_MAX_BYTES {
            return Text(Arc::from(value));
        }
        INTERNED.with(|interned| {
            let mut interned = interned.borrow_mut();
            let slot = recent_slot(value.as_bytes());
            if let Some(recent) = interned.recent[slot].as_ref().filter(|r| ***r == *value) {
                return Text(recent.clone());
            }
            let shared = match interned.values.get(value) {
                Some(shared) => shared.clone(),
                None => {
                    if interned.values.len() >= INTERNED_MAX_VALUES {
                        interned.values.clear();
                    }
                    let shared: Arc<str> = Arc::from(value);
                    interned.values.insert(shared.clone());
                    shared
                }
            };
            interned.recent[slot] = Some(shared.clone());
            Text(shared)
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Text {
    fn default() -> Self {
        Text::new("")
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for Text {
    fn from(value: &str) -> Text {
        Text::new(value)
    }
}

impl From<String> for Text {
    fn from(value: String) -> Text {
        Text::new(&value)
    }
}

impl From<&String> for Text {
    fn from(value: &String) -> Text {
        Text::new(value)
    }
}

impl From<Text> for String {
    fn from(value: Text) -> String {
        value.0.to_string()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

/// While a shard is packed or unpacked (`codec`), each text is written once, in a table, and
/// every use of it as its place in that table: a million purchases name a handful of products,
/// categories, payment methods and channels. Only inside `packing_texts`/`unpacking_texts`:
/// JSON and everything else see plain strings.
enum TextTable {
    Off,
    Packing(Box<Packing>),
    Unpacking(Vec<Text>),
}

/// Each text's place, keyed by its allocation (equal interned texts share one), and the texts
/// in order of first use. A few slots picked by the address answer most lookups without
/// hashing (a million purchases ask four times each; the hashing was a tenth of a commit).
pub(super) struct Packing {
    places: FxHashMap<usize, u32>,
    table: Vec<Text>,
    recent: [(usize, u32); PACKING_SLOTS],
}

const PACKING_SLOTS: usize = 64;

impl Packing {
    fn new() -> Packing {
        // Address 0 is never an allocation: an empty slot matches nothing.
        Packing { places: FxHashMap::default(), table: Vec::new(), recent: [(0, 0); PACKING_SLOTS] }
    }

    pub(super) fn place(&mut self, text: &Text) -> u32 {
        let key = Arc::as_ptr(&text.0) as *const u8 as usize;
        let slot = ((key >> 3) ^ (key >> 9)) % PACKING_SLOTS;
        if self.recent[slot].0 == key {
            return self.recent[slot].1;
        }
        let table = &mut self.table;
        let place = *self.places.entry(key).or_insert_with(|| {
            table.push(text.clone());
            table.len() as u32 - 1
        });
        self.recent[slot] = (key, place);
        place
    }
}

thread_local! {
    static TABLE: RefCell<TextTable> = const { RefCell::new(TextTable::Off) };
}

/// Puts the table mode back to plain strings when the packing or unpacking ends, however it ends.
struct TableGuard;

impl Drop for TableGuard {
    fn drop(&mut self) {
        TABLE.with(|t| *t.borrow_mut() = TextTable::Off);
    }
}

/// Runs `write` with the table `packing_texts` is filling (None outside it): for a writer that
/// puts a million purchases' texts down as places without serde.
pub(super) fn with_packing<R>(write: impl FnOnce(Option<&mut Packing>) -> R) -> R {
    TABLE.with(|t| match &mut *t.borrow_mut() {
        TextTable::Packing(packing) => write(Some(packing)),
        _ => write(None),
    })
}

/// Runs `pack` with texts serialised as places in a table; returns its result and the table.
pub fn packing_texts<R>(pack: impl FnOnce() -> R) -> (R, Vec<Text>) {
    TABLE.with(|t| *t.borrow_mut() = TextTable::Packing(Box::new(Packing::new())));
    let guard = TableGuard;
    let result = pack();
    let table = TABLE.with(|t| match std::mem::replace(&mut *t.borrow_mut(), TextTable::Off) {
        TextTable::Packing(packing) => packing.table,
        _ => Vec::new(),
    });
    drop(guard);
    (result, table)
}

/// Runs `unpack` with texts deserialised as places in `table`.
pub fn unpacking_texts<R>(table: Vec<Text>, unpack: impl FnOnce() -> R) -> R {
    TABLE.with(|t| *t.borrow_mut() = TextTable::Unpacking(table));
    let _guard = TableGuard;
    unpack()
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let place = TABLE.with(|t| match &mut *t.borrow_mut() {
            TextTable::Packing(packing) => Some(packing.place(self)),
            _ => None,
        });
        match place {
            Some(place) => serializer.serialize_u32(place),
            None => serializer.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Text, E> {
                Ok(Text::new(value))
            }
        }
        let unpacking = TABLE.with(|t| matches!(&*t.borrow(), TextTable::Unpacking(_)));
        if !unpacking {
            return deserializer.deserialize_str(Visitor);
        }
        let place = u32::deserialize(deserializer)? as usize;
        TABLE
            .with(|t| match &*t.borrow() {
                TextTable::Unpacking(table) => table.get(place).cloned(),
                _ => None,
            })
            .ok_or_else(|| serde::de::Error::custom(format!("text {place} is not in the shard's table")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_short_values_share_one_allocation_and_long_ones_do_not() {
        let a = Text::from("手冲咖啡豆");
        let b = Text::from(String::from("手冲咖啡豆"));
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(a, b);
        assert_eq!(a, "手冲咖啡豆");
        let long = "x".repeat(INTERNED_MAX_BYTES + 1);
        let (c, d) = (Text::new(&long), Text::new(&long));
        assert!(!Arc::ptr_eq(&c.0, &d.0));
        assert_eq!(c, d);
        assert_ne!(Text::from("a"), Text::from("b"));
    }

    #[test]
    fn a_packed_list_of_many_texts_reads_back_with_each_distinct_text_in_the_table_once() {
        // More distinct texts than recent slots, repeated out of order: slots are reused.
        let values: Vec<Text> = (0..2_000u32).map(|i| Text::new(&format!("t{}", (i * 7919) % 300))).collect();
        let (bytes, table) = packing_texts(|| postcard::to_stdvec(&values).unwrap());
        assert_eq!(table.len(), 300);
        let back: Vec<Text> = unpacking_texts(table, || postcard::from_bytes(&bytes).unwrap());
        assert_eq!(back, values);
    }

    #[test]
    fn values_that_meet_in_a_recent_slot_stay_apart() {
        // Same length, first, middle and last byte: one slot, told apart by their text.
        let (a, b) = ("a1x2z", "a3x4z");
        assert_eq!(recent_slot(a.as_bytes()), recent_slot(b.as_bytes()));
        for _ in 0..3 {
            let (ta, tb) = (Text::new(a), Text::new(b));
            assert_eq!((ta.as_str(), tb.as_str()), (a, b));
            assert!(Arc::ptr_eq(&ta.0, &Text::new(a).0), "shared whether or not the slot holds it");
        }
        assert_eq!(Text::new("").as_str(), "");
    }

    #[test]
    fn it_is_written_as_a_plain_string_and_reads_back_from_json_and_postcard() {
        let value = Text::from("门店\"3\"");
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(json, serde_json::to_string("门店\"3\"").unwrap());
        assert_eq!(serde_json::from_str::<Text>(&json).unwrap(), value);
        let bytes = postcard::to_stdvec(&value).unwrap();
        assert_eq!(bytes, postcard::to_stdvec("门店\"3\"").unwrap());
        assert_eq!(postcard::from_bytes::<Text>(&bytes).unwrap(), value);
    }

    #[test]
    fn a_full_interner_starts_afresh_and_what_it_made_stays_valid() {
        let first = Text::new("kept");
        for i in 0..INTERNED_MAX_VALUES + 10 {
            Text::new(&format!("v{i}"));
        }
        assert_eq!(first.as_str(), "kept");
        assert!(INTERNED.with(|i| i.borrow().values.len()) <= INTERNED_MAX_VALUES);
    }
}
