//! The bytes of one stored shard: a format byte, then the customer files packed with postcard.
//! Packed bytes are ~3x smaller than JSON and decode without a parser, which is what makes
//! 1,000,000 purchases load in well under a second.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::customer_list::CustomerSummary;
use super::day::Day;
use super::model::{
    AuditEntry, CampaignEntry, Customer, CustomerId, CustomerRecord, Feedback, Gender, Interaction, Purchase,
};
use super::text::{packing_texts, unpacking_texts, with_packing, Packing, Text};
use super::tiers::TierState;
use super::workbook::Shard;

/// Bumped whenever `CustomerRecord` changes shape; older formats keep a decoder and migrate.
/// 1: the customer file without tier state. 2: with `tier`. 3: with `audit`. 4: the card with
/// `consent_source`. 5: the card with its `code`, purchases with order number, unit price and
/// lines; a migrated customer's code is its old number. 6: with change `marks` (for sync).
/// 7: the same records with each text (`Text`: product, category…) written once, in a table
/// after them, and used by its place: the length of the records (u32, little-endian), the
/// records, the table.
pub const SHARD_FORMAT: u8 = 7;

/// A customer file as format 5 stored it (before change marks).
#[derive(Serialize, Deserialize)]
pub struct CustomerRecordV5 {
    pub customer: Customer,
    pub purchases: Vec<Purchase>,
    pub feedback: Vec<Feedback>,
    pub interactions: Vec<Interaction>,
    pub campaigns: Vec<CampaignEntry>,
    pub tier: TierState,
    pub audit: Vec<AuditEntry>,
}

impl From<CustomerRecordV5> for CustomerRecord {
    fn from(v5: CustomerRecordV5) -> Self {
        CustomerRecord {
            customer: v5.customer,
            purchases: v5.purchases,
            feedback: v5.feedback,
            interactions: v5.interactions,
            campaigns: v5.campaigns,
            tier: v5.tier,
            audit: v5.audit,
            marks: Default::default(),
        }
    }
}

/// A purchase as formats 1 to 4 stored it (before order numbers, unit prices and lines).
#[derive(Serialize, Deserialize)]
pub struct PurchaseV4 {
    pub id: u64,
    pub date: Day,
    pub product: String,
    pub category: String,
    pub quantity: f64,
    pub amount_cents: i64,
    pub payment: String,
    pub channel: String,
    pub updated_at: i64,
}

impl From<PurchaseV4> for Purchase {
    fn from(p: PurchaseV4) -> Self {
        Purchase {
            id: p.id,
            date: p.date,
            product: p.product.into(),
            category: p.category.into(),
            quantity: p.quantity,
            amount_cents: p.amount_cents,
            payment: p.payment.into(),
            channel: p.channel.into(),
            updated_at: p.updated_at,
            ..Default::default()
        }
    }
}

fn purchases(old: Vec<PurchaseV4>) -> Vec<Purchase> {
    old.into_iter().map(Into::into).collect()
}

/// A customer file as format 4 stored it.
#[derive(Serialize, Deserialize)]
pub struct CustomerRecordV4 {
    pub customer: CustomerV4,
    pub purchases: Vec<PurchaseV4>,
    pub feedback: Vec<Feedback>,
    pub interactions: Vec<Interaction>,
    pub campaigns: Vec<CampaignEntry>,
    pub tier: TierState,
    pub audit: Vec<AuditEntry>,
}

impl From<CustomerRecordV4> for CustomerRecord {
    fn from(v4: CustomerRecordV4) -> Self {
        CustomerRecord {
            customer: v4.customer.into(),
            purchases: purchases(v4.purchases),
            feedback: v4.feedback,
            interactions: v4.interactions,
            campaigns: v4.campaigns,
            tier: v4.tier,
            audit: v4.audit,
            marks: Default::default(),
        }
    }
}

/// The card as format 4 stored it (before `code`).
#[derive(Serialize, Deserialize)]
pub struct CustomerV4 {
    pub id: CustomerId,
    pub name: String,
    pub gender: Gender,
    pub birthday: Option<Day>,
    pub occupation: String,
    pub phone: String,
    pub email: String,
    pub wechat: String,
    pub city: String,
    pub address: String,
    pub hobbies: String,
    pub special_needs: String,
    pub tags: Vec<String>,
    pub notes: String,
    pub customer_since: Option<Day>,
    pub source: String,
    pub referred_by: Option<CustomerId>,
    pub account_manager: String,
    pub influence: u8,
    pub marketing_consent: bool,
    pub consent_date: Option<Day>,
    pub consent_source: String,
    pub custom: BTreeMap<String, String>,
    pub updated_at: i64,
}

impl From<CustomerV4> for Customer {
    fn from(c: CustomerV4) -> Self {
        Customer {
            id: c.id,
            // Before codes, the customer number was the code people knew.
            code: c.id.to_string(),
            name: c.name,
            gender: c.gender,
            birthday: c.birthday,
            occupation: c.occupation,
            phone: c.phone,
            email: c.email,
            wechat: c.wechat,
            city: c.city,
            address: c.address,
            hobbies: c.hobbies,
            special_needs: c.special_needs,
            tags: c.tags,
            notes: c.notes,
            customer_since: c.customer_since,
            source: c.source,
            referred_by: c.referred_by,
            account_manager: c.account_manager,
            influence: c.influence,
            marketing_consent: c.marketing_consent,
            consent_date: c.consent_date,
            consent_source: c.consent_source,
            custom: c.custom,
            updated_at: c.updated_at,
        }
    }
}

/// A customer file as format 2 stored it.
#[derive(Serialize, Deserialize)]
pub struct CustomerRecordV2 {
    pub customer: CustomerV3,
    pub purchases: Vec<PurchaseV4>,
    pub feedback: Vec<Feedback>,
    pub interactions: Vec<Interaction>,
    pub campaigns: Vec<CampaignEntry>,
    pub tier: TierState,
}

impl From<CustomerRecordV2> for CustomerRecord {
    fn from(v2: CustomerRecordV2) -> Self {
        CustomerRecord {
            customer: v2.customer.into(),
            purchases: purchases(v2.purchases),
            feedback: v2.feedback,
            interactions: v2.interactions,
            campaigns: v2.campaigns,
            tier: v2.tier,
            audit: Vec::new(),
            marks: Default::default(),
        }
    }
}

/// The card as formats 1 to 3 stored it (before `consent_source`).
#[derive(Serialize, Deserialize)]
pub struct CustomerV3 {
    pub id: CustomerId,
    pub name: String,
    pub gender: Gender,
    pub birthday: Option<Day>,
    pub occupation: String,
    pub phone: String,
    pub email: String,
    pub wechat: String,
    pub city: String,
    pub address: String,
    pub hobbies: String,
    pub special_needs: String,
    pub tags: Vec<String>,
    pub notes: String,
    pub customer_since: Option<Day>,
    pub source: String,
    pub referred_by: Option<CustomerId>,
    pub account_manager: String,
    pub influence: u8,
    pub marketing_consent: bool,
    pub consent_date: Option<Day>,
    pub custom: BTreeMap<String, String>,
    pub updated_at: i64,
}

impl From<CustomerV3> for Customer {
    fn from(c: CustomerV3) -> Self {
        CustomerV4 {
            id: c.id,
            name: c.name,
            gender: c.gender,
            birthday: c.birthday,
            occupation: c.occupation,
            phone: c.phone,
            email: c.email,
            wechat: c.wechat,
            city: c.city,
            address: c.address,
            hobbies: c.hobbies,
            special_needs: c.special_needs,
            tags: c.tags,
            notes: c.notes,
            customer_since: c.customer_since,
            source: c.source,
            referred_by: c.referred_by,
            account_manager: c.account_manager,
            influence: c.influence,
            marketing_consent: c.marketing_consent,
            consent_date: c.consent_date,
            custom: c.custom,
            updated_at: c.updated_at,
            consent_source: String::new(),
        }
        .into()
    }
}

/// Old-format shards for the migration tests.
#[cfg(test)]
impl From<Purchase> for PurchaseV4 {
    fn from(p: Purchase) -> Self {
        PurchaseV4 {
            id: p.id,
            date: p.date,
            product: p.product.into(),
            category: p.category.into(),
            quantity: p.quantity,
            amount_cents: p.amount_cents,
            payment: p.payment.into(),
            channel: p.channel.into(),
            updated_at: p.updated_at,
        }
    }
}

#[cfg(test)]
impl From<Customer> for CustomerV4 {
    fn from(c: Customer) -> Self {
        let v3 = CustomerV3::from(c.clone());
        CustomerV4 {
            id: v3.id,
            name: v3.name,
            gender: v3.gender,
            birthday: v3.birthday,
            occupation: v3.occupation,
            phone: v3.phone,
            email: v3.email,
            wechat: v3.wechat,
            city: v3.city,
            address: v3.address,
            hobbies: v3.hobbies,
            special_needs: v3.special_needs,
            tags: v3.tags,
            notes: v3.notes,
            customer_since: v3.customer_since,
            source: v3.source,
            referred_by: v3.referred_by,
            account_manager: v3.account_manager,
            influence: v3.influence,
            marketing_consent: v3.marketing_consent,
            consent_date: v3.consent_date,
            consent_source: c.consent_source,
            custom: v3.custom,
            updated_at: v3.updated_at,
        }
    }
}

#[cfg(test)]
impl From<Customer> for CustomerV3 {
    fn from(c: Customer) -> Self {
        CustomerV3 {
            id: c.id,
            name: c.name,
            gender: c.gender,
            birthday: c.birthday,
            occupation: c.occupation,
            phone: c.phone,
            email: c.email,
            wechat: c.wechat,
            city: c.city,
            address: c.address,
            hobbies: c.hobbies,
            special_needs: c.special_needs,
            tags: c.tags,
            notes: c.notes,
            customer_since: c.customer_since,
            source: c.source,
            referred_by: c.referred_by,
            account_manager: c.account_manager,
            influence: c.influence,
            marketing_consent: c.marketing_consent,
            consent_date: c.consent_date,
            custom: c.custom,
            updated_at: c.updated_at,
        }
    }
}

/// A customer file as format 1 stored it.
#[derive(Serialize, Deserialize)]
pub struct CustomerRecordV1 {
    pub customer: CustomerV3,
    pub purchases: Vec<PurchaseV4>,
    pub feedback: Vec<Feedback>,
    pub interactions: Vec<Interaction>,
    pub campaigns: Vec<CampaignEntry>,
}

impl From<CustomerRecordV1> for CustomerRecord {
    fn from(v1: CustomerRecordV1) -> Self {
        CustomerRecord {
            customer: v1.customer.into(),
            purchases: purchases(v1.purchases),
            feedback: v1.feedback,
            interactions: v1.interactions,
            campaigns: v1.campaigns,
            tier: Default::default(),
            audit: Vec::new(),
            marks: Default::default(),
        }
    }
}

/// A customer file as format 3 stored it.
#[derive(Serialize, Deserialize)]
pub struct CustomerRecordV3 {
    pub customer: CustomerV3,
    pub purchases: Vec<PurchaseV4>,
    pub feedback: Vec<Feedback>,
    pub interactions: Vec<Interaction>,
    pub campaigns: Vec<CampaignEntry>,
    pub tier: TierState,
    pub audit: Vec<AuditEntry>,
}

impl From<CustomerRecordV3> for CustomerRecord {
    fn from(v3: CustomerRecordV3) -> Self {
        CustomerRecord {
            customer: v3.customer.into(),
            purchases: purchases(v3.purchases),
            feedback: v3.feedback,
            interactions: v3.interactions,
            campaigns: v3.campaigns,
            tier: v3.tier,
            audit: v3.audit,
            marks: Default::default(),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    Empty,
    UnknownFormat(u8),
    Corrupt(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Empty => write!(f, "empty shard"),
            DecodeError::UnknownFormat(v) => write!(f, "shard format {v} is newer than this app understands"),
            DecodeError::Corrupt(why) => write!(f, "shard is damaged: {why}"),
        }
    }
}

pub fn encode_shard(shard: &Shard) -> Vec<u8> {
    let records: Vec<&CustomerRecord> = shard.records.values().collect();
    // Sized for the usual record (measured: ~60 bytes a customer, ~44 a purchase), so it
    // seldom grows.
    let guess: usize = records.iter().map(|r| 96 + 48 * (r.purchases.len() + r.audit.len())).sum();
    let mut bytes = Vec::with_capacity(guess + 5);
    bytes.extend_from_slice(&[SHARD_FORMAT, 0, 0, 0, 0]);
    let (packed, table) = packing_texts(|| write_records(&records, bytes));
    // Plain data always serialises.
    let mut bytes = packed.expect("records serialise");
    let len = (bytes.len() - 5) as u32;
    bytes[1..5].copy_from_slice(&len.to_le_bytes());
    let texts: Vec<&str> = table.iter().map(|t| t.as_str()).collect();
    postcard::serialize_with_flavor(&texts, Bytes(bytes)).expect("texts serialise")
}

/// The records as postcard writes `Vec<&CustomerRecord>` (inside `packing_texts`), the
/// purchases written here field by field: serde's calls per field were most of a million
/// purchases' encoding time. A test holds the bytes equal to postcard's own.
fn write_records(records: &[&CustomerRecord], out: Vec<u8>) -> postcard::Result<Vec<u8>> {
    let mut out = out;
    put_varint(&mut out, records.len() as u64);
    for r in records {
        out = postcard::serialize_with_flavor(&r.customer, Bytes(out))?;
        with_packing(|packing| {
            let packing = packing.expect("written inside packing_texts");
            put_varint(&mut out, r.purchases.len() as u64);
            for p in &r.purchases {
                put_purchase(&mut out, p, packing);
            }
        });
        let rest = (&r.feedback, &r.interactions, &r.campaigns, &r.tier, &r.audit, &r.marks);
        out = postcard::serialize_with_flavor(&rest, Bytes(out))?;
    }
    Ok(out)
}

/// A purchase in `Purchase`'s field order, as postcard writes it with its texts packed.
fn put_purchase(out: &mut Vec<u8>, p: &Purchase, packing: &mut Packing) {
    put_varint(out, p.id);
    put_signed(out, p.date.0.into());
    put_varint(out, packing.place(&p.product).into());
    put_varint(out, packing.place(&p.category).into());
    out.extend_from_slice(&p.quantity.to_le_bytes());
    put_signed(out, p.amount_cents);
    put_varint(out, packing.place(&p.payment).into());
    put_varint(out, packing.place(&p.channel).into());
    put_signed(out, p.updated_at);
    put_varint(out, p.order_no.len() as u64);
    out.extend_from_slice(p.order_no.as_bytes());
    put_option(out, p.unit_price_cents);
    put_varint(out, p.items.len() as u64);
    for line in &p.items {
        put_varint(out, packing.place(&line.product).into());
        out.extend_from_slice(&line.quantity.to_le_bytes());
        put_option(out, line.unit_price_cents);
        put_signed(out, line.amount_cents);
    }
}

/// postcard's varint: seven bits a byte, lowest first, the top bit set on all but the last.
#[inline(always)]
fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// A signed number as postcard writes it: zigzagged (0, -1, 1, -2… as 0, 1, 2, 3…), then a varint.
#[inline(always)]
fn put_signed(out: &mut Vec<u8>, value: i64) {
    put_varint(out, ((value << 1) ^ (value >> 63)) as u64);
}

#[inline(always)]
fn put_option(out: &mut Vec<u8>, value: Option<i64>) {
    match value {
        None => out.push(0),
        Some(value) => {
            out.push(1);
            put_signed(out, value);
        }
    }
}

/// postcard's output written into a growing Vec byte by byte. postcard hands each field's few
/// bytes (a varint) to `try_extend`, which its own flavors copy with a call to `memcpy` — in
/// the wasm a `memory.copy` per field, most of the time a million purchases took to encode.
struct Bytes(Vec<u8>);

impl postcard::ser_flavors::Flavor for Bytes {
    type Output = Vec<u8>;

    #[inline(always)]
    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        self.0.push(byte);
        Ok(())
    }

    #[inline(always)]
    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        if data.len() > 16 {
            self.0.extend_from_slice(data);
        } else {
            for &byte in data {
                self.0.push(byte);
            }
        }
        Ok(())
    }

    fn finalize(self) -> postcard::Result<Vec<u8>> {
        Ok(self.0)
    }
}

/// Format 7's body: the records, their texts unpacked from the table after them.
fn records_with_table(body: &[u8]) -> Result<Vec<CustomerRecord>, DecodeError> {
    let corrupt = |e: postcard::Error| DecodeError::Corrupt(e.to_string());
    let (len, rest) = body.split_first_chunk::<4>().ok_or(DecodeError::Corrupt("no length".into()))?;
    let len = u32::from_le_bytes(*len) as usize;
    if rest.len() < len {
        return Err(DecodeError::Corrupt(format!("{len} bytes of records, {} there", rest.len())));
    }
    let (packed, table) = rest.split_at(len);
    let texts: Vec<&str> = postcard::from_bytes(table).map_err(corrupt)?;
    let table = texts.into_iter().map(Text::new).collect();
    unpacking_texts(table, || postcard::from_bytes(packed)).map_err(corrupt)
}

/// Bumped whenever `CustomerSummary` changes shape. Summaries are derived data: stored ones of
/// another format are not migrated but recomputed from the shard (`decode_summaries` refuses them).
pub const SUMMARY_FORMAT: u8 = 1;

/// The list rows of one shard, packed the same way as the shard.
pub fn encode_summaries(summaries: &[CustomerSummary]) -> Vec<u8> {
    // ~130 bytes a row (measured), so the buffer seldom grows.
    let mut bytes = Vec::with_capacity(1 + 144 * summaries.len());
    bytes.push(SUMMARY_FORMAT);
    postcard::serialize_with_flavor(summaries, Bytes(bytes)).expect("summaries serialise")
}

pub fn decode_summaries(bytes: &[u8]) -> Result<Vec<CustomerSummary>, DecodeError> {
    match bytes.split_first() {
        None => Err(DecodeError::Empty),
        Some((&SUMMARY_FORMAT, body)) => postcard::from_bytes(body).map_err(|e| DecodeError::Corrupt(e.to_string())),
        Some((&other, _)) => Err(DecodeError::UnknownFormat(other)),
    }
}

/// Shards whose list rows are stored together: Chromium's IndexedDB reads 64 values of 250 KB
/// three to four times faster than 1,024 of 16 KB (measured: 16 MB in ~65 ms against ~240 ms),
/// and a write replaces one shard's part of its group without decoding the others.
pub const SHARDS_PER_ROW_GROUP: usize = 16;

/// Several shards' rows, each as `encode_summaries` packed them: the format byte, the number of
/// parts, each part's shard and length (u32, little-endian), then the parts.
pub fn encode_row_group(parts: &[(usize, Vec<u8>)]) -> Vec<u8> {
    let body: usize = parts.iter().map(|(_, bytes)| bytes.len()).sum();
    let mut out = Vec::with_capacity(5 + 8 * parts.len() + body);
    out.push(ROW_GROUP_FORMAT);
    out.extend((parts.len() as u32).to_le_bytes());
    for (shard, bytes) in parts {
        out.extend((*shard as u32).to_le_bytes());
        out.extend((bytes.len() as u32).to_le_bytes());
    }
    for (_, bytes) in parts {
        out.extend(bytes);
    }
    out
}

const ROW_GROUP_FORMAT: u8 = 1;

pub fn decode_row_group(bytes: &[u8]) -> Result<Vec<(usize, Vec<u8>)>, DecodeError> {
    let short = || DecodeError::Corrupt("row group cut short".into());
    let (&format, rest) = bytes.split_first().ok_or(DecodeError::Empty)?;
    if format != ROW_GROUP_FORMAT {
        return Err(DecodeError::UnknownFormat(format));
    }
    let word = |at: usize| -> Result<usize, DecodeError> {
        let four = rest.get(at..at + 4).ok_or_else(short)?;
        Ok(u32::from_le_bytes([four[0], four[1], four[2], four[3]]) as usize)
    };
    let count = word(0)?;
    let mut body = 4usize.checked_add(count.checked_mul(8).ok_or_else(short)?).ok_or_else(short)?;
    let mut parts = Vec::with_capacity(count.min(rest.len() / 8));
    for i in 0..count {
        let (shard, len) = (word(4 + 8 * i)?, word(8 + 8 * i)?);
        let end = body.checked_add(len).ok_or_else(short)?;
        parts.push((shard, rest.get(body..end).ok_or_else(short)?.to_vec()));
        body = end;
    }
    if body != rest.len() {
        return Err(DecodeError::Corrupt("row group has bytes after its parts".into()));
    }
    Ok(parts)
}

pub fn decode_shard(bytes: &[u8]) -> Result<Shard, DecodeError> {
    let (&format, body) = bytes.split_first().ok_or(DecodeError::Empty)?;
    let corrupt = |e: postcard::Error| DecodeError::Corrupt(e.to_string());
    let records: Vec<CustomerRecord> = match format {
        1 => {
            postcard::from_bytes::<Vec<CustomerRecordV1>>(body).map_err(corrupt)?.into_iter().map(Into::into).collect()
        }
        2 => {
            postcard::from_bytes::<Vec<CustomerRecordV2>>(body).map_err(corrupt)?.into_iter().map(Into::into).collect()
        }
        3 => {
            postcard::from_bytes::<Vec<CustomerRecordV3>>(body).map_err(corrupt)?.into_iter().map(Into::into).collect()
        }
        4 => {
            postcard::from_bytes::<Vec<CustomerRecordV4>>(body).map_err(corrupt)?.into_iter().map(Into::into).collect()
        }
        5 => {
            postcard::from_bytes::<Vec<CustomerRecordV5>>(body).map_err(corrupt)?.into_iter().map(Into::into).collect()
        }
        6 => postcard::from_bytes(body).map_err(corrupt)?,
        SHARD_FORMAT => records_with_table(body)?,
        newer => return Err(DecodeError::UnknownFormat(newer)),
    };
    Ok(Shard { records: records.into_iter().map(|r| (r.customer.id, r)).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::demo;

    #[test]
    fn texts_are_written_once_per_shard_and_format_6_still_reads() {
        let mut wb = crate::domain::workbook::Workbook::default();
        wb.insert_records(demo::generate(1, 300, 2_000, Day(20_000), 3));
        let shard =
            wb.shards.iter().max_by_key(|s| s.records.values().map(|r| r.purchases.len()).sum::<usize>()).unwrap();
        let bytes = encode_shard(shard);
        assert_eq!(bytes[0], 7);
        assert_eq!(&decode_shard(&bytes).unwrap(), shard);
        // The same records as format 6 wrote them: every text in full, every time.
        let records: Vec<&CustomerRecord> = shard.records.values().collect();
        let mut v6 = vec![6];
        v6.extend(postcard::to_stdvec(&records).unwrap());
        assert_eq!(&decode_shard(&v6).unwrap(), shard);
        assert!(bytes.len() * 4 < v6.len() * 3, "{} bytes with the table, {} without", bytes.len(), v6.len());
        // Outside a shard, texts are plain strings (JSON backups, sync documents).
        let purchase = &records.iter().find(|r| !r.purchases.is_empty()).unwrap().purchases[0];
        assert!(serde_json::to_string(purchase).unwrap().contains(&format!("\"{}\"", purchase.product)));
        // A place past the end of the table is damage, not a panic.
        let mut damaged = bytes.clone();
        let len = u32::from_le_bytes(damaged[1..5].try_into().unwrap()) as usize;
        damaged.truncate(5 + len);
        damaged.push(0);
        assert!(matches!(decode_shard(&damaged), Err(DecodeError::Corrupt(_))));
    }

    #[test]
    fn a_shard_larger_than_its_guessed_size_is_written_whole() {
        let mut record = CustomerRecord::default();
        record.customer.id = 7;
        record.customer.notes = "长".repeat(20_000);
        let shard = Shard { records: [(7, record)].into_iter().collect() };
        let bytes = encode_shard(&shard);
        assert!(bytes.len() > 60_000, "{}", bytes.len());
        assert_eq!(decode_shard(&bytes), Ok(shard));
    }

    #[test]
    fn a_shards_list_rows_survive_encoding_and_other_formats_are_refused() {
        let mut wb = crate::domain::workbook::Workbook::default();
        wb.insert_records(demo::generate(1, 300, 2_000, crate::domain::day::Day(20_000), 2));
        let rows: Vec<CustomerSummary> = wb.shards.iter().flat_map(CustomerSummary::of_shard).collect();
        assert_eq!(rows.len(), 300);
        let bytes = encode_summaries(&rows);
        assert_eq!(bytes[1..], postcard::to_stdvec(&rows).unwrap(), "postcard's own bytes");
        assert_eq!(decode_summaries(&bytes), Ok(rows));
        let mut other = bytes.clone();
        other[0] = SUMMARY_FORMAT + 1;
        assert_eq!(decode_summaries(&other), Err(DecodeError::UnknownFormat(SUMMARY_FORMAT + 1)));
        assert!(matches!(decode_summaries(&bytes[..bytes.len() / 2]), Err(DecodeError::Corrupt(_))));
        assert_eq!(decode_summaries(&[]), Err(DecodeError::Empty));
    }

    #[test]
    fn a_row_group_keeps_each_shards_part_and_refuses_damage() {
        let parts = vec![(3, vec![1, 2, 3]), (64, Vec::new()), (65, vec![9; 300])];
        let bytes = encode_row_group(&parts);
        assert_eq!(decode_row_group(&bytes), Ok(parts));
        assert_eq!(decode_row_group(&encode_row_group(&[])), Ok(Vec::new()));
        for cut in [1, 5, 12, bytes.len() - 1] {
            assert!(matches!(decode_row_group(&bytes[..cut]), Err(DecodeError::Corrupt(_))), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(decode_row_group(&longer), Err(DecodeError::Corrupt(_))));
        let mut huge_count = bytes.clone();
        huge_count[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(decode_row_group(&huge_count), Err(DecodeError::Corrupt(_))));
        assert_eq!(decode_row_group(&[7]), Err(DecodeError::UnknownFormat(7)));
    }

    #[test]
    fn a_shard_is_written_in_postcards_own_bytes() {
        // `Bytes` writes byte by byte what postcard's own writer writes: stored shards are read
        // back by postcard.
        // …and the purchases, written field by field, too: at the edges of every field as well.
        let mut wb = crate::domain::workbook::Workbook::default();
        wb.insert_records(demo::generate(1, 200, 3_000, crate::domain::day::Day(20_000), 5));
        let mut edges = CustomerRecord::default();
        edges.customer.id = u64::MAX >> 12;
        edges.customer.code = "P012345".into();
        let line = |product: &str, unit: Option<i64>, amount: i64| crate::domain::model::PurchaseLine {
            product: product.into(),
            quantity: 0.5,
            unit_price_cents: unit,
            amount_cents: amount,
        };
        for (i, amount) in
            [0, 1, -1, 63, -64, 64, 127, 128, 16_383, -16_385, i64::MAX, i64::MIN].into_iter().enumerate()
        {
            edges.purchases.push(Purchase {
                id: [0, 127, 128, u64::MAX][i % 4] ^ i as u64,
                date: Day([0, -1, 20_000, i32::MIN, i32::MAX][i % 5]),
                product: ["", "拿铁", "HEART \"T\"", "a,b"][i % 4].into(),
                category: ["饮品", ""][i % 2].into(),
                quantity: [1.0, -2.5, f64::MAX, 0.1][i % 4],
                amount_cents: amount,
                payment: ["微信", "Card"][i % 2].into(),
                channel: "门店".into(),
                updated_at: [0, -1, i64::MAX, 1_733_000_000_000][i % 4],
                order_no: ["", "536365", "订单-007"][i % 3].into(),
                unit_price_cents: [None, Some(255), Some(-1), Some(i64::MIN)][i % 4],
                items: match i % 3 {
                    0 => Vec::new(),
                    1 => vec![line("HEART", Some(255), 1_530)],
                    _ => vec![line("拿铁", None, -300), line("", Some(i64::MAX), i64::MIN)],
                },
            });
        }
        wb.insert_records(vec![edges]);
        for shard in wb.shards.iter().filter(|s| !s.records.is_empty()) {
            let records: Vec<&CustomerRecord> = shard.records.values().collect();
            let (body, table) = packing_texts(|| postcard::to_stdvec(&records).unwrap());
            let texts: Vec<&str> = table.iter().map(|t| t.as_str()).collect();
            let mut expected = vec![SHARD_FORMAT];
            expected.extend((body.len() as u32).to_le_bytes());
            expected.extend(body);
            expected.extend(postcard::to_stdvec(&texts).unwrap());
            assert_eq!(encode_shard(shard), expected);
            assert_eq!(&decode_shard(&expected).unwrap(), shard);
            // Cut anywhere, the shard is refused, never misread or a panic.
            for cut in (1..expected.len() - postcard::to_stdvec(&texts).unwrap().len()).step_by(7) {
                assert!(matches!(decode_shard(&expected[..cut]), Err(DecodeError::Corrupt(_))), "cut at {cut}");
            }
        }
    }

    #[test]
    fn a_shard_survives_encoding_unchanged() {
        let mut wb = crate::domain::workbook::Workbook::default();
        wb.insert_records(demo::generate(1, 300, 2_000, crate::domain::day::Day(20_000), 1));
        for shard in &wb.shards {
            assert_eq!(&decode_shard(&encode_shard(shard)).unwrap(), shard);
        }
    }

    #[test]
    fn format_1_shards_migrate_with_every_record() {
        let mut records = demo::generate(1, 40, 300, crate::domain::day::Day(20_000), 4);
        // Format 1 knew no consent source.
        records.iter_mut().for_each(|r| r.customer.consent_source.clear());
        // Before codes, the number was the code.
        records.iter_mut().for_each(|r| r.customer.code = r.customer.id.to_string());
        let v1: Vec<CustomerRecordV1> = records
            .iter()
            .cloned()
            .map(|r| CustomerRecordV1 {
                customer: r.customer.into(),
                purchases: r.purchases.into_iter().map(Into::into).collect(),
                feedback: r.feedback,
                interactions: r.interactions,
                campaigns: r.campaigns,
            })
            .collect();
        let mut bytes = vec![1u8];
        bytes.extend(postcard::to_stdvec(&v1).unwrap());
        let shard = decode_shard(&bytes).unwrap();
        assert_eq!(shard.records.values().cloned().collect::<Vec<_>>(), records);
    }

    #[test]
    fn format_2_shards_migrate_with_an_empty_audit_trail() {
        let mut records = demo::generate(1, 40, 300, crate::domain::day::Day(20_000), 5);
        records.iter_mut().for_each(|r| r.customer.consent_source.clear());
        // Before codes, the number was the code.
        records.iter_mut().for_each(|r| r.customer.code = r.customer.id.to_string());
        let v2: Vec<CustomerRecordV2> = records
            .iter()
            .cloned()
            .map(|r| CustomerRecordV2 {
                customer: r.customer.into(),
                purchases: r.purchases.into_iter().map(Into::into).collect(),
                feedback: r.feedback,
                interactions: r.interactions,
                campaigns: r.campaigns,
                tier: r.tier,
            })
            .collect();
        let mut bytes = vec![2u8];
        bytes.extend(postcard::to_stdvec(&v2).unwrap());
        let shard = decode_shard(&bytes).unwrap();
        assert_eq!(shard.records.values().cloned().collect::<Vec<_>>(), records);
    }

    #[test]
    fn format_3_shards_migrate_with_an_empty_consent_source() {
        let mut records = demo::generate(1, 40, 300, crate::domain::day::Day(20_000), 6);
        records.iter_mut().for_each(|r| r.customer.consent_source.clear());
        // Before codes, the number was the code.
        records.iter_mut().for_each(|r| r.customer.code = r.customer.id.to_string());
        records[0].audit.push(AuditEntry { at: 5, what: "created".into(), ..Default::default() });
        let v3: Vec<CustomerRecordV3> = records
            .iter()
            .cloned()
            .map(|r| CustomerRecordV3 {
                customer: r.customer.into(),
                purchases: r.purchases.into_iter().map(Into::into).collect(),
                feedback: r.feedback,
                interactions: r.interactions,
                campaigns: r.campaigns,
                tier: r.tier,
                audit: r.audit,
            })
            .collect();
        let mut bytes = vec![3u8];
        bytes.extend(postcard::to_stdvec(&v3).unwrap());
        let shard = decode_shard(&bytes).unwrap();
        let mut migrated: Vec<CustomerRecord> = shard.records.values().cloned().collect();
        migrated.sort_by_key(|r| r.customer.id);
        assert_eq!(migrated, records);
        // And the new field survives the current format.
        let mut wb = crate::domain::workbook::Workbook::default();
        records[0].customer.consent_source = "门店登记".into();
        wb.insert_records(records.clone());
        for shard in &wb.shards {
            assert_eq!(&decode_shard(&encode_shard(shard)).unwrap(), shard);
        }
    }

    #[test]
    fn format_4_shards_migrate_with_their_numbers_as_codes_and_nothing_lost() {
        let mut records = demo::generate(1, 40, 300, crate::domain::day::Day(20_000), 7);
        records.iter_mut().for_each(|r| r.customer.code = r.customer.id.to_string());
        records[3].customer.consent_source = "门店".into();
        let v4: Vec<CustomerRecordV4> = records
            .iter()
            .cloned()
            .map(|r| CustomerRecordV4 {
                customer: r.customer.into(),
                purchases: r.purchases.into_iter().map(Into::into).collect(),
                feedback: r.feedback,
                interactions: r.interactions,
                campaigns: r.campaigns,
                tier: r.tier,
                audit: r.audit,
            })
            .collect();
        let mut bytes = vec![4u8];
        bytes.extend(postcard::to_stdvec(&v4).unwrap());
        let shard = decode_shard(&bytes).unwrap();
        let mut migrated: Vec<CustomerRecord> = shard.records.values().cloned().collect();
        migrated.sort_by_key(|r| r.customer.id);
        assert_eq!(migrated, records);
        assert_eq!(migrated[0].customer.code, "1");
        assert!(migrated.iter().map(|r| r.purchases.len()).sum::<usize>() > 0);
    }

    #[test]
    fn format_5_shards_migrate_without_change_marks_and_nothing_lost() {
        let records = demo::generate(1, 40, 300, crate::domain::day::Day(20_000), 9);
        let v5: Vec<CustomerRecordV5> = records
            .iter()
            .cloned()
            .map(|r| CustomerRecordV5 {
                customer: r.customer,
                purchases: r.purchases,
                feedback: r.feedback,
                interactions: r.interactions,
                campaigns: r.campaigns,
                tier: r.tier,
                audit: r.audit,
            })
            .collect();
        let mut bytes = vec![5u8];
        bytes.extend(postcard::to_stdvec(&v5).unwrap());
        let mut migrated: Vec<CustomerRecord> = decode_shard(&bytes).unwrap().records.into_values().collect();
        migrated.sort_by_key(|r| r.customer.id);
        assert_eq!(migrated, records);
        assert!(migrated.iter().all(|r| r.marks == Default::default()));
    }

    #[test]
    fn orders_with_lines_and_codes_survive_the_current_format() {
        let mut wb = crate::domain::workbook::Workbook::default();
        let mut r = CustomerRecord::default();
        r.customer.id = (1 << 40) + 7;
        r.customer.code = "VIP-0012".into();
        r.purchases.push(Purchase {
            id: 1,
            order_no: "536365".into(),
            amount_cents: 1_530,
            items: vec![crate::domain::model::PurchaseLine {
                product: "HEART".into(),
                quantity: 6.0,
                unit_price_cents: Some(255),
                amount_cents: 1_530,
            }],
            ..Default::default()
        });
        wb.insert_records(vec![r]);
        for shard in &wb.shards {
            assert_eq!(&decode_shard(&encode_shard(shard)).unwrap(), shard);
        }
    }

    #[test]
    fn damaged_bytes_are_refused_not_misread() {
        let mut wb = crate::domain::workbook::Workbook::default();
        wb.insert_records(demo::generate(1, 50, 300, crate::domain::day::Day(20_000), 2));
        let bytes = encode_shard(&wb.shards[1]);
        assert_eq!(decode_shard(&[]), Err(DecodeError::Empty));
        assert_eq!(decode_shard(&[99, 0]), Err(DecodeError::UnknownFormat(99)));
        assert!(matches!(decode_shard(&bytes[..bytes.len() / 2]), Err(DecodeError::Corrupt(_))));
        // A purchase's text place past the table, a bad option tag, an overlong varint.
        let mut r = CustomerRecord::default();
        r.customer.id = 5;
        r.purchases.push(Purchase { id: 1, product: "茶".into(), ..Default::default() });
        let good = encode_shard(&Shard { records: [(5, r.clone())].into_iter().collect() });
        let customer = postcard::to_stdvec(&r.customer).unwrap().len();
        // Format, body length, one record, the card, one purchase: the purchase's id is next.
        let id_at = 5 + 1 + customer + 1;
        assert_eq!(good[id_at], 1);
        let mut overlong = good.clone();
        overlong.splice(id_at..id_at + 1, [0xFF; 11]);
        let grown = u32::from_le_bytes(overlong[1..5].try_into().unwrap()) + 10;
        overlong[1..5].copy_from_slice(&grown.to_le_bytes());
        let mut place = good.clone();
        place[id_at + 2] = 9; // the product's place: the table holds two texts
        let mut option = good.clone();
        let option_at = id_at + 2 + 2 + 8 + 1 + 2 + 1 + 1;
        assert_eq!(option[option_at], 0, "no unit price");
        option[option_at] = 2;
        for damaged in [overlong, place, option] {
            assert!(matches!(decode_shard(&damaged), Err(DecodeError::Corrupt(_))));
        }
    }
}
