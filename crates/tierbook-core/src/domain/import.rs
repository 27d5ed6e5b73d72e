//! Turning the rows of a CSV file into customer files, before anything is written: every
//! row is checked with the same rules as the forms, matched to an existing customer instead of
//! duplicating it, and either staged or rejected with its line, column and problem. The result
//! is the whole new version of each customer touched, written in one transaction by the caller,
//! with the previous versions kept so the import can be undone exactly.

// Import hashes millions of keys it makes itself; SipHash's protection against hostile keys
// buys nothing here, and Fx is several times faster.
use rustc_hash::{FxHashMap as HashMap, FxHashSet};
use std::borrow::Cow;

use super::codes::{clean_code, is_valid_code, CodeFormat, CodeMap};
use super::columns::{choice_code, columns, customer_cell, related_cell, yes_no, Kind, Target};
use super::day::Day;
use super::forms::{
    is_valid_phone, CampaignForm, CustomerForm, FeedbackForm, FieldError, InteractionForm, OpeningForm, Problem,
    PurchaseInput,
};
use super::model::*;
use super::sheet::{Row, RowReader};
use super::tiers::TierPolicy;
use super::workbook::{Change, Put, Related, Workbook};
use crate::texts::Lang;

/// How rows find the customer they mean, tried in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchKey {
    /// The customer's code: a row that carries one is matched by it alone.
    Code,
    Phone,
    Email,
    /// Only for purchases and other related rows, and only when exactly one customer has it.
    Name,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowIssue {
    Field(Problem),
    /// A row with more or fewer cells than the header.
    CellCount {
        expected: usize,
        found: usize,
    },
    /// A quote opened on this line is never closed: the rest of the file ran into one cell.
    UnclosedQuote {
        through_line: u64,
    },
    /// No customer matches the row's id, phone or name.
    NoCustomer,
    /// Several customers have that name; the row needs an id or phone.
    AmbiguousCustomer(usize),
    /// The same customer already came in on an earlier line of this file.
    DuplicateInFile {
        first_line: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    pub line: u64,
    /// The file's column (0-based), when the problem is in one cell.
    pub column: Option<usize>,
    /// The form field concerned when no column of the file holds it (a required name, say).
    pub field: Option<String>,
    pub issue: RowIssue,
}

pub struct ImportSettings {
    pub kind: Kind,
    pub mapping: Vec<Target>,
    /// Empty: never match, every customers row is a new customer.
    pub match_order: Vec<MatchKey>,
    pub today: Day,
    /// Milliseconds, stamped on new related rows; also seeds their ids.
    pub now: i64,
    pub custom_fields: Vec<CustomFieldDef>,
    pub policy: TierPolicy,
    /// Rows of related files naming a code nobody has create that customer.
    pub create_customers: bool,
    /// Returns and credit notes: imported as negative purchases, or left out (counted either way).
    pub skip_returns: bool,
    /// How codes of customers created without one look.
    pub code_format: CodeFormat,
    /// Seeds the random internal ids of new customers (from the browser's crypto in the app).
    pub seed: u64,
}

impl ImportSettings {
    /// Settings with the usual choices: match by code, then phone, then email; returns imported;
    /// unknown codes not created; codes like `C00001`.
    pub fn new(kind: Kind, mapping: Vec<Target>, policy: TierPolicy, today: Day, now: i64) -> ImportSettings {
        ImportSettings {
            kind,
            mapping,
            match_order: vec![MatchKey::Code, MatchKey::Phone, MatchKey::Email],
            today,
            now,
            custom_fields: Vec::new(),
            policy,
            create_customers: false,
            skip_returns: false,
            code_format: CodeFormat::default(),
            seed: now as u64,
        }
    }
}

/// What an import will do, counted per row of the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    /// Rows that change nothing (already there exactly as in the file).
    pub unchanged: usize,
    /// Rows refused with a problem.
    pub rejected: usize,
    /// Lines added to an order an earlier line of the file started (one purchase, several lines).
    pub lines_merged: usize,
    /// Return lines (credit notes, negative quantities or amounts): imported or, if asked, skipped.
    pub returns: usize,
    pub returns_skipped: usize,
    /// Rows that name no customer at all (walk-in sales): listed, not imported.
    pub no_customer: usize,
    /// Customers created by rows of a purchases, feedback or other related file.
    pub customers_created: usize,
}

impl Counts {
    pub fn skipped(&self) -> usize {
        self.unchanged + self.rejected + self.returns_skipped + self.no_customer
    }
}

pub struct ImportPlan {
    /// The new version of every file the import makes or rewrites. Boxed from the start: a
    /// file is a few hundred bytes before its lists, and 100,000 of them are not moved again
    /// on their way into changes.
    pub records: Vec<Box<CustomerRecord>>,
    /// Purchases a file that only adds records gives customers who were in the workbook, in
    /// file order: written as such (`Change::AddRecords`), after whatever the stored file
    /// holds then, so nothing saved meanwhile (another tab, a sync) is overwritten, and no
    /// copy of each file is made.
    pub added: Vec<(CustomerId, Vec<Purchase>)>,
    /// The same for feedback, interactions and campaign entries.
    pub added_others: Vec<(CustomerId, Vec<Related>)>,
    /// The records a file with record ids changes or adds for customers who were in the
    /// workbook (`Change::PutRecords`): put over whatever the stored file holds then, so a card
    /// edit or a record saved meanwhile elsewhere is kept.
    pub put: Vec<(CustomerId, Vec<Related>)>,
    /// Each customer in `records`, `added`, `added_others` or `put`: number and whether they were in the workbook
    /// before (false: created by the import). What the undo puts back is taken from the
    /// workbook when the import is written (`write_path::ImportUndo`), not copied
    /// here: 100,000 copies sat beside the import at its peak.
    pub existed_before: Vec<(CustomerId, bool)>,
    pub problems: Vec<RowProblem>,
    /// The refused rows, as they were in the file, for the user to fix and import again.
    pub rejected: Vec<Row>,
    pub counts: Counts,
    /// The first rows as they will be stored, one cell per column of the file.
    pub preview: Vec<(u64, Vec<String>)>,
    /// The first lines that named no customer at all.
    pub no_customer_lines: Vec<u64>,
    /// Whether the file edits customer cards (a customers file). Other files only add records
    /// (and make new customers), so a card they hand back is the one they read.
    pub cards_edited: bool,
}

const PREVIEW_ROWS: usize = 20;

impl ImportPlan {
    /// The changes that write the plan (its files and added records are moved out).
    pub fn take_changes(&mut self) -> Vec<Change> {
        let put = if self.cards_edited { Put::Fresh } else { Put::FreshRecordsOnly };
        let files = std::mem::take(&mut self.records).into_iter().map(|record| Change::PutRecord { record, put });
        let purchases = std::mem::take(&mut self.added)
            .into_iter()
            .map(|(customer_id, purchases)| Change::AddRecords { customer_id, purchases, others: Vec::new() });
        let others = std::mem::take(&mut self.added_others)
            .into_iter()
            .map(|(customer_id, others)| Change::AddRecords { customer_id, purchases: Vec::new(), others });
        let put = std::mem::take(&mut self.put)
            .into_iter()
            .map(|(customer_id, items)| Change::PutRecords { customer_id, items });
        files.chain(purchases).chain(others).chain(put).collect()
    }
}

/// The purchases an import adds, in blocks of a fixed size: the list never copies itself as it
/// grows, and `hand_out` frees it block by block. Kept in `GROUPS` groups by staged place
/// (`at % GROUPS`), so handing them out can give one group's customers their lists at a time
/// and move every purchase once.
#[derive(Default)]
struct AddedPurchases {
    groups: [Vec<Vec<(u32, Purchase)>>; GROUPS],
}

const ADDED_BLOCK: usize = 16_384;
/// Lists are sized to their final length when their first purchase arrives: with purchases
/// spread evenly, one group over all customers would size every list while the blocks still
/// held every purchase (twice the purchases in memory, ~75 MB at a million).
const GROUPS: usize = 4;

impl AddedPurchases {
    /// Adds a purchase for the staged file at `at`; returns its place in the list.
    fn push(&mut self, at: usize, purchase: Purchase) -> usize {
        let group = at % GROUPS;
        let blocks = &mut self.groups[group];
        if blocks.last().is_none_or(|b| b.len() == ADDED_BLOCK) {
            blocks.push(Vec::with_capacity(ADDED_BLOCK));
        }
        let block = blocks.len() - 1;
        let last = &mut blocks[block];
        last.push((at as u32, purchase));
        (block * ADDED_BLOCK + last.len() - 1) * GROUPS + group
    }

    fn get_mut(&mut self, place: usize) -> &mut Purchase {
        let (group, index) = (place % GROUPS, place / GROUPS);
        &mut self.groups[group][index / ADDED_BLOCK][index % ADDED_BLOCK].1
    }

    /// The purchases by staged place, in file order; `added[at]` is how many `at` has. Each
    /// block is freed once read, so the lists reuse its memory rather than doubling the peak.
    fn hand_out(self, added: impl Fn(usize) -> usize, staged: usize) -> Vec<Vec<Purchase>> {
        let mut lists: Vec<Vec<Purchase>> = std::iter::repeat_with(Vec::new).take(staged).collect();
        for blocks in self.groups {
            for block in blocks {
                for (at, purchase) in block {
                    let list = &mut lists[at as usize];
                    if list.is_empty() {
                        list.reserve_exact(added(at as usize));
                    }
                    list.push(purchase);
                }
            }
        }
        lists
    }
}

#[derive(Clone, Copy)]
struct CodeEntry {
    id: CustomerId,
    /// Place in `Importer::records`, or `NOT_STAGED`.
    staged: u32,
    /// How many records of the imported kind the customer's file held before the import:
    /// staging a workbook customer for an import that only adds records needs no look at
    /// their file (100,000 cold lookups in the workbook's shards).
    items: u32,
}

const NOT_STAGED: u32 = u32::MAX;

/// What a staged customer had before the import: how many records of the imported kind and,
/// worked out the first time a row needs them, their order numbers and content fingerprints
/// (rows already there are the same file imported again). Kept small, the sets boxed aside:
/// a row of an evenly spread file reads a random one of 100,000, and a big entry made that read
/// a cache miss.
struct Had {
    id: CustomerId,
    items: u32,
    /// Purchases this import adds to the file (handed out at the end).
    added: u32,
    /// Whether the customer was in the workbook before the import (false: the import made them).
    existed: bool,
    seen: Option<Box<Seen>>,
}

impl Had {
    fn new(id: CustomerId, existed: bool, items: usize) -> Had {
        Had { id, items: items as u32, added: 0, existed, seen: None }
    }

    fn seen(&mut self) -> &mut Seen {
        self.seen.get_or_insert_default()
    }
}

/// A customer's records before the import, as the "already there" checks need them.
#[derive(Default)]
struct Seen {
    order_numbers: Option<FxHashSet<String>>,
    contents: Option<FxHashSet<u64>>,
}

fn phone_key(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("86") {
        Some(rest) if rest.len() == 11 => rest.to_string(),
        _ => digits,
    }
}

fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Reads rows into staged customer files. Feed it rows (in chunks, between frames), then
/// `finish`. The workbook is passed in each time, never kept, so the UI can lend it briefly.
pub struct Importer {
    settings: ImportSettings,
    /// Each code's customer and, once staged, where their file sits in `records`: a purchase
    /// row finds its customer's staged file with this one lookup.
    by_code: CodeMap<CodeEntry>,
    /// The staged place of the customer the last row found by code.
    found_at: Option<(CustomerId, usize)>,
    /// Phone, email and name indexes: built the first time a row without a code needs them
    /// (a file whose rows all carry codes never does; that saves 300,000 keys at 100,000
    /// customers).
    by_phone: HashMap<String, Vec<CustomerId>>,
    by_email: HashMap<String, Vec<CustomerId>>,
    by_name: HashMap<String, Vec<CustomerId>>,
    secondary_built: bool,
    /// Each staged customer's place in `records` and `before` (small values keep the map
    /// compact; the files themselves sit in vectors).
    staged: HashMap<CustomerId, usize>,
    // Boxed on purpose: a file is a few hundred bytes before its lists; a Vec of 100,000 of
    // them inline doubles as it grows and is copied again into boxed changes (measured).
    /// None: a customer in the workbook whose file an import that only adds records does not
    /// copy (the records are sent as such; see `ImportPlan::added`). Copying 100,000 files cost
    /// a tenth of a purchases import's time.
    records: Vec<Option<Box<CustomerRecord>>>,
    /// Each staged file as it was (aligned with `records`), to tell at `finish` whether the
    /// import changed it; empty if `adds_only`.
    before: Vec<Option<Box<CustomerRecord>>>,
    /// A file of purchases, feedback, interactions or campaign entries without record ids only
    /// adds records, which wait in `added_purchases` / `added_others` until `finish`. The files
    /// of customers already in the workbook are not copied (the workbook's is the one before);
    /// only a customer the file makes has a staged file.
    adds_only: bool,
    /// Customers rows: the line that first touched each customer.
    first_line: HashMap<CustomerId, u64>,
    /// The number after the highest code in the workbook's format.
    next_code: u64,
    rng: fastrand::Rng,
    /// Orders started in this import: (customer, order number) → place in `added_purchases`.
    orders: HashMap<(CustomerId, String), usize>,
    /// Purchases this import adds, in file order, each with its customer's place in `records`.
    /// Handed to the files by `finish`, each file's list sized once: pushing into 100,000
    /// files' lists row by row spent a third of the rows' time growing them, and left their
    /// spare capacity in memory.
    added_purchases: AddedPurchases,
    /// Other records this import adds (feedback…), in file order, with their customer's place.
    added_others: Vec<(u32, Related)>,
    /// Per staged customer (aligned with `records`), what they had before the import.
    had: Vec<Had>,
    no_customer_lines: Vec<u64>,
    /// (customer, referrer's code, line, column) to settle once every row is in.
    referrers: Vec<(CustomerId, String, u64, Option<usize>)>,
    problems: Vec<RowProblem>,
    rejected: Vec<Row>,
    counts: Counts,
    preview: Vec<(u64, Vec<String>)>,
    width: usize,
    /// The file's column of each field, worked out once (looked up for every cell).
    field_columns: Vec<(&'static str, usize)>,
    /// The same for the fields of a purchase line, by `PurchaseKey` (a million lines each read
    /// ten of them).
    purchase_columns: [Option<usize>; PURCHASE_KEYS.len()],
    /// Where each (customer, record id) of the imported kind sits in its staged file, so a
    /// customer with thousands of purchases is not searched row by row.
    positions: HashMap<(CustomerId, u64), usize>,
    /// The columns of the customer code and of the record id (every row reads them). A file
    /// with a `row-id` column names its records: rows update the record with that id.
    code_column: Option<usize>,
    row_id_column: Option<usize>,
    /// The policy's tier ids, which an opening tier in a customers row must be one of.
    tier_ids: Vec<String>,
}

impl Importer {
    pub fn new(settings: ImportSettings, wb: &Workbook, header_width: usize) -> Importer {
        let mut importer = Importer {
            by_phone: HashMap::default(),
            by_email: HashMap::default(),
            by_name: HashMap::default(),
            secondary_built: false,
            staged: HashMap::default(),
            records: Vec::new(),
            before: Vec::new(),
            first_line: HashMap::default(),
            next_code: settings.code_format.highest(wb.records().map(|r| r.customer.code.as_str())) + 1,
            rng: fastrand::Rng::with_seed(settings.seed ^ settings.now as u64),
            orders: HashMap::default(),
            added_purchases: AddedPurchases::default(),
            added_others: Vec::new(),
            had: Vec::new(),
            no_customer_lines: Vec::new(),
            referrers: Vec::new(),
            by_code: CodeMap::default(),
            found_at: None,
            problems: Vec::new(),
            rejected: Vec::new(),
            counts: Counts::default(),
            preview: Vec::new(),
            width: header_width,
            tier_ids: settings.policy.tiers.iter().map(|t| t.id.clone()).collect(),
            field_columns: settings
                .mapping
                .iter()
                .enumerate()
                .filter_map(|(i, t)| match t {
                    Target::Field(key) => Some((*key, i)),
                    _ => None,
                })
                .collect(),
            positions: HashMap::default(),
            purchase_columns: PURCHASE_KEYS.map(|key| settings.mapping.iter().position(|t| *t == Target::Field(key))),
            code_column: settings.mapping.iter().position(|t| *t == Target::Field("customer-id")),
            row_id_column: settings.mapping.iter().position(|t| *t == Target::Field("row-id")),
            adds_only: settings.kind != Kind::Customers && !settings.mapping.contains(&Target::Field("row-id")),
            settings,
        };
        let kind = importer.settings.kind;
        importer.by_code.reserve(wb.customer_count());
        for r in wb.records() {
            importer.index(&r.customer, related_count(r, kind));
        }
        importer
    }

    fn index(&mut self, c: &Customer, items: usize) {
        if !c.code.is_empty() {
            let staged = self.staged.get(&c.id).map_or(NOT_STAGED, |&at| at as u32);
            self.by_code.insert(&c.code, CodeEntry { id: c.id, staged, items: items as u32 });
        }
        if self.secondary_built {
            self.index_secondary(c);
        }
    }

    fn index_secondary(&mut self, c: &Customer) {
        let add = |map: &mut HashMap<String, Vec<CustomerId>>, key: String| {
            if !key.is_empty() {
                let ids = map.entry(key).or_default();
                if !ids.contains(&c.id) {
                    ids.push(c.id);
                }
            }
        };
        add(&mut self.by_phone, phone_key(&c.phone));
        add(&mut self.by_email, email_key(&c.email));
        add(&mut self.by_name, c.name.trim().to_string());
    }

    /// `find`, building the phone, email and name indexes first if the row needs them: from
    /// the workbook, then from the files staged so far (as they would have been indexed).
    /// `code`: the row's code cell (`code_cell`), read once by the caller.
    fn find_in(
        &mut self,
        row: &Row,
        code: Option<(usize, &str)>,
        keys: &[MatchKey],
        wb: &Workbook,
    ) -> Result<Option<CustomerId>, RowProblem> {
        let by_code_alone = keys.contains(&MatchKey::Code) && code.is_some();
        if !by_code_alone && !self.secondary_built {
            self.secondary_built = true;
            for r in wb.records() {
                self.index_secondary(&r.customer);
            }
            for at in 0..self.records.len() {
                let Some(customer) = self.records[at].as_mut().map(|r| std::mem::take(&mut r.customer)) else {
                    continue;
                };
                self.index_secondary(&customer);
                if let Some(r) = self.records[at].as_mut() {
                    r.customer = customer;
                }
            }
        }
        self.find(row, code, keys)
    }

    /// The cell mapped to `key`, with its column.
    fn cell<'r>(&self, row: &'r Row, key: &str) -> Option<(usize, &'r str)> {
        let column = self.field_columns.iter().find(|(k, _)| *k == key)?.1;
        row.cells.get(column).map(|c| (column, c))
    }

    fn column_of_field(&self, field: &str) -> Option<usize> {
        let target = match field.strip_prefix("custom-") {
            Some(id) => Target::Custom(id.to_string()),
            None => Target::Field(columns_key(field)),
        };
        self.settings.mapping.iter().position(|t| *t == target)
    }

    fn reject(&mut self, row: &Row, problems: Vec<RowProblem>) {
        self.problems.extend(problems);
        self.rejected.push(row.clone());
        self.counts.rejected += 1;
    }

    fn field_problems(&self, line: u64, errors: Vec<FieldError>) -> Vec<RowProblem> {
        errors
            .into_iter()
            .map(|e| {
                let column = self.column_of_field(&e.field);
                RowProblem {
                    line,
                    column,
                    field: column.is_none().then_some(e.field),
                    issue: RowIssue::Field(e.problem),
                }
            })
            .collect()
    }

    /// The row's customer code, if it has one.
    fn code_cell<'r>(&self, row: &'r Row) -> Option<(usize, &'r str)> {
        let column = self.code_column?;
        row.cells.get(column).and_then(|t| clean_code(t).map(|t| (column, t)))
    }

    /// The customer a row means. A row with a code is matched by its code alone (Ok(None): a
    /// code nobody has yet); a row without one by the other keys in order.
    fn find(
        &mut self,
        row: &Row,
        code: Option<(usize, &str)>,
        keys: &[MatchKey],
    ) -> Result<Option<CustomerId>, RowProblem> {
        if let (Some((_, code)), true) = (code, keys.contains(&MatchKey::Code)) {
            let next = self.records.len();
            let mut entry = self.by_code.get_mut(code);
            if let Some(entry) = entry.as_deref_mut().filter(|e| e.staged == NOT_STAGED && self.adds_only) {
                // A workbook customer met for the first time by an import that only adds
                // records: staged from what the index knows (the unstaged codes are the
                // workbook's; the import stages the customers it makes at once).
                entry.staged = next as u32;
                let (id, items) = (entry.id, entry.items as usize);
                self.records.push(None);
                self.had.push(Had::new(id, true, items));
                self.staged.insert(id, next);
            }
            let entry = entry.copied();
            self.found_at = entry.filter(|e| e.staged != NOT_STAGED).map(|e| (e.id, e.staged as usize));
            return Ok(entry.map(|e| e.id));
        }
        for key in keys {
            let found = match key {
                MatchKey::Code => continue,
                MatchKey::Phone => self.cell(row, "phone").map(|(c, t)| (c, self.by_phone.get(&phone_key(t)))),
                MatchKey::Email => self.cell(row, "email").map(|(c, t)| (c, self.by_email.get(&email_key(t)))),
                MatchKey::Name => self.cell(row, "name").map(|(c, t)| (c, self.by_name.get(t.trim()))),
            };
            match found {
                Some((_, Some(ids))) if ids.len() == 1 => return Ok(Some(ids[0])),
                Some((column, Some(ids))) if ids.len() > 1 && *key == MatchKey::Name => {
                    let issue = RowIssue::AmbiguousCustomer(ids.len());
                    return Err(RowProblem { line: row.line, column: Some(column), field: None, issue });
                }
                // Several customers share a phone or email: the first one (lowest number) is meant.
                Some((_, Some(ids))) if !ids.is_empty() => return Ok(ids.iter().min().copied()),
                _ => {}
            }
        }
        Ok(None)
    }

    /// A new internal id and, when the row gave none, a new code in the workbook's format.
    fn new_identity(&mut self, wb: &Workbook, code: Option<&str>) -> (CustomerId, String) {
        let id = self.new_id(wb);
        (id, code.map_or_else(|| self.new_code(), str::to_string))
    }

    /// An internal id no customer has.
    fn new_id(&mut self, wb: &Workbook) -> CustomerId {
        let staged = &self.staged;
        random_customer_id(&mut self.rng, |id| staged.contains_key(&id) || wb.get(id).is_some())
    }

    /// The next code in the workbook's format that nobody has.
    fn new_code(&mut self) -> String {
        loop {
            let candidate = self.settings.code_format.code(self.next_code);
            self.next_code += 1;
            if !self.by_code.contains_key(&candidate) {
                return candidate;
            }
        }
    }

    /// The staged version of a customer's file, taken from the workbook the first time.
    fn stage(&mut self, id: CustomerId, wb: &Workbook) -> &mut CustomerRecord {
        let at = self.stage_at(id, wb);
        self.file_mut(at, wb)
    }

    /// The staged file at `at`; copied from the workbook now if staging did not copy it (no
    /// purchases-only row asks for it, so this is a safety net, not a path taken).
    fn file_mut(&mut self, at: usize, wb: &Workbook) -> &mut CustomerRecord {
        let id = self.had[at].id;
        self.records[at].get_or_insert_with(|| Box::new(wb.get(id).cloned().unwrap_or_default()))
    }

    /// Where a customer's staged file sits in `records` (staged first if need be).
    fn stage_at(&mut self, id: CustomerId, wb: &Workbook) -> usize {
        self.stage_as(id, wb, None)
    }

    /// `stage_at`, with `given` (when there is one) as the customer's staged file.
    fn stage_as(&mut self, id: CustomerId, wb: &Workbook, given: Option<Box<CustomerRecord>>) -> usize {
        let already = self.found_at.filter(|(found, _)| *found == id).map(|(_, at)| at);
        if let Some(at) = already.or_else(|| self.staged.get(&id).copied()) {
            if given.is_some() {
                self.records[at] = given;
            }
            return at;
        }
        let current = wb.get(id);
        if let (Some(r), true) = (current, self.has_row_ids()) {
            for (at, item) in super::columns::related_of_unsorted(r, self.settings.kind).enumerate() {
                self.positions.insert((id, item.id()), at);
            }
        }
        let items = current.map_or(0, |r| related_count(r, self.settings.kind));
        let existed = current.is_some();
        match (self.adds_only, current) {
            (true, Some(_)) => self.records.push(given),
            (true, None) => self.records.push(Some(given.unwrap_or_default())),
            (false, current) => {
                let copy = current.map(|r| Box::new(r.clone()));
                self.records.push(Some(given.unwrap_or_else(|| copy.clone().unwrap_or_default())));
                self.before.push(copy);
            }
        }
        self.had.push(Had::new(id, existed, items));
        let at = self.records.len() - 1;
        self.staged.insert(id, at);
        // Remembered beside the code, so the customer's next row needs no second lookup.
        if let Some(entry) = current.and_then(|r| self.by_code.get_mut(&r.customer.code)) {
            if entry.id == id {
                entry.staged = at as u32;
            }
        }
        at
    }

    /// The staged file at `at` as it was before the import (None: made by the import).
    fn before_of<'a>(&'a self, at: usize, wb: &'a Workbook) -> Option<&'a CustomerRecord> {
        if self.adds_only {
            // Not copied: the workbook's file is the one before.
            self.had[at].existed.then(|| wb.get(self.had[at].id)).flatten()
        } else {
            self.before[at].as_deref()
        }
    }

    /// A customer's staged file, where the import holds one (not for a customer a
    /// purchases-only import adds to: their file is the workbook's).
    fn staged(&self, id: CustomerId) -> Option<&CustomerRecord> {
        self.staged.get(&id).and_then(|&at| self.records[at].as_deref())
    }

    /// Whether the file names its records (then rows update the record with that id).
    fn has_row_ids(&self) -> bool {
        self.row_id_column.is_some()
    }

    /// Sizes what a customers file adds an entry to for each row (codes, staged files, first
    /// lines) for the rows `rows` has left, so 100,000 rows do not regrow the tables as they come.
    pub fn expect_rows(&mut self, rows: &RowReader) {
        if self.settings.kind != Kind::Customers {
            return;
        }
        let rows = rows.lines_left();
        self.by_code.reserve(rows);
        self.staged.reserve(rows);
        self.first_line.reserve(rows);
        self.records.reserve(rows);
        self.before.reserve(rows);
        self.had.reserve(rows);
    }

    /// Takes in up to `count` rows from `rows`; returns how many it took (fewer at the end of
    /// the file). The page calls this between yields to the browser. Never inlined: the row
    /// loop then runs as this crate is built (for speed), not as its size-built caller is.
    #[inline(never)]
    pub fn take_rows(&mut self, rows: &mut RowReader, wb: &Workbook, count: usize) -> usize {
        let mut taken = 0;
        while taken < count {
            let Some(row) = rows.next_row() else { break };
            self.take(row, wb);
            taken += 1;
        }
        taken
    }

    /// Takes in one row of the file.
    pub fn take(&mut self, row: &Row, wb: &Workbook) {
        // Extra cells that are empty (a trailing separator or tab) do not count.
        let extra_empty =
            row.cells.len() > self.width && row.cells.iter().skip(self.width).all(|c| c.trim().is_empty());
        if (row.cells.len() != self.width && !extra_empty) || row.unclosed_quote {
            let issue = if row.unclosed_quote {
                RowIssue::UnclosedQuote { through_line: row.last_line }
            } else {
                RowIssue::CellCount { expected: self.width, found: row.cells.len() }
            };
            self.reject(row, vec![RowProblem { line: row.line, column: None, field: None, issue }]);
            return;
        }
        match self.settings.kind {
            Kind::Customers => self.take_customer(row, wb),
            kind => self.take_related(kind, row, wb),
        }
    }

    fn take_customer(&mut self, row: &Row, wb: &Workbook) {
        // A refused row gives back the code it was to get.
        let next_code = self.next_code;
        let rejected = self.counts.rejected;
        self.take_customer_row(row, wb);
        if self.counts.rejected > rejected {
            self.next_code = next_code;
        }
    }

    fn take_customer_row(&mut self, row: &Row, wb: &Workbook) {
        // Taken out for the lookup and put back: no copy of the list for each row.
        let order = std::mem::take(&mut self.settings.match_order);
        let code = self.code_cell(row);
        let matched = self.find_in(row, code, &order, wb);
        self.settings.match_order = order;
        let matched = match matched {
            Ok(m) => m,
            Err(p) => return self.reject(row, vec![p]),
        };
        if let (None, Some((column, code))) = (matched, code) {
            // Matching is off, yet the code is somebody's: two customers cannot share it.
            if self.by_code.contains_key(code) || !is_valid_code(code) {
                let problem = if is_valid_code(code) { Problem::CodeTaken } else { Problem::TooLong(CODE_MAX_CHARS) };
                let issue = RowIssue::Field(problem);
                return self.reject(row, vec![RowProblem { line: row.line, column: Some(column), field: None, issue }]);
            }
        }
        if let Some(&first_line) = matched.and_then(|id| self.first_line.get(&id)) {
            let issue = RowIssue::DuplicateInFile { first_line };
            return self.reject(row, vec![RowProblem { line: row.line, column: None, field: None, issue }]);
        }
        let existing = matched.and_then(|id| self.staged(id).cloned().or_else(|| wb.get(id).cloned()));
        let defs = self.settings.custom_fields.clone();
        // A customer's form borrows the row's cells: a new customer's text is copied once, into
        // the checked `Customer`.
        let (id, mut form): (CustomerId, CustomerForm<Cow<str>>) = match (matched, &existing) {
            (Some(id), Some(r)) => {
                let code_of = |id: CustomerId| {
                    self.staged(id).or_else(|| wb.get(id)).map(|r| r.customer.code.clone()).unwrap_or_default()
                };
                (id, CustomerForm::from_customer(&r.customer, &defs, &code_of).map_text(Cow::Owned))
            }
            (Some(id), None) => (id, CustomerForm::default()),
            (None, _) => {
                let id = self.new_id(wb);
                let code = match code {
                    Some((_, code)) => Cow::Borrowed(code),
                    None => Cow::Owned(self.new_code()),
                };
                (id, CustomerForm { code, ..Default::default() })
            }
        };
        form.custom = defs
            .iter()
            .map(|d| {
                (
                    d.id.clone(),
                    Cow::Owned(
                        existing.as_ref().and_then(|r| r.customer.custom.get(&d.id).cloned()).unwrap_or_default(),
                    ),
                )
            })
            .collect();
        // Figures carried over from an earlier sheet, as a form: a card's own, or the row's
        // first opening cell's (a new customer in a file without such columns carries none).
        let carried_before = existing.as_ref().map(|r| r.tier.carried_over()).unwrap_or_default();
        let mut opening = existing.is_some().then(|| OpeningForm::from_carried(&carried_before));
        let mut problems = Vec::new();
        let mut tenure_years = None;
        for (column, target) in self.settings.mapping.iter().enumerate() {
            let value = row.cells.get(column).unwrap_or_default().trim();
            // An empty cell never erases what the card already holds.
            if value.is_empty() {
                continue;
            }
            match target {
                Target::Ignore => {}
                Target::Custom(field_id) => {
                    if let Some(slot) = form.custom.iter_mut().find(|(id, _)| id == field_id) {
                        slot.1 = Cow::Borrowed(value);
                    }
                }
                Target::Field("marketing-consent") => match yes_no(value) {
                    Some(yes) => form.marketing_consent = yes,
                    None => problems.push(RowProblem {
                        line: row.line,
                        column: Some(column),
                        field: None,
                        issue: RowIssue::Field(Problem::UnknownChoice),
                    }),
                },
                Target::Field("tenure") => match number_part(value).parse::<f64>() {
                    Ok(years) if years.is_finite() && (0.0..=150.0).contains(&years) => tenure_years = Some(years),
                    _ => problems.push(RowProblem {
                        line: row.line,
                        column: Some(column),
                        field: None,
                        issue: RowIssue::Field(Problem::NotANumber),
                    }),
                },
                Target::Field("opening-tier") => {
                    opening.get_or_insert_with(|| OpeningForm::from_carried(&carried_before)).tier = self.tier_id(value)
                }
                Target::Field(key) => {
                    let value: Cow<str> = match *key {
                        "gender" => choice_code("gender", &["", "female", "male", "other"], GENDER_EXTRA, value).into(),
                        // Sheets write counts with their unit: `10次/年`, `5分`, `1,200 points`.
                        "opening-purchases" | "influence" | "opening-points" => {
                            number_part(value).replace(',', "").into()
                        }
                        _ => Cow::Borrowed(value),
                    };
                    if let Some(slot) = customer_slot(&mut form, key) {
                        *slot = value;
                    } else if let Some(slot) = key
                        .starts_with("opening-")
                        .then(|| opening.get_or_insert_with(|| OpeningForm::from_carried(&carried_before)))
                        .and_then(|opening| opening_slot(opening, key))
                    {
                        *slot = value.into_owned();
                    }
                }
            }
        }
        if let (Some(years), true) = (tenure_years, form.customer_since.trim().is_empty()) {
            form.customer_since = self.settings.today.plus_days(-(years * 365.25).round() as i32).to_string().into();
        }
        if let Some(opening) = &mut opening {
            let has_figures =
                [&opening.spend, &opening.purchases, &opening.points].iter().any(|v| !v.trim().is_empty());
            if has_figures && opening.as_of.trim().is_empty() {
                opening.as_of = self.settings.today.to_string();
            }
        }
        // The referrer may come later in the file: their code is looked up at the end.
        let referrer = std::mem::take(&mut form.referred_by);
        let customer = form.to_customer(id, self.settings.today, &defs, &|_| None);
        let carried = match &opening {
            Some(opening) => opening.to_carried(&self.tier_ids, self.settings.today),
            None => Ok(carried_before),
        };
        for errors in [customer.as_ref().err(), carried.as_ref().err()].into_iter().flatten() {
            problems.extend(self.field_problems(row.line, errors.clone()));
        }
        let (Ok(mut customer), Ok(carried), true) = (customer, carried, problems.is_empty()) else {
            return self.reject(row, problems);
        };
        let today = self.settings.today;
        customer.updated_at = existing.as_ref().map_or(0, |r| r.customer.updated_at);
        let mut record = existing.clone().unwrap_or_default();
        record.customer = customer;
        if record.tier.carried_over() != carried {
            record.tier.carry_over(carried, today);
        }
        self.first_line.insert(id, row.line);
        if let Some(code) = clean_code(&referrer) {
            let column = self.column_of_field("referred-by");
            self.referrers.push((id, code.to_string(), row.line, column));
            record.customer.referred_by = existing.as_ref().and_then(|r| r.customer.referred_by);
        }
        if existing.as_ref() == Some(&record) {
            self.counts.unchanged += 1;
            return;
        }
        match existing {
            Some(_) => self.counts.updated += 1,
            None => self.counts.created += 1,
        }
        self.index(&record.customer, 0);
        if self.preview.len() < PREVIEW_ROWS {
            let cells =
                self.preview_cells(|key, lang, policy| customer_cell(&record, key, lang, policy), &record.customer);
            self.preview.push((row.line, cells));
        }
        // Staged as made: no empty file (or second copy) made first only to be replaced.
        self.stage_as(id, wb, Some(Box::new(record)));
    }

    /// A tier named in a file (its id, or its name in either language, also shortened as
    /// sheets do: `金牌` for `金牌客户`), as the policy's id.
    fn tier_id(&self, value: &str) -> String {
        let v = value.trim();
        let tiers = &self.settings.policy.tiers;
        let names = |t: &super::tiers::TierDef| [Lang::Zh, Lang::En].map(|l| t.name(l).to_lowercase());
        let exact = tiers.iter().find(|t| t.id == v || names(t).contains(&v.to_lowercase()));
        let prefix: Vec<_> = tiers
            .iter()
            .filter(|t| v.chars().count() >= 2 && names(t).iter().any(|n| n.starts_with(&v.to_lowercase())))
            .collect();
        let only_prefix = if prefix.len() == 1 { prefix.first().copied() } else { None };
        exact.or(only_prefix).map_or_else(|| v.to_string(), |t| t.id.clone())
    }

    fn preview_cells(&self, cell: impl Fn(&str, Lang, &TierPolicy) -> String, customer: &Customer) -> Vec<String> {
        self.settings
            .mapping
            .iter()
            .map(|t| match t {
                Target::Ignore => String::new(),
                Target::Field(key) => cell(key, Lang::Zh, &self.settings.policy),
                Target::Custom(id) => customer.custom.get(id).cloned().unwrap_or_default(),
            })
            .collect()
    }

    /// The customer a related row belongs to: by code (created if asked and unknown), else by
    /// phone or a unique name. Ok(None): the row names no customer at all.
    fn owner_of(&mut self, row: &Row, wb: &Workbook) -> Result<Option<CustomerId>, RowProblem> {
        let code = self.code_cell(row);
        if let Some(found) = self.find_in(row, code, &[MatchKey::Code, MatchKey::Phone, MatchKey::Name], wb)? {
            return Ok(Some(found));
        }
        let Some((column, code)) = code else {
            let named = ["phone", "name"].iter().find_map(|k| self.cell(row, k).filter(|(_, t)| !t.trim().is_empty()));
            return match named {
                Some((column, _)) => {
                    Err(RowProblem { line: row.line, column: Some(column), field: None, issue: RowIssue::NoCustomer })
                }
                None => Ok(None),
            };
        };
        if !self.settings.create_customers || !is_valid_code(code) {
            return Err(RowProblem { line: row.line, column: Some(column), field: None, issue: RowIssue::NoCustomer });
        }
        let code = code.to_string();
        let name = self.cell(row, "name").and_then(|(_, t)| clean_code(t)).unwrap_or(&code).to_string();
        let phone = self.cell(row, "phone").map(|(_, t)| t.trim().to_string()).filter(|p| is_valid_phone(p));
        let (id, code) = self.new_identity(wb, Some(&code));
        let customer = Customer { id, code, name, phone: phone.unwrap_or_default(), ..Default::default() };
        let record = CustomerRecord { customer, ..Default::default() };
        // Staged first, so the code's entry knows where the file sits.
        let customer = record.customer.clone();
        *self.stage(id, wb) = record;
        self.index(&customer, 0);
        self.counts.customers_created += 1;
        Ok(Some(id))
    }

    fn take_related(&mut self, kind: Kind, row: &Row, wb: &Workbook) {
        let owner = match self.owner_of(row, wb) {
            Ok(Some(id)) => id,
            Ok(None) => {
                self.counts.no_customer += 1;
                if self.no_customer_lines.len() < PREVIEW_ROWS * 10 {
                    self.no_customer_lines.push(row.line);
                }
                return;
            }
            Err(p) => return self.reject(row, vec![p]),
        };
        if kind == Kind::Purchases {
            return self.take_purchase_line(owner, row, wb);
        }
        let row_id = self.row_id(row);
        let id = row_id.unwrap_or_else(|| self.rng.u64(1..9_000_000_000_000_000));
        let value = |key: &str| self.cell(row, key).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
        let checked: Result<Related, Vec<FieldError>> = match kind {
            Kind::Purchases => unreachable!("purchases are read line by line"),
            Kind::Feedback => {
                let handled = yes_no(&value("handled"));
                let form = FeedbackForm {
                    date: value("date"),
                    score: value("score"),
                    nps: value("nps"),
                    comment: value("comment"),
                    channel: value("channel"),
                    product: value("product"),
                    handled: handled.unwrap_or(false),
                };
                match (form.to_feedback(id), handled) {
                    (Ok(f), Some(_)) => Ok(Related::Feedback(f)),
                    (result, handled) => {
                        let mut errors = result.err().unwrap_or_default();
                        if handled.is_none() {
                            errors.push(FieldError { field: "handled".into(), problem: Problem::UnknownChoice });
                        }
                        Err(errors)
                    }
                }
            }
            Kind::Interactions => InteractionForm {
                date: value("date"),
                kind: choice_code("kind", &INTERACTION_KINDS, &[], &value("kind")),
                summary: value("summary"),
                status: value("status"),
                staff: value("staff"),
                follow_up: value("follow-up"),
            }
            .to_interaction(id)
            .map(Related::Interaction),
            Kind::Campaigns | Kind::Customers => CampaignForm {
                campaign: value("campaign"),
                date: value("date"),
                response: choice_code("response", &["invited", "joined", "redeemed"], &[], &value("response")),
                result: value("result"),
            }
            .to_entry(id)
            .map(Related::Campaign),
        };
        match checked {
            Ok(item) => self.store_related(owner, kind, row, item, row_id, wb),
            Err(errors) => {
                let problems = self.field_problems(row.line, errors);
                self.reject(row, problems)
            }
        }
    }

    /// The row's record id, when the file names its records.
    fn row_id(&self, row: &Row) -> Option<u64> {
        let column = self.row_id_column?;
        row.cells.get(column).and_then(|t| t.trim().parse::<u64>().ok()).filter(|id| *id > 0)
    }

    /// One line of a purchases file: a purchase of its own, a further line of an order begun on
    /// an earlier line, or a return.
    fn take_purchase_line(&mut self, owner: CustomerId, row: &Row, wb: &Workbook) {
        let cell = |key: PurchaseKey| self.purchase_columns[key as usize].and_then(|c| row.cells.get(c)).unwrap_or("");
        let input = PurchaseInput {
            date: cell(PurchaseKey::Date),
            product: cell(PurchaseKey::Product),
            category: cell(PurchaseKey::Category),
            quantity: cell(PurchaseKey::Quantity),
            amount: cell(PurchaseKey::Amount),
            payment: cell(PurchaseKey::Payment),
            channel: cell(PurchaseKey::Channel),
        };
        let line =
            match input.to_line(cell(PurchaseKey::UnitPrice), cell(PurchaseKey::OrderNo), cell(PurchaseKey::Status)) {
                Ok(line) => line,
                Err(errors) => {
                    let problems = self.field_problems(row.line, errors);
                    return self.reject(row, problems);
                }
            };
        if line.is_return {
            if self.settings.skip_returns {
                self.counts.returns_skipped += 1;
                return;
            }
            self.counts.returns += 1;
        }
        let row_id = self.row_id(row);
        let id = row_id.unwrap_or_else(|| self.rng.u64(1..9_000_000_000_000_000));
        let order_no = line.purchase.order_no.clone();
        if order_no.is_empty() {
            let purchase = line.purchase.with_id(id);
            if self.adds_only {
                let at = self.stage_at(owner, wb);
                if self.had[at].items == 0 {
                    // Nothing there before that this could be a second import of.
                    self.add_purchase(owner, at, purchase, row.line, wb);
                    return;
                }
            }
            return self.store_related(owner, Kind::Purchases, row, Related::Purchase(purchase), row_id, wb);
        }
        // An order already in the workbook before this import is the same file imported again.
        let at = self.stage_at(owner, wb);
        if self.had[at].items > 0 {
            if self.had[at].seen().order_numbers.is_none() {
                let numbers = self.before_of(at, wb).map(|r| r.purchases.iter().map(|p| p.order_no.clone()).collect());
                self.had[at].seen().order_numbers = Some(numbers.unwrap_or_default());
            }
            if self.had[at].seen().order_numbers.as_ref().is_some_and(|numbers| numbers.contains(&order_no)) {
                self.counts.unchanged += 1;
                return;
            }
        }
        let key = (owner, order_no);
        let found = self.orders.get(&key).copied();
        match found {
            Some(added) => {
                self.added_purchases.get_mut(added).add_line(line.purchase);
                self.counts.lines_merged += 1;
            }
            None => {
                let added = self.add_purchase(owner, at, line.purchase.with_id(id), row.line, wb);
                self.orders.insert(key, added);
            }
        }
    }

    /// Adds a new purchase for the staged file at `at` (handed out at `finish`); returns its
    /// place among the added purchases.
    fn add_purchase(
        &mut self,
        owner: CustomerId,
        at: usize,
        mut purchase: Purchase,
        line: u64,
        wb: &Workbook,
    ) -> usize {
        purchase.updated_at = self.settings.now;
        // Copied only while the preview still takes rows.
        let shown = (self.preview.len() < PREVIEW_ROWS).then(|| purchase.clone());
        let added = self.added_purchases.push(at, purchase);
        self.had[at].added += 1;
        self.counts.created += 1;
        if let Some(purchase) = shown {
            self.preview_related(owner, line, Related::Purchase(purchase), wb);
        }
        added
    }

    fn preview_related(&mut self, owner: CustomerId, line: u64, item: Related, wb: &Workbook) {
        if self.preview.len() < PREVIEW_ROWS {
            let owner_customer =
                self.staged(owner).or_else(|| wb.get(owner)).map(|r| r.customer.clone()).unwrap_or_default();
            let cells =
                self.preview_cells(|key, lang, _| related_cell(&owner_customer, &item, key, lang), &owner_customer);
            self.preview.push((line, cells));
        }
    }

    /// Adds a checked record to its customer's staged file, unless it is already there.
    fn store_related(
        &mut self,
        owner: CustomerId,
        kind: Kind,
        row: &Row,
        mut item: Related,
        row_id: Option<u64>,
        wb: &Workbook,
    ) {
        let now = self.settings.now;
        // Without record ids, a row already there before the import exactly (same day,
        // product, amount…) is the same record imported twice.
        let at = self.stage_at(owner, wb);
        let already_there = row_id.is_none() && self.had[at].items > 0 && {
            if self.had[at].seen().contents.is_none() {
                let seen = self
                    .before_of(at, wb)
                    .map(|r| super::columns::related_of_unsorted(r, kind).map(|item| content_hash(&item)).collect());
                self.had[at].seen().contents = Some(seen.unwrap_or_default());
            }
            self.had[at].seen().contents.as_ref().is_some_and(|seen| seen.contains(&content_hash(&item)))
        };
        let same_id = if self.has_row_ids() { self.positions.get(&(owner, item.id())).copied() } else { None };
        let track_positions = self.has_row_ids();
        // The record is copied for the preview only while the preview still takes rows.
        let previewing = self.preview.len() < PREVIEW_ROWS;
        let shown = |item: &Related| previewing.then(|| item.clone());
        let mut preview = None;
        let outcome = match same_id {
            Some(pos) if same_content(&get_related(self.file_mut(at, wb), kind, pos), &item) => Outcome::Unchanged,
            Some(pos) => {
                set_updated_at(&mut item, now);
                preview = shown(&item);
                replace_related(self.file_mut(at, wb), pos, item);
                Outcome::Updated
            }
            // Without record ids, a row already there exactly (same day, product, amount…)
            // is the same record imported twice.
            None if already_there => Outcome::Unchanged,
            None => {
                set_updated_at(&mut item, now);
                preview = shown(&item);
                let id = item.id();
                match item {
                    // Handed out at `finish` (unless rows may name it by position).
                    Related::Purchase(purchase) if self.adds_only => {
                        self.added_purchases.push(at, purchase);
                        self.had[at].added += 1;
                    }
                    item if self.adds_only => {
                        self.added_others.push((at as u32, item));
                        self.had[at].added += 1;
                    }
                    item => push_related(self.file_mut(at, wb), item),
                }
                if track_positions {
                    let pos = related_count(self.file_mut(at, wb), kind) - 1;
                    self.positions.insert((owner, id), pos);
                }
                Outcome::Created
            }
        };
        match outcome {
            Outcome::Unchanged => self.counts.unchanged += 1,
            Outcome::Updated => self.counts.updated += 1,
            Outcome::Created => self.counts.created += 1,
        }
        if let Some(item) = preview {
            self.preview_related(owner, row.line, item, wb);
        }
    }

    /// The purchases this import adds, by staged customer (aligned with `records`), in file
    /// order, each list sized once to its final length.
    fn hand_out_purchases(&mut self) -> Vec<Vec<Purchase>> {
        let had = &self.had;
        std::mem::take(&mut self.added_purchases).hand_out(|at| had[at].added as usize, self.records.len())
    }

    /// How far the rows taken so far got: (created, updated, skipped).
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    pub fn finish(mut self) -> ImportPlan {
        for (id, code, line, column) in std::mem::take(&mut self.referrers) {
            match self.by_code.get(&code).map(|e| e.id).filter(|r| *r != id) {
                Some(referrer) => {
                    if let Some(record) = self.staged.get(&id).and_then(|&at| self.records[at].as_mut()) {
                        record.customer.referred_by = Some(referrer);
                    }
                }
                None => self.problems.push(RowProblem {
                    line,
                    column,
                    field: column.is_none().then(|| "referred-by".to_string()),
                    issue: RowIssue::Field(Problem::UnknownCustomer),
                }),
            }
        }
        let mut lists = self.hand_out_purchases();
        let mut other_lists: Vec<Vec<Related>> = std::iter::repeat_with(Vec::new).take(self.records.len()).collect();
        for (at, item) in std::mem::take(&mut self.added_others) {
            other_lists[at as usize].push(item);
        }
        // Customers whose file came out exactly as it was are left alone (one that was handed
        // purchases has changed: no need to compare).
        let mut existed_before = Vec::with_capacity(self.staged.len());
        let mut records = Vec::with_capacity(self.staged.len());
        let mut added = Vec::new();
        let mut added_others = Vec::new();
        let mut put = Vec::new();
        // Sorted by number (ids only: the records are large to move around).
        let mut order: Vec<(CustomerId, usize)> = self.staged.into_iter().collect();
        order.sort_unstable();
        for (id, at) in order {
            let had = &self.had[at];
            let purchases = std::mem::take(&mut lists[at]);
            let others = std::mem::take(&mut other_lists[at]);
            let Some(mut record) = self.records[at].take() else {
                // A file not copied: only the records added to it are sent.
                if !purchases.is_empty() || !others.is_empty() {
                    existed_before.push((id, had.existed));
                }
                if !purchases.is_empty() {
                    added.push((id, purchases));
                }
                if !others.is_empty() {
                    added_others.push((id, others));
                }
                continue;
            };
            let changed = had.added > 0
                || if self.adds_only {
                    // Nothing but purchases is added to a file; one the import made is new.
                    !had.existed
                } else {
                    self.before[at].as_deref() != Some(&*record)
                };
            if record.purchases.is_empty() {
                record.purchases = purchases;
            } else {
                record.purchases.extend(purchases);
            }
            for item in others {
                push_related(&mut record, item);
            }
            if !changed {
                continue;
            }
            existed_before.push((id, had.existed));
            let before = if self.adds_only { None } else { self.before[at].as_deref() };
            match before {
                // A file with record ids edits and adds records only, never the card: only
                // those go out.
                Some(before) if self.settings.kind != Kind::Customers => {
                    put.push((id, changed_records(before, &record, self.settings.kind)));
                }
                _ => records.push(record),
            }
        }
        ImportPlan {
            records,
            added,
            added_others,
            put,
            existed_before,
            problems: self.problems,
            rejected: self.rejected,
            counts: self.counts,
            preview: self.preview,
            no_customer_lines: self.no_customer_lines,
            cards_edited: self.settings.kind == Kind::Customers,
        }
    }
}

/// The fields of a purchase line, in the order of `PURCHASE_KEYS`.
#[derive(Clone, Copy)]
enum PurchaseKey {
    Date,
    Product,
    Category,
    Quantity,
    Amount,
    Payment,
    Channel,
    UnitPrice,
    OrderNo,
    Status,
}

const PURCHASE_KEYS: [&str; 10] =
    ["date", "product", "category", "quantity", "amount", "payment", "channel", "unit-price", "order-no", "status"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// The number a cell starts with, without the unit written after it (`10次/年` → `10`,
/// `3年` → `3`, `5分` → `5`); the cell as it is when it does not start with a number.
fn number_part(value: &str) -> &str {
    let value = value.trim();
    let end = value.find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))).unwrap_or(value.len());
    if end == 0 {
        value
    } else {
        value[..end].trim_end_matches([',', '.'])
    }
}

const GENDER_EXTRA: &[(&str, &str)] =
    &[("f", "female"), ("m", "male"), ("女性", "female"), ("男性", "male"), ("woman", "female"), ("man", "male")];
const INTERACTION_KINDS: [&str; 7] = ["call", "email", "wechat", "visit", "consultation", "complaint", "after-sales"];

/// The `'static` key of the columns table equal to `key` (mapping targets hold those).
fn columns_key(key: &str) -> &'static str {
    Kind::ALL.iter().flat_map(|k| columns(*k).iter()).find(|c| c.key == key).map_or("", |c| c.key)
}

fn customer_slot<'f, 'r>(form: &'f mut CustomerForm<Cow<'r, str>>, key: &str) -> Option<&'f mut Cow<'r, str>> {
    Some(match key {
        "name" => &mut form.name,
        "gender" => &mut form.gender,
        "birthday" => &mut form.birthday,
        "occupation" => &mut form.occupation,
        "phone" => &mut form.phone,
        "email" => &mut form.email,
        "wechat" => &mut form.wechat,
        "city" => &mut form.city,
        "address" => &mut form.address,
        "hobbies" => &mut form.hobbies,
        "special-needs" => &mut form.special_needs,
        "tags" => &mut form.tags,
        "notes" => &mut form.notes,
        "customer-since" => &mut form.customer_since,
        "source" => &mut form.source,
        "referred-by" => &mut form.referred_by,
        "account-manager" => &mut form.account_manager,
        "influence" => &mut form.influence,
        "consent-date" => &mut form.consent_date,
        "consent-source" => &mut form.consent_source,
        _ => return None,
    })
}

fn opening_slot<'f>(opening: &'f mut OpeningForm, key: &str) -> Option<&'f mut String> {
    Some(match key {
        "opening-as-of" => &mut opening.as_of,
        "opening-spend" => &mut opening.spend,
        "opening-purchases" => &mut opening.purchases,
        "opening-points" => &mut opening.points,
        "opening-last-review" => &mut opening.last_review,
        "opening-next-review" => &mut opening.next_review,
        _ => return None,
    })
}

pub(super) fn related_position(record: &CustomerRecord, item: &Related) -> Option<usize> {
    let id = item.id();
    match item {
        Related::Purchase(_) => record.purchases.iter().position(|r| r.id == id),
        Related::Feedback(_) => record.feedback.iter().position(|r| r.id == id),
        Related::Interaction(_) => record.interactions.iter().position(|r| r.id == id),
        Related::Campaign(_) => record.campaigns.iter().position(|r| r.id == id),
    }
}

pub(super) fn get_related(record: &CustomerRecord, kind: Kind, at: usize) -> Related {
    match kind {
        Kind::Purchases => Related::Purchase(record.purchases[at].clone()),
        Kind::Feedback => Related::Feedback(record.feedback[at].clone()),
        Kind::Interactions => Related::Interaction(record.interactions[at].clone()),
        Kind::Campaigns | Kind::Customers => Related::Campaign(record.campaigns[at].clone()),
    }
}

/// The records of `kind` in `after` that `before` does not hold exactly (changed or new).
fn changed_records(before: &CustomerRecord, after: &CustomerRecord, kind: Kind) -> Vec<Related> {
    let old: HashMap<u64, Related> = super::columns::related_of_unsorted(before, kind).map(|r| (r.id(), r)).collect();
    super::columns::related_of_unsorted(after, kind).filter(|r| old.get(&r.id()) != Some(r)).collect()
}

pub(super) fn replace_related(record: &mut CustomerRecord, at: usize, item: Related) {
    match item {
        Related::Purchase(r) => record.purchases[at] = r,
        Related::Feedback(r) => record.feedback[at] = r,
        Related::Interaction(r) => record.interactions[at] = r,
        Related::Campaign(r) => record.campaigns[at] = r,
    }
}

pub(super) fn push_related(record: &mut CustomerRecord, item: Related) {
    match item {
        Related::Purchase(r) => record.purchases.push(r),
        Related::Feedback(r) => record.feedback.push(r),
        Related::Interaction(r) => record.interactions.push(r),
        Related::Campaign(r) => record.campaigns.push(r),
    }
}

fn set_updated_at(item: &mut Related, now: i64) {
    match item {
        Related::Purchase(r) => r.updated_at = now,
        Related::Feedback(r) => r.updated_at = now,
        Related::Interaction(r) => r.updated_at = now,
        Related::Campaign(r) => r.updated_at = now,
    }
}

/// Equal apart from the id and the time of the last change.
fn same_content(a: &Related, b: &Related) -> bool {
    match (a, b) {
        (Related::Purchase(a), Related::Purchase(b)) => {
            Purchase { id: a.id, updated_at: a.updated_at, ..b.clone() } == *a
        }
        (Related::Feedback(a), Related::Feedback(b)) => {
            Feedback { id: a.id, updated_at: a.updated_at, ..b.clone() } == *a
        }
        (Related::Interaction(a), Related::Interaction(b)) => {
            Interaction { id: a.id, updated_at: a.updated_at, ..b.clone() } == *a
        }
        (Related::Campaign(a), Related::Campaign(b)) => {
            CampaignEntry { id: a.id, updated_at: a.updated_at, ..b.clone() } == *a
        }
        _ => false,
    }
}

/// A fingerprint of a record's content, leaving out its id and time of change.
fn content_hash(item: &Related) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    match item {
        Related::Purchase(p) => {
            (p.date, &p.product, &p.category, p.quantity.to_bits(), p.amount_cents, &p.payment, &p.channel).hash(&mut h)
        }
        Related::Feedback(f) => (f.date, f.score, f.nps, &f.comment, &f.channel, &f.product, f.handled).hash(&mut h),
        Related::Interaction(i) => (i.date, i.kind.code(), &i.summary, &i.status, &i.staff, i.follow_up).hash(&mut h),
        Related::Campaign(c) => (&c.campaign, c.date, c.response.code(), &c.result).hash(&mut h),
    }
    h.finish()
}

fn related_count(record: &CustomerRecord, kind: Kind) -> usize {
    match kind {
        Kind::Purchases => record.purchases.len(),
        Kind::Feedback => record.feedback.len(),
        Kind::Interactions => record.interactions.len(),
        Kind::Campaigns | Kind::Customers => record.campaigns.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::columns::auto_map;
    use crate::domain::tiers::preset;
    use std::collections::BTreeMap;

    fn today() -> Day {
        Day::parse_iso("2026-11-24").unwrap()
    }

    fn settings(kind: Kind, mapping: Vec<Target>) -> ImportSettings {
        ImportSettings::new(kind, mapping, preset("stars").unwrap(), today(), 1_000)
    }

    fn plan(kind: Kind, text: &str, wb: &Workbook) -> ImportPlan {
        let (mut rows, header) = RowReader::new(text, b',', 1).unwrap();
        let mapping = auto_map(kind, &header, &[]);
        let mut importer = Importer::new(settings(kind, mapping), wb, header.len());
        importer.expect_rows(&rows);
        // In batches of 3, as the page takes them in slices: a batch boundary must not lose or
        // repeat a row.
        while importer.take_rows(&mut rows, wb, 3) == 3 {}
        importer.finish()
    }

    /// The files as writing the plan leaves them (in number order), through the workbook's
    /// own apply: a file the import copied, or the stored one with the purchases it adds.
    fn written(mut plan: ImportPlan, wb: &Workbook) -> Vec<CustomerRecord> {
        let mut after = wb.clone();
        after.apply_all(plan.take_changes(), 2_000).unwrap();
        plan.existed_before.iter().map(|(id, _)| after.get(*id).unwrap().clone()).collect()
    }

    fn workbook_with(records: Vec<CustomerRecord>) -> Workbook {
        let mut wb = Workbook::default();
        wb.insert_records(records);
        wb
    }

    fn customer(id: u64, name: &str, phone: &str, email: &str) -> CustomerRecord {
        let customer = Customer {
            id,
            code: id.to_string(),
            name: name.into(),
            phone: phone.into(),
            email: email.into(),
            updated_at: 5,
            ..Default::default()
        };
        CustomerRecord { customer, ..Default::default() }
    }

    #[test]
    fn a_purchases_import_names_the_files_it_changes_and_sends_only_the_purchases_it_adds() {
        // Ann has a purchase already, Bob none, Cy gets nothing from this file.
        let ann = customer(3, "Ann", "", "");
        let first = workbook_with(vec![ann.clone()]);
        let ann =
            written(plan(Kind::Purchases, "customer_id,date,product,amount\n3,2026-01-04,cake,5\n", &first), &first)
                .remove(0);
        let wb = workbook_with(vec![ann.clone(), customer(4, "Bob", "", ""), customer(5, "Cy", "", "")]);
        let text = "customer_id,date,product,amount\n3,2026-01-05,tea,10\n4,2026-01-05,tea,10\n3,2026-01-04,cake,5\n";
        let plan = plan(Kind::Purchases, text, &wb);
        assert_eq!(plan.counts, Counts { created: 2, unchanged: 1, ..Default::default() });
        assert_eq!(plan.existed_before, vec![(3, true), (4, true)]);
        assert!(plan.records.is_empty(), "no file copied");
        let sent: Vec<(u64, Vec<String>)> =
            plan.added.iter().map(|(id, list)| (*id, list.iter().map(|p| p.product.to_string()).collect())).collect();
        assert_eq!(sent, [(3, vec!["tea".to_string()]), (4, vec!["tea".to_string()])]);
        let products = |r: &CustomerRecord| r.purchases.iter().map(|p| p.product.to_string()).collect::<Vec<_>>();
        let files = written(plan, &wb);
        assert_eq!(files.iter().map(products).collect::<Vec<_>>(), vec![vec!["cake", "tea"], vec!["tea"]]);
        assert_eq!(files[0].customer.name, ann.customer.name);
    }

    #[test]
    fn a_spreadsheet_with_opening_figures_becomes_customers_with_balances() {
        let text = "客户名称,联系方式,消费金额,购买频次,使用年限,影响力评分,当前等级,上次评级日期,下一次评级日期\n\
                    张伟,13800001111,\"￥10,000\",12,3,4,金牌,2026/6/30,2026年12月31日\n";
        let plan = plan(Kind::Customers, text, &Workbook::default());
        assert_eq!(plan.problems, vec![]);
        assert_eq!(plan.counts, Counts { created: 1, ..Default::default() });
        let r = &plan.records[0];
        assert_eq!((r.customer.code.as_str(), r.customer.name.as_str(), r.customer.influence), ("C00001", "张伟", 4));
        assert!(r.customer.id >= 1 << 32, "a new customer's internal id is random, not the code");
        let opening = r.tier.opening.as_ref().unwrap();
        assert_eq!((opening.spend_cents, opening.purchases, opening.as_of), (1_000_000, 12, today()));
        assert_eq!(r.customer.customer_since, Some(today().plus_days(-1096)));
        assert_eq!(r.tier.tier.as_deref(), Some("gold-card"));
        assert_eq!(r.tier.last_review, Day::from_ymd(2026, 6, 30));
        assert_eq!(r.tier.next_review, Day::from_ymd(2026, 12, 31));
        assert_eq!(plan.existed_before, vec![(r.customer.id, false)]);
        assert_eq!(plan.preview[0].0, 2);
        assert_eq!(plan.preview[0].1[0], "张伟");
        assert_eq!(plan.preview[0].1[2], "10000.00");
    }

    #[test]
    fn rows_match_by_id_then_phone_then_email_and_update_instead_of_duplicating() {
        let wb =
            workbook_with(vec![customer(3, "Ann", "138 0000 1111", "ann@x.cn"), customer(9, "Bob", "", "bob@x.cn")]);
        let text = "customer_id,name,phone,email,city\n\
                    3,Ann,,,Paris\n\
                    ,Bob B.,,BOB@x.cn,Rome\n\
                    ,Ann,+86 13800001111,,Lyon\n\
                    ,Cy,139,,Oslo\n\
                    ,Dee,13900002222,,Oslo\n\
                    ,Dee again,13900002222,,Oslo\n";
        let plan = plan(Kind::Customers, text, &wb);
        assert_eq!(plan.counts, Counts { created: 1, updated: 2, unchanged: 0, rejected: 3, ..Default::default() });
        let issues: Vec<(u64, &RowIssue)> = plan.problems.iter().map(|p| (p.line, &p.issue)).collect();
        assert_eq!(
            issues,
            [
                (4, &RowIssue::DuplicateInFile { first_line: 2 }),
                (5, &RowIssue::Field(Problem::InvalidPhone)),
                (7, &RowIssue::DuplicateInFile { first_line: 6 }),
            ]
        );
        assert_eq!(plan.problems[1].column, Some(2));
        let by_id: BTreeMap<u64, &CustomerRecord> = plan.records.iter().map(|r| (r.customer.id, &**r)).collect();
        assert_eq!(by_id[&3].customer.city, "Paris");
        assert_eq!(by_id[&3].customer.email, "ann@x.cn", "an empty cell keeps what the card holds");
        assert_eq!((by_id[&9].customer.name.as_str(), by_id[&9].customer.city.as_str()), ("Bob B.", "Rome"));
        let dee = plan.records.iter().find(|r| r.customer.name == "Dee").unwrap();
        assert_eq!(dee.customer.code, "C00001", "a new customer without a code gets the next free one");
        assert_eq!(plan.rejected.iter().map(|r| r.line).collect::<Vec<_>>(), [4, 5, 7]);
    }

    #[test]
    fn the_seed_sheet_with_units_in_its_cells_imports_as_written() {
        let text = "客户名称 | 联系方式 | 消费金额 | 购买频次 | 使用年限 | 影响力评分 | 当前等级 | 上次评级日期 | 下一次评级日期 |\n\
                    ---|---|---|---|---|---|---|---|---|\n\
                    李四 | 13912345678 | ¥30,000 | 10次/年 | 3年 | 5分 | 铂金 | 2023-06-01 | 2024-06-01 |\n";
        let (line, delimiter) = crate::domain::columns::locate_header(text);
        let (mut rows, header) = RowReader::new(text, delimiter, line).unwrap();
        assert_eq!(header.len(), 9, "the empty last column is no column");
        let wb = Workbook::default();
        let mut s = settings(Kind::Customers, auto_map(Kind::Customers, &header, &[]));
        s.policy = preset("metals").unwrap();
        let mut importer = Importer::new(s, &wb, header.len());
        while let Some(row) = rows.next_row() {
            importer.take(row, &wb);
        }
        let plan = importer.finish();
        assert_eq!(plan.problems, vec![]);
        let r = &plan.records[0];
        assert_eq!((r.spend_to_date_cents(), r.purchase_count_to_date(), r.customer.influence), (3_000_000, 10, 5));
        assert_eq!(r.tier.next_review, Day::from_ymd(2024, 6, 1));
        assert_eq!(number_part("1,200 points"), "1,200");
        assert_eq!(number_part("abc"), "abc");
    }

    #[test]
    fn a_row_without_a_code_finds_customers_the_file_made_earlier_by_phone_and_name() {
        // Rows with codes are matched by code alone (no phone index is built for them); the
        // first row without one must still see every customer staged before it.
        let wb = workbook_with(vec![customer(3, "Ann", "13800001111", "")]);
        let text = "客户编号,姓名,电话\nC1,Bo,13900002222\n,Bob,13900002222\n,Ann B,13800001111\n";
        let plan = plan(Kind::Customers, text, &wb);
        assert_eq!(plan.problems.len(), 1, "{:?}", plan.problems);
        assert_eq!(plan.problems[0].issue, RowIssue::DuplicateInFile { first_line: 2 });
        assert_eq!(plan.counts.created, 1);
        assert_eq!(plan.counts.updated, 1);
        let names: Vec<&str> = plan.records.iter().map(|r| r.customer.name.as_str()).collect();
        assert!(names.contains(&"Ann B") && names.contains(&"Bo"), "{names:?}");

        let purchases = "姓名,日期,金额\nBo,2024-01-02,10\n";
        let mut after = wb.clone();
        after.insert_records(plan.records.into_iter().map(|r| *r).collect());
        let plan = super::tests::plan(Kind::Purchases, purchases, &after);
        assert_eq!(plan.counts.created, 1, "{:?}", plan.problems);
        assert_eq!(written(plan, &after)[0].customer.code, "C1");
    }

    #[test]
    fn matching_can_be_turned_off_but_a_code_is_never_shared() {
        let wb = workbook_with(vec![customer(3, "Ann", "13800001111", "")]);
        let (mut rows, header) = RowReader::new("客户编号,姓名,电话\n50,Ann,13800001111\n3,Ann,\n", b',', 1).unwrap();
        let mut s = settings(Kind::Customers, auto_map(Kind::Customers, &header, &[]));
        s.match_order.clear();
        let mut importer = Importer::new(s, &wb, 3);
        while let Some(row) = rows.next_row() {
            importer.take(row, &wb);
        }
        let plan = importer.finish();
        assert_eq!(plan.records.iter().map(|r| r.customer.code.as_str()).collect::<Vec<_>>(), ["50"]);
        assert_eq!(plan.counts.created, 1);
        assert_eq!(plan.problems[0].issue, RowIssue::Field(Problem::CodeTaken));
    }

    #[test]
    fn codes_with_letters_match_by_code_only_and_a_shared_phone_stays_two_customers() {
        let mut ann = customer(3, "Ann", "13800001111", "");
        ann.customer.code = "VIP-0012".into();
        let wb = workbook_with(vec![ann]);
        let text = "customer_id,name,phone,city\n\
                    VIP-0012,Ann,13800001111,Paris\n\
                    C00004,Bo,13800001111,Rome\n\
                    P000123,Cy,13800001111,Oslo\n\
                    ,Di,13800001111,Lyon\n";
        let plan = plan(Kind::Customers, text, &wb);
        // Di has no code: her phone finds Ann, whom line 2 already updated.
        assert_eq!(
            plan.problems.iter().map(|p| &p.issue).collect::<Vec<_>>(),
            [&RowIssue::DuplicateInFile { first_line: 2 }]
        );
        assert_eq!((plan.counts.created, plan.counts.updated), (2, 1));
        let codes: Vec<&str> = plan.records.iter().map(|r| r.customer.code.as_str()).collect();
        assert!(codes.contains(&"C00004") && codes.contains(&"P000123") && codes.contains(&"VIP-0012"), "{codes:?}");
        let ann = plan.records.iter().find(|r| r.customer.code == "VIP-0012").unwrap();
        assert_eq!((ann.customer.id, ann.customer.city.as_str()), (3, "Paris"));
    }

    const SALES: &str = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n\
        536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom\n\
        536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850,United Kingdom\n\
        536366,22633,HAND WARMER,12,12/1/2010 8:28,1.85,17850,United Kingdom\n\
        536367,84879,ASSORTED BIRD,32,12/1/2010 8:34,1.69,C13047,France\n\
        C536379,D,Discount,-1,12/1/2010 9:41,27.50,17850,United Kingdom\n\
        536414,22139,RETROSPOT TEA SET,56,12/1/2010 11:52,0,,United Kingdom\n";

    #[test]
    fn a_sales_export_becomes_orders_with_returns_and_creates_its_customers() {
        let wb = Workbook::default();
        let (mut rows, header) = RowReader::new(SALES, b',', 1).unwrap();
        let mapping = auto_map(Kind::Purchases, &header, &[]);
        let f = Target::Field;
        assert_eq!(
            mapping,
            [
                f("order-no"),
                Target::Ignore,
                f("product"),
                f("quantity"),
                f("date"),
                f("unit-price"),
                f("customer-id"),
                f("channel")
            ]
        );
        let mut s = settings(Kind::Purchases, mapping);
        s.create_customers = true;
        let mut importer = Importer::new(s, &wb, header.len());
        while let Some(row) = rows.next_row() {
            importer.take(row, &wb);
        }
        let plan = importer.finish();
        assert_eq!(plan.problems, vec![]);
        assert_eq!(plan.counts.customers_created, 2);
        assert_eq!((plan.counts.created, plan.counts.lines_merged, plan.counts.returns), (4, 1, 1));
        assert_eq!((plan.counts.no_customer, plan.no_customer_lines.clone()), (1, vec![7]));
        let first = plan.records.iter().find(|r| r.customer.code == "17850").unwrap();
        assert_eq!(first.customer.name, "17850", "named by code when the file has no names");
        // 6 × 2.55 + 6 × 3.39 + 12 × 1.85 − 27.50
        assert_eq!(first.spend_to_date_cents(), 1_530 + 2_034 + 2_220 - 2_750);
        assert_eq!(first.purchase_count_to_date(), 2, "two invoices; the credit note is a return");
        let order = first.purchases.iter().find(|p| p.order_no == "536365").unwrap();
        assert_eq!((order.items.len(), order.amount_cents, order.quantity), (2, 3_564, 12.0));
        assert_eq!(order.date, Day::from_ymd(2010, 12, 1).unwrap());
        assert!(first.purchases.iter().any(|p| p.order_no == "C536379" && p.amount_cents == -2_750));
        // Imported again: nothing doubles.
        let wb = workbook_with(plan.records.into_iter().map(|r| *r).collect());
        let (mut rows, header) = RowReader::new(SALES, b',', 1).unwrap();
        let mut s = settings(Kind::Purchases, auto_map(Kind::Purchases, &header, &[]));
        s.create_customers = true;
        s.skip_returns = true;
        let mut importer = Importer::new(s, &wb, header.len());
        while let Some(row) = rows.next_row() {
            importer.take(row, &wb);
        }
        let again = importer.finish();
        assert!(again.records.is_empty());
        assert_eq!((again.counts.unchanged, again.counts.returns_skipped, again.counts.customers_created), (4, 1, 0));
    }

    #[test]
    fn without_create_an_unknown_code_is_a_problem_and_a_line_total_wins_over_unit_price() {
        let wb = workbook_with(vec![customer(3, "Ann", "", "")]);
        let text = "会员号,下单时间,单价,数量,实付,商品说明\n3,2026-01-05 10:00,10,3,25,茶\n4,2026-01-05,1,1,1,x\n";
        let plan = plan(Kind::Purchases, text, &wb);
        assert_eq!(plan.problems.iter().map(|p| (p.line, &p.issue)).collect::<Vec<_>>(), [(3, &RowIssue::NoCustomer)]);
        let ann = written(plan, &wb).remove(0);
        assert_eq!(ann.purchases[0].amount_cents, 2_500);
        assert_eq!(ann.purchases[0].unit_price_cents, Some(1_000));
    }

    #[test]
    fn purchases_find_their_customer_and_never_make_orphans() {
        let wb = workbook_with(vec![
            customer(3, "Ann", "13800001111", ""),
            customer(4, "Bob", "", ""),
            customer(5, "Bob", "", ""),
        ]);
        let text = "customer_id,客户名称,电话,日期,商品,数量,金额\n\
                    3,,,2026-01-05,茶,2,\"￥1,280.50\"\n\
                    ,,13800001111,2026/2/1,咖啡,,30\n\
                    ,Bob,,2026-02-02,tea,1,5\n\
                    77,,,2026-02-02,tea,1,5\n\
                    3,,,2026-13-01,tea,1,-5\n";
        let plan = plan(Kind::Purchases, text, &wb);
        assert_eq!(plan.counts, Counts { created: 2, updated: 0, unchanged: 0, rejected: 3, ..Default::default() });
        let issues: Vec<(u64, Option<usize>, &RowIssue)> =
            plan.problems.iter().map(|p| (p.line, p.column, &p.issue)).collect();
        assert_eq!(
            issues,
            [
                (4, Some(1), &RowIssue::AmbiguousCustomer(2)),
                (5, Some(0), &RowIssue::NoCustomer),
                (6, Some(3), &RowIssue::Field(Problem::InvalidDate)),
            ]
        );
        let files = written(plan, &wb);
        assert_eq!(files.len(), 1);
        let ann = &files[0];
        assert_eq!(ann.purchases.iter().map(|p| p.amount_cents).collect::<Vec<_>>(), [128_050, 3_000]);
        assert_eq!(ann.purchases[1].quantity, 1.0);
        assert!(ann.purchases.iter().all(|p| p.updated_at == 1_000));
    }

    #[test]
    fn a_customer_found_by_phone_and_later_by_code_gets_every_purchase_in_one_file() {
        let wb = workbook_with(vec![customer(3, "Ann", "13800001111", ""), customer(4, "Bob", "", "")]);
        let text = "customer_id,电话,日期,商品,金额\n\
                    ,13800001111,2026-01-05,a,1\n\
                    3,,2026-01-06,b,2\n\
                    4,,2026-01-06,c,3\n\
                    ,13800001111,2026-01-07,d,4\n";
        let plan = plan(Kind::Purchases, text, &wb);
        assert_eq!(plan.counts.created, 4, "{:?}", plan.problems);
        assert_eq!(plan.existed_before, [(3, true), (4, true)]);
        let files = written(plan, &wb);
        let products = |r: &CustomerRecord| r.purchases.iter().map(|p| p.product.to_string()).collect::<Vec<_>>();
        assert_eq!(files.iter().map(products).collect::<Vec<_>>(), [vec!["a", "b", "d"], vec!["c"]]);
    }

    #[test]
    fn purchases_interleaved_over_customers_land_after_what_each_had_in_file_order() {
        let mut ann = customer(3, "Ann", "", "");
        ann.purchases.push(Purchase { id: 9, amount_cents: 100, product: "old".into(), ..Default::default() });
        let wb = workbook_with(vec![ann, customer(4, "Bob", "", "")]);
        let text = "customer_id,日期,商品,金额,订单号\n\
                    3,2026-01-05,a,1,\n\
                    4,2026-01-05,b,2,O1\n\
                    3,2026-01-06,c,3,O2\n\
                    4,2026-01-06,d,4,\n\
                    4,2026-01-07,e,5,O1\n\
                    3,2026-01-07,f,6,\n";
        let (mut rows, header) = RowReader::new(text, b',', 1).unwrap();
        let mut importer = Importer::new(settings(Kind::Purchases, auto_map(Kind::Purchases, &header, &[])), &wb, 5);
        while let Some(row) = rows.next_row() {
            importer.take(row, &wb);
        }
        let plan = importer.finish();
        assert_eq!(plan.counts.lines_merged, 1);
        assert_eq!(plan.existed_before, [(3, true), (4, true)]);
        let files = written(plan, &wb);
        let products = |r: &CustomerRecord| r.purchases.iter().map(|p| p.product.clone()).collect::<Vec<_>>();
        let amounts = |r: &CustomerRecord| r.purchases.iter().map(|p| p.amount_cents).collect::<Vec<_>>();
        assert_eq!(
            (products(&files[0]), amounts(&files[0])),
            (
                vec!["old", "a", "c", "f"].into_iter().map(crate::domain::text::Text::from).collect(),
                vec![100, 100, 300, 600]
            )
        );
        // Bob's order O1 has two lines: one purchase, its amounts added up.
        assert_eq!(amounts(&files[1]), [700, 400]);
        assert_eq!(files[1].purchases[0].items.len(), 2);
    }

    #[test]
    fn purchases_spread_over_many_customers_reach_each_in_file_order_in_a_list_sized_once() {
        let customers: Vec<CustomerRecord> = (1..=37).map(|id| customer(id, "C", "", "")).collect();
        let wb = workbook_with(customers);
        let mut text = String::from("customer_id,date,product,amount\n");
        let mut expected: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for i in 0..500u64 {
            let id = 1 + (i * i * 7 + i) % 37;
            text.push_str(&format!("{id},2026-01-05,p{i},{}\n", 1 + i % 9));
            expected.entry(id).or_default().push(format!("p{i}"));
        }
        let plan = plan(Kind::Purchases, &text, &wb);
        assert_eq!(plan.counts.created, 500);
        let got: BTreeMap<u64, Vec<String>> =
            plan.added.iter().map(|(id, list)| (*id, list.iter().map(|p| p.product.to_string()).collect())).collect();
        assert_eq!(got, expected);
        assert!(plan.added.iter().all(|(_, list)| list.capacity() == list.len()));
    }

    #[test]
    fn importing_the_same_purchases_twice_adds_them_once() {
        let wb = workbook_with(vec![customer(3, "Ann", "", "")]);
        let text = "customer_id,date,product,amount\n3,2026-01-05,tea,10\n3,2026-01-05,tea,10\n";
        let first = plan(Kind::Purchases, text, &wb);
        assert_eq!(first.counts.created, 2, "two identical rows in one file are two purchases");
        let wb = workbook_with(written(first, &wb));
        let again = plan(Kind::Purchases, text, &wb);
        assert_eq!(again.counts, Counts { unchanged: 2, ..Default::default() });
        assert!(again.records.is_empty() && again.added.is_empty());
    }

    #[test]
    fn a_feedback_file_without_record_ids_sends_only_the_feedback_it_adds() {
        let wb = workbook_with(vec![customer(3, "Ann", "", ""), customer(4, "Bob", "", "")]);
        let text = "customer_id,date,score,comment\n3,2026-01-05,5,good\n3,2026-01-06,4,ok\n";
        let first = plan(Kind::Feedback, text, &wb);
        assert!(first.records.is_empty() && first.added.is_empty(), "no file copied");
        assert_eq!(first.existed_before, [(3, true)]);
        let scores = |items: &[Related]| {
            items.iter().map(|i| if let Related::Feedback(f) = i { f.score } else { 0 }).collect::<Vec<_>>()
        };
        let sent: Vec<(u64, Vec<u8>)> = first.added_others.iter().map(|(id, items)| (*id, scores(items))).collect();
        assert_eq!(sent, [(3, vec![5, 4])]);
        let wb = workbook_with(written(first, &wb));
        assert_eq!(wb.get(3).unwrap().feedback.len(), 2);
        let again = plan(Kind::Feedback, text, &wb);
        assert_eq!(again.counts, Counts { unchanged: 2, ..Default::default() }, "the same file again adds nothing");
        assert!(again.added_others.is_empty());
    }

    #[test]
    fn exported_rows_come_back_as_the_same_records() {
        use crate::domain::columns::export_csv;
        use crate::domain::demo::generate;
        let records = generate(1, 30, 200, today(), 7);
        let wb = workbook_with(records);
        let policy = settings(Kind::Customers, vec![]).policy;
        for kind in [Kind::Purchases, Kind::Feedback, Kind::Interactions, Kind::Campaigns] {
            for lang in [Lang::Zh, Lang::En] {
                let bytes = export_csv(kind, &wb, lang, &[], &policy);
                let (text, _) = crate::domain::sheet::decode(bytes.as_slice(), None).unwrap();
                let plan = plan(kind, &text, &wb);
                assert_eq!(plan.problems, vec![], "{kind:?} {lang:?}");
                assert_eq!(plan.counts.created + plan.counts.updated, 0, "{kind:?} {lang:?}");
                assert!(plan.records.is_empty());
            }
        }
        let empty = Workbook::default();
        let bytes = export_csv(Kind::Customers, &wb, Lang::Zh, &[], &policy);
        let (text, _) = crate::domain::sheet::decode(bytes.as_slice(), None).unwrap();
        let plan = plan(Kind::Customers, &text, &empty);
        assert_eq!(plan.problems, vec![]);
        assert_eq!(plan.counts.created, 30);
        for r in &plan.records {
            let original = wb.records().find(|o| o.customer.code == r.customer.code).unwrap();
            assert_eq!(
                Customer { updated_at: 0, id: 0, referred_by: None, ..r.customer.clone() },
                Customer { updated_at: 0, id: 0, referred_by: None, ..original.customer.clone() }
            );
            let referrer =
                |c: &Customer, wb: &Workbook| c.referred_by.and_then(|id| wb.get(id)).map(|r| r.customer.code.clone());
            let staged = |id| plan.records.iter().find(|x| x.customer.id == id).map(|x| x.customer.code.clone());
            assert_eq!(r.customer.referred_by.and_then(staged), referrer(&original.customer, &wb));
        }
    }

    #[test]
    fn a_row_with_the_wrong_number_of_cells_or_an_open_quote_is_reported_by_line() {
        let wb = workbook_with(vec![customer(3, "Ann", "", "")]);
        let plan = plan(Kind::Customers, "name,city\nAnn,Paris,extra\nBob,\"Rome\nCy,Oslo\n", &wb);
        let issues: Vec<(u64, &RowIssue)> = plan.problems.iter().map(|p| (p.line, &p.issue)).collect();
        assert_eq!(
            issues,
            [(2, &RowIssue::CellCount { expected: 2, found: 3 }), (3, &RowIssue::UnclosedQuote { through_line: 4 })]
        );
        assert!(plan.records.is_empty());
    }
}
