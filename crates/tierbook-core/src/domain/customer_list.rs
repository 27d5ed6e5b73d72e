//! The customers list: one summary row per customer (totals precomputed), search as you
//! type, filters and sorting. Rows are kept per shard so a save re-summarises one shard only.

use std::cmp::Ordering;

use super::day::Day;
use super::model::*;

/// Colour-coded state of a customer relationship, from the date of the last purchase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// No purchase yet.
    New,
    /// Bought in the last 90 days.
    Active,
    /// Last bought 91–365 days ago.
    Quiet,
    /// No purchase for more than a year.
    Lapsed,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::New, Status::Active, Status::Quiet, Status::Lapsed];

    pub fn of(last_purchase: Option<Day>, today: Day) -> Status {
        match last_purchase {
            None => Status::New,
            Some(day) if today.0 - day.0 <= 90 => Status::Active,
            Some(day) if today.0 - day.0 <= 365 => Status::Quiet,
            Some(_) => Status::Lapsed,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Active => "active",
            Status::Quiet => "quiet",
            Status::Lapsed => "lapsed",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Chinese, Japanese and Korean characters and punctuation, which have no upper and lower
/// case: a name in them needs no look-up in the case tables (100,000 names at every write).
fn is_caseless_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF)
}

/// Stored beside each shard (`codec::encode_summaries`) so a reopened workbook lists its
/// customers before their purchases are decoded.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CustomerSummary {
    pub id: CustomerId,
    pub code: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub city: String,
    pub tags: Vec<String>,
    pub customer_since: Option<Day>,
    /// Spend and purchases to date, carried-over figures included (returns subtract spend).
    pub spend_cents: i64,
    pub purchase_count: u32,
    /// The last dated purchase.
    pub last_purchase: Option<Day>,
    /// When purchases were carried over from an earlier sheet (their own dates are unknown).
    pub carried_as_of: Option<Day>,
    pub tier: Option<String>,
    pub consent: bool,
    /// Lower-cased code, name, phone, email, tags and city, searched as the user types.
    haystack: String,
}

impl CustomerSummary {
    pub fn of(record: &CustomerRecord) -> CustomerSummary {
        let c = &record.customer;
        // Code, name, phone, email, tags and city with \u{1} between (so no match spans two
        // fields), lower-cased; built without `format!` (100,000 of them at every open).
        let mut haystack = String::with_capacity(c.code.len() + c.name.len() + c.phone.len() + c.email.len() + 16);
        for part in [&c.code, &c.name, &c.phone, &c.email] {
            haystack.push_str(part);
            haystack.push('\u{1}');
        }
        for (i, tag) in c.tags.iter().enumerate() {
            if i > 0 {
                haystack.push('\u{1}');
            }
            haystack.push_str(tag);
        }
        haystack.push('\u{1}');
        haystack.push_str(&c.city);
        if haystack.chars().all(|c| c.is_ascii() || is_caseless_cjk(c)) {
            // Exactly `to_lowercase` here: only the ASCII letters have another case.
            haystack.make_ascii_lowercase();
        } else {
            haystack = haystack.to_lowercase();
        }
        let carried = record.tier.opening.as_ref().filter(|o| o.purchases > 0).map(|o| o.as_of);
        let dated = record.purchases.iter().filter(|p| !p.is_return()).map(|p| p.date).max();
        CustomerSummary {
            id: c.id,
            code: c.code.clone(),
            name: c.name.clone(),
            phone: c.phone.clone(),
            email: c.email.clone(),
            city: c.city.clone(),
            tags: c.tags.clone(),
            customer_since: c.customer_since,
            spend_cents: record.spend_to_date_cents(),
            purchase_count: record.purchase_count_to_date().min(u32::MAX as u64) as u32,
            last_purchase: dated,
            carried_as_of: carried,
            tier: record.tier.tier.clone(),
            consent: c.marketing_consent,
            haystack,
        }
    }

    /// One row per customer of a shard, in the shard's order.
    pub fn of_shard(shard: &super::workbook::Shard) -> Vec<CustomerSummary> {
        shard.records.values().map(CustomerSummary::of).collect()
    }

    /// The relationship status; carried-over purchases count as bought on their as-of date.
    pub fn status(&self, today: Day) -> Status {
        Status::of(self.last_purchase.max(self.carried_as_of), today)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    #[default]
    Id,
    Name,
    City,
    Spend,
    Purchases,
    LastPurchase,
    CustomerSince,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListQuery {
    pub text: String,
    pub city: String,
    pub tag: String,
    pub status: Option<Status>,
    /// A tier id; empty for all.
    pub tier: String,
    /// Only customers who consented to marketing.
    pub consent_only: bool,
    pub sort: SortKey,
    pub descending: bool,
}

impl SortKey {
    pub const ALL: [SortKey; 7] = [
        SortKey::Id,
        SortKey::Name,
        SortKey::City,
        SortKey::Spend,
        SortKey::Purchases,
        SortKey::LastPurchase,
        SortKey::CustomerSince,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SortKey::Id => "code",
            SortKey::Name => "name",
            SortKey::City => "city",
            SortKey::Spend => "spend",
            SortKey::Purchases => "purchases",
            SortKey::LastPurchase => "last",
            SortKey::CustomerSince => "since",
        }
    }

    pub fn from_code(code: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl ListQuery {
    /// The query as URL parameters (what a bookmark of the filtered list keeps); defaults are
    /// left out so an unfiltered list has a plain URL.
    pub fn to_params(&self) -> Vec<(String, String)> {
        let mut params = Vec::new();
        let mut put = |key: &str, value: &str| {
            if !value.is_empty() {
                params.push((key.to_string(), value.to_string()));
            }
        };
        put("q", &self.text);
        put("city", &self.city);
        put("tag", &self.tag);
        put("status", self.status.map_or("", Status::code));
        put("tier", &self.tier);
        put("consent", if self.consent_only { "1" } else { "" });
        put("sort", if self.sort == SortKey::default() { "" } else { self.sort.code() });
        put("desc", if self.descending { "1" } else { "" });
        params
    }

    /// Reads the query back from URL parameters; unknown values fall back to the default.
    pub fn from_params(params: &[(String, String)]) -> ListQuery {
        let get = |key: &str| params.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str());
        ListQuery {
            text: get("q").to_string(),
            city: get("city").to_string(),
            tag: get("tag").to_string(),
            status: Status::from_code(get("status")),
            tier: get("tier").to_string(),
            consent_only: get("consent") == "1",
            sort: SortKey::from_code(get("sort")).unwrap_or_default(),
            descending: get("desc") == "1",
        }
    }
}

/// Where a row lives: (shard, position in that shard's summaries).
pub type RowRef = (u16, u32);

fn compare(a: &CustomerSummary, b: &CustomerSummary, key: SortKey) -> Ordering {
    match key {
        SortKey::Id => a.code.cmp(&b.code).then(a.id.cmp(&b.id)),
        SortKey::Name => a.name.cmp(&b.name),
        SortKey::City => a.city.cmp(&b.city),
        SortKey::Spend => a.spend_cents.cmp(&b.spend_cents),
        SortKey::Purchases => a.purchase_count.cmp(&b.purchase_count),
        SortKey::LastPurchase => a.last_purchase.cmp(&b.last_purchase),
        SortKey::CustomerSince => a.customer_since.cmp(&b.customer_since),
    }
    .then(a.id.cmp(&b.id))
}

/// The rows the list shows, in order.
pub fn select(shards: &[Vec<CustomerSummary>], query: &ListQuery, today: Day) -> Vec<RowRef> {
    filter(shards, &sorted(shards, query.sort, query.descending), &SearchText::of(shards), query, today)
}

/// Every row in the list's order, and each row's place in it. Sorting 100,000 names takes
/// longer than a keystroke may, so the page keeps this until the data or the order changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListOrder {
    rows: Vec<RowRef>,
    /// Per shard, per summary: its place in `rows`.
    rank: Vec<Vec<u32>>,
}

pub fn sorted(shards: &[Vec<CustomerSummary>], sort: SortKey, descending: bool) -> ListOrder {
    // Each row with a number that orders as its sort key does, as far as it goes (a text's first
    // eight bytes): most comparisons never reach the rows, which sit all over memory.
    let mut rows: Vec<(u64, RowRef)> = shards
        .iter()
        .enumerate()
        .flat_map(|(s, summaries)| {
            summaries.iter().enumerate().map(move |(i, row)| (sort_prefix(row, sort), (s as u16, i as u32)))
        })
        .collect();
    let get = |r: &RowRef| &shards[r.0 as usize][r.1 as usize];
    rows.sort_unstable_by(|(ka, a), (kb, b)| {
        let order = ka.cmp(kb).then_with(|| compare(get(a), get(b), sort));
        if descending {
            order.reverse()
        } else {
            order
        }
    });
    let rows: Vec<RowRef> = rows.into_iter().map(|(_, row)| row).collect();
    let mut rank: Vec<Vec<u32>> = shards.iter().map(|s| vec![0; s.len()]).collect();
    for (place, &(s, i)) in rows.iter().enumerate() {
        rank[s as usize][i as usize] = place as u32;
    }
    ListOrder { rows, rank }
}

/// A number in the order of `compare` for `key`: a < b whenever prefix(a) < prefix(b); equal
/// prefixes leave it to `compare`.
fn sort_prefix(row: &CustomerSummary, key: SortKey) -> u64 {
    fn text(s: &str) -> u64 {
        let mut bytes = [0u8; 8];
        let n = s.len().min(8);
        bytes[..n].copy_from_slice(&s.as_bytes()[..n]);
        u64::from_be_bytes(bytes)
    }
    let signed = |n: i64| (n as u64) ^ (1 << 63);
    let day = |d: Option<Day>| d.map_or(0, |d| 1 + signed(d.0 as i64));
    match key {
        SortKey::Id => text(&row.code),
        SortKey::Name => text(&row.name),
        SortKey::City => text(&row.city),
        SortKey::Spend => signed(row.spend_cents),
        SortKey::Purchases => row.purchase_count as u64,
        SortKey::LastPurchase => day(row.last_purchase),
        SortKey::CustomerSince => day(row.customer_since),
    }
}

/// Every row's lower-cased search text (`CustomerSummary::haystack`), shard after shard in one
/// buffer: a keystroke scans it in one pass instead of visiting 100,000 strings spread over memory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchText {
    text: Vec<u8>,
    /// Where each row's text ends, rows numbered across the shards in order.
    ends: Vec<u32>,
}

impl SearchText {
    pub fn of(shards: &[Vec<CustomerSummary>]) -> SearchText {
        let rows = shards.iter().flatten();
        let mut text = Vec::with_capacity(rows.clone().map(|r| r.haystack.len()).sum());
        let ends = rows
            .map(|row| {
                text.extend_from_slice(row.haystack.as_bytes());
                text.len() as u32
            })
            .collect();
        SearchText { text, ends }
    }

    /// For every row (numbered across the shards), whether its text holds `needle`.
    fn rows_holding(&self, needle: &str) -> Vec<bool> {
        let mut holds = vec![false; self.ends.len()];
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let (mut at, mut row) = (0usize, 0usize);
        while let Some(found) = finder.find(&self.text[at..]) {
            let start = at + found;
            while self.ends[row] as usize <= start {
                row += 1;
            }
            let end = self.ends[row] as usize;
            // A match that runs into the next row is no match: look again one byte on.
            if start + needle.len() <= end {
                holds[row] = true;
                at = end;
                row += 1;
            } else {
                at = start + 1;
            }
        }
        holds
    }
}

/// The rows that the query's search text and filters keep, in `order`. Rows are tested shard
/// by shard (in memory order: walking them in list order misses the cache on every row) and
/// marked at their place, then read off in order.
pub fn filter(
    shards: &[Vec<CustomerSummary>],
    order: &ListOrder,
    search: &SearchText,
    query: &ListQuery,
    today: Day,
) -> Vec<RowRef> {
    let fits = order.rank.len() == shards.len()
        && order.rank.iter().zip(shards).all(|(r, s)| r.len() == s.len())
        && search.ends.len() == order.rows.len();
    if !fits {
        // An order or a text of other data (never kept by the page, but cheap to get right).
        return filter(shards, &sorted(shards, query.sort, query.descending), &SearchText::of(shards), query, today);
    }
    let needle = query.text.trim().to_lowercase();
    let holds = (!needle.is_empty()).then(|| search.rows_holding(&needle));
    let mut kept = vec![false; order.rows.len()];
    let mut number = 0;
    for (summaries, ranks) in shards.iter().zip(&order.rank) {
        for (row, &place) in summaries.iter().zip(ranks) {
            kept[place as usize] = holds.as_ref().is_none_or(|h| h[number])
                && (query.city.is_empty() || row.city == query.city)
                && (query.tag.is_empty() || row.tags.contains(&query.tag))
                && query.status.is_none_or(|st| row.status(today) == st)
                && (query.tier.is_empty() || row.tier.as_deref() == Some(query.tier.as_str()))
                && (!query.consent_only || row.consent);
            number += 1;
        }
    }
    order.rows.iter().zip(kept).filter_map(|(row, keep)| keep.then_some(*row)).collect()
}

/// Distinct values for the filter drop-downs, most used first.
pub fn facet_values(shards: &[Vec<CustomerSummary>], pick: impl Fn(&CustomerSummary) -> Vec<&str>) -> Vec<String> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for row in shards.iter().flatten() {
        for value in pick(row) {
            if !value.is_empty() {
                *counts.entry(value).or_default() += 1;
            }
        }
    }
    let mut values: Vec<(&str, usize)> = counts.into_iter().collect();
    values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    values.into_iter().map(|(v, _)| v.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_characters_read_as_caseless_have_no_other_case() {
        for c in (0x3000..=0xD7AFu32).filter_map(char::from_u32).filter(|c| is_caseless_cjk(*c)) {
            assert!(c.to_lowercase().eq([c]) && c.to_uppercase().eq([c]), "{c}");
        }
        // The search text is what `to_lowercase` makes of it, with or without such characters.
        for (name, code) in [("王伟", "P012345"), ("ΟΔΟΣ", "C1"), ("Ａnn", "X"), ("김민준", "K9")] {
            let customer = Customer { code: code.into(), name: name.into(), ..Default::default() };
            let record = CustomerRecord { customer, ..Default::default() };
            let expected = format!("{code}\u{1}{name}\u{1}\u{1}\u{1}\u{1}").to_lowercase();
            assert_eq!(CustomerSummary::of(&record).haystack, expected, "{name}");
        }
    }

    #[test]
    fn a_kept_order_filters_like_a_fresh_sort_and_an_order_of_other_data_is_not_trusted() {
        let mut shards: Vec<Vec<CustomerSummary>> = vec![Vec::new(); 3];
        for n in 0..30u64 {
            let record = CustomerRecord {
                customer: Customer {
                    id: n,
                    code: format!("C{:03}", 30 - n),
                    name: format!("{} {}", if n % 3 == 0 { "王" } else { "Li" }, n),
                    ..Default::default()
                },
                ..Default::default()
            };
            shards[(n % 3) as usize].push(CustomerSummary::of(&record));
        }
        let order = sorted(&shards, SortKey::Id, false);
        let query = ListQuery { text: "王".into(), ..Default::default() };
        let rows = filter(&shards, &order, &SearchText::of(&shards), &query, Day(0));
        let codes: Vec<&str> = rows.iter().map(|r| shards[r.0 as usize][r.1 as usize].code.as_str()).collect();
        assert_eq!(codes.len(), 10);
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "{codes:?}");
        assert_eq!(rows, select(&shards, &query, Day(0)));
        let stale = sorted(&shards[..2], SortKey::Id, false);
        assert_eq!(filter(&shards, &stale, &SearchText::of(&shards), &query, Day(0)), rows);
        assert_eq!(filter(&shards, &order, &SearchText::of(&shards[..2]), &query, Day(0)), rows);
    }

    #[test]
    fn the_one_pass_search_finds_exactly_the_rows_whose_own_text_holds_the_needle() {
        // Rows whose texts, laid end to end, hold needles across the join ("ab" + "c…").
        let texts = ["ab", "cab", "", "王伟ab", "c", "abc", "王", "伟王", "x1", "1388", "13", "88x"];
        let mut shards: Vec<Vec<CustomerSummary>> = vec![Vec::new(); 5];
        for (n, name) in texts.iter().enumerate() {
            let record = CustomerRecord {
                customer: Customer {
                    id: n as u64,
                    code: format!("{}", n % 3),
                    name: name.to_string(),
                    ..Default::default()
                },
                ..Default::default()
            };
            shards[n % 5].push(CustomerSummary::of(&record));
        }
        let order = sorted(&shards, SortKey::Id, false);
        let search = SearchText::of(&shards);
        for needle in [
            "ab", "bc", "abc", "ca", "王伟", "伟王", "王", "13", "1388", "88", "8x", "3881", "x", "1", "\u{1}",
            "b\u{1}", "\u{1}1", "\u{1}2", "\u{1}0",
        ] {
            let query = ListQuery { text: needle.into(), ..Default::default() };
            let mut got: Vec<u64> = filter(&shards, &order, &search, &query, Day(0))
                .iter()
                .map(|r| shards[r.0 as usize][r.1 as usize].id)
                .collect();
            let mut expected: Vec<u64> =
                shards.iter().flatten().filter(|r| r.haystack.contains(needle)).map(|r| r.id).collect();
            got.sort();
            expected.sort();
            assert_eq!(got, expected, "{needle:?}");
        }
    }

    #[test]
    fn every_sort_orders_exactly_as_the_comparison_does() {
        let mut shards: Vec<Vec<CustomerSummary>> = vec![Vec::new(); 4];
        let codes = ["P0001", "P00010", "P0001", "", "P0001\u{0}", "Z9", "P00012345678", "P00012345677", "王01"];
        let names = ["王伟", "王伟伟", "", "Li", "Li Na", "王", "王伟"];
        for n in 0..90u64 {
            let record = CustomerRecord {
                customer: Customer {
                    id: n * 7919 % 97,
                    code: codes[n as usize % codes.len()].to_string(),
                    name: names[n as usize % names.len()].to_string(),
                    city: ["", "上海", "Shanghai", "上"][n as usize % 4].to_string(),
                    customer_since: (n % 3 != 0).then(|| Day(n as i32 * 37 - 900)),
                    ..Default::default()
                },
                purchases: (0..n % 4)
                    .map(|k| Purchase {
                        id: k,
                        date: Day(k as i32 * 50 - 30),
                        amount_cents: (n as i64 - 40) * 1000,
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            };
            shards[(n % 4) as usize].push(CustomerSummary::of(&record));
        }
        for key in SortKey::ALL {
            for descending in [false, true] {
                let mut expected: Vec<RowRef> = shards
                    .iter()
                    .enumerate()
                    .flat_map(|(s, rows)| (0..rows.len()).map(move |i| (s as u16, i as u32)))
                    .collect();
                let get = |r: &RowRef| &shards[r.0 as usize][r.1 as usize];
                expected.sort_by(|a, b| {
                    let order = compare(get(a), get(b), key);
                    if descending {
                        order.reverse()
                    } else {
                        order
                    }
                });
                let got = sorted(&shards, key, descending).rows;
                let ids = |rows: &[RowRef]| rows.iter().map(|r| get(r).id).collect::<Vec<_>>();
                assert_eq!(ids(&got), ids(&expected), "{key:?} descending={descending}");
            }
        }
    }

    #[test]
    fn a_query_survives_the_url() {
        let query = ListQuery {
            text: "李 C00".into(),
            city: "上海".into(),
            tag: "VIP".into(),
            status: Some(Status::Quiet),
            tier: "gold".into(),
            consent_only: true,
            sort: SortKey::Spend,
            descending: true,
        };
        assert_eq!(ListQuery::from_params(&query.to_params()), query);
        assert!(ListQuery::default().to_params().is_empty(), "the plain list has a plain URL");
        let odd = vec![("status".to_string(), "nonsense".to_string()), ("sort".to_string(), "x".to_string())];
        assert_eq!(ListQuery::from_params(&odd), ListQuery::default());
    }

    fn record(id: u64, name: &str, city: &str, tags: &[&str], purchases: &[(i32, i64)]) -> CustomerRecord {
        CustomerRecord {
            customer: Customer {
                id,
                name: name.into(),
                city: city.into(),
                phone: format!("1380000{id:04}"),
                email: format!("c{id}@shop.cn"),
                tags: tags.iter().map(|t| t.to_string()).collect(),
                ..Default::default()
            },
            purchases: purchases
                .iter()
                .enumerate()
                .map(|(i, (day, cents))| Purchase {
                    id: i as u64,
                    date: Day(*day),
                    amount_cents: *cents,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    fn book() -> Vec<Vec<CustomerSummary>> {
        vec![
            vec![CustomerSummary::of(&record(1, "王小明", "上海", &["VIP"], &[(100, 5_000), (200, 1_000)]))],
            vec![
                CustomerSummary::of(&record(2, "Alice Wong", "Beijing", &[], &[(150, 90_000)])),
                CustomerSummary::of(&record(3, "李华", "上海", &["wholesale", "VIP"], &[])),
            ],
        ]
    }

    fn ids(shards: &[Vec<CustomerSummary>], rows: &[RowRef]) -> Vec<u64> {
        rows.iter().map(|r| shards[r.0 as usize][r.1 as usize].id).collect()
    }

    #[test]
    fn summaries_total_each_customers_purchases() {
        let s = &book()[0][0];
        assert_eq!((s.spend_cents, s.purchase_count, s.last_purchase), (6_000, 2, Some(Day(200))));
    }

    #[test]
    fn summaries_count_carried_over_figures_and_returns() {
        let mut r = record(4, "张伟", "上海", &[], &[(100, 5_000), (120, -1_000)]);
        r.customer.code = "VIP-0012".into();
        r.tier.opening = Some(crate::domain::tiers::OpeningBalance {
            as_of: Day(150),
            spend_cents: 3_000_000,
            purchases: 10,
            points: 0,
        });
        let s = CustomerSummary::of(&r);
        assert_eq!((s.spend_cents, s.purchase_count, s.last_purchase), (3_004_000, 11, Some(Day(100))));
        assert_eq!(s.status(Day(160)), Status::Active, "carried-over purchases count for the status");
        let b = vec![vec![s]];
        let rows = select(&b, &ListQuery { text: "vip-00".into(), ..Default::default() }, Day(300));
        assert_eq!(ids(&b, &rows), vec![4], "the code is searched");
    }

    #[test]
    fn search_matches_name_phone_email_tag_and_city_ignoring_case() {
        let b = book();
        let find = |text: &str| ids(&b, &select(&b, &ListQuery { text: text.into(), ..Default::default() }, Day(300)));
        assert_eq!(find("小明"), vec![1]);
        assert_eq!(find("ALICE"), vec![2]);
        assert_eq!(find("13800000003"), vec![3]);
        assert_eq!(find("c2@shop"), vec![2]);
        assert_eq!(find("vip"), vec![1, 3]);
        assert_eq!(find("上海"), vec![1, 3]);
        assert_eq!(find("  "), vec![1, 2, 3]);
        assert!(find("nobody").is_empty());
    }

    #[test]
    fn search_does_not_match_across_field_boundaries() {
        let b = book();
        // "...0001" ends the phone and "c1@" starts the email: no match spanning both.
        let rows = select(&b, &ListQuery { text: "0001c1".into(), ..Default::default() }, Day(300));
        assert!(rows.is_empty());
    }

    #[test]
    fn filters_combine_with_search() {
        let b = book();
        let q = ListQuery { city: "上海".into(), tag: "wholesale".into(), ..Default::default() };
        assert_eq!(ids(&b, &select(&b, &q, Day(300))), vec![3]);
        let q = ListQuery { status: Some(Status::New), ..Default::default() };
        assert_eq!(ids(&b, &select(&b, &q, Day(300))), vec![3]);
        let q = ListQuery { status: Some(Status::Active), ..Default::default() };
        assert_eq!(ids(&b, &select(&b, &q, Day(250))), vec![1]);
        let q = ListQuery { status: Some(Status::Quiet), ..Default::default() };
        assert_eq!(ids(&b, &select(&b, &q, Day(250))), vec![2]);
    }

    #[test]
    fn the_tier_filter_keeps_that_tier_only() {
        let mut gold = record(4, "Gold Goh", "上海", &[], &[]);
        gold.tier.tier = Some("gold".into());
        let b = vec![vec![CustomerSummary::of(&gold)], book().remove(1)];
        let q = ListQuery { tier: "gold".into(), ..Default::default() };
        assert_eq!(ids(&b, &select(&b, &q, Day(0))), vec![4]);
    }

    #[test]
    fn the_consent_filter_keeps_those_who_agreed() {
        let mut agreed = record(4, "Yes Yu", "上海", &[], &[]);
        agreed.customer.marketing_consent = true;
        let b = vec![vec![CustomerSummary::of(&agreed)], book().remove(1)];
        let q = ListQuery { consent_only: true, ..Default::default() };
        assert_eq!(ids(&b, &select(&b, &q, Day(0))), vec![4]);
        assert_eq!(select(&b, &ListQuery::default(), Day(0)).len(), 1 + b[1].len());
    }

    #[test]
    fn sorting_by_any_column_either_way() {
        let b = book();
        let sorted =
            |sort, descending| ids(&b, &select(&b, &ListQuery { sort, descending, ..Default::default() }, Day(0)));
        assert_eq!(sorted(SortKey::Spend, true), vec![2, 1, 3]);
        assert_eq!(sorted(SortKey::Spend, false), vec![3, 1, 2]);
        assert_eq!(sorted(SortKey::Purchases, true), vec![1, 2, 3]);
        assert_eq!(sorted(SortKey::LastPurchase, true), vec![1, 2, 3]);
        assert_eq!(sorted(SortKey::Name, false), vec![2, 3, 1]);
        assert_eq!(sorted(SortKey::Id, true), vec![3, 2, 1]);
    }

    #[test]
    fn status_boundaries() {
        assert_eq!(Status::of(None, Day(500)), Status::New);
        assert_eq!(Status::of(Some(Day(410)), Day(500)), Status::Active);
        assert_eq!(Status::of(Some(Day(409)), Day(500)), Status::Quiet);
        assert_eq!(Status::of(Some(Day(135)), Day(500)), Status::Quiet);
        assert_eq!(Status::of(Some(Day(134)), Day(500)), Status::Lapsed);
    }

    #[test]
    fn facets_list_most_used_first() {
        let b = book();
        assert_eq!(facet_values(&b, |r| vec![r.city.as_str()]), vec!["上海", "Beijing"]);
        assert_eq!(facet_values(&b, |r| r.tags.iter().map(String::as_str).collect()), vec!["VIP", "wholesale"]);
    }
}
