//! Small preferences in local storage (gloo-storage): language and the like.

use gloo_storage::{LocalStorage, Storage};

use crate::i18n::Lang;

const LANG_KEY: &str = "tierbook.lang";

pub fn language() -> Lang {
    LocalStorage::get(LANG_KEY).unwrap_or_default()
}

pub fn set_language(lang: Lang) {
    // Losing this preference is harmless: the page falls back to 中文.
    let _ = LocalStorage::set(LANG_KEY, lang);
}

const WORKBOOK_NAME_KEY: &str = "tierbook.workbook-name";

/// The name exported files start with.
pub fn workbook_name() -> String {
    LocalStorage::get(WORKBOOK_NAME_KEY).unwrap_or_else(|_| "Tierbook".to_string())
}

pub fn set_workbook_name(name: &str) {
    let _ = LocalStorage::set(WORKBOOK_NAME_KEY, name);
}

const REMINDER_SETTINGS_KEY: &str = "tierbook.reminder-settings";

pub fn reminder_settings() -> crate::domain::reminders::Settings {
    LocalStorage::get(REMINDER_SETTINGS_KEY).unwrap_or_default()
}

pub fn set_reminder_settings(settings: &crate::domain::reminders::Settings) {
    let _ = LocalStorage::set(REMINDER_SETTINGS_KEY, settings);
}

const LAST_BACKUP_KEY: &str = "tierbook.last-backup";

/// When the workbook was last exported as a JSON backup (milliseconds), if ever.
pub fn last_backup() -> Option<i64> {
    LocalStorage::get(LAST_BACKUP_KEY).ok()
}

pub fn set_last_backup(millis: i64) {
    let _ = LocalStorage::set(LAST_BACKUP_KEY, millis);
}

const GREETINGS_KEY: &str = "tierbook.greetings";

/// The user's greeting templates (中文, English); None until they edit the defaults.
pub fn greetings() -> Option<(String, String)> {
    LocalStorage::get(GREETINGS_KEY).ok()
}

pub fn set_greetings(zh: &str, en: &str) {
    let _ = LocalStorage::set(GREETINGS_KEY, (zh, en));
}

const CODE_FORMAT_KEY: &str = "tierbook.code-format";

/// How the codes of new customers look (`C00000`: `C00001`, `C00002`, …).
pub fn code_format() -> crate::domain::codes::CodeFormat {
    LocalStorage::get::<String>(CODE_FORMAT_KEY)
        .ok()
        .and_then(|p| crate::domain::codes::CodeFormat::parse(&p))
        .unwrap_or_default()
}

pub fn set_code_format(format: &crate::domain::codes::CodeFormat) {
    let _ = LocalStorage::set(CODE_FORMAT_KEY, format.pattern());
}

const SYNC_KEY: &str = "tierbook.sync";

/// Where and as whom to sync; the password only if the user asked to keep it (never exported).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SyncSettings {
    pub url: String,
    pub user: String,
    pub password: Option<String>,
    pub live: bool,
}

pub fn sync_settings() -> SyncSettings {
    LocalStorage::get(SYNC_KEY).unwrap_or_default()
}

pub fn set_sync_settings(settings: &SyncSettings) {
    let _ = LocalStorage::set(SYNC_KEY, settings);
}
