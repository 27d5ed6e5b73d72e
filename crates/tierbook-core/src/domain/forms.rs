//! What the user types, as strings, and its checked conversion into records.
//! Invalid input becomes a list of field errors and never a record.

use super::day::Day;
use super::model::*;
use super::money::{self, AmountError};
use super::text::Text;
use super::tiers::{CarriedOver, OpeningBalance};
use super::trim::trim;

/// Why a field was refused. The UI turns it into a sentence in the current language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong(usize),
    InvalidPhone,
    InvalidEmail,
    InvalidDate,
    InFuture,
    BeforeDate(String),
    NotANumber,
    Negative,
    NotPositive,
    OutOfRange(i64, i64),
    UnknownChoice,
    /// No customer has the code given (a referrer, say).
    UnknownCustomer,
    /// Another customer already has this code.
    CodeTaken,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The form field's name, the same as its test id without `field-`/`purchase-` prefixes.
    pub field: String,
    pub problem: Problem,
}

type Checked<T> = Result<T, Vec<FieldError>>;

/// Collects field errors while a form is converted, so the user sees every problem at once.
#[derive(Default)]
struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn fail(&mut self, field: &str, problem: Problem) {
        self.errors.push(FieldError { field: field.to_string(), problem });
    }

    /// The value trimmed, noted as too long if it has more than `max` characters.
    fn trimmed<'v>(&mut self, field: &str, value: &'v str, max: usize) -> &'v str {
        let value = trim(value);
        // Never more characters than bytes: only long text needs counting.
        if value.len() > max && value.chars().count() > max {
            self.fail(field, Problem::TooLong(max));
        }
        value
    }

    fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        self.trimmed(field, value, max).to_string()
    }

    /// `text`, as a shared value (text that repeats across many records).
    fn shared_text(&mut self, field: &str, value: &str, max: usize) -> Text {
        Text::new(self.trimmed(field, value, max))
    }

    fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = self.text(field, value, max);
        if value.is_empty() {
            self.fail(field, Problem::Required);
        }
        value
    }

    fn optional_date(&mut self, field: &str, value: &str, not_after: Option<Day>) -> Option<Day> {
        if trim(value).is_empty() {
            return None;
        }
        match Day::parse_flexible(value) {
            None => {
                self.fail(field, Problem::InvalidDate);
                None
            }
            Some(day) if not_after.is_some_and(|limit| day > limit) => {
                self.fail(field, Problem::InFuture);
                None
            }
            day => day,
        }
    }

    fn date(&mut self, field: &str, value: &str, not_after: Option<Day>) -> Day {
        if trim(value).is_empty() {
            self.fail(field, Problem::Required);
            return Day::default();
        }
        self.optional_date(field, value, not_after).unwrap_or_default()
    }

    fn integer(&mut self, field: &str, value: &str, min: i64, max: i64) -> Option<i64> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        match value.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            Ok(_) => {
                self.fail(field, Problem::OutOfRange(min, max));
                None
            }
            Err(_) => {
                self.fail(field, Problem::NotANumber);
                None
            }
        }
    }

    fn amount(&mut self, field: &str, value: &str) -> i64 {
        if value.trim().is_empty() {
            self.fail(field, Problem::Required);
            return 0;
        }
        match money::parse_amount(value) {
            Ok(cents) => cents,
            Err(AmountError::Negative) => {
                self.fail(field, Problem::Negative);
                0
            }
            Err(AmountError::NotANumber) => {
                self.fail(field, Problem::NotANumber);
                0
            }
        }
    }

    /// A quantity (1 when empty) that `ok` accepts; anything else is a problem on `quantity`.
    fn quantity(&mut self, value: &str, ok: impl Fn(f64) -> bool) -> f64 {
        // Most quantities are a few digits: read without the float parser.
        let whole = |q: &str| (q.len() <= 9 && q.bytes().all(|b| b.is_ascii_digit())).then(|| q.parse::<u32>().ok())?;
        match trim(value) {
            "" => 1.0,
            q => match whole(q).map_or_else(|| q.parse::<f64>(), |n| Ok(f64::from(n))) {
                Ok(q) if q.is_finite() && ok(q) => q,
                Ok(_) => {
                    self.fail("quantity", Problem::NotPositive);
                    1.0
                }
                Err(_) => {
                    self.fail("quantity", Problem::NotANumber);
                    1.0
                }
            },
        }
    }

    fn finish<T>(self, value: T) -> Checked<T> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.errors)
        }
    }
}

/// 5 to 20 digits, with spaces, dashes and brackets between them and a `+` only in front.
pub fn is_valid_phone(phone: &str) -> bool {
    // One pass over the bytes: every row of a customers file has a phone to check.
    let mut digits = 0;
    for (at, byte) in phone.bytes().enumerate() {
        match byte {
            b'0'..=b'9' => digits += 1,
            b'+' if at == 0 => {}
            b' ' | b'-' | b'(' | b')' => {}
            _ => return false,
        }
    }
    (5..=20).contains(&digits)
}

pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|part| !part.is_empty())
}

/// Splits tags typed as `vip, 老客户；wholesale` into clean, distinct tags.
pub fn split_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split([',', '，', ';', '；', '、']) {
        let tag = tag.trim();
        if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
    }
    tags
}

/// A customer as typed (or as read from a file's cells), every field still text. `S` is the
/// text: `String` for a form the user edits; an import borrows its cells (`Cow<str>`), so a
/// new customer's text is copied once, into the checked `Customer`, not first into a form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CustomerForm<S = String> {
    /// The customer's code (客户编号).
    pub code: S,
    pub name: S,
    pub gender: S,
    pub birthday: S,
    pub occupation: S,
    pub phone: S,
    pub email: S,
    pub wechat: S,
    pub city: S,
    pub address: S,
    pub hobbies: S,
    pub special_needs: S,
    pub tags: S,
    pub notes: S,
    pub customer_since: S,
    pub source: S,
    /// The referrer's code.
    pub referred_by: S,
    pub account_manager: S,
    pub influence: S,
    pub marketing_consent: bool,
    pub consent_date: S,
    pub consent_source: S,
    /// (field id, value) for each custom field defined in settings.
    pub custom: Vec<(String, S)>,
}

impl CustomerForm {
    /// `code_of` gives a customer's code from their internal id (for the referrer).
    pub fn from_customer(
        c: &Customer,
        defs: &[CustomFieldDef],
        code_of: &dyn Fn(CustomerId) -> String,
    ) -> CustomerForm {
        let day = |d: Option<Day>| d.map(|d| d.to_string()).unwrap_or_default();
        CustomerForm {
            code: c.code.clone(),
            name: c.name.clone(),
            gender: c.gender.code().to_string(),
            birthday: day(c.birthday),
            occupation: c.occupation.clone(),
            phone: c.phone.clone(),
            email: c.email.clone(),
            wechat: c.wechat.clone(),
            city: c.city.clone(),
            address: c.address.clone(),
            hobbies: c.hobbies.clone(),
            special_needs: c.special_needs.clone(),
            tags: c.tags.join(", "),
            notes: c.notes.clone(),
            customer_since: day(c.customer_since),
            source: c.source.clone(),
            referred_by: c.referred_by.map(code_of).unwrap_or_default(),
            account_manager: c.account_manager.clone(),
            influence: c.influence.to_string(),
            marketing_consent: c.marketing_consent,
            consent_date: day(c.consent_date),
            consent_source: c.consent_source.clone(),
            custom: defs.iter().map(|d| (d.id.clone(), c.custom.get(&d.id).cloned().unwrap_or_default())).collect(),
        }
    }
}

impl<S> CustomerForm<S> {
    /// The same form with each text turned into another kind of text.
    pub fn map_text<T>(self, text: impl Fn(S) -> T) -> CustomerForm<T> {
        CustomerForm {
            code: text(self.code),
            name: text(self.name),
            gender: text(self.gender),
            birthday: text(self.birthday),
            occupation: text(self.occupation),
            phone: text(self.phone),
            email: text(self.email),
            wechat: text(self.wechat),
            city: text(self.city),
            address: text(self.address),
            hobbies: text(self.hobbies),
            special_needs: text(self.special_needs),
            tags: text(self.tags),
            notes: text(self.notes),
            customer_since: text(self.customer_since),
            source: text(self.source),
            referred_by: text(self.referred_by),
            account_manager: text(self.account_manager),
            influence: text(self.influence),
            consent_date: text(self.consent_date),
            consent_source: text(self.consent_source),
            marketing_consent: self.marketing_consent,
            custom: self.custom.into_iter().map(|(id, value)| (id, text(value))).collect(),
        }
    }
}

impl<S: AsRef<str>> CustomerForm<S> {
    /// Checks every field; `today` bounds dates that cannot lie in the future; `find` gives the
    /// customer with a code (for the referrer).
    pub fn to_customer(
        &self,
        id: CustomerId,
        today: Day,
        defs: &[CustomFieldDef],
        find: &dyn Fn(&str) -> Option<CustomerId>,
    ) -> Checked<Customer> {
        let mut ck = Checker::default();
        let code = ck.required("code", self.code.as_ref(), super::model::CODE_MAX_CHARS);
        if code.chars().any(char::is_control) {
            ck.fail("code", Problem::UnknownChoice);
        }
        let name = ck.required("name", self.name.as_ref(), 200);
        let gender = Gender::from_code(self.gender.as_ref()).unwrap_or_else(|| {
            ck.fail("gender", Problem::UnknownChoice);
            Gender::Unspecified
        });
        let phone = ck.text("phone", self.phone.as_ref(), 40);
        if !phone.is_empty() && !is_valid_phone(&phone) {
            ck.fail("phone", Problem::InvalidPhone);
        }
        let email = ck.text("email", self.email.as_ref(), 200);
        if !email.is_empty() && !is_valid_email(&email) {
            ck.fail("email", Problem::InvalidEmail);
        }
        let referrer = self.referred_by.as_ref().trim();
        let referred_by = if referrer.is_empty() {
            None
        } else {
            match find(referrer) {
                Some(found) if found != id => Some(found),
                _ => {
                    ck.fail("referred-by", Problem::UnknownCustomer);
                    None
                }
            }
        };
        let influence = ck.integer("influence", self.influence.as_ref(), 0, 5).unwrap_or(0) as u8;
        let mut custom = std::collections::BTreeMap::new();
        for (field_id, value) in &self.custom {
            let Some(def) = defs.iter().find(|d| &d.id == field_id) else { continue };
            let field = format!("custom-{field_id}");
            let mut value = ck.text(&field, value.as_ref(), 500);
            if value.is_empty() {
                continue;
            }
            // Dates are kept in one form whichever way they were written.
            if let (CustomFieldKind::Date, Some(day)) = (&def.kind, Day::parse_flexible(&value)) {
                value = day.to_string();
            }
            let ok = match &def.kind {
                CustomFieldKind::Text => true,
                CustomFieldKind::Number => value.parse::<f64>().is_ok_and(f64::is_finite),
                CustomFieldKind::Date => Day::parse_flexible(&value).is_some(),
                CustomFieldKind::Choice(options) => options.contains(&value),
            };
            if ok {
                custom.insert(field_id.clone(), value);
            } else {
                let problem = match def.kind {
                    CustomFieldKind::Number => Problem::NotANumber,
                    CustomFieldKind::Date => Problem::InvalidDate,
                    _ => Problem::UnknownChoice,
                };
                ck.fail(&field, problem);
            }
        }
        let customer = Customer {
            id,
            code,
            name,
            gender,
            birthday: ck.optional_date("birthday", self.birthday.as_ref(), Some(today)),
            occupation: ck.text("occupation", self.occupation.as_ref(), 200),
            phone,
            email,
            wechat: ck.text("wechat", self.wechat.as_ref(), 100),
            city: ck.text("city", self.city.as_ref(), 100),
            address: ck.text("address", self.address.as_ref(), 500),
            hobbies: ck.text("hobbies", self.hobbies.as_ref(), 1000),
            special_needs: ck.text("special-needs", self.special_needs.as_ref(), 2000),
            tags: split_tags(self.tags.as_ref()),
            notes: ck.text("notes", self.notes.as_ref(), 20_000),
            customer_since: ck.optional_date("customer-since", self.customer_since.as_ref(), Some(today)),
            source: ck.text("source", self.source.as_ref(), 200),
            referred_by,
            account_manager: ck.text("account-manager", self.account_manager.as_ref(), 200),
            influence,
            marketing_consent: self.marketing_consent,
            consent_date: ck.optional_date("consent-date", self.consent_date.as_ref(), Some(today)),
            consent_source: ck.text("consent-source", self.consent_source.as_ref(), 200),
            custom,
            updated_at: 0,
        };
        ck.finish(customer)
    }
}

/// Figures from a previous spreadsheet, all optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpeningForm {
    pub as_of: String,
    pub spend: String,
    pub purchases: String,
    pub points: String,
    pub tier: String,
    pub last_review: String,
    pub next_review: String,
}

impl OpeningForm {
    pub fn from_carried(c: &CarriedOver) -> OpeningForm {
        let day = |d: Option<Day>| d.map(|d| d.to_string()).unwrap_or_default();
        let b = c.balance.as_ref();
        OpeningForm {
            as_of: day(b.map(|b| b.as_of)),
            spend: b.map(|b| money::format_plain(b.spend_cents)).unwrap_or_default(),
            purchases: b.map(|b| b.purchases.to_string()).unwrap_or_default(),
            points: b.map(|b| b.points.to_string()).unwrap_or_default(),
            tier: c.tier.clone().unwrap_or_default(),
            last_review: day(c.last_review),
            next_review: day(c.next_review),
        }
    }

    /// `tier_ids`: the tiers of the current policy.
    pub fn to_carried(&self, tier_ids: &[String], today: Day) -> Checked<CarriedOver> {
        let mut ck = Checker::default();
        let has_figures = [&self.spend, &self.purchases, &self.points].iter().any(|v| !v.trim().is_empty());
        let as_of = ck.optional_date("opening-as-of", &self.as_of, Some(today));
        if has_figures && as_of.is_none() && self.as_of.trim().is_empty() {
            ck.fail("opening-as-of", Problem::Required);
        }
        let spend_cents = if self.spend.trim().is_empty() { 0 } else { ck.amount("opening-spend", &self.spend) };
        let purchases = ck.integer("opening-purchases", &self.purchases, 0, 1_000_000).unwrap_or(0) as u32;
        let points = ck.integer("opening-points", &self.points, 0, 1_000_000_000).unwrap_or(0);
        let tier = Some(self.tier.trim().to_string()).filter(|t| !t.is_empty());
        if tier.as_ref().is_some_and(|t| !tier_ids.contains(t)) {
            ck.fail("opening-tier", Problem::UnknownChoice);
        }
        let last_review = ck.optional_date("opening-last-review", &self.last_review, Some(today));
        let next_review = ck.optional_date("opening-next-review", &self.next_review, None);
        if let (Some(last), Some(next)) = (last_review, next_review) {
            if next <= last {
                ck.fail("opening-next-review", Problem::BeforeDate(last.plus_days(1).to_string()));
            }
        }
        let balance =
            as_of.filter(|_| has_figures).map(|as_of| OpeningBalance { as_of, spend_cents, purchases, points });
        ck.finish(CarriedOver { balance, tier, last_review, next_review })
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PurchaseForm {
    pub date: String,
    pub product: String,
    pub category: String,
    pub quantity: String,
    pub amount: String,
    pub payment: String,
    pub channel: String,
}

impl PurchaseForm {
    pub fn from_purchase(p: &Purchase) -> PurchaseForm {
        PurchaseForm {
            date: p.date.to_string(),
            product: p.product.to_string(),
            category: p.category.to_string(),
            quantity: p.quantity.to_string(),
            amount: money::format_plain(p.amount_cents),
            payment: p.payment.to_string(),
            channel: p.channel.to_string(),
        }
    }

    pub fn to_purchase(&self, id: u64) -> Checked<Purchase> {
        PurchaseInput {
            date: &self.date,
            product: &self.product,
            category: &self.category,
            quantity: &self.quantity,
            amount: &self.amount,
            payment: &self.payment,
            channel: &self.channel,
        }
        .to_purchase(id)
    }
}

/// A purchase's fields as borrowed text: what the form holds, or the cells of an imported
/// row (a million of them, so they are not copied into a form first).
pub struct PurchaseInput<'a> {
    pub date: &'a str,
    pub product: &'a str,
    pub category: &'a str,
    pub quantity: &'a str,
    pub amount: &'a str,
    pub payment: &'a str,
    pub channel: &'a str,
}

impl PurchaseInput<'_> {
    pub fn to_purchase(&self, id: u64) -> Checked<Purchase> {
        let mut ck = Checker::default();
        let quantity = ck.quantity(self.quantity, |q| q > 0.0);
        let purchase = Purchase {
            id,
            date: ck.date("date", self.date, None),
            product: ck.shared_text("product", self.product, 200),
            category: ck.shared_text("category", self.category, 100),
            quantity,
            amount_cents: ck.amount("amount", self.amount),
            payment: ck.shared_text("payment", self.payment, 100),
            channel: ck.shared_text("channel", self.channel, 100),
            updated_at: 0,
            ..Default::default()
        };
        ck.finish(purchase)
    }

    /// A line of a sales export: the amount is the line total, or quantity × unit price when
    /// there is no total; a negative quantity or amount, a credit-note number (`C536379`) or a
    /// status saying 退货/退款/return/refund makes it a return (a negative amount).
    pub fn to_line(&self, unit_price: &str, order_no: &str, status: &str) -> Checked<ImportedLine> {
        let mut ck = Checker::default();
        // Sales exports write thousands separators and negative quantities for returns.
        let quantity = if self.quantity.contains(',') || self.quantity.contains('，') {
            ck.quantity(&self.quantity.replace([',', '，'], ""), |q| q != 0.0 && q.abs() < 1e9)
        } else {
            ck.quantity(self.quantity, |q| q != 0.0 && q.abs() < 1e9)
        };
        let unit_price = match trim(unit_price) {
            "" => None,
            text => match money::parse_price(text) {
                Some(price) => Some(price),
                None => {
                    ck.fail("unit-price", Problem::NotANumber);
                    None
                }
            },
        };
        let amount_cents = match (trim(self.amount), unit_price) {
            ("", Some(price)) => (quantity * price * 100.0).round() as i64,
            ("", None) => {
                ck.fail("amount", Problem::Required);
                0
            }
            (text, _) => money::parse_signed_amount(text).unwrap_or_else(|_| {
                ck.fail("amount", Problem::NotANumber);
                0
            }),
        };
        let order_no = ck.text("order-no", order_no, 100);
        let is_return = quantity < 0.0 || amount_cents < 0 || is_credit_note(&order_no) || says_returned(status);
        let purchase = Purchase {
            id: 0,
            date: ck.date("date", self.date, None),
            product: ck.shared_text("product", self.product, 200),
            category: ck.shared_text("category", self.category, 100),
            quantity: quantity.abs(),
            amount_cents: if is_return { -amount_cents.abs() } else { amount_cents },
            payment: ck.shared_text("payment", self.payment, 100),
            channel: ck.shared_text("channel", self.channel, 100),
            updated_at: 0,
            unit_price_cents: unit_price.map(|p| (p.abs() * 100.0).round() as i64),
            order_no,
            items: Vec::new(),
        };
        ck.finish(ImportedLine { purchase, is_return })
    }
}

/// One line of a sales file, checked: a purchase of one line, and whether it is a return.
pub struct ImportedLine {
    pub purchase: Purchase,
    pub is_return: bool,
}

/// A credit note's number: `C` followed by digits (`C536379`), as POS and ERP exports write them.
pub fn is_credit_note(order_no: &str) -> bool {
    let mut chars = order_no.chars();
    matches!(chars.next(), Some('C' | 'c')) && !chars.as_str().is_empty() && chars.all(|c| c.is_ascii_digit())
}

/// A status cell that says the line was returned or refunded.
pub fn says_returned(status: &str) -> bool {
    let s = trim(status);
    if s.is_empty() {
        return false;
    }
    let s = s.to_lowercase();
    ["退货", "退款", "退单", "return", "refund", "cancel", "credit"].iter().any(|w| s.contains(w))
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeedbackForm {
    pub date: String,
    pub score: String,
    pub nps: String,
    pub comment: String,
    pub channel: String,
    pub product: String,
    pub handled: bool,
}

impl FeedbackForm {
    pub fn from_feedback(f: &Feedback) -> FeedbackForm {
        FeedbackForm {
            date: f.date.to_string(),
            score: f.score.to_string(),
            nps: f.nps.map(|n| n.to_string()).unwrap_or_default(),
            comment: f.comment.clone(),
            channel: f.channel.clone(),
            product: f.product.clone(),
            handled: f.handled,
        }
    }

    pub fn to_feedback(&self, id: u64) -> Checked<Feedback> {
        let mut ck = Checker::default();
        let score = ck.integer("score", &self.score, 1, 5);
        if self.score.trim().is_empty() {
            ck.fail("score", Problem::Required);
        }
        let feedback = Feedback {
            id,
            date: ck.date("date", &self.date, None),
            score: score.unwrap_or(0) as u8,
            nps: ck.integer("nps", &self.nps, 0, 10).map(|n| n as u8),
            comment: ck.text("comment", &self.comment, 5000),
            channel: ck.text("channel", &self.channel, 100),
            product: ck.text("product", &self.product, 200),
            handled: self.handled,
            updated_at: 0,
        };
        ck.finish(feedback)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct InteractionForm {
    pub date: String,
    pub kind: String,
    pub summary: String,
    pub status: String,
    pub staff: String,
    pub follow_up: String,
}

impl InteractionForm {
    pub fn from_interaction(i: &Interaction) -> InteractionForm {
        InteractionForm {
            date: i.date.to_string(),
            kind: i.kind.code().to_string(),
            summary: i.summary.clone(),
            status: i.status.clone(),
            staff: i.staff.clone(),
            follow_up: i.follow_up.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    pub fn to_interaction(&self, id: u64) -> Checked<Interaction> {
        let mut ck = Checker::default();
        let kind = InteractionKind::from_code(&self.kind).unwrap_or_else(|| {
            ck.fail("kind", Problem::UnknownChoice);
            InteractionKind::Call
        });
        let date = ck.date("date", &self.date, None);
        let follow_up = ck.optional_date("follow-up", &self.follow_up, None);
        if follow_up.is_some_and(|f| f < date) {
            ck.fail("follow-up", Problem::BeforeDate(date.to_string()));
        }
        let interaction = Interaction {
            id,
            date,
            kind,
            summary: ck.required("summary", &self.summary, 5000),
            status: ck.text("status", &self.status, 100),
            staff: ck.text("staff", &self.staff, 100),
            follow_up,
            updated_at: 0,
        };
        ck.finish(interaction)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CampaignForm {
    pub campaign: String,
    pub date: String,
    pub response: String,
    pub result: String,
}

impl CampaignForm {
    pub fn from_entry(c: &CampaignEntry) -> CampaignForm {
        CampaignForm {
            campaign: c.campaign.clone(),
            date: c.date.to_string(),
            response: c.response.code().to_string(),
            result: c.result.clone(),
        }
    }

    pub fn to_entry(&self, id: u64) -> Checked<CampaignEntry> {
        let mut ck = Checker::default();
        let response = CampaignResponse::from_code(&self.response).unwrap_or_else(|| {
            ck.fail("response", Problem::UnknownChoice);
            CampaignResponse::Invited
        });
        let entry = CampaignEntry {
            id,
            campaign: ck.required("campaign", &self.campaign, 200),
            date: ck.date("date", &self.date, None),
            response,
            result: ck.text("result", &self.result, 1000),
            updated_at: 0,
        };
        ck.finish(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Day {
        Day::parse_iso("2026-11-24").unwrap()
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_complete_customer_form_becomes_a_customer() {
        let form: CustomerForm = CustomerForm {
            code: " VIP-0012 ".into(),
            name: "  王小明 ".into(),
            gender: "male".into(),
            birthday: "1990-05-17".into(),
            phone: "+86 138-0013-8000".into(),
            email: "xm.wang@example.cn".into(),
            tags: "VIP，老客户, VIP; wholesale".into(),
            customer_since: "2020-01-01".into(),
            influence: "4".into(),
            ..Default::default()
        };
        let c = form.to_customer(7, today(), &[], &|_| None).unwrap();
        assert_eq!(c.id, 7);
        assert_eq!(c.code, "VIP-0012");
        assert_eq!(c.name, "王小明");
        assert_eq!(c.gender, Gender::Male);
        assert_eq!(c.birthday, Day::parse_iso("1990-05-17"));
        assert_eq!(c.tags, vec!["VIP", "老客户", "wholesale"]);
        assert_eq!(c.influence, 4);
        assert_eq!(
            CustomerForm::from_customer(&c, &[], &|id| id.to_string()).to_customer(7, today(), &[], &|_| None).unwrap(),
            c
        );
    }

    #[test]
    fn every_bad_customer_field_is_reported_at_once() {
        let form: CustomerForm = CustomerForm {
            name: "   ".into(),
            phone: "call me".into(),
            email: "someone@nowhere".into(),
            birthday: "2031-01-01".into(),
            customer_since: "2023-02-30".into(),
            influence: "6".into(),
            ..Default::default()
        };
        let errors = form.to_customer(1, today(), &[], &|_| None).unwrap_err();
        assert_eq!(fields(&errors), vec!["code", "name", "phone", "email", "influence", "birthday", "customer-since"]);
        assert_eq!(errors[1].problem, Problem::Required);
        assert_eq!(errors[4].problem, Problem::OutOfRange(0, 5));
        assert_eq!(errors[5].problem, Problem::InFuture);
        assert_eq!(errors[6].problem, Problem::InvalidDate);
    }

    #[test]
    fn sales_lines_take_unit_price_times_quantity_and_returns_turn_negative() {
        let line = |q: &str, amount: &str, price: &str, order: &str, status: &str| {
            let input = PurchaseInput {
                date: "12/1/2010 8:26",
                product: "",
                category: "",
                quantity: q,
                amount,
                payment: "",
                channel: "",
            };
            input.to_line(price, order, status).map(|l| (l.purchase.amount_cents, l.purchase.quantity, l.is_return))
        };
        assert_eq!(line("6", "", "2.55", "536365", ""), Ok((1_530, 6.0, false)));
        assert_eq!(line("3", "25", "10", "", ""), Ok((2_500, 3.0, false)), "a line total wins");
        assert_eq!(line("-1", "", "27.50", "C536379", ""), Ok((-2_750, 1.0, true)));
        assert_eq!(line("2", "", "0.085", "", ""), Ok((17, 2.0, false)), "prices with more decimals");
        assert_eq!(line("1", "30", "", "", "已退款"), Ok((-3_000, 1.0, true)));
        assert_eq!(line("1", "-30", "", "", ""), Ok((-3_000, 1.0, true)));
        assert_eq!(line("1", "", "1", "C1001", ""), Ok((-100, 1.0, true)), "credit-note numbers");
        assert!(!is_credit_note("CN-1") && !is_credit_note("536365") && !is_credit_note("C"));
        let missing = line("2", "", "", "", "").unwrap_err();
        assert_eq!((missing[0].field.as_str(), &missing[0].problem), ("amount", &Problem::Required));
        assert_eq!(line("x", "", "1", "", "").unwrap_err()[0].field, "quantity");
        assert_eq!(line("1", "", "abc", "", "").unwrap_err()[0].field, "unit-price");
    }

    #[test]
    fn the_referrer_is_named_by_code_and_must_exist() {
        let form: CustomerForm =
            CustomerForm { code: "C2".into(), name: "B".into(), referred_by: "VIP-1".into(), ..Default::default() };
        let find = |code: &str| (code == "VIP-1").then_some(1u64 << 40);
        assert_eq!(form.to_customer(9, today(), &[], &find).unwrap().referred_by, Some(1 << 40));
        let unknown = CustomerForm { referred_by: "VIP-2".into(), ..form.clone() };
        let errors = unknown.to_customer(9, today(), &[], &find).unwrap_err();
        assert_eq!((fields(&errors), &errors[0].problem), (vec!["referred-by"], &Problem::UnknownCustomer));
        let back =
            CustomerForm::from_customer(&form.to_customer(9, today(), &[], &find).unwrap(), &[], &|_| "VIP-1".into());
        assert_eq!(back.referred_by, "VIP-1");
    }

    #[test]
    fn phone_and_email_rules() {
        for ok in ["13800138000", "+86 10 8888 8888", "(021) 5555-1234", "12345", "+8613800138000"] {
            assert!(is_valid_phone(ok), "{ok}");
        }
        for bad in [
            "123",
            "phone",
            "138001380001380013800138",
            "86+138001380",
            "",
            "１３８００１３８０００",
            "13800 138000x",
            "++8613800138000",
            "+",
        ] {
            assert!(!is_valid_phone(bad), "{bad}");
        }
        for ok in ["a@b.cn", "first.last+tag@mail.example.com"] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in ["a@b", "@b.cn", "a b@c.cn", "a@@b.cn", "a@b..cn", "plain"] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn custom_fields_are_checked_by_kind() {
        let defs = vec![
            CustomFieldDef {
                id: "size".into(),
                label: "Size".into(),
                kind: CustomFieldKind::Choice(vec!["S".into(), "M".into()]),
            },
            CustomFieldDef { id: "visits".into(), label: "Visits".into(), kind: CustomFieldKind::Number },
            CustomFieldDef { id: "wedding".into(), label: "Wedding".into(), kind: CustomFieldKind::Date },
        ];
        let mut form: CustomerForm = CustomerForm { code: "C1".into(), name: "A".into(), ..Default::default() };
        form.custom = vec![("size".into(), "M".into()), ("visits".into(), "12".into()), ("wedding".into(), "".into())];
        let c = form.to_customer(1, today(), &defs, &|_| None).unwrap();
        assert_eq!(c.custom.get("size").map(String::as_str), Some("M"));
        assert_eq!(c.custom.get("visits").map(String::as_str), Some("12"));
        assert!(!c.custom.contains_key("wedding"));

        form.custom =
            vec![("size".into(), "XL".into()), ("visits".into(), "many".into()), ("wedding".into(), "June".into())];
        let errors = form.to_customer(1, today(), &defs, &|_| None).unwrap_err();
        assert_eq!(fields(&errors), vec!["custom-size", "custom-visits", "custom-wedding"]);
    }

    #[test]
    fn figures_from_a_previous_sheet_are_checked() {
        let ids = vec!["bronze".to_string(), "gold".to_string()];
        assert_eq!(OpeningForm::default().to_carried(&ids, today()).unwrap(), CarriedOver::default());
        let form = OpeningForm {
            as_of: "2025-12-31".into(),
            spend: "￥10,000".into(),
            purchases: "12".into(),
            points: "800".into(),
            tier: "gold".into(),
            last_review: "2025-07-01".into(),
            next_review: "2026-07-01".into(),
        };
        let carried = form.to_carried(&ids, today()).unwrap();
        assert_eq!(carried.balance.as_ref().unwrap().spend_cents, 1_000_000);
        assert_eq!(OpeningForm::from_carried(&carried).to_carried(&ids, today()).unwrap(), carried);
        let bad = OpeningForm { as_of: "".into(), tier: "diamond".into(), next_review: "2025-01-01".into(), ..form };
        let errors = bad.to_carried(&ids, today()).unwrap_err();
        assert_eq!(fields(&errors), vec!["opening-as-of", "opening-tier", "opening-next-review"]);
    }

    #[test]
    fn purchases_need_a_date_and_a_non_negative_amount_but_no_product() {
        let ok = PurchaseForm {
            date: "2024-02-29".into(),
            product: "咖啡豆".into(),
            quantity: "2".into(),
            amount: "￥1,280.5".into(),
            ..Default::default()
        };
        let p = ok.to_purchase(9).unwrap();
        assert_eq!((p.amount_cents, p.quantity), (128_050, 2.0));
        assert_eq!(PurchaseForm::from_purchase(&p).to_purchase(9).unwrap(), p);

        let bad = PurchaseForm {
            date: "".into(),
            product: "".into(),
            quantity: "0".into(),
            amount: "-3".into(),
            ..Default::default()
        };
        let errors = bad.to_purchase(1).unwrap_err();
        assert_eq!(fields(&errors), vec!["quantity", "date", "amount"]);
        assert_eq!(errors[2].problem, Problem::Negative);
        let no_product = PurchaseForm { product: "".into(), ..ok.clone() };
        assert_eq!(no_product.to_purchase(2).unwrap().product, "");
        let zero = PurchaseForm { amount: "0".into(), ..ok };
        assert_eq!(zero.to_purchase(1).unwrap().amount_cents, 0);
    }

    #[test]
    fn feedback_scores_are_bounded() {
        let base =
            FeedbackForm { date: "2025-01-01".into(), score: "5".into(), nps: "10".into(), ..Default::default() };
        assert_eq!(base.to_feedback(1).unwrap().nps, Some(10));
        for (score, nps) in [("0", ""), ("6", ""), ("3", "11"), ("3", "-1"), ("", "")] {
            let form = FeedbackForm { score: score.into(), nps: nps.into(), ..base.clone() };
            assert!(form.to_feedback(1).is_err(), "{score} {nps}");
        }
        let low = FeedbackForm { score: "1".into(), nps: "0".into(), ..base };
        assert_eq!(low.to_feedback(1).unwrap().nps, Some(0));
    }

    #[test]
    fn interactions_need_a_known_kind_and_a_follow_up_after_the_contact() {
        let form = InteractionForm {
            date: "2025-03-01".into(),
            kind: "complaint".into(),
            summary: "快递延误".into(),
            follow_up: "2025-03-05".into(),
            ..Default::default()
        };
        let i = form.to_interaction(1).unwrap();
        assert_eq!(i.kind, InteractionKind::Complaint);
        assert_eq!(InteractionForm::from_interaction(&i).to_interaction(1).unwrap(), i);
        let early = InteractionForm { follow_up: "2025-02-01".into(), ..form.clone() };
        assert_eq!(early.to_interaction(1).unwrap_err()[0].problem, Problem::BeforeDate("2025-03-01".into()));
        let unknown = InteractionForm { kind: "fax".into(), ..form };
        assert_eq!(fields(&unknown.to_interaction(1).unwrap_err()), vec!["kind"]);
    }

    #[test]
    fn campaign_entries_need_a_campaign_and_a_response() {
        let form = CampaignForm {
            campaign: "双十一".into(),
            date: "2025-11-11".into(),
            response: "redeemed".into(),
            result: "".into(),
        };
        assert_eq!(form.to_entry(1).unwrap().response, CampaignResponse::Redeemed);
        let bad = CampaignForm { campaign: "".into(), response: "maybe".into(), ..form };
        assert_eq!(fields(&bad.to_entry(1).unwrap_err()), vec!["response", "campaign"]);
    }
}
