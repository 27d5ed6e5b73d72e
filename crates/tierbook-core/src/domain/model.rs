//! The records of a workbook. Plain data: no browser types, so everything here is tested on the host.

use super::text::Text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::day::Day;

/// The internal number that places a customer's file in storage. It never changes and is drawn
/// at random (below 2^53, so JavaScript reads it exactly), so customers created offline in two
/// browsers never collide. It is never shown as the customer's code.
pub type CustomerId = u64;

/// The longest customer code (客户编号) accepted.
pub const CODE_MAX_CHARS: usize = 64;

/// A fresh internal id: random in [2^32, 2^53), not yet in use. Numbers below 2^32 are left to
/// workbooks from before codes existed, whose sequential numbers stay their ids.
pub fn random_customer_id(rng: &mut fastrand::Rng, taken: impl Fn(CustomerId) -> bool) -> CustomerId {
    loop {
        let id = rng.u64((1 << 32)..(1 << 53));
        if !taken(id) {
            return id;
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Gender {
    #[default]
    Unspecified,
    Female,
    Male,
    Other,
}

impl Gender {
    pub const ALL: [Gender; 4] = [Gender::Unspecified, Gender::Female, Gender::Male, Gender::Other];

    pub fn code(self) -> &'static str {
        match self {
            Gender::Unspecified => "",
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Gender> {
        Gender::ALL.into_iter().find(|g| g.code() == code.trim())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    /// The customer's own code (客户编号): any text the business uses (`C00004`, `VIP-0012`,
    /// `17850`), unique in the workbook; what files use to name their customer.
    #[serde(default)]
    pub code: String,
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
    /// 0–5, how much this customer's word carries with others.
    pub influence: u8,
    pub marketing_consent: bool,
    pub consent_date: Option<Day>,
    /// Where consent was given or withdrawn (the shop, a form, the mini-program, …).
    #[serde(default)]
    pub consent_source: String,
    /// Values of the user-defined fields, by field id, as typed (validated per field kind).
    pub custom: BTreeMap<String, String>,
    /// Milliseconds since the epoch; the newer change wins and stale edits are refused.
    pub updated_at: i64,
}

/// One purchase: a visit or an order, which may hold several lines (items). A return (credit
/// note) is a purchase with a negative amount: it reduces spend and is not counted as a purchase.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Purchase {
    pub id: u64,
    pub date: Day,
    /// Product of a one-line purchase; of an order, its lines' products joined.
    pub product: Text,
    pub category: Text,
    pub quantity: f64,
    /// Amount in cents (分): money is never a float. Negative for a return.
    pub amount_cents: i64,
    pub payment: Text,
    pub channel: Text,
    pub updated_at: i64,
    /// The order or invoice number, when the file had one.
    #[serde(default)]
    pub order_no: String,
    /// Unit price of a one-line purchase, in cents.
    #[serde(default)]
    pub unit_price_cents: Option<i64>,
    /// The lines of an order of several lines (empty for a one-line purchase).
    #[serde(default)]
    pub items: Vec<PurchaseLine>,
}

impl Purchase {
    pub fn is_return(&self) -> bool {
        self.amount_cents < 0
    }

    pub fn with_id(self, id: u64) -> Purchase {
        Purchase { id, ..self }
    }

    /// This purchase as one line of an order.
    fn as_line(&self) -> PurchaseLine {
        PurchaseLine {
            product: self.product.clone(),
            quantity: self.quantity,
            unit_price_cents: self.unit_price_cents,
            amount_cents: self.amount_cents,
        }
    }

    /// Adds a further line of the same order: its amount and quantity count in the purchase,
    /// its product joins the list.
    pub fn add_line(&mut self, line: Purchase) {
        if self.items.is_empty() {
            self.items.push(self.as_line());
            self.unit_price_cents = None;
        }
        self.items.push(line.as_line());
        self.amount_cents += line.amount_cents;
        self.quantity += line.quantity;
        if !line.product.is_empty() && self.product.chars().count() < 200 {
            let joined = if self.product.is_empty() {
                line.product.to_string()
            } else {
                format!("{}; {}", self.product, line.product)
            };
            self.product = Text::from(joined.chars().take(200).collect::<String>());
        }
    }
}

/// One line of an order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PurchaseLine {
    pub product: Text,
    pub quantity: f64,
    pub unit_price_cents: Option<i64>,
    pub amount_cents: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub id: u64,
    pub date: Day,
    /// Satisfaction 1–5.
    pub score: u8,
    /// Net promoter answer 0–10, when asked.
    pub nps: Option<u8>,
    pub comment: String,
    pub channel: String,
    pub product: String,
    pub handled: bool,
    pub updated_at: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum InteractionKind {
    #[default]
    Call,
    Email,
    WeChat,
    Visit,
    Consultation,
    Complaint,
    AfterSales,
}

impl InteractionKind {
    pub const ALL: [InteractionKind; 7] = [
        InteractionKind::Call,
        InteractionKind::Email,
        InteractionKind::WeChat,
        InteractionKind::Visit,
        InteractionKind::Consultation,
        InteractionKind::Complaint,
        InteractionKind::AfterSales,
    ];

    pub fn code(self) -> &'static str {
        match self {
            InteractionKind::Call => "call",
            InteractionKind::Email => "email",
            InteractionKind::WeChat => "wechat",
            InteractionKind::Visit => "visit",
            InteractionKind::Consultation => "consultation",
            InteractionKind::Complaint => "complaint",
            InteractionKind::AfterSales => "after-sales",
        }
    }

    pub fn from_code(code: &str) -> Option<InteractionKind> {
        InteractionKind::ALL.into_iter().find(|k| k.code() == code.trim())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    pub id: u64,
    pub date: Day,
    pub kind: InteractionKind,
    pub summary: String,
    /// Outcome or status, e.g. "open", "resolved".
    pub status: String,
    pub staff: String,
    pub follow_up: Option<Day>,
    pub updated_at: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CampaignResponse {
    #[default]
    Invited,
    Joined,
    Redeemed,
}

impl CampaignResponse {
    pub const ALL: [CampaignResponse; 3] =
        [CampaignResponse::Invited, CampaignResponse::Joined, CampaignResponse::Redeemed];

    pub fn code(self) -> &'static str {
        match self {
            CampaignResponse::Invited => "invited",
            CampaignResponse::Joined => "joined",
            CampaignResponse::Redeemed => "redeemed",
        }
    }

    pub fn from_code(code: &str) -> Option<CampaignResponse> {
        CampaignResponse::ALL.into_iter().find(|r| r.code() == code.trim())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignEntry {
    pub id: u64,
    pub campaign: String,
    pub date: Day,
    pub response: CampaignResponse,
    pub result: String,
    pub updated_at: i64,
}

/// One customer's whole file: the card and every record that belongs to it.
/// Keeping them together means deleting a customer can never leave orphans behind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerRecord {
    pub customer: Customer,
    pub purchases: Vec<Purchase>,
    pub feedback: Vec<Feedback>,
    pub interactions: Vec<Interaction>,
    pub campaigns: Vec<CampaignEntry>,
    /// Current tier, review dates, history and any opening balance.
    pub tier: super::tiers::TierState,
    /// What changed in this customer file, when, from what to what (newest last).
    #[serde(default)]
    pub audit: Vec<AuditEntry>,
    /// When each card field last changed and which records were deleted: what lets two
    /// versions of this file be folded field by field (`domain::replication`).
    #[serde(default)]
    pub marks: ChangeMarks,
}

/// A file's change marks. Older files (and other tools' edits) have none: their fields count
/// as changed at time 0, i.e. before any marked change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeMarks {
    /// Card field (as `customer_changes` names it) → when it last changed (ms since 1970).
    pub fields: BTreeMap<String, i64>,
    /// Records deleted from this file, so that no merge brings them back.
    pub removed: Vec<Removed>,
}

/// A deleted purchase, feedback, contact or campaign entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Removed {
    /// `purchase`, `feedback`, `interaction` or `campaign` (`RelatedKind::code`).
    pub kind: String,
    pub id: u64,
    /// When (ms since 1970).
    pub at: i64,
}

impl CustomerRecord {
    /// Spend to date: every purchase (returns subtract) plus the carried-over spend.
    pub fn spend_to_date_cents(&self) -> i64 {
        self.purchases.iter().map(|p| p.amount_cents).sum::<i64>()
            + self.tier.opening.as_ref().map_or(0, |o| o.spend_cents)
    }

    /// Purchases to date: those recorded (returns are not purchases) plus the carried-over count.
    pub fn purchase_count_to_date(&self) -> u64 {
        self.purchases.iter().filter(|p| !p.is_return()).count() as u64
            + self.tier.opening.as_ref().map_or(0, |o| o.purchases as u64)
    }
}

/// One change to a customer file, as the card's audit trail shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When (ms since 1970).
    pub at: i64,
    /// What changed: `created`, `field:<name>`, `purchase`, `feedback`, `interaction`,
    /// `campaign`, `redeemed`, `tier-by-hand`, `imported`.
    pub what: String,
    pub before: String,
    pub after: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomFieldKind {
    Text,
    Number,
    Date,
    Choice(Vec<String>),
}

/// A field the user added to every customer card (configured once, in settings).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomFieldDef {
    pub id: String,
    pub label: String,
    pub kind: CustomFieldKind,
}
