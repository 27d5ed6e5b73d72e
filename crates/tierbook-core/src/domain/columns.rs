//! The columns of each kind of CSV file: their headings in both languages, the synonyms a
//! spreadsheet may use for them, and how a stored record is written into them. Export and
//! import share this table, so a file Tierbook writes is a file it reads back.

use super::day::Day;
use super::model::*;
use super::money::format_plain;
use super::sheet::write_csv;
use super::tiers::TierPolicy;
use super::workbook::Workbook;
use crate::texts::{lookup, Lang};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Customers,
    Purchases,
    Feedback,
    Interactions,
    Campaigns,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Customers, Kind::Purchases, Kind::Feedback, Kind::Interactions, Kind::Campaigns];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Customers => "customers",
            Kind::Purchases => "purchases",
            Kind::Feedback => "feedback",
            Kind::Interactions => "interactions",
            Kind::Campaigns => "campaigns",
        }
    }

    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One column. `key` is the form field it fills (the names `forms` reports errors under),
/// or a name of its own for the columns that only identify or summarise.
pub struct Column {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub synonyms: &'static [&'static str],
    /// Written on export for people to read, never imported (totals worked out from rows).
    pub export_only: bool,
}

const fn col(key: &'static str, zh: &'static str, en: &'static str, synonyms: &'static [&'static str]) -> Column {
    Column { key, zh, en, synonyms, export_only: false }
}

const fn summary(key: &'static str, zh: &'static str, en: &'static str) -> Column {
    Column { key, zh, en, synonyms: &[], export_only: true }
}

const CUSTOMER_ID: Column = col(
    "customer-id",
    "客户编号",
    "Customer ID",
    &[
        "customer_id",
        "客户id",
        "客户号",
        "客户代码",
        "编号",
        "id",
        "customer no",
        "customer number",
        "customer code",
        "client id",
        "会员编号",
        "会员号",
        "会员卡号",
        "卡号",
        "会员id",
        "member id",
        "member no",
        "card no",
    ],
);
const CUSTOMER_NAME: Column = col(
    "name",
    "客户名称",
    "Name",
    &[
        "姓名",
        "名称",
        "客户姓名",
        "客户",
        "会员",
        "customer",
        "customer name",
        "client",
        "full name",
        "会员姓名",
        "会员名称",
    ],
);
const CUSTOMER_PHONE: Column = col(
    "phone",
    "联系方式",
    "Phone",
    &["电话", "手机", "手机号", "手机号码", "联系电话", "mobile", "tel", "telephone", "phone number", "cell"],
);
const ROW_ID: Column = col("row-id", "记录编号", "Record ID", &["record id", "record_id", "row id", "流水号"]);

static CUSTOMERS: &[Column] = &[
    CUSTOMER_ID,
    CUSTOMER_NAME,
    col("gender", "性别", "Gender", &["sex"]),
    col("birthday", "生日", "Birthday", &["出生日期", "date of birth", "dob", "birth date"]),
    col("occupation", "职业", "Occupation", &["job", "工作", "职位"]),
    CUSTOMER_PHONE,
    col("email", "邮箱", "Email", &["电子邮件", "电子邮箱", "e-mail", "邮件", "mail", "email address"]),
    col("wechat", "微信", "WeChat", &["微信号", "wechat id", "weixin"]),
    col("city", "城市", "City", &["所在城市", "城市名称"]),
    col("address", "地址", "Address", &["联系地址", "住址", "通讯地址"]),
    col("hobbies", "兴趣爱好", "Hobbies", &["爱好", "interests"]),
    col("special-needs", "特殊需求", "Special needs", &["特殊要求", "需求"]),
    col("tags", "标签", "Tags", &["tag", "客户标签"]),
    col("notes", "备注", "Notes", &["note", "remarks", "remark", "说明", "comments"]),
    col(
        "customer-since",
        "成为客户日期",
        "Customer since",
        &["注册日期", "开户日期", "入会日期", "首次合作日期", "join date", "joined", "since", "signup date"],
    ),
    col("source", "来源渠道", "Source", &["来源", "获客渠道", "source channel"]),
    col("referred-by", "推荐人编号", "Referred by", &["推荐人", "referrer", "referred by customer id"]),
    col("account-manager", "客户经理", "Account manager", &["负责人", "销售", "owner", "sales rep"]),
    col("influence", "影响力评分", "Influence", &["影响力", "influence score"]),
    col("marketing-consent", "同意营销", "Marketing consent", &["营销同意", "consent", "agrees to marketing"]),
    col("consent-date", "同意日期", "Consent date", &[]),
    col("consent-source", "同意来源", "Consent source", &["同意渠道"]),
    col(
        "opening-spend",
        "期初消费金额",
        "Opening spend",
        &[
            "消费金额",
            "累计消费金额",
            "累计消费",
            "总消费",
            "消费总额",
            "金额",
            "amount",
            "total spend",
            "spend",
            "total",
        ],
    ),
    col(
        "opening-purchases",
        "期初购买频次",
        "Opening purchases",
        &[
            "购买频次",
            "购买次数",
            "消费次数",
            "purchases",
            "number of purchases",
            "purchase count",
            "frequency",
            "orders",
        ],
    ),
    col("tenure", "使用年限", "Tenure (years)", &["客户年限", "年限", "tenure", "years", "years as customer"]),
    col("opening-points", "期初积分", "Opening points", &["积分余额", "积分", "points", "points balance"]),
    col("opening-as-of", "期初截至日期", "Opening as of", &["截至日期", "as of", "figures as of"]),
    col("opening-tier", "当前等级", "Tier", &["等级", "客户等级", "会员等级", "星级", "level", "current tier"]),
    col(
        "opening-last-review",
        "上次评级日期",
        "Last rating date",
        &["上次评级", "last review", "last rating", "last review date"],
    ),
    col(
        "opening-next-review",
        "下一次评级日期",
        "Next rating date",
        &["下次评级日期", "下一次评级", "next review", "next rating", "next review date"],
    ),
    summary("spend-to-date", "消费合计（含期初）", "Spend to date (incl. opening)"),
    summary("purchases-to-date", "购买次数合计", "Purchases to date"),
    summary("last-purchase", "最近购买日期", "Last purchase"),
];

static PURCHASES: &[Column] = &[
    CUSTOMER_ID,
    CUSTOMER_NAME,
    CUSTOMER_PHONE,
    ROW_ID,
    col(
        "order-no",
        "订单号",
        "Order no.",
        &[
            "invoiceno",
            "invoice",
            "invoice no",
            "invoice number",
            "order id",
            "order no",
            "order number",
            "receipt no",
            "transaction id",
            "单号",
            "订单编号",
            "交易单号",
            "小票号",
            "发票号",
            "流水单号",
        ],
    ),
    col(
        "date",
        "日期",
        "Date",
        &[
            "购买日期",
            "消费日期",
            "下单日期",
            "交易时间",
            "交易日期",
            "下单时间",
            "支付时间",
            "付款时间",
            "purchase date",
            "order date",
            "invoicedate",
            "invoice date",
            "transaction date",
            "sale date",
        ],
    ),
    col(
        "product",
        "产品",
        "Product",
        &[
            "产品/服务",
            "商品",
            "商品说明",
            "商品名称",
            "产品名称",
            "服务",
            "品名",
            "item",
            "product name",
            "description",
        ],
    ),
    col("category", "类别", "Category", &["品类", "分类", "产品类别", "商品类别"]),
    col("quantity", "数量", "Quantity", &["qty", "件数", "购买数量", "商品数量"]),
    col("unit-price", "单价", "Unit price", &["unitprice", "price", "价格", "商品单价", "unit cost", "price each"]),
    col(
        "amount",
        "金额",
        "Amount",
        &[
            "消费金额",
            "购买金额",
            "实付金额",
            "实付",
            "实收金额",
            "订单金额",
            "小计",
            "total",
            "sales",
            "line total",
            "spend",
            "order amount",
            "amount paid",
            "subtotal",
        ],
    ),
    col("payment", "支付方式", "Payment method", &["付款方式", "payment"]),
    col("channel", "渠道", "Channel", &["渠道/门店", "门店", "store", "购买渠道", "country", "shop"]),
    col("status", "状态", "Status", &["订单状态", "交易状态", "退货", "order status"]),
];

static FEEDBACK: &[Column] = &[
    CUSTOMER_ID,
    CUSTOMER_NAME,
    CUSTOMER_PHONE,
    ROW_ID,
    col("date", "日期", "Date", &["反馈日期", "feedback date"]),
    col("score", "满意度", "Satisfaction", &["满意度评分", "评分", "score", "rating", "csat"]),
    col("nps", "推荐意愿", "NPS", &["nps评分", "推荐意愿nps", "net promoter score"]),
    col("comment", "评价内容", "Comment", &["评价", "反馈内容", "意见", "comments", "feedback"]),
    col("channel", "渠道", "Channel", &["反馈渠道"]),
    col("product", "产品", "Product", &["产品/服务", "商品"]),
    col("handled", "已处理", "Handled", &["是否处理", "处理状态"]),
];

static INTERACTIONS: &[Column] = &[
    CUSTOMER_ID,
    CUSTOMER_NAME,
    CUSTOMER_PHONE,
    ROW_ID,
    col("date", "日期", "Date", &["沟通日期", "服务日期", "联系日期"]),
    col("kind", "类型", "Kind", &["沟通方式", "服务类型", "type"]),
    col("summary", "内容摘要", "Summary", &["内容", "沟通内容", "服务内容", "记录", "description"]),
    col("status", "状态", "Status", &["结果/状态", "结果", "处理结果", "outcome"]),
    col("staff", "经办人", "Staff", &["负责人", "客服", "服务人员", "agent"]),
    col("follow-up", "跟进日期", "Follow-up date", &["下次跟进", "跟进时间", "follow up", "follow-up"]),
];

static CAMPAIGNS: &[Column] = &[
    CUSTOMER_ID,
    CUSTOMER_NAME,
    CUSTOMER_PHONE,
    ROW_ID,
    col("campaign", "活动", "Campaign", &["活动名称", "campaign name"]),
    col("date", "日期", "Date", &["参与日期", "活动日期"]),
    col("response", "参与情况", "Response", &["响应", "状态"]),
    col("result", "效果", "Result", &["结果", "活动效果"]),
];

pub fn columns(kind: Kind) -> &'static [Column] {
    match kind {
        Kind::Customers => CUSTOMERS,
        Kind::Purchases => PURCHASES,
        Kind::Feedback => FEEDBACK,
        Kind::Interactions => INTERACTIONS,
        Kind::Campaigns => CAMPAIGNS,
    }
}

impl Column {
    pub fn heading(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

/// Where one column of an imported file goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Ignore,
    Field(&'static str),
    /// A custom field, by its id.
    Custom(String),
}

/// A heading reduced to what identifies it: case, spaces, `_`/`-`, colons and anything in
/// brackets (units such as `（元）`) do not count.
pub fn normalise_heading(heading: &str) -> String {
    let mut depth = 0i32;
    let mut out = String::new();
    for c in heading.trim_start_matches('\u{FEFF}').chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = (depth - 1).max(0),
            _ if depth > 0 => {}
            c if c.is_whitespace() || matches!(c, '_' | '-' | ':' | '：' | '*') => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Maps each heading to a column of `kind` (or a custom field with that label), each column
/// at most once; the rest are ignored until the user says otherwise.
pub fn auto_map(kind: Kind, headings: &[String], custom: &[CustomFieldDef]) -> Vec<Target> {
    let mut used: Vec<Target> = Vec::new();
    headings
        .iter()
        .map(|heading| {
            let h = normalise_heading(heading);
            let field = columns(kind)
                .iter()
                .filter(|c| !c.export_only)
                .find(|c| [c.zh, c.en, c.key].iter().chain(c.synonyms).any(|name| normalise_heading(name) == h))
                .map(|c| Target::Field(c.key));
            let custom_field =
                || custom.iter().find(|d| normalise_heading(&d.label) == h).map(|d| Target::Custom(d.id.clone()));
            let target = field.or_else(|| (kind == Kind::Customers).then(custom_field).flatten());
            match target {
                Some(t) if !used.contains(&t) => {
                    used.push(t.clone());
                    t
                }
                _ => Target::Ignore,
            }
        })
        .collect()
}

/// Every name a heading of any kind may have, reduced as `normalise_heading` does.
fn known_headings() -> rustc_hash::FxHashSet<String> {
    Kind::ALL
        .iter()
        .flat_map(|k| columns(*k).iter())
        .flat_map(|c| [c.zh, c.en, c.key].into_iter().chain(c.synonyms.iter().copied()))
        .map(normalise_heading)
        .filter(|h| !h.is_empty())
        .collect()
}

/// How many lines from the top are searched for the headings (platform exports put up to ~30
/// lines of account information first).
const HEADER_SEARCH_LINES: usize = 60;

/// Finds the heading line of a file that may start with a preamble: among the first lines, the
/// one (with its separator) where most cells are headings Tierbook knows, at least two; the
/// first line with the sniffed separator when none qualifies. Returns (1-based line, separator).
pub fn locate_header(text: &str) -> (u64, u8) {
    let known = known_headings();
    let mut best: Option<(usize, u64, u8)> = None;
    for (i, line) in text.lines().take(HEADER_SEARCH_LINES).enumerate() {
        for delimiter in [b',', b'\t', b';', b'|'] {
            let score = line
                .split(delimiter as char)
                .filter(|cell| known.contains(&normalise_heading(cell.trim().trim_matches('"'))))
                .count();
            if score >= 2 && best.is_none_or(|(s, _, _)| score > s) {
                best = Some((score, i as u64 + 1, delimiter));
            }
        }
    }
    match best {
        Some((_, line, delimiter)) => (line, delimiter),
        None => (1, super::sheet::sniff_delimiter(text)),
    }
}

/// The targets a file of `kind` cannot do without, each a list of alternatives (a purchase
/// needs an amount, or a unit price to multiply by the quantity). Returns the keys of the first
/// alternative of each that no column is mapped to.
pub fn missing_targets(kind: Kind, mapping: &[Target]) -> Vec<&'static str> {
    let customer: &[&'static str] = &["customer-id", "phone", "name"];
    let needs: Vec<&[&'static str]> = match kind {
        Kind::Customers => vec![&["name", "customer-id"]],
        Kind::Purchases => vec![customer, &["date"], &["amount", "unit-price"]],
        Kind::Feedback => vec![customer, &["date"], &["score"]],
        Kind::Interactions => vec![customer, &["date"]],
        Kind::Campaigns => vec![customer, &["campaign"], &["date"]],
    };
    needs
        .into_iter()
        .filter(|any| !any.iter().any(|key| mapping.contains(&Target::Field(key))))
        .map(|any| any[0])
        .collect()
}

/// The code of a choice written as its code or as its label in either language
/// (`female`, `Female`, `女`); unknown text comes back unchanged for the form to refuse.
pub fn choice_code(prefix: &str, codes: &[&str], extra: &[(&str, &str)], value: &str) -> String {
    let v = value.trim().to_lowercase();
    for code in codes {
        let labels = lookup(&format!("{prefix}.{code}"));
        if *code == v || labels.is_some_and(|(zh, en)| zh == v || en.to_lowercase() == v) {
            return code.to_string();
        }
    }
    extra.iter().find(|(text, _)| *text == v).map_or_else(|| value.trim().to_string(), |(_, code)| code.to_string())
}

/// A yes/no cell: `是`, `yes`, `true`, `1`, `y`, `✓` … None if it is neither.
pub fn yes_no(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "是" | "yes" | "y" | "true" | "1" | "✓" | "√" | "同意" | "已处理" => Some(true),
        "否" | "no" | "n" | "false" | "0" | "" | "不同意" | "未处理" => Some(false),
        _ => None,
    }
}

fn label(lang: Lang, key: &str) -> String {
    lookup(key).map(|(zh, en)| if lang == Lang::Zh { zh } else { en }).unwrap_or_default().to_string()
}

fn yes_no_text(lang: Lang, yes: bool) -> String {
    match (lang, yes) {
        (Lang::Zh, true) => "是",
        (Lang::Zh, false) => "否",
        (Lang::En, true) => "yes",
        (Lang::En, false) => "no",
    }
    .to_string()
}

fn day(d: Option<Day>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The name a tier goes by in `lang`, or its id if the policy no longer has it.
fn tier_label(policy: &TierPolicy, lang: Lang, id: Option<&str>) -> String {
    let Some(id) = id else { return String::new() };
    policy.tiers.iter().find(|t| t.id == id).map_or(id.to_string(), |t| t.name(lang).to_string())
}

/// One customer's cell in `key`'s column, as exported and as previewed.
pub fn customer_cell(r: &CustomerRecord, key: &str, lang: Lang, policy: &TierPolicy) -> String {
    let c = &r.customer;
    let opening = r.tier.opening.as_ref();
    match key {
        "customer-id" => c.code.clone(),
        "name" => c.name.clone(),
        "gender" => label(lang, &format!("gender.{}", c.gender.code())),
        "birthday" => day(c.birthday),
        "occupation" => c.occupation.clone(),
        "phone" => c.phone.clone(),
        "email" => c.email.clone(),
        "wechat" => c.wechat.clone(),
        "city" => c.city.clone(),
        "address" => c.address.clone(),
        "hobbies" => c.hobbies.clone(),
        "special-needs" => c.special_needs.clone(),
        "tags" => c.tags.join(", "),
        "notes" => c.notes.clone(),
        "customer-since" => day(c.customer_since),
        "source" => c.source.clone(),
        // Written as the referrer's code by the export, which knows every customer.
        "referred-by" => String::new(),
        "account-manager" => c.account_manager.clone(),
        "influence" => c.influence.to_string(),
        "marketing-consent" => yes_no_text(lang, c.marketing_consent),
        "consent-date" => day(c.consent_date),
        "consent-source" => c.consent_source.clone(),
        "opening-spend" => opening.map(|o| format_plain(o.spend_cents)).unwrap_or_default(),
        "opening-purchases" => opening.map(|o| o.purchases.to_string()).unwrap_or_default(),
        "opening-points" => opening.map(|o| o.points.to_string()).unwrap_or_default(),
        "opening-as-of" => day(opening.map(|o| o.as_of)),
        "opening-tier" => tier_label(policy, lang, r.tier.tier.as_deref()),
        "opening-last-review" => day(r.tier.last_review),
        "opening-next-review" => day(r.tier.next_review),
        "spend-to-date" => format_plain(r.spend_to_date_cents()),
        "purchases-to-date" => r.purchase_count_to_date().to_string(),
        "last-purchase" => day(r.purchases.iter().filter(|p| !p.is_return()).map(|p| p.date).max()),
        // Tenure is read on import to date `customer-since`, which is what the preview shows.
        "tenure" => day(c.customer_since),
        custom => custom.strip_prefix("custom-").and_then(|id| c.custom.get(id)).cloned().unwrap_or_default(),
    }
}

/// A related record's cell; the customer columns come from its customer.
pub fn related_cell(owner: &Customer, item: &super::workbook::Related, key: &str, lang: Lang) -> String {
    use super::workbook::Related;
    match key {
        "customer-id" => return owner.code.clone(),
        "name" => return owner.name.clone(),
        "phone" => return owner.phone.clone(),
        "row-id" => return item.id().to_string(),
        _ => {}
    }
    match item {
        Related::Purchase(p) => match key {
            "date" => p.date.to_string(),
            "product" => p.product.to_string(),
            "category" => p.category.to_string(),
            "quantity" => p.quantity.to_string(),
            "amount" => format_plain(p.amount_cents),
            "payment" => p.payment.to_string(),
            "channel" => p.channel.to_string(),
            "order-no" => p.order_no.clone(),
            "unit-price" => p.unit_price_cents.map(format_plain).unwrap_or_default(),
            "status" => {
                if p.is_return() {
                    label(lang, "purchase.return")
                } else {
                    String::new()
                }
            }
            _ => String::new(),
        },
        Related::Feedback(f) => match key {
            "date" => f.date.to_string(),
            "score" => f.score.to_string(),
            "nps" => f.nps.map(|n| n.to_string()).unwrap_or_default(),
            "comment" => f.comment.clone(),
            "channel" => f.channel.clone(),
            "product" => f.product.clone(),
            "handled" => yes_no_text(lang, f.handled),
            _ => String::new(),
        },
        Related::Interaction(i) => match key {
            "date" => i.date.to_string(),
            "kind" => label(lang, &format!("kind.{}", i.kind.code())),
            "summary" => i.summary.clone(),
            "status" => i.status.clone(),
            "staff" => i.staff.clone(),
            "follow-up" => day(i.follow_up),
            _ => String::new(),
        },
        Related::Campaign(c) => match key {
            "campaign" => c.campaign.clone(),
            "date" => c.date.to_string(),
            "response" => label(lang, &format!("response.{}", c.response.code())),
            "result" => c.result.clone(),
            _ => String::new(),
        },
    }
}

/// A customer's related records of one kind, in the order they are stored.
pub fn related_of_unsorted(r: &CustomerRecord, kind: Kind) -> Box<dyn Iterator<Item = super::workbook::Related> + '_> {
    use super::workbook::Related;
    match kind {
        Kind::Customers => Box::new(std::iter::empty()),
        Kind::Purchases => Box::new(r.purchases.iter().map(|p| Related::Purchase(p.clone()))),
        Kind::Feedback => Box::new(r.feedback.iter().map(|f| Related::Feedback(f.clone()))),
        Kind::Interactions => Box::new(r.interactions.iter().map(|i| Related::Interaction(i.clone()))),
        Kind::Campaigns => Box::new(r.campaigns.iter().map(|c| Related::Campaign(c.clone()))),
    }
}

/// A customer's related records of one kind, oldest first.
pub fn related_of(r: &CustomerRecord, kind: Kind) -> Vec<super::workbook::Related> {
    use super::workbook::Related;
    let mut items: Vec<(Day, Related)> = match kind {
        Kind::Customers => Vec::new(),
        Kind::Purchases => r.purchases.iter().map(|p| (p.date, Related::Purchase(p.clone()))).collect(),
        Kind::Feedback => r.feedback.iter().map(|f| (f.date, Related::Feedback(f.clone()))).collect(),
        Kind::Interactions => r.interactions.iter().map(|i| (i.date, Related::Interaction(i.clone()))).collect(),
        Kind::Campaigns => r.campaigns.iter().map(|c| (c.date, Related::Campaign(c.clone()))).collect(),
    };
    items.sort_by_key(|(d, item)| (*d, item.id()));
    items.into_iter().map(|(_, item)| item).collect()
}

/// The column keys and headings of an export of `kind` (custom fields after the card fields).
pub fn export_columns(kind: Kind, lang: Lang, custom: &[CustomFieldDef]) -> Vec<(String, String)> {
    let mut cols: Vec<(String, String)> = columns(kind)
        .iter()
        .filter(|c| c.key != "tenure")
        .map(|c| (c.key.to_string(), c.heading(lang).into()))
        .collect();
    if kind == Kind::Customers {
        let at = cols.iter().position(|(k, _)| k == "opening-spend").unwrap_or(cols.len());
        for (i, d) in custom.iter().enumerate() {
            cols.insert(at + i, (format!("custom-{}", d.id), d.label.clone()));
        }
    }
    cols
}

/// A whole CSV file of one kind: UTF-8 with BOM, CRLF, headings in `lang`, customer ids in
/// every row, cells neutralised against formula injection.
pub fn export_csv(kind: Kind, wb: &Workbook, lang: Lang, custom: &[CustomFieldDef], policy: &TierPolicy) -> Vec<u8> {
    export_csv_of(kind, wb.records(), wb, lang, custom, policy)
}

/// The rows of an export of `kind`: one per customer, or one per related record (an order of
/// several lines is one row per line, sharing its order number, so it reads back as one order).
pub fn export_rows<'a>(
    kind: Kind,
    records: impl Iterator<Item = &'a CustomerRecord> + 'a,
    wb: &'a Workbook,
    lang: Lang,
    keys: Vec<String>,
    policy: &'a TierPolicy,
) -> impl Iterator<Item = Vec<String>> + 'a {
    records.flat_map(move |r| {
        let rows: Vec<Vec<String>> = if kind == Kind::Customers {
            let referrer = r.customer.referred_by.and_then(|id| wb.get(id)).map(|p| p.customer.code.clone());
            let cell = |k: &String| match k.as_str() {
                "referred-by" => referrer.clone().unwrap_or_default(),
                k => customer_cell(r, k, lang, policy),
            };
            vec![keys.iter().map(cell).collect()]
        } else {
            related_of(r, kind)
                .iter()
                .flat_map(export_lines)
                .map(|item| keys.iter().map(|k| related_cell(&r.customer, &item, k, lang)).collect())
                .collect()
        };
        rows
    })
}

/// A purchase of several lines as one record per line; anything else as it is.
fn export_lines(item: &super::workbook::Related) -> Vec<super::workbook::Related> {
    use super::workbook::Related;
    match item {
        Related::Purchase(p) if !p.items.is_empty() => p
            .items
            .iter()
            .map(|line| {
                Related::Purchase(Purchase {
                    product: line.product.clone(),
                    quantity: line.quantity,
                    unit_price_cents: line.unit_price_cents,
                    amount_cents: line.amount_cents,
                    items: Vec::new(),
                    ..p.clone()
                })
            })
            .collect(),
        other => vec![other.clone()],
    }
}

/// `export_csv` of some customers only (those who consented to marketing, say).
pub fn export_csv_of<'a>(
    kind: Kind,
    records: impl Iterator<Item = &'a CustomerRecord> + 'a,
    wb: &'a Workbook,
    lang: Lang,
    custom: &[CustomFieldDef],
    policy: &'a TierPolicy,
) -> Vec<u8> {
    let cols = export_columns(kind, lang, custom);
    let header: Vec<String> = cols.iter().map(|(_, h)| h.clone()).collect();
    let keys: Vec<String> = cols.into_iter().map(|(k, _)| k).collect();
    write_csv(&header, export_rows(kind, records, wb, lang, keys, policy))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tiers::preset;

    #[test]
    fn headings_are_recognised_in_both_languages_and_by_synonym() {
        let headings: Vec<String> = [
            "客户编号",
            "客户名称",
            "联系方式",
            "消费金额（元）",
            "购买频次",
            "使用年限",
            "影响力评分",
            "当前等级",
            "上次评级日期",
            "下一次评级日期",
            "会员生日",
            "Email Address",
            "爱好",
        ]
        .map(String::from)
        .to_vec();
        let defs =
            vec![CustomFieldDef { id: "bday".into(), label: "会员生日".into(), kind: CustomFieldKind::Date }];
        let map = auto_map(Kind::Customers, &headings, &defs);
        let f = Target::Field;
        assert_eq!(
            map,
            [
                f("customer-id"),
                f("name"),
                f("phone"),
                f("opening-spend"),
                f("opening-purchases"),
                f("tenure"),
                f("influence"),
                f("opening-tier"),
                f("opening-last-review"),
                f("opening-next-review"),
                Target::Custom("bday".into()),
                f("email"),
                f("hobbies"),
            ]
        );
        let english: Vec<String> =
            ["Customer_ID", "Name", "Mobile", "Total spend", "Purchases", "Tenure", "Influence", "Tier"]
                .map(String::from)
                .to_vec();
        assert!(!auto_map(Kind::Customers, &english, &[]).contains(&Target::Ignore));
        let purchases: Vec<String> = ["customer_id", "date", "quantity", "金额", "商品"].map(String::from).to_vec();
        assert_eq!(
            auto_map(Kind::Purchases, &purchases, &[]),
            [f("customer-id"), f("date"), f("quantity"), f("amount"), f("product")]
        );
    }

    #[test]
    fn the_heading_line_is_found_below_a_preamble_and_with_its_separator() {
        let mut text = String::new();
        for i in 0..24 {
            text.push_str(&format!("账户信息第{i}行,支付宝账户：abc@example.com\n"));
        }
        text.push_str("交易时间\t会员号\t商品说明\t实付\t\n2026-01-01 10:00\tC00004\t茶\t12.00\t\n");
        assert_eq!(locate_header(&text), (25, b'\t'));
        assert_eq!(locate_header("name,phone\nAnn,1\n"), (1, b','));
        assert_eq!(locate_header("a;b;c\n1;2;3\n"), (1, b';'), "unknown headings: the first line, sniffed");
    }

    #[test]
    fn a_required_target_without_a_column_is_named_once() {
        let headings: Vec<String> = ["StockCode", "Description", "Quantity", "CustomerID"].map(String::from).to_vec();
        let mapping = auto_map(Kind::Purchases, &headings, &[]);
        assert_eq!(missing_targets(Kind::Purchases, &mapping), ["date", "amount"]);
        let headings: Vec<String> = ["InvoiceDate", "UnitPrice", "Quantity", "CustomerID"].map(String::from).to_vec();
        assert!(missing_targets(Kind::Purchases, &auto_map(Kind::Purchases, &headings, &[])).is_empty());
        assert_eq!(missing_targets(Kind::Customers, &[Target::Field("phone")]), ["name"]);
    }

    #[test]
    fn a_column_is_mapped_once_and_unknown_headings_are_ignored() {
        let headings: Vec<String> = ["姓名", "名称", "favourite colour"].map(String::from).to_vec();
        assert_eq!(auto_map(Kind::Customers, &headings, &[]), [Target::Field("name"), Target::Ignore, Target::Ignore]);
    }

    #[test]
    fn choices_are_read_as_codes_or_labels_in_either_language() {
        let genders = ["female", "male", "other"];
        assert_eq!(choice_code("gender", &genders, &[], "女"), "female");
        assert_eq!(choice_code("gender", &genders, &[], " Male "), "male");
        assert_eq!(choice_code("gender", &genders, &[("f", "female")], "F"), "female");
        assert_eq!(choice_code("gender", &genders, &[], "robot"), "robot");
        assert_eq!(choice_code("kind", &["call", "complaint"], &[], "投诉"), "complaint");
        assert_eq!(yes_no("是"), Some(true));
        assert_eq!(yes_no("No"), Some(false));
        assert_eq!(yes_no("maybe"), None);
    }

    #[test]
    fn exported_customers_carry_ids_totals_and_neutralised_cells() {
        let mut wb = Workbook::default();
        let mut r = CustomerRecord::default();
        r.customer.id = 7;
        r.customer.code = "C00007".into();
        r.customer.name = "=王芳".into();
        r.customer.gender = Gender::Female;
        r.purchases.push(Purchase {
            id: 1,
            date: Day(20_000),
            amount_cents: 12_345,
            product: "茶".into(),
            quantity: 1.0,
            ..Default::default()
        });
        wb.insert_records(vec![r]);
        let policy = preset("metals").unwrap();
        let bytes = export_csv(Kind::Customers, &wb, Lang::Zh, &[], &policy);
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let mut lines = text.split("\r\n");
        let header = lines.next().unwrap();
        assert!(header.starts_with("客户编号,客户名称,性别,"), "{header}");
        let row = lines.next().unwrap();
        assert!(row.starts_with("C00007,'=王芳,女,"), "{row}");
        assert!(row.contains(",123.45,1,"), "{row}");
        let purchases =
            String::from_utf8(export_csv(Kind::Purchases, &wb, Lang::En, &[], &policy)[3..].to_vec()).unwrap();
        assert!(purchases.starts_with("Customer ID,Name,Phone,Record ID,Order no.,Date,Product"), "{purchases}");
        assert!(purchases.contains("\r\nC00007,'=王芳,,1,,2024-10-04,茶,,1,,123.45,,,\r\n"), "{purchases}");
    }
}
