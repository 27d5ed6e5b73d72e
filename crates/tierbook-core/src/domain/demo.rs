//! Realistic sample customers, so a first-time user sees a populated workbook and the
//! scale test can fill one with 100,000 customers and 1,000,000 purchases.
//! Deterministic for a given seed.

use fastrand::Rng;

use super::day::Day;
use super::model::*;

const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林"];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "杰", "娟", "涛", "明", "超", "秀英", "晓东", "雨桐", "子涵",
    "浩然", "欣怡",
];
const FIRST: &[&str] =
    &["Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sophia", "James", "Grace", "Daniel"];
const LAST: &[&str] = &["Smith", "Chen", "Brown", "Wong", "Taylor", "Lee", "Martin", "Walker", "Clark", "Young"];
const CITIES: &[&str] = &["上海", "北京", "广州", "深圳", "杭州", "成都", "南京", "武汉", "Hong Kong", "Singapore"];
const OCCUPATIONS: &[&str] =
    &["教师", "工程师", "设计师", "医生", "店主", "学生", "会计", "Engineer", "Manager", "Consultant"];
const HOBBIES: &[&str] = &["咖啡", "摄影", "跑步", "烘焙", "旅行", "阅读", "Tea", "Hiking", "Music"];
const TAGS: &[&str] = &["VIP", "老客户", "批发", "企业客户", "newsletter", "生日月", "推荐人"];
const SOURCES: &[&str] = &["门店", "朋友推荐", "小程序", "美团", "Instagram", "展会"];
const MANAGERS: &[&str] = &["张经理", "李娜", "Tom", "陈静"];
const PRODUCTS: &[(&str, &str, i64)] = &[
    ("拿铁咖啡", "饮品", 3_200),
    ("手冲咖啡豆 250g", "咖啡豆", 8_800),
    ("抹茶蛋糕", "甜点", 4_500),
    ("会员年卡", "会员", 29_900),
    ("Cold Brew", "Drinks", 3_800),
    ("Gift box", "Gifts", 19_800),
    ("挂耳咖啡礼盒", "礼品", 12_800),
    ("Espresso machine service", "Service", 45_000),
];
const PAYMENTS: &[&str] = &["微信支付", "支付宝", "现金", "银行卡", "Card"];
const CHANNELS: &[&str] = &["门店", "小程序", "外卖", "Online"];
const COMMENTS: &[&str] = &[
    "咖啡很香，服务热情",
    "等待时间有点长",
    "环境安静，适合工作",
    "Great coffee, friendly staff",
    "价格偏高",
    "The cake was dry",
    "会推荐给朋友",
];
const SUMMARIES: &[&str] = &[
    "电话回访，满意",
    "咨询会员权益",
    "投诉外卖送达延误",
    "发送新品试饮邀请",
    "Asked about bulk order",
    "Visited the store for tasting",
];
const CAMPAIGNS: &[&str] = &["双十一会员日", "新品试饮", "Spring referral bonus", "中秋礼盒预售"];

fn pick<'a>(rng: &mut Rng, list: &[&'a str]) -> &'a str {
    list[rng.usize(..list.len())]
}

/// The last day a customer still buys: three in ten drop out at some point of their time with
/// the shop, as real customers do (without it the churn model would find nobody leaving).
/// Taken from the id, so the random sequence and everything else stay as they were.
fn active_until(id: u64, since: Day, today: Day) -> Day {
    let hash = id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    if hash % 10 < 3 {
        let share = (hash >> 4) % 100;
        Day(since.0 + ((today.0 - since.0) as i64 * share as i64 / 100) as i32)
    } else {
        today
    }
}

/// `customers` customer files numbered from `first_id`, with `purchases` purchases spread
/// unevenly among them (some buy often, many rarely), dated up to `today`.
pub fn generate(first_id: u64, customers: usize, purchases: usize, today: Day, seed: u64) -> Vec<CustomerRecord> {
    let mut rng = Rng::with_seed(seed);
    let mut records: Vec<CustomerRecord> = (0..customers)
        .map(|i| {
            let id = first_id + i as u64;
            let chinese = rng.u8(..10) < 7;
            let name = if chinese {
                format!("{}{}", pick(&mut rng, SURNAMES), pick(&mut rng, GIVEN))
            } else {
                format!("{} {}", pick(&mut rng, FIRST), pick(&mut rng, LAST))
            };
            let since = today.plus_days(-(rng.i32(30..3_650)));
            let tags = (0..rng.usize(0..3)).map(|_| pick(&mut rng, TAGS).to_string()).collect::<Vec<_>>();
            let consent = rng.bool();
            CustomerRecord {
                customer: Customer {
                    id,
                    // The caller gives codes in the workbook's format; these keep a demo file apart.
                    code: format!("C{:05}", i + 1),
                    name,
                    gender: [Gender::Female, Gender::Male, Gender::Unspecified][rng.usize(..3)],
                    birthday: Some(today.plus_days(-(rng.i32(18 * 365..70 * 365)))),
                    occupation: pick(&mut rng, OCCUPATIONS).to_string(),
                    phone: format!("1{}{:09}", rng.u8(3..9), rng.u64(0..1_000_000_000)),
                    email: if rng.bool() { format!("customer{id}@example.com") } else { String::new() },
                    wechat: if chinese { format!("wx_{id}") } else { String::new() },
                    city: pick(&mut rng, CITIES).to_string(),
                    address: String::new(),
                    hobbies: pick(&mut rng, HOBBIES).to_string(),
                    special_needs: String::new(),
                    tags: crate::domain::forms::split_tags(&tags.join(",")),
                    notes: String::new(),
                    customer_since: Some(since),
                    source: pick(&mut rng, SOURCES).to_string(),
                    referred_by: None,
                    account_manager: pick(&mut rng, MANAGERS).to_string(),
                    influence: rng.u8(0..=5),
                    marketing_consent: consent,
                    consent_date: consent.then_some(since),
                    consent_source: if consent { "门店登记".to_string() } else { String::new() },
                    custom: Default::default(),
                    updated_at: 0,
                },
                ..Default::default()
            }
        })
        .collect();
    if records.is_empty() {
        return records;
    }
    let n = records.len();
    let mut next_id = (first_id << 24) ^ seed;
    let mut new_id = move || {
        next_id = next_id.wrapping_add(1);
        next_id
    };
    for _ in 0..purchases {
        // Squaring a uniform number skews purchases towards the first customers: a few
        // regulars, a long tail of occasional buyers, as in real shops.
        let u = rng.f64();
        let record = &mut records[((u * u) * n as f64) as usize % n];
        let since = record.customer.customer_since.unwrap_or(today);
        let last_day = active_until(record.customer.id, since, today);
        let (product, category, price) = PRODUCTS[rng.usize(..PRODUCTS.len())];
        let quantity = rng.u8(1..4) as f64;
        record.purchases.push(Purchase {
            id: new_id(),
            // Squared again so recent months are busier than years ago, as in a living shop.
            date: last_day.plus_days(-(((last_day.0 - since.0) as f64) * rng.f64() * rng.f64()) as i32),
            product: product.into(),
            category: category.into(),
            quantity,
            amount_cents: price * quantity as i64,
            payment: pick(&mut rng, PAYMENTS).into(),
            channel: pick(&mut rng, CHANNELS).into(),
            updated_at: 0,
            ..Default::default()
        });
    }
    for record in records.iter_mut() {
        let since = record.customer.customer_since.unwrap_or(today);
        if rng.u8(..10) < 4 {
            let score = rng.u8(1..=5);
            record.feedback.push(Feedback {
                id: new_id(),
                date: Day(rng.i32(since.0..=today.0)),
                score,
                nps: Some((score * 2).min(10) - rng.u8(0..2)),
                comment: pick(&mut rng, COMMENTS).to_string(),
                channel: pick(&mut rng, CHANNELS).into(),
                product: String::new(),
                handled: rng.bool(),
                updated_at: 0,
            });
        }
        if rng.u8(..10) < 4 {
            let date = Day(rng.i32(since.0..=today.0));
            record.interactions.push(Interaction {
                id: new_id(),
                date,
                kind: InteractionKind::ALL[rng.usize(..InteractionKind::ALL.len())],
                summary: pick(&mut rng, SUMMARIES).to_string(),
                status: ["open", "resolved"][rng.usize(..2)].to_string(),
                staff: pick(&mut rng, MANAGERS).to_string(),
                follow_up: rng.bool().then(|| date.plus_days(rng.i32(1..30))),
                updated_at: 0,
            });
        }
        if rng.u8(..10) < 2 {
            record.campaigns.push(CampaignEntry {
                id: new_id(),
                campaign: pick(&mut rng, CAMPAIGNS).to_string(),
                date: Day(rng.i32(since.0..=today.0)),
                response: CampaignResponse::ALL[rng.usize(..3)],
                result: String::new(),
                updated_at: 0,
            });
        }
    }
    // Every tenth customer after the first was referred by an earlier one.
    for i in (10..n).step_by(10) {
        records[i].customer.referred_by = Some(first_id + rng.u64(0..i as u64));
    }
    records
}

/// Demo customers to add to a workbook: their internal ids a random free block, their codes
/// the next ones in the workbook's format.
pub fn for_workbook(
    wb: &crate::domain::workbook::Workbook,
    customers: usize,
    purchases: usize,
    today: Day,
    seed: u64,
    format: &crate::domain::codes::CodeFormat,
) -> Vec<CustomerRecord> {
    let mut rng = Rng::with_seed(seed);
    let first = loop {
        let base = rng.u64((1 << 32)..(1 << 52));
        if (0..customers as u64).all(|i| wb.get(base + i).is_none()) {
            break base;
        }
    };
    let mut records = generate(first, customers, purchases, today, seed);
    let codes = format.next_codes(wb.records().map(|r| r.customer.code.as_str()), customers);
    for (record, code) in records.iter_mut().zip(codes) {
        record.customer.code = code;
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_the_requested_volume_deterministically() {
        let today = Day::parse_iso("2026-11-24").unwrap();
        let a = generate(100, 500, 4_000, today, 42);
        assert_eq!(a, generate(100, 500, 4_000, today, 42));
        assert_eq!(a.len(), 500);
        assert_eq!(a.first().unwrap().customer.id, 100);
        assert_eq!(a.last().unwrap().customer.id, 599);
        assert_eq!(a.iter().map(|r| r.purchases.len()).sum::<usize>(), 4_000);
        assert!(a.iter().flat_map(|r| &r.purchases).all(|p| p.date <= today && p.amount_cents > 0));
        assert!(a.iter().any(|r| !r.feedback.is_empty()) && a.iter().any(|r| !r.interactions.is_empty()));
        assert!(a.iter().any(|r| r.customer.name.is_ascii()) && a.iter().any(|r| !r.customer.name.is_ascii()));
    }

    #[test]
    fn demo_customers_for_a_workbook_take_free_ids_and_the_next_codes() {
        let today = Day::parse_iso("2026-11-24").unwrap();
        let mut wb = crate::domain::workbook::Workbook::default();
        let format = crate::domain::codes::CodeFormat::default();
        wb.insert_records(for_workbook(&wb, 10, 50, today, 1, &format));
        let more = for_workbook(&wb, 5, 20, today, 2, &format);
        assert_eq!(more[0].customer.code, "C00011");
        assert!(more.iter().all(|r| wb.get(r.customer.id).is_none() && r.customer.id >= 1 << 32));
    }

    #[test]
    fn generated_customers_pass_the_forms_own_validation() {
        let today = Day::parse_iso("2026-11-24").unwrap();
        let records = generate(1, 200, 1_000, today, 7);
        let code_of = |id: u64| records.iter().find(|r| r.customer.id == id).unwrap().customer.code.clone();
        let find = |code: &str| records.iter().find(|r| r.customer.code == code).map(|r| r.customer.id);
        for record in &records {
            let form = crate::domain::forms::CustomerForm::from_customer(&record.customer, &[], &code_of);
            let mut checked = form.to_customer(record.customer.id, today, &[], &find).unwrap();
            checked.updated_at = record.customer.updated_at;
            assert_eq!(&checked, &record.customer);
        }
    }
}
