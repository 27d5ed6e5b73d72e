//! Import & export: JSON backups and CSV files out; JSON backups and CSV files in, with a
//! preview and every problem shown before one atomic write, and an undo.

use std::rc::Rc;

use leptos::prelude::*;

use crate::components::export_panel::ExportPanel;
use crate::components::import_result::ImportResult;
use crate::components::merge_conflicts::MergeConflicts;
use crate::domain::backup::Backup;
use crate::domain::columns::{auto_map, columns, locate_header, missing_targets, Kind, Target};
use crate::domain::import::{Counts, ImportSettings, Importer, MatchKey};
use crate::domain::model::CustomFieldDef;
use crate::domain::sheet::{
    decode_with, line_start, sniff_delimiter, write_csv, FileProblem, Row, RowReader, TextEncoding,
};
use crate::domain::spreadsheet::is_spreadsheet;
use crate::domain::tiers::TierPolicy;
use crate::domain::workbook::Change;
use crate::domain::write_path::{backup_plan, PlannedUndo};
use crate::files::{download, mark, read_file, yield_to_browser};
use crate::i18n::{backup_problem, file_problem, import_problem, tr, Lang};
use crate::state::{now_millis, today, use_app, AppState, LastImport};
use crate::storage::settings;

const MAX_FILE_BYTES: usize = 100 * 1024 * 1024;
/// Problems listed on the page; the rejected-rows file has them all.
const SHOWN_PROBLEMS: usize = 200;
/// How long one slice of reading runs before the page gets to paint and take input.
const SLICE_MS: f64 = 40.0;
/// The biggest text kept after an analysis so that another mapping need not read it again.
const KEEP_TEXT_BYTES: usize = 8 << 20;

/// What the page shows about a file read but not yet written.
#[derive(Clone, Default)]
struct Analysis {
    file: String,
    kind: String,
    encoding: Option<TextEncoding>,
    headings: Vec<String>,
    mapping: Vec<Target>,
    rows: usize,
    counts: Counts,
    problems: Vec<String>,
    problem_total: usize,
    preview: Vec<(u64, Vec<String>)>,
    /// A backup into an empty workbook: restored as it is.
    restore: bool,
    conflicts: usize,
    /// The 1-based line the headings were read from.
    header_line: u64,
    no_customer_lines: Vec<u64>,
}

/// What `import-commit` writes, and what undoing it puts back.
struct Pending {
    changes: Vec<Change>,
    undo: PlannedUndo,
    definitions: Option<(TierPolicy, Vec<CustomFieldDef>)>,
    conflicts: Vec<crate::domain::backup::Conflict>,
    rejected_csv: Option<Vec<u8>>,
}

/// The file chosen (its name and the browser's handle), kept so a changed encoding or sheet
/// can read it again. Its bytes are not kept: a 60 MB file would sit in memory twice, as
/// bytes and as text, through the import and its write.
type ChosenFile = (String, web_sys::File);

fn match_order(code: &str) -> Vec<MatchKey> {
    match code {
        "id" => vec![MatchKey::Code],
        "phone-email" => vec![MatchKey::Phone, MatchKey::Email],
        "off" => vec![],
        _ => vec![MatchKey::Code, MatchKey::Phone, MatchKey::Email],
    }
}

/// A backup read: what committing it does (restore or merge) and what that writes.
fn read_backup(
    app: AppState,
    file: String,
    text: &str,
    lang: Lang,
    deleted_here: &crate::domain::backup::Deletions,
) -> Result<(Analysis, Pending), String> {
    let backup = Backup::parse(text).map_err(|p| backup_problem(lang, &file, &p))?;
    let rows = backup.customers.len();
    let policy = app.policy.get_untracked();
    let plan = app.workbook.with_untracked(|wb| backup_plan(wb, backup, lang, &policy, deleted_here));
    let analysis = Analysis {
        file,
        kind: "backup".into(),
        rows,
        counts: plan.counts,
        restore: plan.restore,
        conflicts: plan.conflicts.len(),
        ..Default::default()
    };
    let pending = Pending {
        changes: plan.changes,
        undo: PlannedUndo::Changes(plan.undo),
        definitions: plan.definitions,
        conflicts: plan.conflicts,
        rejected_csv: None,
    };
    Ok((analysis, pending))
}

#[component]
pub fn ImportExport() -> impl IntoView {
    let app = use_app();
    // --- import ---
    let kind = RwSignal::new("customers".to_string());
    let create_customers = RwSignal::new(false);
    let skip_returns = RwSignal::new(false);
    // None: found automatically.
    let header_line = RwSignal::new(None::<u64>);
    let sheets = RwSignal::new(Vec::<String>::new());
    let sheet = RwSignal::new(0usize);
    // The file's text for (encoding, sheet) and the encoding it was read in, kept so a changed
    // mapping does not read it again.
    type TextCache = Option<(String, Rc<String>, Option<TextEncoding>)>;
    let text_cache: StoredValue<TextCache, LocalStorage> = StoredValue::new_local(None);
    let encoding = RwSignal::new("auto".to_string());
    let matching = RwSignal::new("id-phone-email".to_string());
    let source: StoredValue<Option<ChosenFile>, LocalStorage> = StoredValue::new_local(None);
    let mapping_override: StoredValue<Option<Vec<Target>>> = StoredValue::new(None);
    let analysis = RwSignal::new(None::<Analysis>);
    let pending: StoredValue<Option<Pending>, LocalStorage> = StoredValue::new_local(None);
    let progress = RwSignal::new(None::<f64>);
    // Each analysis has a number; a newer one makes an older one still running stop.
    let run = StoredValue::new(0u64);
    // The chosen file is an encrypted export, and the passphrase typed for it.
    let encrypted = RwSignal::new(false);
    let import_passphrase = RwSignal::new(String::new());

    let analyse = move || {
        let Some((file, handle)) = source.get_value() else { return };
        run.update_value(|n| *n += 1);
        let this_run = run.get_value();
        analysis.set(None);
        pending.set_value(None);
        app.error.set(None);
        leptos::task::spawn_local(async move {
            let lang = app.lang.get_untracked();
            let forced = TextEncoding::from_code(&encoding.get_untracked());
            let fail = |message: String| {
                progress.set(None);
                // A refused file is forgotten: changing the kind or encoding does not bring it back.
                source.set_value(None);
                app.show_error(message);
            };
            if handle.size() > MAX_FILE_BYTES as f64 {
                return fail(format!("{file}: {}", tr(lang, "file.too-big")));
            }
            progress.set(Some(0.0));
            yield_to_browser().await;
            let cache_key = format!("{}/{}", encoding.get_untracked(), sheet.get_untracked());
            let cached = text_cache
                .with_value(|c| c.as_ref().filter(|(k, ..)| *k == cache_key).map(|(_, t, e)| (t.clone(), *e)));
            // The file is read (again) only when its text for this encoding and sheet is not at hand.
            let (text, used) = match cached {
                Some(cached) => {
                    mark("import:read");
                    cached
                }
                None => {
                    let bytes = match read_file(&handle).await {
                        Ok(bytes) => bytes,
                        Err(e) => return fail(format!("{file}: {e}")),
                    };
                    mark("import:read");
                    if run.get_value() != this_run {
                        return;
                    }
                    if is_spreadsheet(&bytes) {
                        let read = crate::sheet_worker::read_spreadsheet(&bytes, sheet.get_untracked()).await;
                        if run.get_value() != this_run {
                            return;
                        }
                        match read {
                            Ok((names, text)) => {
                                sheets.set(names);
                                (Rc::new(text), None)
                            }
                            Err(reason) => {
                                return fail(file_problem(lang, &file, &FileProblem::Spreadsheet(reason)));
                            }
                        }
                    } else {
                        // GBK text is decoded by the worker (the decoder's tables are not in
                        // the page): bytes that are not UTF-8 come back for it.
                        let mut not_utf8 = None;
                        let decoded = decode_with(bytes, forced, |raw| {
                            not_utf8 = Some(raw.to_vec());
                            None
                        });
                        let decoded = match (decoded, not_utf8) {
                            (Err(FileProblem::NotDecodable(TextEncoding::Gb18030)), Some(raw)) => {
                                let legacy = crate::sheet_worker::gb18030_text(&raw).await;
                                if run.get_value() != this_run {
                                    return;
                                }
                                let legacy = match legacy {
                                    Ok(text) => text,
                                    Err(reason) => return fail(format!("{file}: {reason}")),
                                };
                                decode_with(raw, Some(TextEncoding::Gb18030), move |_| legacy)
                            }
                            (decoded, _) => decoded,
                        };
                        match decoded {
                            Ok((text, used)) => (Rc::new(text), Some(used)),
                            Err(p) => return fail(file_problem(lang, &file, &p)),
                        }
                    }
                }
            };
            mark("import:decoded");
            text_cache.set_value(Some((cache_key, text.clone(), used)));
            let kind_code = kind.get_untracked();
            // An encrypted export: opened with the passphrase typed for it, or asked for.
            let text = match crate::domain::sealed::SealedFile::parse(&text) {
                None => {
                    encrypted.set(false);
                    text
                }
                Some(sealed) => {
                    encrypted.set(true);
                    kind.set("backup".into());
                    let secret = import_passphrase.get_untracked();
                    progress.set(None);
                    if secret.is_empty() {
                        app.show_error(format!("{file}: {}", tr(lang, "import.encrypted")));
                        return;
                    }
                    let key = crate::lock::derive_key(&secret, &sealed.salt_bytes(), sealed.iterations).await;
                    if run.get_value() != this_run {
                        return;
                    }
                    match key.ok().and_then(|key| sealed.open(&key).ok()).and_then(|b| String::from_utf8(b).ok()) {
                        Some(plain) => Rc::new(plain),
                        None => {
                            app.show_error(format!("{file}: {}", tr(lang, "import.wrong-passphrase")));
                            return;
                        }
                    }
                }
            };
            let kind_code = if encrypted.get_untracked() { "backup".to_string() } else { kind_code };
            if kind_code == "backup" {
                let deleted_here = app.deletions().await;
                if run.get_value() != this_run {
                    return;
                }
                match read_backup(app, file, &text, lang, &deleted_here) {
                    Ok((a, p)) => {
                        progress.set(None);
                        pending.set_value(Some(p));
                        analysis.set(Some(a));
                    }
                    Err(message) => fail(message),
                }
                return;
            }
            let Some(kind) = Kind::from_code(&kind_code) else { return };
            let (found_line, found_delimiter) = locate_header(&text);
            let (line, delimiter) = match header_line.get_untracked() {
                Some(line) => (line, sniff_delimiter(&text[line_start(&text, line)..])),
                None => (found_line, found_delimiter),
            };
            let (mut reader, headings) = match RowReader::new(&text, delimiter, line) {
                Ok(r) => r,
                Err(p) => return fail(file_problem(lang, &file, &p)),
            };
            let defs = app.custom_fields.get_untracked();
            let mapping = mapping_override
                .get_value()
                .filter(|m| m.len() == headings.len())
                .unwrap_or_else(|| auto_map(kind, &headings, &defs));
            // A target nobody mapped is one message, before a single row is read.
            let missing = missing_targets(kind, &mapping);
            if !missing.is_empty() {
                let problems: Vec<String> = missing
                    .iter()
                    .map(|key| {
                        let target = columns(kind).iter().find(|c| c.key == *key).map_or(*key, |c| c.heading(lang));
                        format!(
                            "{file}: {}",
                            crate::i18n::fill(tr(lang, "import.missing-target"), &[("target", target.to_string())])
                        )
                    })
                    .collect();
                progress.set(None);
                app.show_error(problems.join(" "));
                analysis.set(Some(Analysis {
                    file,
                    kind: kind_code,
                    encoding: used,
                    headings,
                    mapping,
                    problem_total: problems.len(),
                    problems,
                    header_line: line,
                    ..Default::default()
                }));
                return;
            }
            let mut import_settings =
                ImportSettings::new(kind, mapping.clone(), app.policy.get_untracked(), today(), now_millis());
            import_settings.match_order = match_order(&matching.get_untracked());
            import_settings.custom_fields = defs;
            import_settings.create_customers = create_customers.get_untracked();
            import_settings.skip_returns = skip_returns.get_untracked();
            import_settings.code_format = settings::code_format();
            import_settings.seed = crate::state::random_seed();
            let mut importer = app.workbook.with_untracked(|wb| Importer::new(import_settings, wb, headings.len()));
            importer.expect_rows(&reader);
            let mut rows = 0usize;
            loop {
                let started = js_sys::Date::now();
                let mut done = false;
                app.workbook.with_untracked(|wb| {
                    while !done && js_sys::Date::now() - started < SLICE_MS {
                        let taken = importer.take_rows(&mut reader, wb, 500);
                        rows += taken;
                        done = taken < 500;
                    }
                });
                if done {
                    break;
                }
                progress.set(Some(reader.progress()));
                yield_to_browser().await;
                if run.get_value() != this_run {
                    return;
                }
            }
            mark("import:rows");
            // A big file's text is not kept for a re-analysis (another mapping reads the file
            // again): the plan is made next, and the text would sit beside it at the peak.
            drop(reader);
            if text.len() > KEEP_TEXT_BYTES {
                text_cache.set_value(None);
            }
            drop(text);
            if rows == 0 {
                return fail(file_problem(lang, &file, &FileProblem::HeaderOnly));
            }
            let mut plan = importer.finish();
            mark("import:planned");
            let problem_total = plan.problems.len();
            let problems: Vec<String> =
                plan.problems.iter().take(SHOWN_PROBLEMS).map(|p| import_problem(lang, &file, p, &headings)).collect();
            let rejected_csv = (!plan.rejected.is_empty())
                .then(|| rejected_file(lang, &file, &headings, &plan.rejected, &plan.problems));
            pending.set_value(Some(Pending {
                changes: plan.take_changes(),
                undo: PlannedUndo::FromReplaced(plan.existed_before),
                definitions: None,
                conflicts: Vec::new(),
                rejected_csv,
            }));
            progress.set(None);
            analysis.set(Some(Analysis {
                file,
                kind: kind_code,
                encoding: used,
                headings,
                mapping,
                rows,
                counts: plan.counts,
                problems,
                problem_total,
                preview: plan.preview,
                restore: false,
                conflicts: 0,
                header_line: line,
                no_customer_lines: plan.no_customer_lines,
            }));
        });
    };

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
        let name = file.name();
        if name.to_lowercase().ends_with(".json") {
            kind.set("backup".into());
        }
        // The same file chosen again must be read again.
        input.set_value("");
        mapping_override.set_value(None);
        header_line.set(None);
        sheets.set(Vec::new());
        sheet.set(0);
        text_cache.set_value(None);
        source.set_value(Some((name, file)));
        analyse();
    };

    let set_mapping = move |column: usize, value: String| {
        let Some(a) = analysis.get_untracked() else { return };
        let mut mapping = a.mapping.clone();
        mapping[column] = match value.as_str() {
            "" => Target::Ignore,
            v => match v.strip_prefix("custom:") {
                Some(id) => Target::Custom(id.to_string()),
                None => Kind::from_code(&a.kind)
                    .and_then(|k| columns(k).iter().find(|c| c.key == v))
                    .map_or(Target::Ignore, |c| Target::Field(c.key)),
            },
        };
        mapping_override.set_value(Some(mapping));
        analyse();
    };

    let commit = move |_| {
        let Some(p) = pending.try_update_value(|p| p.take()).flatten() else { return };
        // The file and its text (twice 63 MB for a million purchases) are not needed once the
        // plan is made: freed before the write, which reuses the space.
        source.set_value(None);
        text_cache.set_value(None);
        // Only the latest import can be undone.
        app.last_import.set(None);
        let counts = analysis.get_untracked().map(|a| a.counts).unwrap_or_default();
        leptos::task::spawn_local(async move {
            let previous =
                p.definitions.as_ref().map(|_| (app.policy.get_untracked(), app.custom_fields.get_untracked()));
            if let Some(undo) = app.commit_import(p.changes, p.definitions, p.undo).await {
                if !p.conflicts.is_empty() {
                    let mut all = app.conflicts.get_untracked();
                    all.extend(p.conflicts);
                    app.save_conflicts(all).await;
                }
                app.last_import.set(Some(LastImport { counts, undo: Some(undo), definitions_before: previous }));
                analysis.set(None);
            }
        });
    };
    let cancel = move |_| {
        pending.set_value(None);
        analysis.set(None);
        source.set_value(None);
        text_cache.set_value(None);
    };
    let download_rejected = move |_| {
        let bytes = pending.with_value(|p| p.as_ref().and_then(|p| p.rejected_csv.clone()));
        if let (Some(bytes), Some(a)) = (bytes, analysis.get_untracked()) {
            let stem = a.file.rsplit_once('.').map_or(a.file.clone(), |(s, _)| s.to_string());
            let _ = download(&format!("{stem}-rejected.csv"), "text/csv;charset=utf-8", &bytes);
        }
    };
    let kind_options = ["customers", "purchases", "feedback", "interactions", "campaigns", "backup"];

    view! {
        <section class="page import-export">
            <h1>{move || app.t("import.title")}</h1>
            <ExportPanel/>

            <div class="panel">
                <h2>{move || app.t("import.import")}</h2>
                <p class="muted">{move || app.t("import.import-help")}</p>
                <div class="import-options">
                    <label>
                        {move || app.t("import.kind")}
                        <select data-testid="import-kind" prop:value=move || kind.get()
                            on:change=move |ev| { kind.set(event_target_value(&ev)); mapping_override.set_value(None); analyse(); }>
                            {kind_options.into_iter().map(|k| view! {
                                <option value=k selected=move || kind.get() == k>{move || app.t(&format!("import.kind.{k}"))}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        {move || app.t("import.encoding")}
                        <select data-testid="import-encoding" prop:value=move || encoding.get()
                            on:change=move |ev| { encoding.set(event_target_value(&ev)); analyse(); }>
                            <option value="auto">{move || app.t("import.encoding.auto")}</option>
                            {TextEncoding::ALL.into_iter().map(|e| view! {
                                <option value=e.code()>{e.code().to_uppercase()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        {move || app.t("import.match")}
                        <select data-testid="import-match" prop:value=move || matching.get()
                            on:change=move |ev| { matching.set(event_target_value(&ev)); analyse(); }>
                            {["id-phone-email", "id", "phone-email", "off"].into_iter().map(|m| view! {
                                <option value=m>{move || app.t(&format!("import.match.{m}"))}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        {move || app.t("import.file")}
                        <input type="file" accept=".csv,.txt,.tsv,.json,.xlsx,.xls,.ods,text/csv,application/json" data-testid="import-file" on:change=on_file/>
                    </label>
                </div>
                <Show when=move || encrypted.get()>
                    <label class="inline">
                        {move || app.t("import.passphrase")}
                        <input type="password" data-testid="import-passphrase" autocomplete="off"
                            prop:value=move || import_passphrase.get()
                            on:input=move |ev| import_passphrase.set(event_target_value(&ev))
                            on:change=move |_| analyse()/>
                    </label>
                </Show>
                <div class="import-options">
                    <label class="inline">
                        <input type="checkbox" data-testid="import-create-customers" prop:checked=move || create_customers.get()
                            on:change=move |ev| { create_customers.set(event_target_checked(&ev)); analyse(); }/>
                        {move || app.t("import.create-customers")}
                    </label>
                    <label class="inline">
                        <input type="checkbox" data-testid="import-skip-returns" prop:checked=move || skip_returns.get()
                            on:change=move |ev| { skip_returns.set(event_target_checked(&ev)); analyse(); }/>
                        {move || app.t("import.skip-returns")}
                    </label>
                    <label>
                        {move || app.t("import.header-line")}
                        <input type="number" min="1" data-testid="import-header-line" class="narrow"
                            prop:value=move || analysis.with(|a| a.as_ref().map(|a| a.header_line).filter(|l| *l > 0)).or(header_line.get()).map(|l| l.to_string()).unwrap_or_default()
                            on:change=move |ev| {
                                if let Ok(line) = event_target_value(&ev).trim().parse::<u64>() {
                                    header_line.set(Some(line.max(1)));
                                    mapping_override.set_value(None);
                                    analyse();
                                }
                            }/>
                    </label>
                    <Show when=move || !sheets.with(Vec::is_empty)>
                        <label>
                            {move || app.t("import.sheet")}
                            <select data-testid="import-sheet" prop:value=move || sheet.get().to_string()
                                on:change=move |ev| {
                                    sheet.set(event_target_value(&ev).parse().unwrap_or(0));
                                    header_line.set(None);
                                    mapping_override.set_value(None);
                                    analyse();
                                }>
                                {move || sheets.get().into_iter().enumerate().map(|(i, name)| view! {
                                    <option value=i.to_string() selected=move || sheet.get() == i>{name}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    </Show>
                </div>
                {move || progress.get().map(|p| view! {
                    <div class="import-progress" data-testid="import-progress">
                        <span class="muted">{app.t("import.reading")}</span>
                        <progress max="1" value=p></progress>
                    </div>
                })}
                {move || analysis.get().map(|a| analysis_view(a, app.lang.get(), &app.custom_fields.get(), set_mapping))}
                {move || analysis.get().map(|a| {
                    let has_problems = a.problem_total > 0;
                    let writes = a.counts.created + a.counts.updated > 0;
                    view! {
                        <div class="button-row">
                            <Show when=move || writes>
                                <button class="primary" data-testid="import-commit" disabled=move || app.saving.get() on:click=commit>
                                    {move || app.t(if has_problems { "import.commit-valid" } else { "import.commit" })}
                                </button>
                            </Show>
                            <button data-testid="import-cancel" on:click=cancel>{move || app.t("import.cancel")}</button>
                            <Show when=move || has_problems>
                                <button data-testid="import-rejected-download" on:click=download_rejected>{move || app.t("import.rejected")}</button>
                            </Show>
                        </div>
                        <Show when=move || !writes>
                            <p class="muted" data-testid="import-nothing">{move || app.t("import.nothing")}</p>
                        </Show>
                    }
                })}
                <Show when=move || analysis.with(Option::is_none)>
                    <ImportResult/>
                </Show>
            </div>

            <MergeConflicts/>
        </section>
    }
}

/// The mapping, preview and problems of a file read but not written.
fn analysis_view(
    a: Analysis,
    lang: Lang,
    defs: &[CustomFieldDef],
    set_mapping: impl Fn(usize, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = move |key: &str| tr(lang, key);
    let summary = if a.restore {
        t("import.restore").to_string()
    } else if a.kind == "backup" {
        t("import.merge").to_string()
    } else {
        // A spreadsheet has no text encoding to report.
        let read_as = a.encoding.map(|e| format!(" · {} {}", t("import.detected"), e.code().to_uppercase()));
        format!(
            "{}{} · {} {}",
            a.file,
            read_as.unwrap_or_default(),
            a.rows,
            crate::texts::tr_count(lang, "import.rows", a.rows as u64),
        )
    };
    let counts = format!(
        "{} {} · {} {} · {} {}",
        t("import.will"),
        a.counts.created,
        t("import.will-update"),
        a.counts.updated,
        t("import.will-skip"),
        a.counts.skipped()
    );
    let c = &a.counts;
    let details =
        (c.lines_merged + c.returns + c.returns_skipped + c.customers_created + c.no_customer > 0).then(|| {
            crate::i18n::fill(
                t("import.details"),
                &[
                    ("orders", c.created.to_string()),
                    ("lines", c.lines_merged.to_string()),
                    ("returns", c.returns.to_string()),
                    ("skipped", c.returns_skipped.to_string()),
                    ("customers", c.customers_created.to_string()),
                    ("none", c.no_customer.to_string()),
                ],
            )
        });
    let no_customer = (!a.no_customer_lines.is_empty()).then(|| {
        let lines = a.no_customer_lines.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
        view! { <p class="muted" data-testid="import-no-customer" data-count=c.no_customer.to_string()>{t("import.no-customer-lines")} ": " {lines}</p> }
    });
    let kind = Kind::from_code(&a.kind);
    let options: Vec<(String, String)> = kind
        .map(|k| {
            let mut options: Vec<(String, String)> = columns(k)
                .iter()
                .filter(|c| !c.export_only)
                .map(|c| (c.key.to_string(), c.heading(lang).to_string()))
                .collect();
            if k == Kind::Customers {
                options.extend(
                    defs.iter().map(|d| (format!("custom:{}", d.id), format!("{}: {}", t("import.custom"), d.label))),
                );
            }
            options
        })
        .unwrap_or_default();
    let mapping_rows = a.headings.iter().zip(&a.mapping).enumerate().map(|(i, (heading, target))| {
        let selected = match target {
            Target::Ignore => String::new(),
            Target::Field(key) => key.to_string(),
            Target::Custom(id) => format!("custom:{id}"),
        };
        let options = options.clone();
        view! {
            <tr>
                <td>{heading.clone()}</td>
                <td>
                    <select data-testid="import-mapping" aria-label=format!("{} · {heading}", t("import.mapping")) on:change=move |ev| set_mapping(i, event_target_value(&ev))>
                        <option value="" selected=selected.is_empty()>{t("import.ignore")}</option>
                        {options.into_iter().map(|(value, label)| {
                            let is = value == selected;
                            view! { <option value=value selected=is>{label}</option> }
                        }).collect_view()}
                    </select>
                </td>
            </tr>
        }
    }).collect_view();
    let mapped: Vec<usize> =
        a.mapping.iter().enumerate().filter(|(_, t)| **t != Target::Ignore).map(|(i, _)| i).collect();
    let preview_head = mapped.iter().map(|&i| view! { <th>{a.headings[i].clone()}</th> }).collect_view();
    let preview_rows = a
        .preview
        .iter()
        .map(|(line, cells)| {
            let cells =
                mapped.iter().map(|&i| view! { <td>{cells.get(i).cloned().unwrap_or_default()}</td> }).collect_view();
            view! { <tr><td class="muted">{*line}</td>{cells}</tr> }
        })
        .collect_view();
    let more = a.problem_total.saturating_sub(a.problems.len());
    view! {
        <div class="analysis" data-testid="import-analysis" data-file=a.file.clone()>
            <p data-testid="import-summary">{summary}</p>
            <p><strong data-testid="import-counts">{counts}</strong>
                {(a.conflicts > 0).then(|| format!(" · {} {}", a.conflicts, t("import.conflicts")))}</p>
            {details.map(|d| view! { <p data-testid="import-details">{d}</p> })}
            {no_customer}
            {(!a.problems.is_empty()).then(|| view! {
                <div class="import-problems">
                    <h3>{t("import.problems")} " (" {a.problem_total} ")"</h3>
                    <ul>
                        {a.problems.iter().map(|p| view! { <li data-testid="import-error">{p.clone()}</li> }).collect_view()}
                    </ul>
                    {(more > 0).then(|| view! { <p class="muted">"+" {more} " " {t("import.more-problems")}</p> })}
                </div>
            })}
            {(!a.headings.is_empty()).then(|| view! {
                <details class="mapping" open=true>
                    <summary>{t("import.mapping")}</summary>
                    <table class="history"><tbody>{mapping_rows}</tbody></table>
                </details>
            })}
            {(!a.preview.is_empty()).then(|| view! {
                <h3>{t("import.preview")}</h3>
                <div class="table-scroll">
                    <table class="history" data-testid="import-preview">
                        <thead><tr><th>{t("import.line")}</th>{preview_head}</tr></thead>
                        <tbody>{preview_rows}</tbody>
                    </table>
                </div>
            })}
        </div>
    }
}

/// The refused rows as they were, with a last column saying why, to fix and import again.
fn rejected_file(
    lang: Lang,
    file: &str,
    headings: &[String],
    rows: &[Row],
    problems: &[crate::domain::import::RowProblem],
) -> Vec<u8> {
    let mut header = headings.to_vec();
    header.push(tr(lang, "import.rejected-problem").to_string());
    let mut by_line: std::collections::HashMap<u64, Vec<String>> = std::collections::HashMap::new();
    for p in problems {
        by_line.entry(p.line).or_default().push(import_problem(lang, file, p, headings));
    }
    let rows = rows.iter().map(move |r| {
        let mut cells: Vec<String> = r.cells.iter().map(str::to_string).collect();
        cells.resize(headings.len(), String::new());
        cells.push(by_line.get(&r.line).map(|p| p.join("; ")).unwrap_or_default());
        cells
    });
    write_csv(&header, rows.collect::<Vec<_>>().into_iter())
}
